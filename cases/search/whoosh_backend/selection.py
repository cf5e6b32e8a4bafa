"""What one query selects in one index state, its facet counts, and its order.

``select`` turns a ``SearchQuery`` into masks over the document numbers (the text, scored by
the ``Ranker`` where it can, by Whoosh otherwise; the dates; each case facet) and masks over
the items (each item facet, the quantity range, the typed treatment: clauses). Facet counts,
totals, the page's order and the outcome counts are then NumPy operations on those masks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from cases.search.base import (
    AGE_BANDS,
    FACETS,
    ITEM_FACETS,
    STOP_WORDS,
    FacetValue,
    Hit,
    SearchQuery,
    TextLoader,
)
from cases.search.whoosh_backend.analysis import PAIR_FIELD, QueryBuilder, word_terms
from cases.search.whoosh_backend.arrays import Mask
from cases.search.whoosh_backend.counting import FacetArrays, date_order
from cases.search.whoosh_backend.items import ItemTable
from cases.search.whoosh_backend.opened import Lent
from cases.search.whoosh_backend.ranking import top
from cases.search.whoosh_backend.schema import CASE_FACETS, added_number, day_number
from cases.search.whoosh_backend.snippets import cut
from cases.search.whoosh_backend.sparse import Selected


@dataclass
class Selection:
    """The documents one query selects, with what ordering and facet counting need."""

    parsed: wq.Query | None
    ranked: np.ndarray | None  # Whoosh's ranking, for shapes the arrays do not score
    scores: np.ndarray | None  # the arrays' scores, when they scored the query
    matched: Mask  # text and dates
    case_masks: dict[str, Mask]  # each case facet's selection
    item_conditions: dict[str, Mask]  # each item-level condition, a mask over items
    item_letters: Mask  # documents with an item meeting every item-level condition
    case_all: Mask  # matched and every case facet
    total_mask: Mask  # everything: the results
    selections: dict[str, tuple[str, ...]]
    items: Mask | None = None  # items meeting every item-level condition (None: no condition)
    among: Selected | None = None  # the live documents, every selection is drawn from
    # What each item-level condition asks (its values, its range, its typed words): the same
    # for the same condition in every search of an index state (``ItemTable``'s kept counts).
    condition_keys: dict[str, Hashable] = field(default_factory=dict)
    item_places: np.ndarray | None = None  # the places of ``items``, where kept (sorted)

    @property
    def total(self) -> int:
        return self.results.count

    @cached_property
    def results(self) -> Selected:
        """The results, with their number and document numbers once worked out."""
        return Selected(self.total_mask, self.among)

    @cached_property
    def letters(self) -> Selected:
        """The documents meeting the text, the dates and every case facet: the letters
        item facets count among."""
        return Selected(self.case_all, self.among)

    def key_except(self, name: str | None = None) -> frozenset | None:
        """What ``items_except(name)``'s conditions ask (None: no condition)."""
        keys = frozenset((other, key) for other, key in self.condition_keys.items()
                         if other != name)
        return keys or None

    def places_except(self, name: str | None = None) -> np.ndarray | None:
        """The places of ``items_except(name)``'s items, where known."""
        return self.item_places if name not in self.item_conditions else None

    def items_except(self, name: str | None = None) -> Mask | None:
        """Items meeting every item-level condition but ``name``'s (None: no condition)."""
        if name is None or name not in self.item_conditions:
            return self.items
        return _combined([mask for other, mask in self.item_conditions.items()
                          if other != name], all_of=True)


TREATMENT_FIELD = "treatment"
TEXT_CONDITION = "text"  # the item condition of the typed treatment: clauses
QUANTITY_CONDITION = "quantity"


def select(read: Lent, query: SearchQuery, queries: QueryBuilder) -> Selection:
    """Which documents match: the text, the dates, each facet's selection, and the items
    every item-level condition holds for."""
    parsed = queries.parse(query.text)
    searcher, arrays = read.searcher, read.arrays
    if parsed is not None:
        read.ranker.expansions = queries.check_expansion(
            parsed, searcher.reader(), lambda pattern: read.opened.expansion(searcher, pattern))
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
    conditions = item_conditions(arrays.items, query, selections, parsed, searcher.reader())
    case_all = matched.copy()
    for mask in case_masks.values():
        case_all &= mask
    chosen = Selection(parsed, ranked, scores, matched, case_masks, conditions, arrays.live,
                       case_all, case_all, selections,
                       _combined(list(conditions.values()), all_of=True), arrays.everything,
                       condition_keys(query, selections, parsed, conditions))
    if chosen.items is not None:
        [first, *others] = conditions
        alone = not others and first in ITEM_FACETS  # one facet's values
        chosen.item_letters = (  # their letters' bitsets and pairs
            arrays.items.letters_having(first, selections[first])
            if alone else arrays.items.letters(chosen.items))
        if alone:
            chosen.item_places = arrays.items.places_having(first, selections[first])
        chosen.total_mask = case_all & chosen.item_letters
    return chosen


def item_conditions(table: ItemTable, query: SearchQuery,
                    selections: Mapping[str, tuple[str, ...]], parsed: wq.Query | None,
                    reader: IndexReader) -> dict[str, Mask]:
    """Each item-level condition of a query as a mask over the items: the item facets, the
    quantity range, and the typed treatment: clauses."""
    conditions = {facet: table.having(facet, values) for facet, values in selections.items()
                  if facet in ITEM_FACETS}
    if query.quantity_range:
        conditions[QUANTITY_CONDITION] = table.in_range(
            query.quantity_unit, query.quantity_min, query.quantity_max)
    text = treatment_items(table, parsed, reader) if parsed is not None else None
    if text is not None:
        conditions[TEXT_CONDITION] = text
    return conditions


def condition_keys(query: SearchQuery, selections: Mapping[str, tuple[str, ...]],
                   parsed: wq.Query | None, conditions: Mapping[str, Mask],
                   ) -> dict[str, Hashable]:
    """What each of ``conditions`` asks, as a key: an item facet's values, the quantity
    range, the typed treatment: clauses."""
    keys: dict[str, Hashable] = {}
    for name in conditions:
        if name == QUANTITY_CONDITION:
            keys[name] = (query.quantity_unit, query.quantity_min, query.quantity_max)
        elif name == TEXT_CONDITION and parsed is not None:
            keys[name] = tuple(repr(clause) for clause in treatment_clauses(parsed))
        else:
            keys[name] = tuple(sorted(selections[name]))
    return keys


def treatment_clauses(parsed: wq.Query) -> list[wq.Query]:
    """The parts of a query that must hold and name only the treatment field: what a typed
    ``treatment:`` clause asks of one item. Exclusions stay about whole letters."""
    if isinstance(parsed, wq.AndNot):  # "a -b": b excludes letters; a may name items
        parsed = parsed.a
    parts = list(parsed.children()) if isinstance(parsed, wq.And) else [parsed]
    return [part for part in parts
            if not isinstance(part, wq.Not) and _only_field(part, TREATMENT_FIELD)
            and any(getattr(leaf, "fieldname", None) == TREATMENT_FIELD
                    for leaf in part.leaves())]


def _only_field(q: wq.Query, fieldname: str) -> bool:
    """Whether every leaf of ``q`` is on ``fieldname`` (a phrase's word pairs aside: they
    check adjacency in the whole letter)."""
    if q.is_leaf():
        return getattr(q, "fieldname", None) in (fieldname, PAIR_FIELD)
    return all(_only_field(child, fieldname) for child in q.children())


def treatment_items(table: ItemTable, parsed: wq.Query, reader: IndexReader) -> Mask | None:
    """Items whose headings satisfy every treatment: clause of ``parsed`` (None if none)."""
    found = None
    for clause in treatment_clauses(parsed):
        items = _items_of(table, clause, reader)
        if items is not None:
            found = items if found is None else found & items
    return found


def _items_of(table: ItemTable, q: wq.Query, reader: IndexReader) -> Mask | None:
    """The items whose heading satisfies ``q`` (all on the treatment field); None for a
    shape with no item-level meaning, which then holds for the letter only."""
    if isinstance(q, wq.Term) and q.fieldname == PAIR_FIELD:  # adjacency: the letter's
        return np.ones(table.count, dtype=bool)
    if isinstance(q, wq.Term):
        return table.with_words([q.text])
    if isinstance(q, wq.MultiTerm):  # prefixes, wildcards, fuzzy words: their index terms
        return table.with_words(
            t.decode() if isinstance(t, bytes) else t for t in q._btexts(reader))
    if isinstance(q, wq.Phrase):  # the heading has every word; the letter has the phrase
        return _combined([table.with_words([word]) for word in q.words], all_of=True)
    if isinstance(q, wq.Not):
        inner = _items_of(table, q.query, reader)
        return None if inner is None else ~inner
    if isinstance(q, wq.AndNot):
        positive, negative = (_items_of(table, part, reader) for part in (q.a, q.b))
        return None if positive is None or negative is None else positive & ~negative
    if isinstance(q, wq.And | wq.Or):
        parts = [_items_of(table, child, reader) for child in q.children()]
        known = [part for part in parts if part is not None]
        if len(known) != len(parts):
            return None
        return _combined(known, all_of=isinstance(q, wq.And))
    return None


def _combined(masks: list[Mask], *, all_of: bool) -> Mask | None:
    if not masks:
        return None
    combined = masks[0].copy()
    for mask in masks[1:]:
        if all_of:
            combined &= mask
        else:
            combined |= mask
    return combined


def _date_mask(arrays: FacetArrays, query: SearchQuery) -> Mask:
    mask = np.ones(arrays.size, dtype=bool)
    for column, low, high in ((arrays.decided, query.decided_from, query.decided_to),
                              (arrays.injured, query.injured_from, query.injured_to)):
        if low:
            mask &= column >= day_number(low)
        if high:
            mask &= (column <= day_number(high)) & (column > 0)
    if query.added_after is not None:
        mask &= arrays.added > added_number(query.added_after)
    return mask


def without_case_facet(chosen: Selection, facet: str) -> Mask:
    """What a query selects with one case facet's selection left out: its counts, and the
    total of the search that drops it."""
    mask = chosen.matched & chosen.item_letters
    for other, case_mask in chosen.case_masks.items():
        if other != facet:
            mask &= case_mask
    return mask


def counted_items(arrays: FacetArrays, chosen: Selection) -> Mask:
    """The items a query's counts count: those meeting every item-level condition, or,
    without any, every item of the matching letters."""
    in_results = chosen.results.through(arrays.items.doc)
    return in_results if chosen.items is None else chosen.items & in_results


def counted_decisions(arrays: FacetArrays, chosen: Selection) -> dict[str, int]:
    """How many of the counted items (``counted_items``) have each decision: those of few
    results, or few items meeting the conditions, found without a pass over every item of
    the archive (``Selected.rows_in``)."""
    table = arrays.items
    if chosen.items is None:
        return table.letters_decisions(chosen.results)
    # The items meeting the conditions of the letters meeting the rest are the results'.
    return table.decisions_under(chosen.letters, chosen.items, chosen.key_except(),
                                 chosen.item_places)


def facets(arrays: FacetArrays, chosen: Selection) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts, each with its own selection left out."""
    found: dict[str, list[FacetValue]] = {}
    # A facet nothing is selected in counts the results themselves, and every item facet
    # the letters meeting the case-level conditions: each set is listed once for all.
    results, letters = chosen.results, chosen.letters
    for facet in FACETS:
        picked = set(chosen.selections.get(facet, ()))
        if facet in CASE_FACETS:
            counts = arrays.counts(Selected(without_case_facet(chosen, facet), chosen.among)
                                   if facet in chosen.case_masks else results, facet)
        else:
            counts = arrays.items.letter_counts(facet, letters, chosen.items_except(facet),
                                                chosen.key_except(facet),
                                                chosen.places_except(facet))
        for value in picked:
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), key=ORDERS.get(facet, _by_count))
        found[facet] = [FacetValue(value, value, count, value in picked)
                        for value, count in ordered if count or value in picked]
    return found


def _by_count(value_count: tuple[str, int]) -> tuple[int, str]:
    return -value_count[1], value_count[0]


def _by_year(value_count: tuple[str, int]) -> tuple[int, str]:
    """The newest year first, as a timeline reads; undated letters last."""
    value = value_count[0]
    return (-int(value), "") if value.isdigit() else (1, value)


_AGE_ORDER = {label: rank for rank, (_, _, label) in enumerate(AGE_BANDS)}


def _by_age(value_count: tuple[str, int]) -> tuple[int, str]:
    """Age bands youngest first, as a scale reads."""
    return _AGE_ORDER.get(value_count[0], len(_AGE_ORDER)), value_count[0]


# Facets whose values read in their own order rather than by count.
ORDERS = {"year": _by_year, "age": _by_age}


def totals_without_each_filter(arrays: FacetArrays, chosen: Selection) -> dict[str, int]:
    """For each facet the query selects: how many match with its selection dropped."""
    totals = {}
    for facet in chosen.selections:
        if facet in CASE_FACETS:
            mask = without_case_facet(chosen, facet)
        else:
            others = chosen.items_except(facet)
            mask = chosen.case_all if others is None else (
                chosen.case_all & arrays.items.letters(others))
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
    listing = arrays.orders.get(sort, arrays.orders["newest"])
    count = chosen.results.count
    if stop * arrays.size < SCAN_OVER_SORT * count * max(count, 1):
        # Many matches: the first of them met in the state's kept order (a page of 20 of
        # half the archive reads about 40 places of it) instead of a sort of them all.
        return first_in(listing, mask, start, stop, count)
    docs = chosen.results.numbers
    order = date_order(arrays.decided[docs], arrays.added[docs], sort)
    return docs[order[start:stop]].tolist()


# A few matches are sorted; more are found in the kept order (``counting.listing_orders``)
# when the places it takes to meet the page's last one, about stop * size / count, are
# fewer than this many per match: reading a place costs a gather and a test, sorting a match
# a few comparisons of its date.
SCAN_OVER_SORT = 8


def first_in(listing: np.ndarray, mask: Mask, start: int, stop: int, count: int) -> list[int]:
    """Documents ``start:stop`` of ``mask`` (``count`` of them) in the order of ``listing``
    (every document once): read a stretch of it as long as the page should need, twice as
    long each time that falls short."""
    length = len(listing)
    stretch = min(length, max(1024, 2 * stop * length // max(count, 1)))
    found: list[np.ndarray] = []
    met = place = 0
    while place < length and met < stop:
        part = listing[place:place + stretch]
        part = part[mask[part]]
        found.append(part)
        met += len(part)
        place += stretch
        stretch *= 2
    return np.concatenate(found)[start:stop].tolist() if found else []


def hits(searcher: Searcher, arrays: FacetArrays, chosen: Selection, docnums: list[int],
         load_text: TextLoader | None) -> tuple[Hit, ...]:
    """The page's hits, each with a snippet of its letter where the query's words are and
    the numbers of its items that match."""
    ids = [searcher.stored_fields(n)["id"] for n in docnums]
    texts = load_text(ids) if load_text and ids else {}
    terms = _query_terms(chosen.parsed)
    positions = matching_positions(arrays, chosen, docnums)
    found = []
    for doc_id, items in zip(ids, positions, strict=True):
        snippet = cut(texts.get(doc_id, ""), terms)
        found.append(Hit(doc_id, 0.0, snippet.html(), items, snippet_text=snippet.text,
                         highlights=snippet.highlights))
    return tuple(found)


def matching_positions(arrays: FacetArrays, chosen: Selection, docnums: list[int],
                       ) -> list[tuple[int, ...]]:
    """Per document: the numbers of its items meeting every item-level condition (none if
    the query has no item-level condition)."""
    if not chosen.item_conditions or chosen.items is None:
        return [()] * len(docnums)
    # The documents are results: each of their items meeting the conditions is counted.
    return arrays.items.positions(chosen.items, docnums)


# The index terms of the stop words: a query's words are index terms ("was" is "wa").
_STOP_TERMS = frozenset(word_terms(word)[0] for word in STOP_WORDS)
_MARKED_FIELDS = ("content", "treatment", "rationale", "summary")


def _query_terms(parsed: wq.Query | None) -> frozenset[str]:
    """The index terms a snippet marks: the query's words, the stop words only inside a
    phrase (whose word pairs carry them)."""
    if parsed is None:
        return frozenset()
    words = set()
    for fieldname, text in parsed.iter_all_terms(phrases=True):
        term = text.decode() if isinstance(text, bytes) else text
        if fieldname == PAIR_FIELD:
            words.update(term.split(" "))
        elif fieldname in _MARKED_FIELDS and term not in _STOP_TERMS:
            words.add(term)
    return frozenset(words)
