"""Facet counting over all matching documents with NumPy masks cached per searcher.

Whoosh's ``groupedby`` visits every hit in Python; here each facet term's postings become a
document-number array once per opened index, and a count is one vectorised AND and sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np
from numpy.typing import NDArray
from whoosh.codec.whoosh3 import W3LeafMatcher

from cases.search.base import ITEM_FACETS

Mask = NDArray[np.bool_]
ITEM_FIELD = "item"
DECIDED_FIELD = "decided"
INJURED_FIELD = "injured"
SEP = "|"


def _terms(reader: object, fieldname: str) -> list[str]:
    return [term.decode("utf-8") for term in reader.lexicon(fieldname)]  # type: ignore[attr-defined]


def _live(reader: object, size: int) -> Mask:
    """Which document numbers are not deleted."""
    live = np.ones(size, dtype=bool)
    for leaf, offset in reader.leaf_readers():  # type: ignore[attr-defined]
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
            live[deleted + offset] = False
    return live


def term_postings(reader: object, fieldname: str, text: str,
                  ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Document numbers and weights of one term over every segment, deleted ones included
    (callers mask them with ``live``). Read a block of postings at a time, not a posting."""
    ids: list[NDArray[np.int64]] = []
    weights: list[NDArray[np.float64]] = []
    btext = text.encode("utf-8")
    for leaf, offset in reader.leaf_readers():  # type: ignore[attr-defined]
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf._terms.matcher(  # noqa: SLF001 (raw postings, without the deletion filter)
            fieldname, btext, leaf.schema[fieldname].format)
        for block_ids, block_weights in _blocks(matcher):
            ids.append(block_ids + offset)
            weights.append(block_weights)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


def _blocks(matcher: object) -> Iterator[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """The (ids, weights) arrays of each stored block of a Whoosh 3 posting list."""
    if not isinstance(matcher, W3LeafMatcher):  # another codec: one posting at a time
        ids, weights = [], []
        while matcher.is_active():  # type: ignore[attr-defined]
            ids.append(matcher.id())  # type: ignore[attr-defined]
            weights.append(matcher.weight())  # type: ignore[attr-defined]
            matcher.next()  # type: ignore[attr-defined]
        yield np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
        return
    # A block holds its ids as deltas from zero (or as plain ids) and its weights as an
    # array, one float for all, or None for all 1.0: see W3LeafMatcher._read_ids/_weights.
    while not matcher._atend:  # noqa: SLF001
        if matcher._data is None:  # noqa: SLF001
            matcher._read_data()  # noqa: SLF001
        data = matcher._data  # noqa: SLF001
        raw = np.asarray(data[0], dtype=np.int64)
        ids = raw if matcher._byteids else np.cumsum(raw)  # noqa: SLF001
        stored = data[1]
        if stored is None or isinstance(stored, float):
            weights = np.full(len(ids), 1.0 if stored is None else stored)
        else:
            weights = np.asarray(stored, dtype=np.float64)
        yield ids, weights
        matcher._next_block()  # noqa: SLF001


class FacetArrays:
    """Postings of every facet term of one index reader, as arrays."""

    def __init__(self, reader: object, facet_fields: Mapping[str, str]) -> None:
        self.size = reader.doc_count_all()  # type: ignore[attr-defined]
        self.live = _live(reader, self.size)
        self.postings: dict[str, dict[str, NDArray[np.int64]]] = {}
        for facet, fieldname in facet_fields.items():
            self.postings[facet] = {text: term_postings(reader, fieldname, text)[0]
                                    for text in _terms(reader, fieldname)}
        # Items: "category|treatment|decision" -> (docnums, how many such items per doc).
        self.items: dict[tuple[str, str, str], tuple[NDArray[np.int64], NDArray[np.int64]]] = {}
        for text in _terms(reader, ITEM_FIELD):
            category, treatment, decision = text.split(SEP)
            docs, weights = term_postings(reader, ITEM_FIELD, text)
            self.items[(category, treatment, decision)] = (docs, weights.astype(np.int64))
        # Dates as yyyymmdd numbers (0: unknown), from one term per day.
        self.decided = self._days(reader, DECIDED_FIELD)
        self.injured = self._days(reader, INJURED_FIELD)

    def _days(self, reader: object, fieldname: str) -> NDArray[np.int64]:
        days = np.zeros(self.size, dtype=np.int64)
        for text in _terms(reader, fieldname):
            if text.isdigit():
                days[term_postings(reader, fieldname, text)[0]] = int(text)
        return days

    def mask_of(self, docs: Iterable[int]) -> Mask:
        """A mask with the given document numbers set."""
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docs, dtype=np.int64)] = True
        return mask

    def values_mask(self, facet: str, values: Iterable[str]) -> Mask:
        """Documents having any of the values (OR within a facet)."""
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            docs = self.postings[facet].get(value)
            if docs is not None:
                mask[docs] = True
        return mask

    def item_triples(self, selection: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
        """The (category, treatment, decision) triples allowed by the item-facet selections."""
        wanted = [set(selection.get(facet, ())) for facet in ITEM_FACETS]
        return [triple for triple in self.items
                if all(not allowed or part in allowed for part, allowed in zip(triple, wanted,
                                                                            strict=True))]

    def items_mask(self, triples: Iterable[tuple[str, str, str]]) -> Mask:
        """Documents with at least one item among ``triples``."""
        mask = np.zeros(self.size, dtype=bool)
        for triple in triples:
            mask[self.items[triple][0]] = True
        return mask

    def item_decisions(self, mask: Mask, triples: Iterable[tuple[str, str, str]]) -> dict[str, int]:
        """How many items of the masked documents, among ``triples``, have each decision."""
        totals: dict[str, int] = {}
        for triple in triples:
            docs, weights = self.items[triple]
            totals[triple[2]] = totals.get(triple[2], 0) + int(weights[mask[docs]].sum())
        return totals

    def count(self, mask: Mask, facet: str, value: str) -> int:
        """Documents of ``mask`` having ``value``."""
        docs = self.postings[facet].get(value)
        return 0 if docs is None else int(mask[docs].sum())
