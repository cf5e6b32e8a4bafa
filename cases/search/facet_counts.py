"""Facet counting over all matching documents with NumPy masks cached per searcher.

Whoosh's ``groupedby`` visits every hit in Python; here each facet term's postings become a
document-number array once per opened index, and a count is one vectorised AND and sum.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermsReader

from cases.search.base import ITEM_FACETS, OutcomeCounts

Mask = NDArray[np.bool_]
Docs = NDArray[np.int32]
ITEM_FIELD = "item"
DECIDED_FIELD = "decided"
INJURED_FIELD = "injured"
DATE_FIELDS = (DECIDED_FIELD, INJURED_FIELD)
SEP = "|"
DECISIONS = ("Upheld", "Overturned")  # an outcome pair is (upheld, overturned)
CROSSED_SPECIALTIES = 12


def _pair(counts: NDArray[np.int64]) -> tuple[int, int]:
    return int(counts[0]), int(counts[1])


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
        matcher = leaf._terms.matcher(  # raw postings, without the deletion filter
            fieldname, btext, leaf.schema[fieldname].format)
        for block_ids, block_weights in _blocks(matcher):
            ids.append(block_ids + offset)
            weights.append(block_weights)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)
SegmentArrays = tuple[Mapping[str, np.ndarray], int]  # a segment's arrays, its first docnum


def field_postings(segments: Iterable[SegmentArrays], fieldname: str,
                   ) -> dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """Document numbers and weights of every term of a field, over every segment (deleted
    documents included, as in ``term_postings``), in term order."""
    ids: dict[str, list[NDArray[np.int64]]] = {}
    weights: dict[str, list[NDArray[np.float64]]] = {}
    for arrays, offset in segments:
        bounds = arrays[f"{fieldname}.bounds"]
        found_ids, found_weights = arrays[f"{fieldname}.ids"], arrays[f"{fieldname}.weights"]
        for index, term in enumerate(arrays[f"{fieldname}.terms"].tolist()):
            start, stop = bounds[index], bounds[index + 1]
            ids.setdefault(term, []).append(found_ids[start:stop].astype(np.int64) + offset)
            weights.setdefault(term, []).append(found_weights[start:stop])
    return {term: (np.concatenate(ids[term]), np.concatenate(weights[term]).astype(np.float64))
            for term in sorted(ids, key=lambda term: term.encode("utf-8"))}


def read_segment(leaf: object, fieldnames: Iterable[str], date_fields: Iterable[str],
                 ) -> dict[str, np.ndarray]:
    """One segment's postings of ``fieldnames`` as flat arrays (per field: its terms, their
    bounds in the ids and weights), and its dates by document (yyyymmdd, 0 unknown).

    Each field's terms are read in one pass over the segment's term table, and a term in
    one document of the segment (most date terms) from its term info alone.
    """
    arrays: dict[str, np.ndarray] = {}
    for fieldname in fieldnames:
        terms, bounds = [], [0]
        ids: list[NDArray[np.int64]] = []
        weights: list[NDArray[np.float64]] = []
        for tbytes, term_ids, term_weights in _segment_field(leaf, fieldname):
            terms.append(tbytes.decode("utf-8"))
            bounds.append(bounds[-1] + len(term_ids))
            ids.append(term_ids)
            weights.append(term_weights)
        arrays[f"{fieldname}.terms"] = np.array(terms, dtype=np.str_)
        arrays[f"{fieldname}.bounds"] = np.array(bounds, dtype=np.int64)
        arrays[f"{fieldname}.ids"] = np.concatenate([*ids, _NO_IDS]).astype(np.int32)
        arrays[f"{fieldname}.weights"] = np.concatenate([*weights, _NO_WEIGHTS]).astype(
            np.float32)
    size = leaf.doc_count_all()  # type: ignore[attr-defined]
    for fieldname in date_fields:
        days = np.zeros(size, dtype=np.int32)
        for tbytes, term_ids, _ in _segment_field(leaf, fieldname):
            if tbytes.isdigit():
                days[term_ids] = int(tbytes)
        arrays[f"{fieldname}.days"] = days
    return arrays


def _segment_field(leaf: object, fieldname: str,
                   ) -> Iterator[tuple[bytes, NDArray[np.int64], NDArray[np.float64]]]:
    """(term, ids, weights) of every term of a field in one segment, ids segment-local."""
    terms = getattr(leaf, "_terms", None)  # raw postings, without the deletion filter
    if not isinstance(terms, W3TermsReader):  # another codec, or no segment: term by term
        for tbytes in leaf.lexicon(fieldname):  # type: ignore[attr-defined]
            found_ids, found_weights = term_postings(leaf, fieldname, tbytes.decode("utf-8"))
            yield tbytes, found_ids, found_weights
        return
    format_ = leaf.schema[fieldname].format  # type: ignore[attr-defined]
    for (name, tbytes), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            break
        if info.doc_frequency() == 1:
            yield (tbytes, np.array([info.min_id()], dtype=np.int64),
                   np.array([info.weight()], dtype=np.float64))
            continue
        matcher = terms._codec.postings_reader(
            terms._postfile, info, format_, term=(fieldname, tbytes))
        block_ids, block_weights = zip(*_blocks(matcher), strict=True)
        yield tbytes, np.concatenate(block_ids), np.concatenate(block_weights)


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
    while not matcher._atend:
        if matcher._data is None:
            matcher._read_data()
        data = matcher._data
        raw = np.asarray(data[0], dtype=np.int64)
        ids = raw if matcher._byteids else np.cumsum(raw)
        stored = data[1]
        if stored is None or isinstance(stored, float):
            weights = np.full(len(ids), 1.0 if stored is None else stored)
        else:
            weights = np.asarray(stored, dtype=np.float64)
        yield ids, weights
        matcher._next_block()


ARRAY_SUFFIX = ".arrays.npz"  # arrays kept beside a segment's files, named after the segment


def segment_arrays(leaf: object, fieldnames: Sequence[str], date_fields: Sequence[str],
                   directory: Path | None) -> dict[str, np.ndarray]:
    """``read_segment``, kept in ``directory`` by the first process that reads it.

    Reading the arrays costs a posting list per term and segment (dates: one per day):
    about 1.8 s at 140,000 letters in 14 segments, paid by every worker after every
    commit and growing with the archive. A segment never changes once written (deletions
    are kept apart), so its arrays are kept in a file named like the segment's own, which
    Whoosh deletes with the segment when segments merge; later opens, in any worker, load
    it, and after a commit only the new segments are read.
    """
    path = _kept_path(leaf, directory)
    if path is None:  # nowhere to keep, or an index without segments yet
        return read_segment(leaf, fieldnames, date_fields)
    wanted = {f"{field}.{part}" for field in fieldnames
              for part in ("terms", "bounds", "ids", "weights")}
    wanted |= {f"{field}.days" for field in date_fields}
    with suppress(OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        with np.load(path, allow_pickle=False) as kept:
            arrays = {key: kept[key] for key in wanted}
        size = leaf.doc_count_all()  # type: ignore[attr-defined]
        if all(len(arrays[f"{field}.days"]) == size for field in date_fields):
            return arrays
    arrays = read_segment(leaf, fieldnames, date_fields)
    # Written whole under a hidden name, then renamed: a reader never sees half of it. A
    # read-only index (a copy on a web node) keeps nothing, which only costs time.
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
        os.replace(partial, path)
    except OSError:  # on a read-only file system even the unlink fails
        with suppress(OSError):
            partial.unlink(missing_ok=True)
    return arrays


def _segments(reader: object, facet_fields: Mapping[str, str],
              directory: Path | None) -> Iterator[SegmentArrays]:
    """Each segment's arrays (kept in ``directory``), with its first document number."""
    for leaf, offset in reader.leaf_readers():  # type: ignore[attr-defined]
        yield segment_arrays(leaf, [*facet_fields.values(), ITEM_FIELD], DATE_FIELDS,
                             directory), offset


def keep_arrays(reader: object, facet_fields: Mapping[str, str], directory: Path) -> None:
    """Read and keep the arrays of every segment that has none kept yet: a writer does it
    after its commit, so that no web worker pays for it at its first search."""
    for leaf, _ in reader.leaf_readers():  # type: ignore[attr-defined]
        path = _kept_path(leaf, directory)
        if path is not None and not path.exists():
            segment_arrays(leaf, [*facet_fields.values(), ITEM_FIELD], DATE_FIELDS, directory)


def _kept_path(leaf: object, directory: Path | None) -> Path | None:
    """Where a segment's arrays are kept; None for a reader without a segment."""
    segment = leaf.segment()  # type: ignore[attr-defined]
    if segment is None or directory is None:
        return None
    return directory / f"{segment.segment_id()}{ARRAY_SUFFIX}"


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

    def __init__(self, reader: object, facet_fields: Mapping[str, str],
                 directory: Path | None = None) -> None:
        """The arrays of ``reader``'s index; ``directory`` (the index's own) keeps the arrays
        that are slow to read, a file per segment."""
        self.size = reader.doc_count_all()  # type: ignore[attr-defined]
        self.live = _live(reader, self.size)
        # Document numbers are int32 (an index holds fewer than 2**31 letters): at a million
        # letters these arrays are most of a web worker's memory.
        self._flats: dict[tuple[str, str], tuple[list[str], Docs, Docs]] = {}
        segments = list(_segments(reader, facet_fields, directory))
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
