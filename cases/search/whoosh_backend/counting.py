"""Facet counting over all matching documents with NumPy masks, per opened index.

Whoosh's ``groupedby`` visits every hit in Python; here each facet term's postings become a
document-number array once per opened index (see ``arrays``), and a count is one vectorised
AND and sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from whoosh.reading import IndexReader

from cases.search.base import ITEM_FACETS, OutcomeCounts
from cases.search.whoosh_backend.arrays import (
    Docs,
    Mask,
    SegmentArrays,
    field_postings,
    live_documents,
    segments_arrays,
)
from cases.search.whoosh_backend.schema import DECIDED_FIELD, INJURED_FIELD, ITEM_FIELD, SEP

DECISIONS = ("Upheld", "Overturned")  # an outcome pair is (upheld, overturned)
CROSSED_SPECIALTIES = 12


def _pair(counts: NDArray[np.int64]) -> tuple[int, int]:
    return int(counts[0]), int(counts[1])


def _union(parts: list[Docs], size: int) -> Docs:
    """The sorted documents in any of ``parts`` (each sorted, without repeats) of an index of
    ``size`` documents. Marking them in one mask is linear; NumPy's ``unique`` hashed the
    million documents of a decision for seconds at every worker's first search."""
    if len(parts) == 1:
        return parts[0]
    if sum(len(part) for part in parts) * 32 < size:  # few: a mask would cost more
        return np.unique(np.concatenate(parts))
    mask = np.zeros(size, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask).astype(np.int32)


class FacetArrays:
    """Postings of every facet term of one index reader, as arrays."""

    def __init__(self, reader: IndexReader, facet_fields: Mapping[str, str],
                 directory: Path | None = None) -> None:
        """The arrays of ``reader``'s index; ``directory`` (the index's own) keeps the arrays
        that are slow to read, a file per segment."""
        self.size = reader.doc_count_all()
        self.live = live_documents(reader, self.size)
        # Document numbers are int32 (an index holds fewer than 2**31 letters): at a million
        # letters these arrays are most of a web worker's memory.
        self._flats: dict[tuple[str, str], tuple[list[str], Docs, Docs]] = {}
        segments = list(segments_arrays(reader, facet_fields, directory))
        self.postings: dict[str, dict[str, Docs]] = {}
        for facet, fieldname in facet_fields.items():
            self.postings[facet] = self._pack(("case", facet), {
                text: docs for text, (docs, _) in field_postings(segments, fieldname).items()})
        # Items: "category|treatment|decision" -> (docnums, how many such items per doc).
        self.items: dict[tuple[str, str, str], tuple[Docs, Docs]] = {}
        for text, (docs, weights) in field_postings(segments, ITEM_FIELD).items():
            category, treatment, decision = text.split(SEP)
            self.items[(category, treatment, decision)] = (docs.astype(np.int32),
                                                           weights.astype(np.int32))
        self._index_items()
        # Dates as yyyymmdd numbers (0: unknown), from one term per day.
        self.decided = self._days(segments, DECIDED_FIELD)
        self.injured = self._days(segments, INJURED_FIELD)

    def _days(self, segments: Iterable[SegmentArrays], fieldname: str) -> Docs:
        days = np.zeros(self.size, dtype=np.int32)
        for arrays, offset in segments:
            segment = arrays[f"{fieldname}.days"]
            days[offset:offset + len(segment)] = segment
        return days

    def _index_items(self) -> None:
        """Lookups over the item triples, so item facets are counted without Python loops
        over every triple per value."""
        self.triples = list(self.items)
        # Per position (category, treatment, decision): value -> triple indexes, and the
        # documents having any item with that value.
        self.triples_by_value: list[dict[str, list[int]]] = []
        self.value_docs: list[dict[str, Docs]] = []
        for position in range(len(ITEM_FACETS)):
            by_value: dict[str, list[int]] = {}
            for index, triple in enumerate(self.triples):
                by_value.setdefault(triple[position], []).append(index)
            self.triples_by_value.append(by_value)
            self.value_docs.append(self._pack(("item", ITEM_FACETS[position]), {
                value: _union([self.items[self.triples[i]][0] for i in indexes], self.size)
                for value, indexes in by_value.items()}))

    def _allowed(self, selection: Mapping[str, tuple[str, ...]]) -> NDArray[np.bool_]:
        """Which triples the item-facet selections allow."""
        allowed = np.ones(len(self.triples), dtype=bool)
        for position, facet in enumerate(ITEM_FACETS):
            values = selection.get(facet)
            if values:
                chosen = np.zeros(len(self.triples), dtype=bool)
                for value in values:
                    chosen[self.triples_by_value[position].get(value, [])] = True
                allowed &= chosen
        return allowed

    def item_counts(self, facet: str, mask: Mask,
                    selection: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
        """For each value of an item facet: documents of ``mask`` with an item having that
        value and the values the other item facets select."""
        position = ITEM_FACETS.index(facet)
        others = {k: v for k, v in selection.items() if k in ITEM_FACETS and k != facet}
        if not others:
            values, docs, codes = self._flat(("item", facet))
            counted = np.bincount(codes[mask[docs]], minlength=len(values)).tolist()
            return dict(zip(values, counted, strict=True))
        allowed = self._allowed(others)
        counts = {}
        for value, indexes in self.triples_by_value[position].items():
            chosen = [i for i in indexes if allowed[i]]
            if not chosen:
                counts[value] = 0
                continue
            docs = np.concatenate([self.items[self.triples[i]][0] for i in chosen])
            docs = docs[mask[docs]]
            counts[value] = len(np.unique(docs)) if len(chosen) > 1 else len(docs)
        return counts

    def outcomes(self, mask: Mask, triples: Iterable[tuple[str, str, str]],
                 groups: Iterable[str], *, crossed: int = CROSSED_SPECIALTIES) -> OutcomeCounts:
        """(upheld, overturned) items of the masked documents, among ``triples``, grouped.

        The specialty-by-category table covers the ``crossed`` specialties with most items.
        """
        counted = []  # (category, decision index, documents, their item counts)
        for triple in triples:
            if triple[2] in DECISIONS:
                docs, weights = self.items[triple]
                keep = mask[docs]
                counted.append((triple[0], DECISIONS.index(triple[2]), docs[keep],
                                weights[keep]))
        # Per document: how many counted items it has of each decision; a group's pair is
        # then one sum over the group's documents.
        per_doc = np.zeros((2, self.size), dtype=np.int32)
        by_category: dict[str, list[int]] = {}
        for category, decision, docs, weights in counted:
            np.add.at(per_doc[decision], docs, weights)
            by_category.setdefault(category, [0, 0])[decision] += int(weights.sum())
        grouped = {group: {value: _pair(per_doc[:, docs].sum(axis=1))
                           for value, docs in self.postings[group].items()}
                   for group in groups}
        specialties = sorted(grouped.get("specialty", {}).items(), key=lambda kv: -sum(kv[1]))
        table: dict[str, dict[str, tuple[int, int]]] = {}
        for specialty, pair in specialties[:crossed]:
            if not sum(pair):
                break
            inside = np.zeros(self.size, dtype=bool)
            inside[self.postings["specialty"][specialty]] = True
            row: dict[str, list[int]] = {}
            for category, decision, docs, weights in counted:
                row.setdefault(category, [0, 0])[decision] += int(weights[inside[docs]].sum())
            table[specialty] = {k: (v[0], v[1]) for k, v in row.items() if sum(v)}
        return OutcomeCounts(
            by_category={k: (v[0], v[1]) for k, v in by_category.items() if sum(v)},
            groups={group: {k: v for k, v in values.items() if sum(v)}
                    for group, values in grouped.items()},
            specialty_by_category=table)

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
        allowed = self._allowed(selection)
        return [triple for triple, ok in zip(self.triples, allowed.tolist(), strict=True) if ok]

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

    def counts(self, mask: Mask, facet: str) -> dict[str, int]:
        """Documents of ``mask`` having each value of a case facet: one pass, one bincount."""
        values, docs, codes = self._flat(("case", facet))
        return dict(zip(values, np.bincount(codes[mask[docs]], minlength=len(values)).tolist(),
                        strict=True))

    def _pack(self, key: tuple[str, str], postings: Mapping[str, NDArray[np.integer]]
              ) -> dict[str, Docs]:
        """Keep a facet's postings as one (document, value code) pair of arrays; return
        each value's documents as a view into them (no second copy)."""
        values = list(postings)
        lengths = [len(postings[v]) for v in values]
        docs = (np.concatenate([postings[v] for v in values]).astype(np.int32) if values
                else np.zeros(0, dtype=np.int32))
        codes = np.repeat(np.arange(len(values), dtype=np.int32), lengths)
        self._flats[key] = (values, docs, codes)
        ends = np.cumsum(lengths).tolist()
        return {value: docs[end - length : end]
                for value, length, end in zip(values, lengths, ends, strict=True)}

    def _flat(self, key: tuple[str, str]) -> tuple[list[str], Docs, Docs]:
        return self._flats[key]
