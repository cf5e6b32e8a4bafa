"""The arrays one index state is searched with, kept in one file beside its segments and
memory-mapped read-only, so that the web workers of a node read the same pages through the
page cache instead of each holding a private copy.

A state is one committed table of contents: its generation, its segments and their
deletions. Everything a search reads from arrays (the live documents, each case facet's
postings, the dates, the item table, the field lengths) is derived from it once, already
joined across segments, and written to ``state-<generation>-<digest>.arrays``: a header
naming each array's type, shape and place, then the arrays, each aligned. The file is written
whole under a hidden name and then linked to its own, so a reader finds the whole file or
none, and the first process to publish it wins (the others map its file, not theirs); a file
whose size is not the one its header gives (cut, or not ours) is derived and replaced. Files
of older states are removed by the process that writes a newer one; a worker still mapping
one keeps its pages until it opens the new state (a removed file lives on while mapped).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import mmap
import os
import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

import numpy as np
from whoosh.reading import IndexReader

logger = logging.getLogger(__name__)

STATE_PREFIX = "state-"
STATE_SUFFIX = ".arrays"
_STATE_NAME = re.compile(r"state-(\d+)-[0-9a-f]+\.arrays")
_PARTIAL_NAME = re.compile(r"\.state-.*\.(\d+)\.tmp")
_TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc")  # a committed table of contents
_MAGIC = b"IMRSTATE"  # then the header's length, 8 bytes little-endian, then the header
_ALIGN = 64  # each array starts at a multiple of this: any dtype reads it aligned
# What a state file holds. Bump it whenever the arrays derived change (a name, a dtype, a new
# array): its number is part of the file's name, so a process of another release never maps
# a file it cannot read; both kinds live side by side during a rolling upgrade, and the
# next commit removes the older one.
# 3: each facet's pairs in document order (sparse counting); 4: with starts; 5: the common
# values' bitsets (sparse.value_bits); 6: every document in each listing order
# (counting.listing_orders), each item pair's letter pair; 7: the letter pairs' sizes; 8:
# derived with the segments' frequent lists kept beside them (frequent.keep_frequent); 9:
# the item facets' common values' bitsets over the items (items.derive_items); 10: item
# pairs distinct per item, each item facet's values per letter by decision, each letter's
# decisions (9 had only the first of these during its development); 11: each single-valued
# item facet's items by value (items.places_having).
LAYOUT = 11

Arrays = dict[str, np.ndarray]
Values = dict[str, list[str]]


class StateArrays:
    """Named arrays and value lists of one index state: mapped read-only from its file, or,
    where no file could be kept (a read-only copy, an empty index), in private memory."""

    def __init__(self, arrays: Mapping[str, np.ndarray], values: Mapping[str, list[str]],
                 file: BinaryIO | None = None, size: int = 0) -> None:
        self.arrays = arrays
        self.values = values
        self._file = file  # the mapped file, kept open to see it cut
        self._size = size

    @property
    def mapped(self) -> bool:
        """Whether the arrays are pages of a file shared with the other processes."""
        return self._file is not None

    def intact(self) -> bool:
        """Whether the mapped file still holds every mapped byte: one cut in place would
        fault the process that touched a lost page (one ``fstat``, cheap for every read)."""
        if self._file is None:
            return True
        try:
            return os.fstat(self._file.fileno()).st_size == self._size
        except (OSError, ValueError):
            return False


def state_name(reader: IndexReader) -> str | None:
    """The file name of ``reader``'s state; None for an index without segments."""
    segments = [leaf.segment() for leaf, _ in reader.leaf_readers()]
    if not segments or any(segment is None for segment in segments):
        return None
    key = f"layout {LAYOUT};" + ",".join(f"{s.segment_id()}:{s.deleted_count()}"
                                         for s in segments)
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{STATE_PREFIX}{reader.generation()}-{digest}{STATE_SUFFIX}"


def load_state(reader: IndexReader, directory: Path | None,
               derive: Callable[[], tuple[Arrays, Values]]) -> StateArrays:
    """``reader``'s state mapped from its file in ``directory``; derived and kept there by
    the first process that needs it."""
    name = state_name(reader) if directory is not None else None
    if directory is None or name is None:
        return StateArrays(*derive())
    path = directory / name
    found = map_state(path)
    if found is not None:
        return found
    arrays, values = derive()
    generation = reader.generation()
    # A state a commit has already replaced is read only until its readers reopen: a file
    # written for it now would outlive them.
    if committed_generation(directory) <= generation:
        try:
            write_state(path, arrays, values)
        except OSError as exc:  # a read-only copy of the index: each worker keeps its own
            logger.info("The arrays of %s could not be kept (%r): this process holds its "
                        "own copy.", directory, exc)
        else:
            remove_stale(directory, generation)
            found = map_state(path)
            if found is not None:
                return found
    return StateArrays(arrays, values)


def write_state(path: Path, arrays: Mapping[str, np.ndarray],
                values: Mapping[str, list[str]]) -> None:
    """Write a state's arrays to ``path`` whole, under a hidden name given ``path`` at the
    end (unless another process gave it a whole file first)."""
    layout: dict[str, tuple[str, list[int], int]] = {}
    end = 0
    for name, array in arrays.items():
        start = _aligned(end)
        layout[name] = (array.dtype.str, list(array.shape), start)
        end = start + array.nbytes
    header = json.dumps({"arrays": layout, "values": values, "data": end},
                        ensure_ascii=False).encode("utf-8")
    first = _aligned(len(_MAGIC) + 8 + len(header))
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as file:
            file.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            for name, array in arrays.items():
                file.seek(first + layout[name][2])
                file.write(np.ascontiguousarray(array).data)
            file.truncate(first + end)
            file.flush()
            os.fsync(file.fileno())  # the name must not reach the disk before the bytes
        try:
            # Never over a file another process published meanwhile: the workers that
            # mapped it would each be left with a copy of their own.
            os.link(partial, path)
        except FileExistsError:
            if map_state(path) is None:  # what is there is damaged: replaced
                os.replace(partial, path)
    finally:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def map_state(path: Path) -> StateArrays | None:
    """The arrays kept in ``path``, mapped read-only; None if it is missing, cut short or
    not such a file."""
    try:
        file = path.open("rb")
    except OSError:
        return None
    try:
        size = os.fstat(file.fileno()).st_size
        head = file.read(len(_MAGIC) + 8)
        length = int.from_bytes(head[len(_MAGIC):], "little")
        if not head.startswith(_MAGIC) or len(_MAGIC) + 8 + length > size:
            raise ValueError("not a state file")
        header = json.loads(file.read(length).decode("utf-8"))
        first = _aligned(len(_MAGIC) + 8 + length)
        if size != first + int(header["data"]):
            raise ValueError(f"{size} bytes where the header gives {first + header['data']}")
        pages = mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ)
        arrays = {name: _view(pages, dtype, shape, first + start)
                  for name, (dtype, shape, start) in header["arrays"].items()}
        values = {name: list(found) for name, found in header["values"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        file.close()
        if path.exists():
            logger.warning("The arrays kept in %s cannot be used (%r); they are derived "
                           "again.", path, exc)
        return None
    return StateArrays(arrays, values, file, size)


def _view(pages: mmap.mmap, dtype: str, shape: list[int], offset: int) -> np.ndarray:
    count = math.prod(shape)
    if not count:  # frombuffer refuses an offset at the very end
        empty = np.zeros(shape, dtype=np.dtype(dtype))
        empty.flags.writeable = False
        return empty
    return np.frombuffer(pages, dtype=np.dtype(dtype), count=count, offset=offset).reshape(shape)


def remove_stale(directory: Path, generation: int) -> None:
    """Remove the files of states older than ``generation``, and the partial files of
    processes that died writing one."""
    with suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            state = _STATE_NAME.fullmatch(entry.name)
            partial = _PARTIAL_NAME.fullmatch(entry.name)
            if (state and int(state[1]) < generation) or (partial and not _alive(int(partial[1]))):
                with suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def committed_generation(directory: Path) -> int:
    """The latest committed generation in ``directory`` (-1: none)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return -1
    return max((int(found[1]) for name in names if (found := _TOC_NAME.fullmatch(name))),
               default=-1)


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN
