"""What one query selects in one index state, its facet counts, and its order.

``select`` turns a ``SearchQuery`` into masks over the document numbers: the text (scored by
the ``Ranker`` where it can, by Whoosh otherwise), the dates, each case facet, and the items
the item facets allow. Facet counts, totals, the page's order and the outcome counts are
then NumPy operations on those masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from cases.search.base import FACETS, ITEM_FACETS, FacetValue, Hit, SearchQuery, TextLoader
from cases.search.whoosh_backend.analysis import PAIR_FIELD, QueryBuilder
from cases.search.whoosh_backend.arrays import Mask
from cases.search.whoosh_backend.counting import FacetArrays
from cases.search.whoosh_backend.opened import Lent
from cases.search.whoosh_backend.ranking import top
from cases.search.whoosh_backend.schema import CASE_FACETS, ITEM_FIELD, SEP, day_number
from cases.search.whoosh_backend.snippets import snippet


@dataclass
class Selection:
    """The documents one query selects, with what ordering and facet counting need."""

    parsed: wq.Query | None
    ranked: np.ndarray | None  # Whoosh's ranking, for shapes the arrays do not score
    scores: np.ndarray | None  # the arrays' scores, when they scored the query
    matched: Mask  # text and dates
    case_masks: dict[str, Mask]  # each case facet's selection
    item_mask: Mask  # documents with an item the item facets allow
    case_all: Mask  # matched and every case facet
    total_mask: Mask  # everything: the results
    selections: dict[str, tuple[str, ...]]
    item_selection: dict[str, tuple[str, ...]]
    triples: list[tuple[str, str, str]]  # the item triples the item facets allow

    @property
    def total(self) -> int:
        return int(self.total_mask.sum())


def select(read: Lent, query: SearchQuery, queries: QueryBuilder) -> Selection:
    """Which documents match: the text, the dates, and each facet's selection."""
    parsed = queries.parse(query.text)
    searcher, arrays = read.searcher, read.arrays
    if parsed is not None:
        queries.check_expansion(parsed, searcher.reader())
    ranked = scores = None
    evaluated = read.ranker.evaluate(parsed) if parsed is not None else None
    if evaluated is not None:  # the common shapes: whole arrays, no per-match Python
        text_mask = evaluated[0] & arrays.live
        scores = evaluated[1] if query.sort == "relevance" else None
    elif parsed is not None and query.sort == "relevance":
        # One pass scores every match: the mask and the ranking come from it, where
        # running the query for the mask and again for the page evaluated it twice.
        ranked = np.fromiter((docnum for _score, docnum in
                              searcher.search(parsed, limit=None).top_n), dtype=np.int64)
        text_mask = arrays.mask_of(ranked) & arrays.live
    elif parsed is not None:
        text_mask = arrays.mask_of(searcher.docs_for_query(parsed)) & arrays.live
    else:
        text_mask = arrays.live.copy()
    matched = text_mask & _date_mask(arrays, query)
    selections = {k: tuple(v) for k, v in query.filters.items() if v}
    case_masks = {facet: arrays.values_mask(facet, values)
                  for facet, values in selections.items() if facet in CASE_FACETS}
    item_selection = {k: v for k, v in selections.items() if k in ITEM_FACETS}
    triples = arrays.item_triples(item_selection)
    item_mask = items_allowed(arrays, item_selection, triples)
    case_all = matched.copy()
    for mask in case_masks.values():
        case_all &= mask
    return Selection(parsed, ranked, scores, matched, case_masks, item_mask,
                     case_all, case_all & item_mask, selections, item_selection, triples)


def _date_mask(arrays: FacetArrays, query: SearchQuery) -> Mask:
    mask = np.ones(arrays.size, dtype=bool)
    for column, low, high in ((arrays.decided, query.decided_from, query.decided_to),
                              (arrays.injured, query.injured_from, query.injured_to)):
        if low:
            mask &= column >= day_number(low)
        if high:
            mask &= (column <= day_number(high)) & (column > 0)
    return mask


def without_case_facet(chosen: Selection, facet: str) -> Mask:
    """What a query selects with one case facet's selection left out: its counts, and the
    total of the search that drops it."""
    mask = chosen.matched & chosen.item_mask
    for other, case_mask in chosen.case_masks.items():
        if other != facet:
            mask &= case_mask
    return mask


def items_allowed(arrays: FacetArrays, item_selection: Mapping[str, tuple[str, ...]],
                  triples: list[tuple[str, str, str]] | None = None) -> Mask:
    """Documents with an item the item facets' selection allows (all live ones if none)."""
    if not item_selection:
        return arrays.live
    return arrays.items_mask(arrays.item_triples(item_selection) if triples is None
                             else triples)


def facets(arrays: FacetArrays, chosen: Selection) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts, each with its own selection left out."""
    found: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        picked = set(chosen.selections.get(facet, ()))
        if facet in CASE_FACETS:
            counts = arrays.counts(without_case_facet(chosen, facet), facet)
        else:
            counts = arrays.item_counts(facet, chosen.case_all, chosen.selections)
        for value in picked:
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        found[facet] = [FacetValue(value, value, count, value in picked)
                        for value, count in ordered if count or value in picked]
    return found


def totals_without_each_filter(arrays: FacetArrays, chosen: Selection) -> dict[str, int]:
    """For each facet the query selects: how many match with its selection dropped."""
    totals = {}
    for facet in chosen.selections:
        if facet in CASE_FACETS:
            mask = without_case_facet(chosen, facet)
        else:
            others = {k: v for k, v in chosen.item_selection.items() if k != facet}
            mask = chosen.case_all & items_allowed(arrays, others)
        totals[facet] = int(mask.sum())
    return totals


def ordered(arrays: FacetArrays, chosen: Selection, start: int, stop: int,
            sort: str) -> list[int]:
    """Document numbers ``start:stop`` of the matches, in the requested order."""
    mask = chosen.total_mask
    if chosen.scores is not None:
        return top(chosen.scores, np.flatnonzero(mask), start, stop)
    if chosen.ranked is not None:
        return chosen.ranked[mask[chosen.ranked]][start:stop].tolist()
    docs = np.flatnonzero(mask)
    days = arrays.decided[docs]
    if sort == "oldest":  # undated letters last either way, not first
        order = np.argsort(np.where(days > 0, days, np.iinfo(days.dtype).max), kind="stable")
    else:
        order = np.argsort(days, kind="stable")[::-1]
    return docs[order[start:stop]].tolist()


def hits(searcher: Searcher, parsed: wq.Query | None, docnums: list[int],
         load_text: TextLoader | None) -> tuple[Hit, ...]:
    """The page's hits, each with a snippet of its letter where the query's words are."""
    ids = [searcher.stored_fields(n)["id"] for n in docnums]
    texts = load_text(ids) if load_text and ids else {}
    terms = _query_terms(parsed)
    return tuple(Hit(doc_id, 0.0, snippet(texts.get(doc_id, ""), terms)) for doc_id in ids)


def similar(read: Lent, doc_id: str, text: str, category: str | None,
            limit: int) -> list[str]:
    """Ids of the letters whose treatments are most like ``text`` (``doc_id``'s own)."""
    searcher = read.searcher
    docnum = searcher.document_number(id=doc_id)
    if docnum is None or not text:
        return []
    allow = None
    if category:
        allow = wq.Or([wq.Term(ITEM_FIELD, SEP.join(triple))
                       for triple in read.arrays.items if triple[0] == category])
    # Key terms of the treatments and summary, matched in treatment words: "similar" means
    # a similar request, not the same reviewer's boilerplate.
    results = searcher.more_like(docnum, "treatment", text=text, top=limit, filter=allow)
    return [hit["id"] for hit in results]


def _query_terms(parsed: wq.Query | None) -> frozenset[str]:
    if parsed is None:
        return frozenset()
    words = set()
    for fieldname, text in parsed.iter_all_terms(phrases=True):
        term = text.decode() if isinstance(text, bytes) else text
        if fieldname == PAIR_FIELD:
            words.update(term.split(" "))
        elif fieldname in ("content", "treatment", "rationale", "summary"):
            words.add(term)
    return frozenset(words)
