"""Every disputed item of an index as one table of arrays, so that each item-level condition
(the item facets, the quantity range, the typed ``treatment:`` words) is a mask over items
and all of them hold for one and the same item.

A segment's items are read once from the ``items`` column (``read_segment_items``) and kept
with its other arrays; ``derive_items`` joins the segments' tables once per index state, into
the state's shared file (``shared``), which ``ItemTable`` reads.
Single-valued item fields (category, treatment, decision, quantity unit) are one code per
item; multi-valued ones (drugs, body regions, the heading's words) are (item, code) pairs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from whoosh.reading import SegmentReader

from cases.search.base import ITEM_FACETS, QUANTITY_BANDS
from cases.search.whoosh_backend.schema import ITEMS_COLUMN
from cases.search.whoosh_backend.sparse import (
    Selected,
    ValueBits,
    as_places,
    nonzero,
    runs,
    starts_of,
    value_bits,
)

Mask = NDArray[np.bool_]
Codes = NDArray[np.int32]
SINGLE = ("category", "treatment", "decision", "unit")  # one value per item
# Any number per item; "word": the heading's index terms; same_guideline: none or one.
MULTI = ("drug", "body_region", "word", "imr_guideline", "guideline_section", "same_guideline",
         "reason")
PREFIX = "items."
# The item facets counted per letter (each has its (document, value) pairs derived once).
COUNTED = ITEM_FACETS
DECISIONS = ("Upheld", "Overturned")  # an outcome pair is (upheld, overturned)
# The counts of every live document under some item-level conditions a state keeps (an item
# facet's, or the decisions; nine facets' and the decisions' take ten): a search of a common
# word under a popular filter counts the few letters without the word, not the million with it.
KEPT_UNDER = 640
# A value held by at least one item in this many has a bitset of its items: ANDing and
# counting the bitset's items/64 words (about 1 ns each at a million letters) costs what a
# pass over items/128 pairs does (2 ns each).
ITEM_DENSE = 128


def item_keys() -> set[str]:
    """The names of a segment's item arrays, as kept beside its other arrays."""
    keys = {f"{PREFIX}doc", f"{PREFIX}quantity"}
    keys |= {f"{PREFIX}{name}.{part}" for name in SINGLE for part in ("values", "codes")}
    keys |= {f"{PREFIX}{name}.{part}" for name in MULTI
             for part in ("values", "codes", "bounds")}
    return keys


def _encoded(values: Sequence[str]) -> tuple[NDArray[np.str_], Codes]:
    """Strings as (sorted distinct values, a code per string)."""
    distinct, codes = np.unique(np.array(values, dtype=np.str_), return_inverse=True)
    return distinct, codes.astype(np.int32).reshape(-1)


def read_segment_items(leaf: SegmentReader) -> dict[str, np.ndarray]:
    """One segment's items (document numbers segment-local), from its ``items`` column; the
    heading's words are its terms in the ``treatment`` field."""
    analyzer = leaf.schema["treatment"].analyzer
    single: dict[str, list[str]] = {name: [] for name in SINGLE}
    multi: dict[str, list[list[str]]] = {name: [] for name in MULTI}
    docs: list[int] = []
    quantities: list[float] = []
    if leaf.has_column(ITEMS_COLUMN):
        for docnum, raw in enumerate(leaf.column_reader(ITEMS_COLUMN)):
            for (category, treatment, decision, drugs, regions, unit, value, heading, same,
                 guidelines, sections, reasons) in (json.loads(raw) if raw else ()):
                docs.append(docnum)
                for name, text in zip(SINGLE, (category, treatment, decision, unit),
                                      strict=True):
                    single[name].append(text)
                quantities.append(np.nan if value is None else float(value))
                words = list(dict.fromkeys(t.text for t in analyzer(heading)))
                for name, found in zip(MULTI, (drugs, regions, words, guidelines, sections,
                                               [same] if same else [], reasons), strict=True):
                    multi[name].append(found)
    arrays: dict[str, np.ndarray] = {
        f"{PREFIX}doc": np.array(docs, dtype=np.int32),
        f"{PREFIX}quantity": np.array(quantities, dtype=np.float32),
    }
    for name, texts in single.items():
        arrays[f"{PREFIX}{name}.values"], arrays[f"{PREFIX}{name}.codes"] = _encoded(texts)
    for name, lists in multi.items():
        flat = [value for values in lists for value in values]
        arrays[f"{PREFIX}{name}.values"], arrays[f"{PREFIX}{name}.codes"] = _encoded(flat)
        arrays[f"{PREFIX}{name}.bounds"] = np.cumsum(
            [0, *map(len, lists)], dtype=np.int64)
    return arrays


def _joined(parts: Sequence[tuple[NDArray[np.str_], Codes]]) -> tuple[list[str], Codes]:
    """Segments' (values, codes) as one sorted vocabulary and codes into it."""
    values = np.unique(np.concatenate([p[0] for p in parts])) if parts else np.array([], str)
    codes = [np.searchsorted(values, local).astype(np.int32)[segment_codes]
             if len(local) else segment_codes.astype(np.int32)
             for local, segment_codes in parts]
    return values.tolist(), (np.concatenate(codes) if codes else np.zeros(0, np.int32))


def derive_items(segments: Iterable[tuple[Mapping[str, np.ndarray], int]], size: int,
                 ) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """The item table of an index from its segments' items: the segments joined (one
    vocabulary per field), and what counting reads over and over (each document's first
    item, the heading words' items, each item facet's values per letter), computed once."""
    segments = list(segments)
    arrays: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    doc_parts = [a[f"{PREFIX}doc"].astype(np.int32) + offset for a, offset in segments]
    doc = np.concatenate(doc_parts) if doc_parts else np.zeros(0, np.int32)
    arrays[f"{PREFIX}doc"] = doc
    arrays[f"{PREFIX}quantity"] = (np.concatenate([a[f"{PREFIX}quantity"] for a, _ in segments])
                                   if segments else np.zeros(0, np.float32))
    for name in (*SINGLE, *MULTI):
        values[f"{PREFIX}{name}"], arrays[f"{PREFIX}{name}.codes"] = _joined(
            [(a[f"{PREFIX}{name}.values"], a[f"{PREFIX}{name}.codes"]) for a, _ in segments])
    for name in MULTI:  # each pair's item
        owners, first = [], 0
        for segment, _ in segments:
            lengths = np.diff(segment[f"{PREFIX}{name}.bounds"])
            owners.append(np.repeat(np.arange(first, first + len(lengths), dtype=np.int32),
                                    lengths))
            first += len(lengths)
        # An item has each value once (a heading naming a drug twice counts once), so an
        # item's pairs count what it has.
        arrays[f"{PREFIX}{name}.item"], arrays[f"{PREFIX}{name}.codes"] = distinct_pairs(
            np.concatenate(owners) if owners else np.zeros(0, np.int32),
            arrays[f"{PREFIX}{name}.codes"], len(values[f"{PREFIX}{name}"]))
        # Pairs are in item order: an item's pairs are one run, from ``item_starts[item]``.
        arrays[f"{PREFIX}{name}.item_starts"] = starts_of(arrays[f"{PREFIX}{name}.item"],
                                                          len(doc))
    # Items are in document order: a document's items are one run, its first at
    # ``starts[doc]``; an item's number in its letter is its place in the run, from 1.
    arrays[f"{PREFIX}starts"] = starts_of(doc, size)
    # Per decision, each item facet's values per letter on items with that decision (the
    # common values' bitsets, the others' pairs): an outcome filter alone counts the other
    # item facets as plain facets. 36 MB at a million letters.
    decided = arrays[f"{PREFIX}decision.codes"]
    for name in COUNTED:
        if name == "decision":
            continue
        item, codes = _item_pairs(arrays, name)
        count = len(values[f"{PREFIX}{name}"])
        for code in range(len(values[f"{PREFIX}decision"])):
            held = decided.take(item) == code
            _, letters, letter_codes = letter_pairs(doc.take(item[held]), codes[held], count)
            for part, array in value_bits(letters, letter_codes, count, size).items():
                arrays[f"{PREFIX}{name}.decided.{code}.{part}"] = array
    # Each letter's number of items with each decision (a row per decision value), to add up
    # the decisions of many letters' items without a pass over every item.
    per_letter = np.zeros((len(values[f"{PREFIX}decision"]), size), dtype=np.uint16)
    for code, row in enumerate(per_letter):
        row[:] = np.bincount(doc[decided == code], minlength=size)
    arrays[f"{PREFIX}decision.per_letter"] = per_letter
    for name in SINGLE:  # each value's items in order, for a filter's items without a scan
        codes = arrays[f"{PREFIX}{name}.codes"]
        arrays[f"{PREFIX}{name}.sorted_items"] = np.argsort(codes, kind="stable").astype(np.int32)
        arrays[f"{PREFIX}{name}.sorted_bounds"] = np.concatenate(
            [[0], np.cumsum(np.bincount(codes, minlength=len(values[f"{PREFIX}{name}"])))]
        ).astype(np.int64)
    words, word_items = arrays[f"{PREFIX}word.codes"], arrays[f"{PREFIX}word.item"]
    order = np.argsort(words, kind="stable")
    counts = np.bincount(words, minlength=len(values[f"{PREFIX}word"]))
    arrays[f"{PREFIX}word.sorted_items"] = word_items[order]
    arrays[f"{PREFIX}word.sorted_bounds"] = np.concatenate([[0], np.cumsum(counts)]).astype(
        np.int64)
    for name in COUNTED:
        item, codes = _item_pairs(arrays, name)
        count = len(values[f"{PREFIX}{name}"])
        chain, letters, letter_codes = letter_pairs(doc[item], codes, count)
        # Each value each letter has, once, in document order, with where each letter's
        # start (to count a few letters by their own values), each item pair's own among
        # them (to count letters under item-level conditions) and the common values'
        # bitsets (to count many letters).
        arrays[f"{PREFIX}{name}.chain"] = chain
        arrays[f"{PREFIX}{name}.chain_sizes"] = np.bincount(
            chain, minlength=len(letters)).astype(np.int32)
        arrays[f"{PREFIX}{name}.by_doc.starts"] = starts_of(letters, size)
        arrays[f"{PREFIX}{name}.by_doc.codes"] = letter_codes
        for part, array in value_bits(letters, letter_codes, count, size).items():
            arrays[f"{PREFIX}{name}.bits.{part}"] = array
        # The common values' bitsets over the items too, to count many items each alone in
        # its letter under item-level conditions.
        for part, array in value_bits(item, codes, count, len(doc), ITEM_DENSE).items():
            arrays[f"{PREFIX}{name}.item_bits.{part}"] = array
    return arrays, values


def _item_pairs(arrays: Mapping[str, np.ndarray], name: str) -> tuple[Codes, Codes]:
    """(item, code) of every value of ``name`` in derived ``arrays``."""
    codes = arrays[f"{PREFIX}{name}.codes"]
    if name in SINGLE:
        return np.arange(len(codes), dtype=np.int32), codes
    return arrays[f"{PREFIX}{name}.item"], codes


def distinct_pairs(owners: Codes, codes: Codes, values: int) -> tuple[Codes, Codes]:
    """Each distinct (owner, value code) pair once, in owner order then code order."""
    width = max(values, 1)
    distinct = np.unique(owners.astype(np.int64) * width + codes)
    return (distinct // width).astype(np.int32), (distinct % width).astype(np.int32)


def letter_pairs(docs: Codes, codes: Codes, values: int) -> tuple[Codes, Codes, Codes]:
    """Of (document, value code) pairs: each distinct pair once, in document order then
    code order (their documents and codes), and for each given pair the place of its own
    among them."""
    width = max(values, 1)
    distinct, own = np.unique(docs.astype(np.int64) * width + codes, return_inverse=True)
    return (own.astype(np.int32), (distinct // width).astype(np.int32),
            (distinct % width).astype(np.int32))


# Under item-level conditions a letter counts for a value once however many of its matching
# items have it: the distinct letter pairs of the matching item pairs. They are sorted (a
# stable sort of nearly sorted keys: item pairs come in document order) unless there are at
# least one for every MARK_OVER_SORT letter pairs, then marked in a mask as long as the
# letter pairs. Measured at 100,000 letters: 22,000-39,000 pairs of 120,000-290,000 sort in
# 0.1-0.5 ms and mark in 0.3-0.6 ms.
MARK_OVER_SORT = 2


def _distinct_sorted(places: Codes) -> tuple[Codes, NDArray[np.intp]]:
    """The distinct values of ``places`` in order, with how many times each occurs (a
    stable sort: nearly sorted places, as item pairs in document order give, take a pass)."""
    ordered = np.sort(places, kind="stable")
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


class ItemTable:
    """The items of every segment of one index state, in document order, as read-only
    arrays (``derive_items``'s), shared by every thread of the process."""

    def __init__(self, arrays: Mapping[str, np.ndarray], values: Mapping[str, list[str]],
                 size: int, everything: Selected | None = None) -> None:
        self.size = size  # documents
        self.doc: Codes = arrays[f"{PREFIX}doc"]
        self.count = len(self.doc)
        self.quantity: NDArray[np.float32] = arrays[f"{PREFIX}quantity"]
        self.values = {name: values[f"{PREFIX}{name}"] for name in (*SINGLE, *MULTI)}
        self.codes = {name: arrays[f"{PREFIX}{name}.codes"] for name in (*SINGLE, *MULTI)}
        # Multi-valued: self.codes[name] per pair, self.pair_item[name] its item.
        self.pair_item = {name: arrays[f"{PREFIX}{name}.item"] for name in MULTI}
        self.pair_starts = {name: arrays[f"{PREFIX}{name}.item_starts"] for name in MULTI}
        self.index = {name: {v: n for n, v in enumerate(found)}
                      for name, found in self.values.items()}
        self.starts: NDArray[np.integer] = arrays[f"{PREFIX}starts"]
        self._single_sorted = {name: (arrays[f"{PREFIX}{name}.sorted_items"],
                                      arrays[f"{PREFIX}{name}.sorted_bounds"])
                               for name in SINGLE}
        self._words_sorted = (arrays[f"{PREFIX}word.sorted_items"],
                              arrays[f"{PREFIX}word.sorted_bounds"])
        # The live documents (``FacetArrays.everything``), and their counts once per state.
        self.everything = everything
        self._whole: dict[str, NDArray[np.int64]] = {}
        self._whole_decisions: dict[str, int] | None = None
        self._per_letter_decisions = arrays[f"{PREFIX}decision.per_letter"]
        self._under: dict[Hashable, NDArray[np.int64]] = {}  # ``_kept_under``'s
        self._lock = threading.Lock()
        self._letters_by_doc: dict[str, tuple[Codes, Codes]] = {
            name: (arrays[f"{PREFIX}{name}.by_doc.starts"], arrays[f"{PREFIX}{name}.by_doc.codes"])
            for name in COUNTED}
        self._letters_bits = {name: ValueBits(arrays, f"{PREFIX}{name}.bits",
                                              len(self.values[name]),
                                              len(arrays[f"{PREFIX}{name}.by_doc.codes"]), size)
                              for name in COUNTED}
        self._items_bits = {name: ValueBits(arrays, f"{PREFIX}{name}.item_bits",
                                            len(self.values[name]), len(self.codes[name]),
                                            self.count)
                            for name in COUNTED}
        self._decided_bits = {
            (name, code): ValueBits(arrays, f"{PREFIX}{name}.decided.{code}",
                                    len(self.values[name]), 0, size)
            for name in COUNTED if name != "decision"
            for code in range(len(self.values["decision"]))}
        self.chain = {name: arrays[f"{PREFIX}{name}.chain"] for name in COUNTED}
        self.chain_sizes = {name: arrays[f"{PREFIX}{name}.chain_sizes"] for name in COUNTED}

    # -- masks over items ------------------------------------------------------------------

    def having(self, name: str, values: Iterable[str]) -> Mask:
        """Items with any of ``values`` of ``name``."""
        wanted = [self.index[name][v] for v in values if v in self.index[name]]
        if name in SINGLE and len(wanted) == 1:  # a comparison: faster than a lookup
            return self.codes[name] == wanted[0]
        chosen = np.zeros(len(self.values[name]), dtype=bool)
        chosen[wanted] = True
        if name in SINGLE:
            return chosen.take(self.codes[name])
        mask = np.zeros(self.count, dtype=bool)
        mask[as_places(self.pair_item[name][chosen.take(self.codes[name])])] = True
        return mask

    def places_having(self, name: str, values: Iterable[str]) -> NDArray[np.int64] | None:
        """The places of ``having``'s items, in order, where they are kept (a single-valued
        facet's); None otherwise. A scan of a mask for them costs 3 ms at 1M when one item
        in ten is held, its branches mispredicted."""
        if name not in SINGLE:
            return None
        items, bounds = self._single_sorted[name]
        parts = [items[bounds[code]:bounds[code + 1]] for value in values
                 if (code := self.index[name].get(value)) is not None]
        if len(parts) == 1:
            return parts[0].astype(np.int64)
        return np.sort(np.concatenate(parts)).astype(np.int64) if parts else np.zeros(0, np.int64)

    def in_range(self, unit: str, low: float | None, high: float | None) -> Mask:
        """Items requesting a quantity of ``unit`` (any unit if empty) in [low, high]."""
        # An item without a quantity has NaN, which no comparison holds for.
        bounds = [self.quantity >= low] if low is not None else []
        if high is not None:
            bounds.append(self.quantity <= high)
        mask = bounds[0] if bounds else ~np.isnan(self.quantity)
        for bound in bounds[1:]:
            mask &= bound
        if unit:
            mask &= self.having("unit", [unit])
        return mask

    def with_words(self, words: Iterable[str]) -> Mask:
        """Items whose heading has any of ``words`` (index terms of the treatment field)."""
        items, bounds = self._words_sorted
        mask = np.zeros(self.count, dtype=bool)
        for word in words:
            code = self.index["word"].get(word)
            if code is not None:
                mask[as_places(items[bounds[code]:bounds[code + 1]])] = True
        return mask

    def letters_having(self, name: str, values: Iterable[str]) -> Mask:
        """Documents with an item having any of ``values`` of ``name`` (``letters`` of
        ``having``'s items), from the values' letter bitsets and pairs."""
        return self._letters_bits[name].holding(
            [self.index[name][v] for v in values if v in self.index[name]])

    def letters(self, items: Mask) -> Mask:
        """Documents with at least one of ``items``."""
        mask = np.zeros(self.size, dtype=bool)
        mask[as_places(self.doc[items])] = True
        return mask

    def positions(self, items: Mask, docnums: Iterable[int]) -> list[tuple[int, ...]]:
        """For each document: the numbers in its letter (from 1) of its ``items``."""
        found = []
        for docnum in docnums:
            start, stop = int(self.starts[docnum]), int(self.starts[docnum + 1])
            found.append(tuple((np.flatnonzero(items[start:stop]) + 1).tolist()))
        return found

    # -- counting ---------------------------------------------------------------------------

    def _pairs(self, name: str) -> tuple[Codes, Codes]:
        """(item, code) of every value of ``name``."""
        if name in SINGLE:
            return np.arange(self.count, dtype=np.int32), self.codes[name]
        return self.pair_item[name], self.codes[name]

    def letter_counts(self, name: str, chosen: Selected, items: Mask | None,
                      key: Hashable | None = None, places: NDArray[np.int64] | None = None,
                      ) -> dict[str, int]:
        """For each value of ``name``: documents of ``chosen`` with an item having it, among
        ``items`` (None: any item; ``key`` says what conditions they meet, the same key for
        the same items in every search of the state; ``places``: their places, if known);
        values no document has are left out."""
        if items is None:
            return nonzero(self.values[name], self._by_any_item(name, chosen))
        if self._most(chosen) and key is not None:
            # Most of the live documents: the counts of them all under these conditions
            # (kept for the next search asking them) less the rest's.
            whole = self._kept_under(("letters", name, key), lambda: self._counted_under(
                name, Selected(self.everything.mask), items, places))
            return nonzero(self.values[name],
                           whole - self._counted_under(name, chosen.rest, items, places))
        outcomes = self._outcomes(key)
        by_decision = (self._decided_bits.get((name, outcomes[0]))
                       if outcomes is not None and len(outcomes) == 1 else None)
        if by_decision is not None and not self._letters_bits[name].by_runs(chosen.count):
            # An outcome filter alone, many letters: the values on items so decided.
            return nonzero(self.values[name], by_decision.counted(chosen))
        return nonzero(self.values[name], self._counted_under(name, chosen, items, places))

    def _outcomes(self, key: Hashable | None) -> list[int] | None:
        """The decisions' codes, where the conditions ``key`` says are decisions alone."""
        if not isinstance(key, frozenset) or len(key) != 1:
            return None
        [(name, values)] = key
        if name != "decision":
            return None
        return [self.index[name][value] for value in values if value in self.index[name]]

    def decisions_under(self, chosen: Selected, items: Mask, key: Hashable | None,
                        places: NDArray[np.int64] | None = None) -> dict[str, int]:
        """How many of the ``chosen`` documents' ``items`` have each decision (``key``,
        ``places``: as ``letter_counts``'s)."""
        def counted(among: Selected) -> NDArray[np.int64]:
            return np.bincount(self.codes["decision"].take(among.rows_in(
                items, self.starts, self.doc, places=places)),
                minlength=len(self.values["decision"]))

        outcomes = self._outcomes(key)
        if self._most(chosen) and key is not None:
            found = (self._kept_under(("decisions", key),
                                      lambda: counted(Selected(self.everything.mask)))
                     - counted(chosen.rest))
        elif outcomes is not None:  # an outcome filter alone: the letters' own numbers of it
            found = np.zeros(len(self.values["decision"]), dtype=np.int64)
            found[outcomes] = self._per_letter_decisions.take(
                chosen.numbers, axis=1)[outcomes].sum(axis=1)
        else:
            found = counted(chosen)
        return nonzero(self.values["decision"], found)

    def _most(self, chosen: Selected) -> bool:
        """Whether ``chosen`` are most of the live documents (``Selected.rest``)."""
        return chosen.among is self.everything and chosen.rest is not None

    def _kept_under(self, key: Hashable, count: Callable[[], NDArray[np.int64]],
                    ) -> NDArray[np.int64]:
        """Counts of every live document under some item-level conditions: counted once,
        then kept for this state (the last ``KEPT_UNDER``)."""
        with self._lock:
            found = self._under.get(key)
        if found is None:
            found = count()
            with self._lock:
                self._under[key] = found
                while len(self._under) > KEPT_UNDER:
                    self._under.pop(next(iter(self._under)))
        return found

    def _counted_under(self, name: str, chosen: Selected, items: Mask,
                       places: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
        """For each value code: documents of ``chosen`` with one of ``items`` (at
        ``places``, if known) having it."""
        # The chosen documents' items meeting the conditions (once for all facets), and how
        # many do not.
        meeting = chosen.rows_in(items, self.starts, self.doc, places=places)
        failing = chosen.rows_count(self.starts) - len(meeting)
        if failing < len(meeting):
            # Most of them meet the conditions (an outcome filter of "Upheld" does): the
            # documents having the value on any item (no letter pairs to tell apart), less
            # those having it on the fewer failing items alone.
            return self._by_any_item(name, chosen) - self._failing_only(
                name, chosen.rows_in(items, self.starts, self.doc, held=False))
        return self._meeting_counted(name, chosen, items)

    def _meeting_counted(self, name: str, chosen: Selected, items: Mask) -> NDArray[np.int64]:
        """For each value code: documents of ``chosen`` with one of their ``items`` having
        it. An item alone among them in its letter counts for its letter by itself: many
        such are counted from the items' bitsets; the letters with several are told apart
        by their letter pairs."""
        alone, shared = chosen.rows_apart(items, self.starts, self.doc)
        counter = self._items_bits[name]
        if counter.by_runs(alone.count):  # their own pairs (an item has a value once)
            lone = np.bincount(self.codes[name].take(self._pair_places(name, alone.numbers)),
                               minlength=len(self.values[name]))
        else:
            lone = counter.counted(alone)
        return lone + self._distinct(name, self.chain[name][self._pair_places(name, shared)])

    def _by_any_item(self, name: str, chosen: Selected) -> NDArray[np.int64]:
        """For each value code: documents of ``chosen`` having it on any item."""
        if self._most(chosen):
            # Most of the live documents: their counts (once per state) less the rest's.
            if name not in self._whole:
                self._whole[name] = self._letters_counted(name, self.everything)
            return self._whole[name] - self._letters_counted(name, chosen.rest)
        return self._letters_counted(name, chosen)

    def _failing_only(self, name: str, failing: NDArray[np.int64]) -> NDArray[np.int64]:
        """For each value code: documents having it on ``failing`` items (places) and on no
        other item: the letter pairs that have as many failing pairs as pairs."""
        distinct, failed = _distinct_sorted(self.chain[name][self._pair_places(name, failing)])
        whole = distinct[failed == self.chain_sizes[name][distinct]]
        return np.bincount(self._letters_by_doc[name][1][whole],
                           minlength=len(self.values[name]))

    def _distinct(self, name: str, chains: Codes) -> NDArray[np.int64]:
        """For each value code: how many distinct letter pairs ``chains`` holds (places in
        ``letter_pairs``'s, in document order)."""
        codes = self._letters_by_doc[name][1]  # each letter pair's code
        if len(chains) * MARK_OVER_SORT >= len(codes):
            marked = np.zeros(len(codes), dtype=bool)
            marked[as_places(chains)] = True
            return np.bincount(codes[marked], minlength=len(self.values[name]))
        return np.bincount(codes[_distinct_sorted(chains)[0]],
                           minlength=len(self.values[name]))

    def _letters_counted(self, name: str, chosen: Selected) -> NDArray[np.int64]:
        """Documents of ``chosen`` having each value of ``name`` (by any item): a few
        documents by their own (document, value) pairs in document order, more by the
        common values' bitsets and the others' pairs (``ValueBits.by_runs`` says which)."""
        counter = self._letters_bits[name]
        if counter.by_runs(chosen.count):
            starts, by_doc_codes = self._letters_by_doc[name]
            return np.bincount(by_doc_codes[runs(starts, chosen.numbers)],
                               minlength=len(self.values[name]))
        return counter.counted(chosen)

    def _pair_places(self, name: str, items: NDArray[np.int64]) -> NDArray[np.int64]:
        """The places of the pairs of ``name`` the given items (sorted) have, in order."""
        if name in SINGLE:  # an item's one value: its place is the item's
            return items
        return runs(self.pair_starts[name], items)

    def decisions(self, items: Mask | NDArray[np.int64]) -> dict[str, int]:
        """How many of ``items`` (a mask, or their places) have each decision."""
        return nonzero(self.values["decision"], np.bincount(
            self.codes["decision"][items], minlength=len(self.values["decision"])))

    def letters_decisions(self, chosen: Selected) -> dict[str, int]:
        """How many items of the ``chosen`` documents have each decision: where they are
        most of the live documents, the live documents' (worked out once per state) less
        those of the rest."""
        if not self._most(chosen):
            return self._decisions_of(chosen)
        if self._whole_decisions is None:
            self._whole_decisions = self.decisions(self.everything.mask[self.doc])
        rest = self._decisions_of(chosen.rest)
        return {value: count - rest.get(value, 0)
                for value, count in self._whole_decisions.items() if count - rest.get(value, 0)}

    def _decisions_of(self, chosen: Selected) -> dict[str, int]:
        """Their letters' numbers of items with each decision, added up."""
        return nonzero(self.values["decision"],
                       self._per_letter_decisions.take(chosen.numbers, axis=1).sum(axis=1))

    def _decided(self, items: Mask) -> tuple[Mask, Mask]:
        """(upheld, overturned) masks of ``items``."""
        codes = self.codes["decision"]
        upheld, overturned = (self.index["decision"].get(d, -1) for d in DECISIONS)
        return items & (codes == upheld), items & (codes == overturned)

    def pairs_by(self, name: str, items: Mask) -> dict[str, tuple[int, int]]:
        """(upheld, overturned) of ``items`` by each value of ``name`` (non-zero only)."""
        pair_items, codes = self._pairs(name)
        found = []
        for decided in self._decided(items):
            found.append(np.bincount(codes[decided[pair_items]],
                                     minlength=len(self.values[name])).tolist())
        return {value: (up, over) for value, up, over in zip(self.values[name], *found,
                                                             strict=True) if up or over}

    def per_letter(self, items: Mask) -> NDArray[np.int64]:
        """(2, documents): how many upheld and overturned ``items`` each document has."""
        return np.stack([np.bincount(self.doc[decided], minlength=self.size)
                         for decided in self._decided(items)])

    def by_quantity(self, items: Mask) -> dict[str, dict[str, tuple[int, int]]]:
        """(upheld, overturned) of ``items`` per unit and band of requested quantity."""
        found: dict[str, dict[str, tuple[int, int]]] = {}
        for unit, bands in QUANTITY_BANDS.items():
            chosen = items & self.having("unit", [unit]) & ~np.isnan(self.quantity)
            lows = np.array([low for low, _high, _label in bands], dtype=np.float32)
            band = np.searchsorted(lows, self.quantity, side="right") - 1
            counted = []
            for decided in self._decided(chosen):
                inside = decided & (band >= 0)
                counted.append(np.bincount(band[inside], minlength=len(bands)).tolist())
            found[unit] = {label: (up, over) for (_low, _high, label), up, over
                           in zip(bands, *counted, strict=True) if up or over}
        return found

    def words_matching(self, accept: Callable[[str], bool]) -> list[str]:
        """The heading words ``accept`` takes (for prefixes and wildcards)."""
        return [word for word in self.values["word"] if accept(word)]
