"""Counting a few documents by their own values instead of every posting.

The counts of a search are bincounts over every posting of a facet (a case facet's
document/value pairs, an item facet's values per letter), a pass as long as the archive
whatever the hits: at a million letters, some milliseconds a facet for a search that found
thirty letters. The same pairs are also kept in document order with each document's first
place (``starts``), so a search's own documents find their pairs by two lookups each:
counting then costs what the hits and their values cost, not what the archive does.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Count by the documents' own pairs when they are fewer than one in SPARSE of the postings:
# gathering a document's run costs a few steps more than testing one posting in the pass.
SPARSE = 4
# Between few documents and most of them, a value held by at least one document in DENSE is
# counted from a bitset of its documents: an AND and a bit count of size/64 words (about 1 ns
# each at a million letters), where its postings were as many gathers and tests (about 2 ns
# each): the same at size/128 postings. A bitset then takes up to 4 times its postings'
# bytes; at a million letters the state file is the same size within 0.1 % (the postings it
# no longer keeps), and the facets of a phrase's 320,000 letters count in 5 ms, not 12.
DENSE = 128


def few(selected: int, postings: int) -> bool:
    """Whether ``selected`` documents are few enough to count by their own pairs."""
    return selected * SPARSE < postings


def as_places(indices: NDArray[np.integer]) -> NDArray[np.intp]:
    """``indices`` in NumPy's own index type, to set an array's places with: NumPy sets them
    at int32 indices a converted block at a time, 2.5-7x slower than at intp ones (a million
    indices, NumPy 2.4), and the conversion takes 0.15 ms a million. To read an array at
    int32 indices, ``take`` is as fast as at intp ones (and 1.7x faster than ``[]``)."""
    return indices.astype(np.intp, copy=False)


def starts_of(documents: NDArray[np.integer], size: int) -> NDArray[np.integer]:
    """For pairs sorted by document: where each document's run starts, and (last) their
    number; document ``d``'s pairs are ``starts[d]:starts[d + 1]``."""
    dtype = np.int32 if len(documents) < np.iinfo(np.int32).max else np.int64
    return np.searchsorted(documents, np.arange(size + 1)).astype(dtype)


def runs(starts: NDArray[np.integer], wanted: NDArray[np.integer]) -> NDArray[np.int64]:
    """The places of the pairs of the ``wanted`` documents (sorted, unique), in order."""
    low = starts[wanted].astype(np.int64)
    lengths = starts[wanted + 1] - low
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(lengths) - lengths  # where each run starts in the result
    return np.repeat(low - before, lengths) + np.arange(total, dtype=np.int64)


class Selected:
    """Documents chosen by a mask, with their number and their document numbers, each
    computed once however many facets count them."""

    def __init__(self, mask: NDArray[np.bool_], among: Selected | None = None,
                 numbers: NDArray[np.int64] | None = None) -> None:
        self.mask = mask
        self.among = among  # the documents these are drawn from (the live ones), if known
        self._kept: dict[tuple, Any] = {}
        if numbers is not None:  # the mask's places, already known
            self.__dict__["numbers"] = numbers
            self.__dict__["count"] = len(numbers)

    @cached_property
    def count(self) -> int:
        return int(np.count_nonzero(self.mask))

    @cached_property
    def numbers(self) -> NDArray[np.int64]:
        return np.flatnonzero(self.mask)

    @cached_property
    def rest(self) -> Selected | None:
        """The documents they are drawn from that are not chosen, where those are fewer
        (None otherwise): a count of most of the archive is then the whole's count less
        the rest's, which is a count of few documents."""
        among = self.among
        if among is None or self.count * 2 <= among.count:
            return None
        return Selected(among.mask & ~self.mask)

    @cached_property
    def bits(self) -> NDArray[np.uint64]:
        """The chosen documents as a bitset (document ``d`` is bit ``d % 64`` of word
        ``d // 64``), for ``ValueBits.counted``."""
        padded = np.zeros(words_for(len(self.mask)) * 64, dtype=bool)
        padded[:len(self.mask)] = self.mask
        return np.packbits(padded, bitorder="little").view(np.uint64)

    def through(self, owners: NDArray[np.integer]) -> NDArray[np.bool_]:
        """Which rows of a table (``owners``: each row's document, e.g. the items) belong
        to the chosen documents; kept for the next facet that asks."""
        key = ("through", id(owners))
        if key not in self._kept:
            self._kept[key] = self.mask.take(owners)
        return self._kept[key]

    def rows_in(self, rows: NDArray[np.bool_], starts: NDArray[np.integer],
                owners: NDArray[np.integer], *, held: bool = True,
                places: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
        """The places of the chosen documents' rows that ``rows`` (a mask over the table's
        rows; ``starts``/``owners`` its runs and each row's document; ``places``: the
        places it holds, in order, if known) holds (``held``), or those it does not, in
        order; kept for the next facet that asks with the same mask (held here, so never
        another)."""
        key = ("rows", id(rows), id(starts), held)
        if key not in self._kept or self._kept[key][0] is not rows:
            # Few rows held, fewer than the chosen documents have: which are theirs.
            # Otherwise the rows of few chosen documents, or a pass over every row.
            count = len(places) if places is not None else int(np.count_nonzero(rows))
            few_held = held and few(count, len(owners)) and (
                count * len(self.mask) < self.count * len(owners))
            if few_held:
                places = np.flatnonzero(rows) if places is None else places
                places = places[self.mask.take(owners.take(places))]
            elif few(self.count, len(owners)):  # the chosen documents' own rows
                own = self.runs(starts)
                places = own[rows[own] if held else ~rows[own]]
            else:  # every row of the chosen documents
                chosen = self.through(owners)
                places = np.flatnonzero(rows & chosen if held else chosen & ~rows)
            self._kept[key] = (rows, places)
        return self._kept[key][1]

    def rows_apart(self, rows: NDArray[np.bool_], starts: NDArray[np.integer],
                   owners: NDArray[np.integer]) -> tuple[Selected, NDArray[np.int64]]:
        """``rows_in``'s rows told apart: those alone among them in their document (chosen
        over the table's rows), and the places of the others, in order; kept."""
        key = ("apart", id(rows), id(starts))
        if key not in self._kept or self._kept[key][0] is not rows:
            places = self.rows_in(rows, starts, owners)
            documents = owners.take(places)
            same = documents[1:] == documents[:-1]
            shared = np.zeros(len(places), dtype=bool)
            shared[1:] = same
            shared[:-1] |= same
            lone = places[~shared]
            alone = np.zeros(len(owners), dtype=bool)
            alone[as_places(lone)] = True
            self._kept[key] = (rows, Selected(alone, numbers=lone), places[shared])
        return self._kept[key][1:]

    def rows_count(self, starts: NDArray[np.integer]) -> int:
        """How many rows the chosen documents have (``starts``: as ``rows_in``'s): their
        runs' lengths added up, or, for most of the documents they are drawn from, those
        documents' rows less the rest's; kept."""
        key = ("count", id(starts))
        if key not in self._kept:
            rest = self.rest
            if rest is not None and self.among is not None:
                count = self.among.rows_count(starts) - rest.rows_count(starts)
            else:
                numbers = self.numbers
                count = int((starts.take(numbers + 1) - starts.take(numbers)).sum())
            self._kept[key] = count
        return self._kept[key]

    def runs(self, starts: NDArray[np.integer]) -> NDArray[np.int64]:
        """``runs(starts, numbers)``: the places of the chosen documents' rows; kept."""
        key = ("runs", id(starts))
        if key not in self._kept:
            self._kept[key] = runs(starts, self.numbers)
        return self._kept[key]


def nonzero(values: list[str], counted: NDArray[np.integer]) -> dict[str, int]:
    """``values`` with their counts, those counted at least once."""
    found = np.flatnonzero(counted)
    return dict(zip([values[n] for n in found.tolist()], counted[found].tolist(), strict=True))


def words_for(size: int) -> int:
    """64-bit words of a bitset of ``size`` documents."""
    return (size + 63) // 64


def value_bits(docs: NDArray[np.integer], codes: NDArray[np.integer], values: int,
               size: int, share: int | None = None) -> dict[str, np.ndarray]:
    """The arrays ``ValueBits`` counts with, of (document, value code) pairs: the values
    held by at least one document in ``share`` (``DENSE`` unless given; ``dense``), a bitset
    of each one's documents (``bits``: a row of ``words_for(size)`` words each), and the
    other values' pairs."""
    counts = np.bincount(codes, minlength=values)
    share = DENSE if share is None else share
    dense = np.flatnonzero(counts * share >= max(size, 1)).astype(np.int32)
    is_dense = np.zeros(values, dtype=bool)
    is_dense[dense] = True
    in_bits = is_dense[codes]
    # One value's bitset at a time: a mask of every document per value at once would take
    # a byte per document per common value (hundreds of MB at the whole archive).
    order = np.argsort(codes[in_bits], kind="stable")
    ordered = docs[in_bits][order]
    bounds = np.concatenate([[0], np.cumsum(counts[dense])])
    bits = np.zeros((len(dense), words_for(size)), dtype=np.uint64)
    for row in range(len(dense)):
        mask = np.zeros(words_for(size) * 64, dtype=bool)
        mask[ordered[bounds[row]:bounds[row + 1]]] = True
        bits[row] = np.packbits(mask, bitorder="little").view(np.uint64)
    return {"dense": dense, "bits": bits, "docs": docs[~in_bits].astype(np.int32),
            "codes": codes[~in_bits].astype(np.int32)}


# What counting costs, in nanoseconds, measured at 100,000 letters: a pair of a chosen
# document gathered by its run (``runs``, then its code and the bincount), a pair of an
# uncommon value tested in the pass over them, a word of a bitset ANDed and its bits counted.
RUN_PAIR_NS, PASS_PAIR_NS, WORD_NS = 13.0, 3.0, 0.8


class ValueBits:
    """A facet's (document, value) pairs for counting many documents: the dense values by
    their bitsets, the rest by their pairs (``value_bits``'s arrays, as ``prefix``.name)."""

    def __init__(self, arrays: Mapping[str, np.ndarray], prefix: str, values: int,
                 pairs: int, size: int) -> None:
        self.values = values
        self.dense, self.bits = arrays[f"{prefix}.dense"], arrays[f"{prefix}.bits"]
        self.docs, self.codes = arrays[f"{prefix}.docs"], arrays[f"{prefix}.codes"]
        # The bitsets and the uncommon pairs cost the same whatever is chosen; the chosen
        # documents' runs cost what their pairs do (``pairs`` in all, of ``size`` documents).
        self._fixed_ns = PASS_PAIR_NS * len(self.docs) + WORD_NS * self.bits.size
        self._pairs_per_document = pairs / max(size, 1)
        self.size = size

    def by_runs(self, chosen: int) -> bool:
        """Whether ``chosen`` documents count faster by their own pairs (``runs``)."""
        return chosen * self._pairs_per_document * RUN_PAIR_NS < self._fixed_ns

    def holding(self, codes: list[int]) -> NDArray[np.bool_]:
        """Which documents have any of the value ``codes``: their bitsets ORed, then the
        other values' pairs."""
        wanted = np.zeros(self.values, dtype=bool)
        wanted[codes] = True
        rows = np.flatnonzero(wanted.take(self.dense))
        words = (np.bitwise_or.reduce(self.bits[rows], axis=0) if len(rows)
                 else np.zeros(words_for(self.size), dtype=np.uint64))
        mask = np.unpackbits(words.view(np.uint8), count=self.size, bitorder="little").view(bool)
        mask[as_places(self.docs[wanted.take(self.codes)])] = True
        return mask

    def counted(self, chosen: Selected) -> NDArray[np.int64]:
        """For each value code: how many of the chosen documents have it."""
        counted = np.bincount(self.codes[chosen.mask.take(self.docs)], minlength=self.values)
        if len(self.dense):
            counted[self.dense] = np.bitwise_count(self.bits & chosen.bits).sum(axis=1)
        return counted
