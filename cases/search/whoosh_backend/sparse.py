"""Counting a few documents by their own values instead of every posting.

The counts of a search are bincounts over every posting of a facet (a case facet's
document/value pairs, an item facet's values per letter), a pass as long as the archive
whatever the hits: at a million letters, some milliseconds a facet for a search that found
thirty letters. Where a search holds few documents, ``runs`` finds their own pairs in arrays
kept in document order with two binary searches a document.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Count by the documents' own pairs when they are fewer than one in SPARSE of the postings:
# a binary search costs a few dozen steps where the pass costs one step a posting.
SPARSE = 32


def few(selected: int, postings: int) -> bool:
    """Whether ``selected`` documents are few enough to count by their own pairs."""
    return selected * SPARSE < postings


def runs(keys: NDArray[np.integer], wanted: NDArray[np.integer]) -> NDArray[np.int64]:
    """Where ``keys`` (sorted) equals one of ``wanted`` (sorted, unique): every position of
    each one's run, in order."""
    low = np.searchsorted(keys, wanted, side="left")
    lengths = np.searchsorted(keys, wanted, side="right") - low
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(lengths) - lengths  # where each run starts in the result
    return np.repeat(low - before, lengths) + np.arange(total, dtype=np.int64)
