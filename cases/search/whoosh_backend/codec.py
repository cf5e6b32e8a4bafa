"""Posting blocks that NumPy reads whole.

Whoosh 3 writes each block of a posting list as a pickled, zlib-compressed tuple of Python
numbers: reading one posting means unpickling one int and one float, which made half of a
common word's search (900,000 postings at a million letters) the decoding of its postings.
This codec writes the same blocks with their document-number deltas, weights and
frequencies as packed little-endian arrays (a delta or a frequency fits a byte or two) in
the same pickled, compressed tuple: ``read_block`` decompresses one string and turns it
into NumPy arrays with two ``frombuffer`` calls, and Whoosh's own matcher (phrases of the
treatment field, the query shapes the arrays do not score) reads them through
``ArrayLeafMatcher``. Everything else about a segment (the block headers that skipping
reads, term infos, inlined postings, vectors, columns) is Whoosh 3's.

A segment records the codec it was written with: segments of an index written before this
codec keep Whoosh 3's blocks and are read as before (``read_block`` reads both), and a
merge rewrites them in this format. The class is found by its import path when a segment
is opened, so it must stay ``cases.search.whoosh_backend.codec.ArrayCodec``.
"""

from __future__ import annotations

from array import array

import numpy as np
from numpy.typing import NDArray
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter

# A packed array: one byte telling its element type, then the elements.
_INTS = {1: "<u1", 2: "<u2", 4: "<u4"}  # by width: unsigned deltas
_SMALL_WEIGHTS = ord("B")  # whole numbers 0-255 (a term's frequency in a letter): a byte each
_FLOAT_WEIGHTS = ord("f")  # anything else: float32, as Whoosh keeps weights in memory
_VALUE_SIZE = 4  # a fixed-size posting value of 4 bytes: a term's frequency


class DamagedBlockError(EOFError):
    """A block whose arrays do not hold the postings its header counts: a cut or garbled
    postings file (an ``EOFError``, which the reading side treats as damage)."""


def _packed_ints(values: NDArray[np.int64]) -> bytes:
    top = int(values.max()) if len(values) else 0
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4
    return bytes((width,)) + values.astype(_INTS[width]).tobytes()


def _unpacked(data: bytes, count: int) -> NDArray[np.int64] | NDArray[np.float32]:
    if not data:
        raise DamagedBlockError("an empty block array")
    kind = data[0]
    dtype = (_INTS.get(kind) if kind in _INTS else "<u1" if kind == _SMALL_WEIGHTS
             else "<f4" if kind == _FLOAT_WEIGHTS else None)
    if dtype is None or len(data) - 1 != count * np.dtype(dtype).itemsize:
        raise DamagedBlockError(f"a block array of {len(data) - 1} bytes for {count} postings")
    return np.frombuffer(data, dtype=dtype, offset=1)


def _ids(deltas: bytes, count: int) -> NDArray[np.int64]:
    """A packed block's document numbers, from their deltas."""
    return np.cumsum(_unpacked(deltas, count), dtype=np.int64)


def read_block(matcher: W3LeafMatcher) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The document numbers and weights of the block the matcher stands on, as arrays:
    from either codec's blocks."""
    if matcher._data is None:
        matcher._read_data()
    raw_ids, stored, _values = matcher._data
    count = matcher._blocklength
    if isinstance(raw_ids, bytes):
        ids = _ids(raw_ids, count)
    else:  # Whoosh 3's tuple: deltas, or plain ids
        raw = np.asarray(raw_ids, dtype=np.int64)
        ids = raw if matcher._byteids else np.cumsum(raw)
    if stored is None or isinstance(stored, float):
        weights = np.full(count, 1.0 if stored is None else stored)
    elif isinstance(stored, bytes):
        weights = _unpacked(stored, count).astype(np.float64)
    else:
        weights = np.asarray(stored, dtype=np.float64)
    return ids, weights


class ArrayPostingsWriter(W3PostingsWriter):
    """Whoosh 3's postings writer, with packed arrays for a block's ids and weights."""

    def _mini_ids(self) -> bytes | tuple[object, ...]:
        if self._byteids:  # a vector's terms: Whoosh's tuple
            return super()._mini_ids()
        ids = np.asarray(self._ids, dtype=np.int64)
        return _packed_ints(np.diff(ids, prepend=np.int64(0)))

    def _mini_weights(self) -> bytes | float | None:
        weights = np.asarray(self._weights, dtype=np.float32)
        if not len(weights) or (weights == weights[0]).all():
            return None if not len(weights) or weights[0] == 1.0 else float(weights[0])
        if ((weights >= 0) & (weights < 256) & (weights == np.floor(weights))).all():
            return bytes((_SMALL_WEIGHTS,)) + weights.astype("<u1").tobytes()
        return bytes((_FLOAT_WEIGHTS,)) + weights.astype("<f4").tobytes()

    def _mini_values(self) -> bytes | tuple[bytes, ...] | None:
        values = self._values
        if (self._format.fixed_value_size() == _VALUE_SIZE and not self._byteids
                and len(values) == len(self._ids)
                and all(len(value) == _VALUE_SIZE for value in values)):
            # A frequency's 4 bytes each (Whoosh's big-endian unsigned int), as a packed
            # array in a 1-tuple (Whoosh's joined bytes are a bytes object, kept where a
            # posting had no value); an empty one where they equal the weights, as they
            # do in a field without a boost.
            joined = np.frombuffer(b"".join(values), dtype=">u4").astype(np.int64)
            if np.array_equal(joined, np.asarray(self._weights, dtype=np.float64)):
                return (b"",)
            return (_packed_ints(joined),)
        size = self._format.fixed_value_size()
        if ((size is None or size < 0) and not self._byteids and len(values) == len(self._ids)
                and all(isinstance(value, bytes) for value in values)):
            # Values of their own length (a field's positions): their lengths packed and
            # the values joined, in a list (Whoosh's are a tuple of one bytes per posting,
            # which unpickling makes one object at a time: most of a treatment: search).
            return [_packed_ints(np.fromiter(map(len, values), dtype=np.int64,
                                             count=len(values))), b"".join(values)]
        return super()._mini_values()


class ArrayLeafMatcher(W3LeafMatcher):
    """Whoosh 3's matcher, reading the packed blocks too (Whoosh's tuples as before)."""

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        if isinstance(self._data[0], bytes) and not self._byteids:
            self._ids = _ids(self._data[0], self._blocklength).tolist()
        else:
            super()._read_ids()

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        if isinstance(self._data[1], bytes):
            self._weights = array("f", _unpacked(self._data[1], self._blocklength)
                                  .astype(np.float32).tobytes())
        else:
            super()._read_weights()

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        packed = self._data[2]
        if isinstance(packed, tuple) and self._fixedsize == _VALUE_SIZE:
            if packed[0]:
                frequencies = _unpacked(packed[0], self._blocklength)
            else:  # the same as the weights
                if self._weights is None:
                    self._read_weights()
                frequencies = np.asarray(self._weights, dtype=np.float64)
            vs = frequencies.astype(">u4").tobytes()
            self._values = tuple(vs[i:i + _VALUE_SIZE] for i in range(0, len(vs), _VALUE_SIZE))
        elif isinstance(packed, list):  # values of their own length, joined
            ends = np.cumsum(_unpacked(packed[0], self._blocklength)).tolist()
            joined = packed[1]
            if (ends[-1] if ends else 0) != len(joined):
                raise DamagedBlockError(f"values of {len(joined)} bytes where their lengths "
                                        f"add up to {ends[-1] if ends else 0}")
            self._values = tuple(joined[start:end]
                                 for start, end in zip([0, *ends[:-1]], ends, strict=True))
        else:
            super()._read_values()


# Postings a block holds. Whoosh's 128 made a common word's 900,000 postings 7,000 blocks, a
# Python round (a header to unpickle, a block to read) each; NumPy reads 2,048 as fast as
# 128. A larger block only costs Whoosh's own matcher some skipping, and ours never skips.
BLOCK_POSTINGS = 2048


class ArrayCodec(W3Codec):
    """Whoosh 3's codec with packed posting blocks of ``BLOCK_POSTINGS`` (vectors keep
    Whoosh's)."""

    def __init__(self, blocklimit: int = BLOCK_POSTINGS, compression: int = 3,
                 inlinelimit: int = 1) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression,
                         inlinelimit=inlinelimit)

    def postings_writer(self, dbfile: object, byteids: bool = False) -> W3PostingsWriter:
        if byteids:
            return super().postings_writer(dbfile, byteids=True)
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=False,
                                   compression=self._compression,
                                   inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile: object, terminfo: object, format_: object,
                        term: object = None, scorer: object = None) -> object:
        if terminfo.is_inlined():  # type: ignore[attr-defined]
            return super().postings_reader(dbfile, terminfo, format_, term=term,
                                           scorer=scorer)
        offset, length = terminfo.extent()  # type: ignore[attr-defined]
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


__all__ = ["ArrayCodec", "DamagedBlockError", "read_block"]
