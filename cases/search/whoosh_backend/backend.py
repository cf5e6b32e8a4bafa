"""``WhooshBackend``: the query side over an ``IndexDirectory``, its index the write side.

Every read goes through ``IndexDirectory.read`` (a searcher of the read's own, retries,
damage detection); what a query selects and how it is counted and ordered is
``selection``'s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from cases.search.base import (
    IndexUnavailableError,
    ItemCount,
    ItemRequest,
    Neighbours,
    OutcomeCounts,
    SearchBackend,
    SearchError,
    SearchQuery,
    SearchResults,
    TextLoader,
)
from cases.search.whoosh_backend import neighbours, selection
from cases.search.whoosh_backend.analysis import QueryBuilder
from cases.search.whoosh_backend.directory import IndexDirectory
from cases.search.whoosh_backend.opened import Lent
from cases.search.whoosh_backend.schema import build_schema
from cases.search.whoosh_backend.writing import WhooshIndex

GROUPS = ("specialty", "guideline", "year")  # case facets outcomes are grouped by


class WhooshBackend(SearchBackend):
    """Whoosh index with NumPy facet counts; safe for several reader processes, and for
    many threads in each."""

    def __init__(self, options: Mapping[str, object]) -> None:
        super().__init__(options)
        self.path = Path(str(options["path"]))
        self.schema = build_schema()
        self.queries = QueryBuilder(self.schema)
        self.directory = IndexDirectory(self.path, self.schema)
        self.index = WhooshIndex(self.directory)

    def _select(self, read: Lent, query: SearchQuery) -> selection.Selection:
        self.check_filters(query)
        return selection.select(read, query, self.queries)

    def search(self, query: SearchQuery, *, load_text: TextLoader | None = None) -> SearchResults:
        if query.page < 1 or query.page_size < 1:
            raise SearchError("Pages are numbered from 1 and hold at least one result.")

        def page(read: Lent) -> SearchResults:
            chosen = self._select(read, query)
            arrays = read.arrays
            decisions = selection.counted_decisions(arrays, chosen)
            start = (query.page - 1) * query.page_size
            docnums = selection.ordered(arrays, chosen, start, start + query.page_size,
                                        query.sort)
            return SearchResults(
                hits=selection.hits(read.searcher, arrays, chosen, docnums, load_text),
                total=chosen.total, page=query.page,
                pages=max(1, math.ceil(chosen.total / query.page_size)),
                facets=selection.facets(arrays, chosen),
                items_upheld=decisions.get("Upheld", 0),
                items_overturned=decisions.get("Overturned", 0),
                items_matching_only=bool(chosen.item_conditions),
            )
        return self.directory.read(page)

    def count_items(self, query: SearchQuery) -> ItemCount:
        def counted(read: Lent) -> ItemCount:
            chosen = self._select(read, query)
            decisions = selection.counted_decisions(read.arrays, chosen)
            return ItemCount(chosen.total, decisions.get("Upheld", 0),
                             decisions.get("Overturned", 0), bool(chosen.item_conditions))
        return self.directory.read(counted)

    def nearest_items(self, requests: Sequence[ItemRequest], *, limit: int = 10,
                      exclude: str | None = None) -> list[Neighbours]:
        def found(read: Lent) -> list[Neighbours]:
            likeness: dict[str, np.ndarray | None] = {}
            answers = []
            for request in requests:
                if request.facts not in likeness:
                    likeness[request.facts] = neighbours.fact_likeness(read, request.facts)
                matches = neighbours.nearest(read, request, likeness[request.facts], limit,
                                             exclude)
                chosen = self._select(read, request.query())
                decisions = read.arrays.items.decisions(
                    selection.counted_items(read.arrays, chosen))
                answers.append(Neighbours(tuple(matches), decisions.get("Upheld", 0),
                                          decisions.get("Overturned", 0)))
            return answers
        return self.directory.read(found)

    def total(self, query: SearchQuery) -> int:
        return self.directory.read(lambda read: self._select(read, query).total)

    def totals_without_each_filter(self, query: SearchQuery) -> dict[str, int]:
        """One selection, then each count from its masks: the text is matched once, not
        once per dropped filter (a zero-hit page offers each of these)."""
        return self.directory.read(lambda read: selection.totals_without_each_filter(
            read.arrays, self._select(read, query)))

    def matching_ids(self, query: SearchQuery) -> list[str]:
        def ordered(read: Lent) -> list[str]:
            chosen = self._select(read, query)
            docnums = selection.ordered(read.arrays, chosen, 0, chosen.total, query.sort)
            ids = read.opened.ids(read.searcher)
            return [ids[n] for n in docnums]
        return self.directory.read(ordered)

    def matching_items(self, query: SearchQuery) -> list[tuple[str, tuple[int, ...] | None]]:
        def found(read: Lent) -> list[tuple[str, tuple[int, ...] | None]]:
            chosen = self._select(read, query)
            docnums = selection.ordered(read.arrays, chosen, 0, chosen.total, query.sort)
            ids = read.opened.ids(read.searcher)
            if not chosen.item_conditions:
                return [(ids[n], None) for n in docnums]
            positions = selection.matching_positions(read.arrays, chosen, docnums)
            return [(ids[n], items) for n, items in zip(docnums, positions, strict=True)]
        return self.directory.read(found)

    def item_positions(self, query: SearchQuery, doc_id: str) -> tuple[int, ...] | None:
        def found(read: Lent) -> tuple[int, ...] | None:
            docnum = read.searcher.document_number(id=doc_id)
            chosen = self._select(read, query)
            if not chosen.item_conditions:
                return None
            if docnum is None or not chosen.total_mask[docnum]:
                return ()
            return selection.matching_positions(read.arrays, chosen, [docnum])[0]
        return self.directory.read(found)

    def outcome_counts(self, query: SearchQuery) -> OutcomeCounts:
        def counts(read: Lent) -> OutcomeCounts:
            chosen = self._select(read, query)
            counts = read.arrays.outcomes(selection.counted_items(read.arrays, chosen), GROUPS)
            return replace(counts, matching_only=bool(chosen.item_conditions))
        return self.directory.read(counts)

    def facet_values(self) -> dict[str, tuple[str, ...]]:
        """Read from the opened index's arrays, once per index state: no search."""
        return self.directory.read(lambda read: read.arrays.vocabulary)

    def suggest(self, word: str) -> str | None:
        word = word.lower()
        try:
            return self.directory.read(lambda read: read.opened.suggestion(read.searcher, word))
        except IndexUnavailableError:
            return None
