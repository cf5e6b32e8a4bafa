"""Each segment's postings of the facet, item and date fields as NumPy arrays: read from a
Whoosh 3 segment a block of postings at a time, and kept beside the segment's files, so that
the arrays of a new index state (``shared``) are joined from them, the new segments alone
read from their postings.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo, W3TermsReader
from whoosh.formats import Format
from whoosh.matching import Matcher
from whoosh.reading import IndexReader, SegmentReader, TermNotFound

from cases.search.whoosh_backend.codec import read_block
from cases.search.whoosh_backend.items import item_keys, read_segment_items
from cases.search.whoosh_backend.schema import DATE_FIELDS

if TYPE_CHECKING:  # frequent reads segments with this module
    from cases.search.whoosh_backend.frequent import FrequentTable

Mask = NDArray[np.bool_]
Docs = NDArray[np.int32]
SegmentArrays = tuple[Mapping[str, np.ndarray], int]  # a segment's arrays, its first docnum
ARRAY_SUFFIX = ".arrays.npz"  # arrays kept beside a segment's files, named after the segment


def live_documents(reader: IndexReader, size: int) -> Mask:
    """Which document numbers are not deleted."""
    live = np.ones(size, dtype=bool)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
            live[deleted + offset] = False
    return live


def term_postings(reader: IndexReader, fieldname: str, text: str,
                  kept: Mapping[str, FrequentTable] | None = None,
                  ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Document numbers and weights of one term over every segment, deleted ones included
    (callers mask them with ``live``): from a segment's kept lists of frequent words
    (``kept``, by segment id) where it is one, else read a block of postings at a time."""
    ids: list[NDArray[np.int64]] = []
    weights: list[NDArray[np.float64]] = []
    btext = text.encode("utf-8")
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment() if kept else None
        table = kept.get(segment.segment_id()) if kept and segment is not None else None
        found = table.postings(fieldname, text) if table is not None else None
        if found is not None:
            ids.append(found[0] + np.int64(offset))
            weights.append(found[1])
            continue
        terms = getattr(leaf, "_terms", None)  # raw postings, without the deletion filter
        if isinstance(terms, W3TermsReader):  # the term looked up once, not twice
            try:
                info = terms.term_info(fieldname, btext)
            except TermNotFound:
                continue
            found_ids, found_weights = _postings_of(terms, fieldname, btext, info,
                                                    leaf.schema[fieldname].format)
            ids.append(found_ids + offset)
            weights.append(found_weights)
            continue
        if (fieldname, btext) not in leaf:
            continue
        matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
        for block_ids, block_weights in _blocks(matcher):
            ids.append(block_ids + offset)
            weights.append(block_weights)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights, dtype=np.float64)


_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)


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


def read_segment(leaf: SegmentReader, fieldnames: Iterable[str], date_fields: Iterable[str],
                 ) -> dict[str, np.ndarray]:
    """One segment's postings of ``fieldnames`` as flat arrays (per field: its terms, their
    bounds in the ids and weights), its dates by document (yyyymmdd, 0 unknown) and its
    items (``items.read_segment_items``).

    Each field's terms are read in one pass over the segment's term table, and a term in
    one document of the segment (most date terms) from its term info alone.
    """
    arrays: dict[str, np.ndarray] = {}
    for fieldname in fieldnames:
        terms, bounds = [], [0]
        ids: list[NDArray[np.int64]] = []
        weights: list[NDArray[np.float64]] = []
        for tbytes, term_ids, term_weights in segment_field(leaf, fieldname):
            terms.append(tbytes.decode("utf-8"))
            bounds.append(bounds[-1] + len(term_ids))
            ids.append(term_ids)
            weights.append(term_weights)
        arrays[f"{fieldname}.terms"] = np.array(terms, dtype=np.str_)
        arrays[f"{fieldname}.bounds"] = np.array(bounds, dtype=np.int64)
        arrays[f"{fieldname}.ids"] = np.concatenate([*ids, _NO_IDS]).astype(np.int32)
        arrays[f"{fieldname}.weights"] = np.concatenate([*weights, _NO_WEIGHTS]).astype(
            np.float32)
    size = leaf.doc_count_all()
    for fieldname in date_fields:
        days = np.zeros(size, dtype=np.int32)
        for tbytes, term_ids, _ in segment_field(leaf, fieldname):
            if tbytes.isdigit():
                days[term_ids] = int(tbytes)
        arrays[f"{fieldname}.days"] = days
    arrays.update(read_segment_items(leaf))
    return arrays


def segment_field(leaf: SegmentReader, fieldname: str, *, least: int = 1,
                  ) -> Iterator[tuple[bytes, NDArray[np.int64], NDArray[np.float64]]]:
    """(term, ids, weights) of every term of a field in one segment in at least ``least``
    of its documents, ids segment-local."""
    terms = getattr(leaf, "_terms", None)  # raw postings, without the deletion filter
    if not isinstance(terms, W3TermsReader):  # another codec, or no segment: term by term
        for tbytes in leaf.lexicon(fieldname):
            if least > 1 and leaf.doc_frequency(fieldname, tbytes) < least:
                continue
            found_ids, found_weights = term_postings(leaf, fieldname, tbytes.decode("utf-8"))
            yield tbytes, found_ids, found_weights
        return
    format_ = leaf.schema[fieldname].format
    for (name, tbytes), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            break
        if info.doc_frequency() < least:
            continue
        yield (tbytes, *_postings_of(terms, fieldname, tbytes, info, format_))


def _postings_of(terms: W3TermsReader, fieldname: str, tbytes: bytes, info: W3TermInfo,
                 format_: Format) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """A term's segment-local ids and weights, from its term info (a term of one document
    from the info alone: its postings are inlined there)."""
    if info.doc_frequency() == 1:
        return (np.array([info.min_id()], dtype=np.int64),
                np.array([info.weight()], dtype=np.float64))
    matcher = terms._codec.postings_reader(terms._postfile, info, format_,
                                           term=(fieldname, tbytes))
    block_ids, block_weights = zip(*_blocks(matcher), strict=True)
    return np.concatenate(block_ids), np.concatenate(block_weights)


def _blocks(matcher: Matcher) -> Iterator[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """The (ids, weights) arrays of each stored block of a Whoosh 3 posting list."""
    if not isinstance(matcher, W3LeafMatcher):  # another codec: one posting at a time
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
        return
    while not matcher._atend:
        yield read_block(matcher)
        matcher._next_block()


def segment_arrays(leaf: SegmentReader, fieldnames: Sequence[str], date_fields: Sequence[str],
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
    wanted |= {f"{field}.days" for field in date_fields} | item_keys()
    with suppress(OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        with np.load(path, allow_pickle=False) as kept:
            arrays = {key: kept[key] for key in wanted}
        size = leaf.doc_count_all()
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


def segments_arrays(reader: IndexReader, facet_fields: Mapping[str, str],
              directory: Path | None) -> Iterator[SegmentArrays]:
    """Each segment's arrays (kept in ``directory``), with its first document number."""
    for leaf, offset in reader.leaf_readers():
        yield segment_arrays(leaf, list(facet_fields.values()), DATE_FIELDS,
                             directory), offset


def _kept_path(leaf: SegmentReader, directory: Path | None) -> Path | None:
    """Where a segment's arrays are kept; None for a reader without a segment."""
    segment = leaf.segment()
    if segment is None or directory is None:
        return None
    return directory / f"{segment.segment_id()}{ARRAY_SUFFIX}"


