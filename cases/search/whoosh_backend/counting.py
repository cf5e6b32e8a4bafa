"""Facet counting over all matching documents with NumPy masks, per opened index.

Whoosh's ``groupedby`` visits every hit in Python; here each facet term's postings become a
document-number array once per index state (see ``arrays``), kept in the state's file that
every worker maps (``shared``), and a count is one vectorised AND and sum.
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
    field_postings,
    live_documents,
    segments_arrays,
)
from cases.search.whoosh_backend.frequent import keep_frequent
from cases.search.whoosh_backend.items import ItemTable, derive_items
from cases.search.whoosh_backend.ranking import length_codes
from cases.search.whoosh_backend.schema import (
    ADDED_FIELD,
    DATE_FIELDS,
    DECIDED_FIELD,
    INJURED_FIELD,
)
from cases.search.whoosh_backend.shared import Arrays, StateArrays, Values, load_state
from cases.search.whoosh_backend.sparse import (
    Selected,
    ValueBits,
    as_places,
    nonzero,
    runs,
    starts_of,
    value_bits,
)

CROSSED_SPECIALTIES = 12


def _pair(counts: NDArray[np.int64]) -> tuple[int, int]:
    return int(counts[0]), int(counts[1])


def derive_arrays(reader: IndexReader, facet_fields: Mapping[str, str],
                  directory: Path | None) -> tuple[Arrays, Values]:
    """Every array a search of ``reader``'s state reads, joined across its segments (each
    segment's own arrays kept in ``directory``, see ``arrays.segment_arrays``)."""
    size = reader.doc_count_all()
    segments = list(segments_arrays(reader, facet_fields, directory))
    for leaf, _ in reader.leaf_readers():  # each segment's once (kept beside it)
        keep_frequent(leaf, reader.schema.scorable_names(), directory)
    arrays: Arrays = {"live": live_documents(reader, size)}
    values: Values = {}
    # Each case facet as (documents, value code) pairs grouped by value, with each value's
    # bounds. Document numbers are int32: an index holds fewer than 2**31 letters.
    for facet, fieldname in facet_fields.items():
        postings = field_postings(segments, fieldname)
        lengths = [len(docs) for docs, _ in postings.values()]
        values[f"case.{facet}"] = list(postings)
        arrays[f"case.{facet}.docs"] = (
            np.concatenate([docs for docs, _ in postings.values()]).astype(np.int32)
            if postings else np.zeros(0, dtype=np.int32))
        arrays[f"case.{facet}.codes"] = np.repeat(np.arange(len(lengths), dtype=np.int32),
                                                  lengths)
        arrays[f"case.{facet}.bounds"] = np.cumsum([0, *lengths], dtype=np.int64)
        # The same pairs in document order, with where each document's start, to count a
        # few documents by their own values.
        order = np.argsort(arrays[f"case.{facet}.docs"], kind="stable")
        arrays[f"case.{facet}.by_doc.starts"] = starts_of(arrays[f"case.{facet}.docs"][order],
                                                          size)
        arrays[f"case.{facet}.by_doc.codes"] = arrays[f"case.{facet}.codes"][order]
        # Its common values as bitsets, to count many documents.
        for name, array in value_bits(arrays[f"case.{facet}.docs"], arrays[f"case.{facet}.codes"],
                                      len(lengths), size).items():
            arrays[f"case.{facet}.bits.{name}"] = array
    # Dates as yyyymmdd numbers (0: unknown), the added field as seconds.
    for fieldname in DATE_FIELDS:
        days = np.zeros(size, dtype=np.int32)
        for segment, offset in segments:
            found = segment[f"{fieldname}.days"]
            days[offset:offset + len(found)] = found
        arrays[f"{fieldname}.days"] = days
    arrays.update(listing_orders(arrays[f"{DECIDED_FIELD}.days"], arrays[f"{ADDED_FIELD}.days"]))
    found_arrays, found_values = derive_items(segments, size)
    arrays.update(found_arrays)
    values.update(found_values)
    for fieldname in reader.schema.scorable_names():
        arrays[f"length.{fieldname}"] = length_codes(reader, fieldname, size)
    return arrays, values


# The orders a listing of letters can take (a search by relevance is ordered by its scores).
LISTINGS = ("newest", "oldest", "added")


def date_order(decided: Docs, added: Docs, sort: str) -> NDArray[np.intp]:
    """The places of documents (their decision days, their added seconds) in a listing
    order: ``newest`` decided first, ties latest document first; ``oldest`` first with the
    undated last, ties earliest first; ``added`` latest first, ties newest decided first,
    then latest document. Any other sort lists newest first."""
    if sort == "added":
        return np.lexsort((decided, added))[::-1]
    if sort == "oldest":  # undated letters last either way, not first
        return np.argsort(np.where(decided > 0, decided, np.iinfo(decided.dtype).max),
                          kind="stable")
    return np.argsort(decided, kind="stable")[::-1]


def listing_orders(decided: Docs, added: Docs) -> Arrays:
    """Every document in each listing order (``date_order``). The sorts are stable, so the
    matches in one of these orders are the sort of the matches: a page of many matches is
    then the first of them met in the order, not a sort of them all (at a million letters,
    tens of milliseconds per search)."""
    return {f"order.{name}": date_order(decided, added, name).astype(np.int32)
            for name in LISTINGS}


class FacetArrays:
    """Every array one index state is searched with: mapped read-only from the state's
    file (``shared``), so that the workers of a node share one copy."""

    def __init__(self, state: StateArrays) -> None:
        self.state = state
        arrays = state.arrays
        self.live: Mask = arrays["live"]
        self.size = len(self.live)
        self._flats: dict[str, tuple[list[str], Docs, Docs]] = {}
        self._by_doc: dict[str, tuple[Docs, Docs]] = {}  # (starts, codes) in doc order
        self._bits: dict[str, ValueBits] = {}  # the common values' bitsets, and the rest
        self.postings: dict[str, dict[str, Docs]] = {}  # each value's documents: views
        for key, values in state.values.items():
            if not key.startswith("case."):
                continue
            facet = key.removeprefix("case.")
            docs, bounds = arrays[f"{key}.docs"], arrays[f"{key}.bounds"].tolist()
            self._flats[facet] = (values, docs, arrays[f"{key}.codes"])
            self._by_doc[facet] = (arrays[f"{key}.by_doc.starts"],
                                   arrays[f"{key}.by_doc.codes"])
            self._bits[facet] = ValueBits(arrays, f"{key}.bits", len(values), len(docs),
                                          self.size)
            self.postings[facet] = {value: docs[bounds[n]:bounds[n + 1]]
                                    for n, value in enumerate(values)}
        # The live documents, and each facet's counts of them, once per state: a search of
        # most of the archive counts what it leaves out instead.
        self.everything = Selected(self.live)
        self._whole: dict[str, NDArray[np.int64]] = {}
        self.items = ItemTable(arrays, state.values, self.size, self.everything)
        self.decided: Docs = arrays[f"{DECIDED_FIELD}.days"]
        self.injured: Docs = arrays[f"{INJURED_FIELD}.days"]
        self.added: Docs = arrays[f"{ADDED_FIELD}.days"]  # seconds (schema.added_number)
        self.orders: dict[str, Docs] = {name: arrays[f"order.{name}"] for name in LISTINGS}
        # Each field's stored length bytes, for the rankers (a field missing here, of an
        # older state, is read by the ranker that needs it).
        self.lengths: dict[str, NDArray[np.uint8]] = {
            name.removeprefix("length."): array for name, array in arrays.items()
            if name.startswith("length.")}

    @classmethod
    def open(cls, reader: IndexReader, facet_fields: Mapping[str, str],
             directory: Path | None = None) -> FacetArrays:
        """The arrays of ``reader``'s state, from its file in ``directory`` (the index's
        own), derived and kept there by the first process to open the state."""
        return cls(load_state(reader, directory,
                              lambda: derive_arrays(reader, facet_fields, directory)))

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
            inside[as_places(self.postings["specialty"][specialty])] = True
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
                mask[as_places(docs)] = True
        return mask

    def count(self, mask: Mask, facet: str, value: str) -> int:
        """Documents of ``mask`` having ``value``."""
        docs = self.postings[facet].get(value)
        return 0 if docs is None else int(mask[docs].sum())

    def counts(self, chosen: Selected, facet: str) -> dict[str, int]:
        """Documents of ``chosen`` having each value of a case facet (values they do not
        have left out). Where they are most of the live documents, the live documents'
        counts (worked out once per state) less those of the rest."""
        values = self._flats[facet][0]
        if chosen.rest is None or chosen.among is not self.everything:
            return nonzero(values, self._counted(chosen, facet))
        if facet not in self._whole:
            self._whole[facet] = self._counted(self.everything, facet)
        return nonzero(values, self._whole[facet] - self._counted(chosen.rest, facet))

    def _counted(self, chosen: Selected, facet: str) -> NDArray[np.int64]:
        """Where ``chosen`` holds few documents, one bincount of their own values (their
        runs of the pairs in document order); where it holds more (``ValueBits.by_runs``), the
        common values from their bitsets and the others from their postings."""
        values = self._flats[facet][0]
        if self._bits[facet].by_runs(chosen.count):
            starts, by_doc_codes = self._by_doc[facet]
            return np.bincount(by_doc_codes[runs(starts, chosen.numbers)],
                               minlength=len(values))
        return self._bits[facet].counted(chosen)
