"""The index directory that every web worker process shares, and how it is read safely.

Layout on disk: ``<path>/current`` is a symlink to a generation directory
(``<path>/gen-<time>-<pid>``). A rebuild writes a new generation and swaps the symlink
atomically; imports commit segments to the current one. Each process keeps one ``Opened``
state and opens a new one only when the symlink points elsewhere or a writer committed.

``IndexDirectory.read`` is the one way the index is read: it lends the read a searcher of
its own, tries again when a commit or a swap moved the index on under it, tells a passing
fault of the process from damaged files, and answers what it cannot read with an
``IndexUnavailableError`` whose message is true (a rebuild is named only when one runs).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import struct
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from whoosh import fields, index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from cases.search.base import IndexUnavailableError, SearchError
from cases.search.whoosh_backend import opened as states
from cases.search.whoosh_backend.opened import Lent, Opened
from cases.search.whoosh_backend.schema import signature
from cases.search.whoosh_backend.shared import committed_generation

logger = logging.getLogger(__name__)
T = TypeVar("T")

# What a 503 tells the user: a rebuild only when one is under way (see rebuild_under_way).
INDEX_UNAVAILABLE = ("The search index is temporarily unavailable; try again in a minute. Case "
                     "pages still work.")
INDEX_REBUILDING = ("The search index is being rebuilt; try the search again in a few minutes. "
                    "Case pages still work.")
INDEX_CHANGING = "The search index changed several times during this search; try it again."

WRITE_LOCK = "MAIN_WRITELOCK"  # the lock file Whoosh's writers take, in the index directory
READ_ATTEMPTS = 3  # opens or reads of an index that moves on under them, before giving up
# How long a worker trusts its finding that the index is damaged, while the files stay as they
# were: then it tries to open them again, in case the fault was passing (too many open
# files, an I/O error).
DAMAGED_RETRY_SECONDS = 30.0
# Errors of the process, not of the files: nothing to blame the index for.
_PASSING_ERRNOS = frozenset((errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN,
                             errno.EINTR))


class DamagedError(Exception):
    """Index files changed under a searcher although no writer committed."""


# Errors of reading cut or garbled files: what Whoosh's file readers raise on them.
_READ_ERRORS = (struct.error, EOFError, zlib.error, OSError, UnicodeDecodeError, DamagedError)


class IndexDirectory:
    """The generations under ``path``, the ``current`` swap, and this process's view."""

    def __init__(self, path: Path, schema: fields.Schema) -> None:
        states.allow_open_files()
        self.path = path
        self.schema = schema
        self._lock = threading.Lock()
        self.opened: Opened | None = None
        # Found damaged: the files as they were, and until when not to try them again.
        self.broken: tuple[Path, dict[str, int], float] | None = None

    # -- generations and the swap -------------------------------------------------------
    def current(self) -> Path:
        return self.path / "current"

    def holds_index(self) -> bool:
        """Whether an index exists: a ``current`` generation with a table of contents. (One
        whose directory was deleted or emptied does not: writing starts a new one.)"""
        current = self.current()
        try:
            return current.exists() and index.exists_in(str(current))
        except Exception:  # a table of contents that cannot be read: there, but damaged
            return True

    def ensure_index(self) -> index.FileIndex:
        if not self.holds_index():
            self.path.mkdir(parents=True, exist_ok=True)
            self.swap_in(self.new_generation())
        return self.open_index(self.current().resolve())

    def open_index(self, directory: Path) -> index.FileIndex:
        """Open an index generation, refusing one written with another schema."""
        try:
            opened = index.open_dir(str(directory))
            stored = signature(opened.schema)
        except (AttributeError, ImportError, ModuleNotFoundError) as exc:
            stored = repr(exc)  # pickled by code that is gone: an older layout
        if stored != signature(self.schema):
            raise IndexUnavailableError(
                "The search index was built by an older version of this app; run "
                "`python manage.py rebuild_index` to build it again.")
        return opened

    def new_generation(self) -> Path:
        generation = self.path / f"gen-{time.time_ns()}-{os.getpid()}"
        generation.mkdir(parents=True)
        index.create_in(str(generation), self.schema)
        return generation

    def swap_in(self, generation: Path) -> None:
        link = self.path / f".current-{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(generation.name)
        os.replace(link, self.current())
        self._prune(keep={generation.name})

    def _prune(self, keep: set[str]) -> None:
        """Remove generations older than the previous one (a reader may still use that)."""
        generations = sorted(p for p in self.path.glob("gen-*") if p.is_dir())
        for old in generations[:-2]:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    @contextmanager
    def writers_paused(self) -> Iterator[None]:
        """Hold the current index's write lock: no writer can commit to it meanwhile (an
        import that holds it is waited for, up to its next commit)."""
        if not self.current().exists():
            yield
            return
        lock = FileStorage(str(self.current().resolve())).lock(WRITE_LOCK)
        if not lock.acquire(blocking=False):
            logger.info("Waiting for the index writer at work to commit before swapping.")
            lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    # -- reading ------------------------------------------------------------------------
    def read(self, work: Callable[[Lent], T]) -> T:
        """Run one read of the index with a searcher of this thread's own.

        A read that fails because the index moved on under it (a commit merged its
        segments away, a rebuild swapped) is tried again on the new state. A read error on
        files that did not change is tried again with a fresh searcher (new file handles):
        only when that fails too are the files called damaged, and only when they changed
        without a commit at once. A passing fault of the process (too many open files)
        answers this request with a 503 and leaves the next one to try again.
        """
        failed_on_unchanged_files = False
        for attempt in range(1, READ_ATTEMPTS + 1):
            opened = self.open()
            try:
                with opened.lend() as read:
                    return work(read)
            except SearchError:
                raise
            except Exception as exc:
                if self._moved_on(opened):
                    if attempt < READ_ATTEMPTS:
                        continue  # the next open sees the change and reopens
                    raise IndexUnavailableError(INDEX_CHANGING) from exc
                if _is_passing(exc):
                    logger.warning("A search of %s failed (%r); the next one tries again.",
                                   self.path, exc)
                    raise IndexUnavailableError(INDEX_UNAVAILABLE) from exc
                changed = opened.damaged()
                if not changed and not _is_read_error(exc):
                    raise  # the files are as they were: a bug, which must show as one
                if changed or failed_on_unchanged_files:
                    with self._lock:
                        self._unavailable(exc, damaged=True)
                    raise IndexUnavailableError(self._unavailable_message()) from exc
                failed_on_unchanged_files = True
                logger.warning("A read of the search index at %s failed (%r); trying it again "
                               "with a fresh searcher.", self.path, exc)
        raise IndexUnavailableError(INDEX_UNAVAILABLE)

    def open(self) -> Opened:
        """This process's view of the index, opened anew only when the index changed."""
        with self._lock:
            try:
                target = self.current().resolve(strict=True)
                if (self.broken is not None and time.monotonic() < self.broken[2]
                        and self.broken[:2] == (target, states.file_sizes(target))):
                    # Still as found damaged: no use reading them again yet.
                    raise IndexUnavailableError(self._unavailable_message())
                opened = self.opened
                # Not Searcher.refresh(): it reuses the reader of a segment that gained
                # deletions since, so replaced letters would show twice.
                if (opened is None or opened.target != target
                        or not opened.searcher.up_to_date()):
                    opened = self._fresh(target)
                elif not opened.arrays_intact():
                    # The arrays' file was cut: derived from the index again before a read
                    # touches a page it lost (which would fault the process).
                    logger.warning("The arrays kept for the index at %s were cut; they are "
                                   "derived again.", target)
                    opened = self._fresh(target)
                elif opened.check_due() and opened.damaged():
                    # A commit or a swap between the look above and the files' (a merge
                    # deletes the merged segments' files right after its TOC) is no damage.
                    if not self._moved_on(opened):
                        raise DamagedError(f"files of {target} changed, yet no commit")
                    opened = self._fresh(self.current().resolve(strict=True))
            except IndexUnavailableError:
                self.opened = None
                raise
            except (OSError, index.EmptyIndexError) as exc:
                self._unavailable(exc)
                raise IndexUnavailableError(self._unavailable_message()) from exc
            except Exception as exc:  # a damaged file
                self._unavailable(exc, damaged=True)
                raise IndexUnavailableError(self._unavailable_message()) from exc
            self.opened = opened
            self.broken = None
            return opened

    def _fresh(self, target: Path) -> Opened:
        """Open the index at ``target``. A writer that commits meanwhile deletes the table of
        contents and the segments it merged, so the open may fail on files that went for
        good reason: then it opens what the writer committed instead."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            generation = committed_generation(target)
            try:
                ix = self.open_index(target)
                return Opened(target, ix, ix.searcher())
            except IndexUnavailableError:
                raise
            except Exception:
                latest = self.current().resolve(strict=True)
                if attempt == READ_ATTEMPTS or (latest, committed_generation(latest)) == (target,
                                                                                 generation):
                    raise
                target = latest
        raise AssertionError("unreachable")

    def _moved_on(self, opened: Opened) -> bool:
        """Whether a commit or a rebuild's swap happened since ``opened`` was opened (files it
        would read may then be gone: Whoosh opens a segment's column files, the stored
        fields and the field lengths, only when first read)."""
        try:
            return (self.current().resolve(strict=True) != opened.target
                    or not opened.searcher.up_to_date())
        except Exception:  # no index to look at: gone, not moved on
            return False

    def rebuild_under_way(self) -> bool:
        """Whether a rebuild is writing a generation newer than the current one: its writer
        holds that generation's write lock (one killed midway left its folder, unlocked)."""
        try:
            current = self.current().resolve(strict=True).name
        except OSError:
            current = ""
        for generation in sorted(self.path.glob("gen-*"), reverse=True):
            if generation.name <= current:
                break
            with suppress(OSError):
                lock = FileStorage(str(generation)).lock(WRITE_LOCK)
                if not lock.acquire(blocking=False):
                    return True
                lock.release()
        return False

    def _unavailable_message(self) -> str:
        """What a 503 says: that a rebuild is under way only when one is."""
        return INDEX_REBUILDING if self.rebuild_under_way() else INDEX_UNAVAILABLE

    def _unavailable(self, exc: BaseException, *, damaged: bool = False) -> None:
        """Forget the searchers; a damaged index is not opened again until its files change,
        or for ``DAMAGED_RETRY_SECONDS``."""
        self.opened = None
        if damaged:
            with suppress(OSError):
                target = self.current().resolve(strict=True)
                self.broken = (target, states.file_sizes(target),
                               time.monotonic() + DAMAGED_RETRY_SECONDS)
            logger.error("The search index at %s cannot be read (%r): searches answer 503 "
                         "for %.0f s or until its files change; `python manage.py "
                         "check_index --repair` or `rebuild_index` repairs it.", self.path, exc,
                         DAMAGED_RETRY_SECONDS)
        else:
            logger.error("The search index at %s cannot be opened (%r); searches answer 503 "
                         "until it can. `python manage.py rebuild_index` builds it.",
                         self.path, exc)


def verify_postings(read: Lent) -> None:
    """Check that each segment's postings file holds every posting list its terms point to
    (a cut file is otherwise found only by the first query that reads past its end)."""
    searcher, opened = read.searcher, read.opened
    for reader, _base in searcher.reader().leaf_readers():
        if not isinstance(reader, SegmentReader) or (segment := reader.segment()) is None:
            continue
        name = segment.make_filename(".pst")
        if name not in opened.files:
            continue  # a compound segment (written by another tool): one file, not checked
        size = opened.files[name]
        end = max((_extent_end(info.extent()) for _term, info in reader._terms.items()
                   if not info.is_inlined()), default=0)
        if end > size:
            raise DamagedError(f"{name} holds {size} bytes; its terms point up to {end}")
        reader.stored_fields(reader.doc_count_all() - 1)  # the stored column's last entry


def _extent_end(extent: tuple[int, int | tuple[int]]) -> int:
    """Where a term's posting list ends in the postings file (Whoosh decodes the length as
    a one-element tuple)."""
    offset, length = extent
    return int(offset) + int(length[0] if isinstance(length, tuple) else length)


def _is_read_error(exc: BaseException) -> bool:
    """Whether ``exc`` came from reading index files rather than from a bug in the query."""
    if isinstance(exc, _READ_ERRORS):
        return True
    innermost = traceback.extract_tb(exc.__traceback__)[-1:]
    return any(f"{os.sep}whoosh{os.sep}" in frame.filename
               and any(part in frame.filename for part in ("filedb", "codec", "columns",
                                                             "util/numlists", "system"))
               for frame in innermost)


def _is_passing(exc: BaseException) -> bool:
    """Whether ``exc`` is a fault of this process that passes (too many open files, memory
    short) rather than one of the index files."""
    return isinstance(exc, MemoryError) or (isinstance(exc, OSError)
                                            and exc.errno in _PASSING_ERRNOS)

