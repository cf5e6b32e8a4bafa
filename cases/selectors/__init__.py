"""The reads that combine the search index and the database (the writes are
``cases.services``): a page of hits with their letters (``searching``, the letters read by
``result_letters``), the alternatives to a search that found nothing, a case number looked
up, similar determinations (``searching``), the rows of an export (``export_rows``), the
counts of the outcome view (``outcomes``) and what is new to a saved search (``following``,
imported from its module). Callers import the public names from here."""

from __future__ import annotations

from cases.selectors.export_rows import (
    CHUNK_SIZE,
    COLUMNS,
    ItemRow,
    find_items,
    iter_rows,
)
from cases.selectors.outcomes import count_outcomes
from cases.selectors.result_letters import ResultItem, ResultLetter, result_letters, snippet_texts
from cases.selectors.searching import (
    SearchPage,
    count_alternatives,
    count_offer,
    facet_counts,
    find_case_number,
    item_positions,
    offered_query,
    search_determinations,
)

__all__ = ["CHUNK_SIZE", "COLUMNS", "ItemRow", "ResultItem", "ResultLetter", "SearchPage",
           "count_alternatives", "count_offer", "count_outcomes", "facet_counts",
           "find_case_number", "find_items", "item_positions", "iter_rows", "offered_query",
           "result_letters", "search_determinations", "snippet_texts"]
