"""The posting lists of each segment's frequent words, decoded once and kept beside it.

A word in most letters has a posting per letter: at a million letters, reading its list is
hundreds of compressed blocks to inflate and unpickle, the larger part of the search, paid
again by every search of it. The lists of the words in at least one document in
``FREQUENT_SHARE`` of a segment are the lists searches pay most for (the longest) and the
ones searched most often. They are decoded once per segment, when the first process derives
an index state holding it, into a file named like the segment's own
(``<segment>.frequent.arrays``, ``shared``'s format: a header, then aligned arrays), which
Whoosh removes with the segment when segments merge. Every worker maps the files of its
state read-only, so they are shared through the page cache like the state's arrays.

A segment whose file is missing (written before this, or a read-only copy of the index)
or damaged is read from its postings, as every word was before; the answers are the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from whoosh.reading import IndexReader, SegmentReader

from cases.search.whoosh_backend.arrays import segment_field
from cases.search.whoosh_backend.shared import StateArrays, map_state, write_state

# A word is kept for a segment when at least one of its documents in this many has it. At
# 100,000 letters that is 2-3 % of the terms of the text fields, holding 45-90 % of their
# postings.
FREQUENT_SHARE = 16
FREQUENT_SUFFIX = ".frequent.arrays"
Postings = tuple[NDArray[np.int32], NDArray[np.generic]]  # segment-local ids, weights


class FrequentTable:
    """One segment's kept lists, by field and word."""

    def __init__(self, state: StateArrays) -> None:
        self.state = state
        self._places: dict[str, dict[str, int]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for key, words in state.values.items():
            self._places[key] = {word: n for n, word in enumerate(words)}
            arrays = state.arrays
            self._arrays[key] = (arrays[f"{key}.bounds"], arrays[f"{key}.ids"],
                                 arrays[f"{key}.weights"])

    def postings(self, fieldname: str, text: str) -> Postings | None:
        """The word's document numbers in the segment and their weights; None when the word
        is not kept (not frequent here, or not in the segment at all)."""
        place = self._places.get(fieldname, {}).get(text)
        if place is None:
            return None
        bounds, ids, weights = self._arrays[fieldname]
        start, stop = int(bounds[place]), int(bounds[place + 1])
        return ids[start:stop], weights[start:stop]

    def intact(self) -> bool:
        return self.state.intact()


def frequent_path(leaf: SegmentReader, directory: Path | None) -> Path | None:
    segment = leaf.segment()
    if segment is None or directory is None:
        return None
    return directory / f"{segment.segment_id()}{FREQUENT_SUFFIX}"


def keep_frequent(leaf: SegmentReader, fieldnames: Iterable[str],
                  directory: Path | None) -> None:
    """Decode the segment's frequent lists into their file, unless it is already there
    (a read-only directory keeps nothing: its segments are read from their postings)."""
    path = frequent_path(leaf, directory)
    if path is None or map_state(path) is not None:
        return
    arrays: dict[str, np.ndarray] = {}
    words: dict[str, list[str]] = {}
    least = max(2, math.ceil(leaf.doc_count_all() / FREQUENT_SHARE))
    for fieldname in fieldnames:
        kept, bounds, ids, weights = [], [0], [], []
        for tbytes, term_ids, term_weights in segment_field(leaf, fieldname, least=least):
            kept.append(tbytes.decode("utf-8"))
            bounds.append(bounds[-1] + len(term_ids))
            ids.append(term_ids.astype(np.int32))
            weights.append(term_weights)
        if not kept:
            continue
        joined = np.concatenate(weights)
        whole = bool(((joined >= 0) & (joined < 256) & (joined == np.floor(joined))).all())
        words[fieldname] = kept
        arrays[f"{fieldname}.bounds"] = np.array(bounds, dtype=np.int64)
        arrays[f"{fieldname}.ids"] = np.concatenate(ids)
        # A word's count in a letter is a whole number: a byte each; anything else float32,
        # as Whoosh keeps weights.
        arrays[f"{fieldname}.weights"] = joined.astype(np.uint8 if whole else np.float32)
    try:
        write_state(path, arrays, words)
    except OSError:  # a read-only copy of the index: its segments are read from postings
        return


def map_frequent(reader: IndexReader, directory: Path | None) -> dict[str, FrequentTable]:
    """The kept lists of ``reader``'s segments, by segment id: mapped from their files, a
    damaged file decoded again first (a segment without one is read from its postings)."""
    tables = {}
    for leaf, _ in reader.leaf_readers():
        path = frequent_path(leaf, directory)
        if path is None:
            continue
        state = map_state(path)
        if state is None and path.exists():  # cut or garbled: replaced
            keep_frequent(leaf, reader.schema.scorable_names(), directory)
            state = map_state(path)
        if state is not None:
            tables[leaf.segment().segment_id()] = FrequentTable(state)
    return tables
