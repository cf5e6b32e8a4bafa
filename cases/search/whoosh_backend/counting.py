"""Facet counting over all matching documents with NumPy masks, per opened index.

Whoosh's ``groupedby`` visits every hit in Python; here each facet term's postings become a
document-number array once per opened index (see ``arrays``), and a count is one vectorised
AND and sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from whoosh.reading import IndexReader

from cases.search.base import ITEM_FACETS, OUTCOME_ITEM_GROUPS, OutcomeCounts
from cases.search.whoosh_backend.arrays import (
    Docs,
    Mask,
    SegmentArrays,
    field_postings,
    live_documents,
    segments_arrays,
)
from cases.search.whoosh_backend.items import ItemTable
from cases.search.whoosh_backend.schema import ADDED_FIELD, DECIDED_FIELD, INJURED_FIELD

CROSSED_SPECIALTIES = 12


def _pair(counts: NDArray[np.int64]) -> tuple[int, int]:
    return int(counts[0]), int(counts[1])


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
        self.items = ItemTable(segments, self.size)
        # Dates as yyyymmdd numbers (0: unknown), from one term per day.
        self.decided = self._days(segments, DECIDED_FIELD)
        self.injured = self._days(segments, INJURED_FIELD)
        self.added = self._days(segments, ADDED_FIELD)  # seconds (schema.added_number)

    def _days(self, segments: Iterable[SegmentArrays], fieldname: str) -> Docs:
        days = np.zeros(self.size, dtype=np.int32)
        for arrays, offset in segments:
            segment = arrays[f"{fieldname}.days"]
            days[offset:offset + len(segment)] = segment
        return days

    def outcomes(self, items: Mask, groups: Iterable[str], *,
                 crossed: int = CROSSED_SPECIALTIES) -> OutcomeCounts:
        """(upheld, overturned) of ``items``, grouped: by category, drug, body region and
        quantity band, and by the case facets ``groups`` of their letters.

        The specialty-by-category table covers the ``crossed`` specialties with most items.
        """
        table = self.items
        # Per document: how many counted items it has of each decision; a group's pair is
        # then one sum over the group's documents.
        per_doc = table.per_letter(items)
        grouped = {group: {value: _pair(per_doc[:, docs].sum(axis=1))
                           for value, docs in self.postings[group].items()}
                   for group in groups}
        specialties = sorted(grouped.get("specialty", {}).items(), key=lambda kv: -sum(kv[1]))
        crossing: dict[str, dict[str, tuple[int, int]]] = {}
        for specialty, pair in specialties[:crossed]:
            if not sum(pair):
                break
            inside = np.zeros(self.size, dtype=bool)
            inside[self.postings["specialty"][specialty]] = True
            crossing[specialty] = table.pairs_by("category", items & inside[table.doc])
        return OutcomeCounts(
            by_category=table.pairs_by("category", items),
            groups={group: {k: v for k, v in values.items() if sum(v)}
                    for group, values in grouped.items()},
            specialty_by_category=crossing,
            by_drug=table.pairs_by("drug", items),
            by_body_region=table.pairs_by("body_region", items),
            by_quantity=table.by_quantity(items),
            by_item={name: table.pairs_by(name, items) for name in OUTCOME_ITEM_GROUPS})

    @cached_property
    def vocabulary(self) -> dict[str, tuple[str, ...]]:
        """Every value of every facet, sorted (a deleted letter's too, until a merge)."""
        found = {facet: tuple(sorted(value for value in values if value))
                 for facet, values in self.postings.items()}
        for facet in ITEM_FACETS:
            found[facet] = tuple(sorted(value for value in self.items.values[facet] if value))
        return found

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
