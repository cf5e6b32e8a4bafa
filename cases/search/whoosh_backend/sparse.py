"""Counting a few documents by their own values instead of every posting.

The counts of a search are bincounts over every posting of a facet (a case facet's
document/value pairs, an item facet's values per letter), a pass as long as the archive
whatever the hits: at a million letters, some milliseconds a facet for a search that found
thirty letters. The same pairs are also kept in document order with each document's first
place (``starts``), so a search's own documents find their pairs by two lookups each:
counting then costs what the hits and their values cost, not what the archive does.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from numpy.typing import NDArray

# Count by the documents' own pairs when they are fewer than one in SPARSE of the postings:
# gathering a document's run costs a few steps more than testing one posting in the pass.
SPARSE = 4


def few(selected: int, postings: int) -> bool:
    """Whether ``selected`` documents are few enough to count by their own pairs."""
    return selected * SPARSE < postings


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

    def __init__(self, mask: NDArray[np.bool_], among: Selected | None = None) -> None:
        self.mask = mask
        self.among = among  # the documents these are drawn from (the live ones), if known
        self._kept: dict[tuple[str, int], np.ndarray] = {}

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

    def through(self, owners: NDArray[np.integer]) -> NDArray[np.bool_]:
        """Which rows of a table (``owners``: each row's document, e.g. the items) belong
        to the chosen documents; kept for the next facet that asks."""
        key = ("through", id(owners))
        if key not in self._kept:
            self._kept[key] = self.mask[owners]
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
