"""The Whoosh backend: one index directory shared by every web worker process.

Layout on disk: ``<path>/current`` is a symlink to a generation directory
(``<path>/gen-<time>-<pid>``). ``rebuild`` writes a new generation and swaps the symlink
atomically; each process keeps one searcher and reopens it only when the symlink points
elsewhere or the index committed new segments.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import re
import resource
import shutil
import struct
import threading
import time
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import numpy as np
from whoosh import fields, index
from whoosh import query as wq
from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from cases.processes import die_with_parent
from cases.search.analysis import PAIR_FIELD, QueryBuilder, pair_analyzer, text_analyzer
from cases.search.base import (
    FACETS,
    ITEM_FACETS,
    FacetValue,
    Hit,
    IndexBusyError,
    IndexDocument,
    IndexUnavailableError,
    IndexWriter,
    OutcomeCounts,
    SearchBackend,
    SearchError,
    SearchQuery,
    SearchResults,
    TextLoader,
    age_band,
)
from cases.search.facet_counts import (
    ARRAY_SUFFIX,
    ITEM_FIELD,
    SEP,
    FacetArrays,
    Mask,
    keep_arrays,
)
from cases.search.ranking import Ranker, top
from cases.search.snippets import snippet

logger = logging.getLogger(__name__)
_TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc")  # a committed table of contents
T = TypeVar("T")

# What a 503 tells the user: a rebuild only when one is under way (see _rebuild_under_way).
INDEX_UNAVAILABLE = ("The search index is temporarily unavailable; try again in a minute. Case "
                     "pages still work.")
INDEX_REBUILDING = ("The search index is being rebuilt; try the search again in a few minutes. "
                    "Case pages still work.")

INDEX_CHANGING = "The search index changed several times during this search; try it again."

CASE_FACETS = {name: f"f_{name}" for name in FACETS if name not in ITEM_FACETS}
GROUPS = ("specialty", "guideline", "year")  # case facets outcomes are grouped by
WRITER_TIMEOUT = 60.0
SUGGESTIONS_KEPT = 1000
REBUILD_COMMIT_EVERY = 50_000  # letters per segment commit of a rebuild
WRITE_LOCK = "MAIN_WRITELOCK"  # the lock file Whoosh's writers take, in the index directory
SMALL_SEGMENT = 5_000  # letters: segments under this are merged (see merge_small)
MERGE_AT_MOST = 50_000  # letters merged at one commit
MERGE_AT_LEAST = 4  # small segments before a merge is worth its cost
READ_ATTEMPTS = 3  # opens or reads of an index that moves on under them, before giving up
# Searchers of one index state kept open for the next reads; a burst of more threads opens
# more, closed as they come back (a searcher holds a few open files per segment).
IDLE_SEARCHERS = 8
OPEN_FILES_WANTED = 65_536  # the soft limit of open files a process raises itself to
# Errors of the process, not of the files: nothing to blame the index for.
_PASSING_ERRNOS = frozenset((errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN,
                             errno.EINTR))
DAMAGE_CHECK_SECONDS = 1.0  # how often a worker compares the index files with what it opened
# How long a worker trusts its finding that the index is damaged, while the files stay as they
# were: then it tries to open them again, in case the fault was passing (too many open
# files, an I/O error).
DAMAGED_RETRY_SECONDS = 30.0
WRITER_MB = 512  # postings held in memory before sorting runs go to disk


def build_schema() -> fields.Schema:
    """The index schema: full-text fields, facet keywords, item triples, date columns."""
    analyzer = text_analyzer()
    # Positions cost index time and a position check per candidate letter at search time:
    # phrases are answered from the word-pair field instead (no positions either: a phrase of
    # three words or more asks for each of its pairs). Treatment keeps positions, being short.
    # Spelling suggestions come from treatment words, short and what users type most.
    text = {name: fields.TEXT(analyzer=analyzer, phrase=False)
            for name in ("rationale", "summary", "specialty", "state")}
    facets = {field: fields.KEYWORD(commas=True, scorable=False)
              for field in CASE_FACETS.values()}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        fingerprint=fields.STORED(),  # of the IndexDocument: check_index compares it
        case=fields.KEYWORD(lowercase=True),
        content=fields.TEXT(analyzer=analyzer, phrase=False),
        **{PAIR_FIELD: fields.TEXT(analyzer=pair_analyzer(), phrase=False)},
        treatment=fields.TEXT(analyzer=analyzer, phrase=True, spelling=True),
        item=fields.KEYWORD(commas=True, scorable=True),
        # Dates as one yyyymmdd term per document: facet_counts reads them into arrays.
        decided=fields.ID(),
        injured=fields.ID(),
        **text,
        **facets,
    )


def _signature(schema: fields.Schema) -> list[tuple[str, ...]]:
    """What must match between the stored schema and this code's: names, kinds, analyzers."""
    return [(name, type(field).__name__, type(field.format).__name__,
             type(getattr(field, "analyzer", None)).__name__)
            for name, field in sorted(schema.items())]


def _day(value: date | None) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def _keywords(values: Iterable[str]) -> str:
    return ",".join(v.replace(",", " ") for v in values if v)


def document_fields(doc: IndexDocument) -> dict[str, object]:
    """The Whoosh fields of one determination."""
    treatments = " \n".join(item.treatment for item in doc.items)
    rationales = " \n".join(item.rationale for item in doc.items)
    content = "\n".join((doc.case_number, treatments, doc.summary, rationales, doc.body))
    return {
        "id": doc.id,
        "fingerprint": doc.fingerprint(),
        "case": doc.case_number or doc.id,
        "content": content,
        PAIR_FIELD: content,
        "treatment": treatments,
        "rationale": rationales,
        "summary": doc.summary,
        "specialty": " \n".join(doc.specialties),
        "state": " \n".join(doc.states),
        "item": _keywords(SEP.join((i.category, i.subcategory, i.decision)) for i in doc.items),
        "decided": str(_day(doc.decision_date) or ""),
        "injured": str(_day(doc.date_of_injury) or ""),
        "f_specialty": _keywords(doc.specialties),
        "f_state": _keywords(doc.states),
        "f_outcome": doc.outcome,
        "f_guideline": _keywords(doc.guidelines),
        "f_year": str(doc.decision_date.year) if doc.decision_date else "",
        "f_sex": doc.sex,
        "f_age": age_band(doc.age) or "",
    }


def _open_writer(ix: index.Index, procs: int) -> object:
    """A Whoosh writer; with several processes each writes its own segment (no final merge,
    which would be one process re-reading every posting).

    Segments are written as separate files, not Whoosh's default compound file: a reader
    copies each part of a compound segment into its own memory (all of the postings: 900 MB
    per web worker at 100,000 letters), where separate files are read as needed, through
    the page cache that every worker shares.
    """
    try:
        if procs > 1:
            return _MpWriter(ix, procs=procs, multisegment=True, limitmb=WRITER_MB // procs,
                             timeout=WRITER_TIMEOUT, compound=False)
        return ix.writer(limitmb=WRITER_MB, timeout=WRITER_TIMEOUT, compound=False)
    except index.LockError as exc:
        raise IndexBusyError(
            f"Another import or rebuild has been writing the search index for over "
            f"{WRITER_TIMEOUT:.0f} s; run this again when it has finished.") from exc


def merge_small(writer: object, segments: list[Segment]) -> list[Segment]:
    """The merge policy of every commit: merge the smallest segments, those under
    ``SMALL_SEGMENT`` letters (small imports), at most ``MERGE_AT_MOST`` letters at once,
    once there are ``MERGE_AT_LEAST`` of them; never a large segment.

    Whoosh's own policy merges ever larger sets as the index grows, in the committing
    process alone and under the write lock: at 240,000 letters of an import it merged the
    24 smallest segments, 240,000 letters, for more than half an hour while the import
    waited, and it would do so again every 240,000 letters. Large segments are left as
    written; a rebuild writes the index anew in segments of 25,000–50,000 letters.
    """
    small = sorted((s for s in segments if s.doc_count_all() < SMALL_SEGMENT),
                   key=lambda s: s.doc_count_all())
    chosen: list[Segment] = []
    total = 0
    for segment in small:
        if total + segment.doc_count_all() > MERGE_AT_MOST:
            break
        chosen.append(segment)
        total += segment.doc_count_all()
    if len(chosen) < MERGE_AT_LEAST:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)  # type: ignore[attr-defined]
        writer.add_reader(reader)  # type: ignore[attr-defined]
        reader.close()
    return [s for s in segments if s not in chosen]


def _keep_arrays(directory: Path) -> None:
    """Keep the arrays of the segments a writer just committed (see
    ``facet_counts.segment_arrays``). Only a head start: a worker reads what is missing."""
    try:
        with index.open_dir(str(directory)).reader() as reader:
            keep_arrays(reader, CASE_FACETS, directory)
    except Exception:  # a damaged index is the readers' to report, with its fix
        logger.warning("Could not keep the arrays of the index at %s; the first search of "
                       "each worker reads them instead.", directory, exc_info=True)


class _SubWriterTask(SubWriterTask):
    """Whoosh's sub-writer process, which dies with the writer that forked it: it inherits
    the index's write lock, and orphaned it would hold the lock forever."""

    def run(self) -> None:
        die_with_parent()
        super().run()


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer, with sub-writers that die with it."""

    def _new_task(self) -> _SubWriterTask:
        task = _SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


class _Writer(IndexWriter):
    """One Whoosh writer held across many ``add`` calls until ``commit``."""

    def __init__(self, backend: WhooshBackend, procs: int) -> None:
        self.backend = backend
        self.procs = procs
        self._writer: object | None = None
        self._pending: dict[str, None] = {}
        self._committed: list[str] = []  # by early commits, reported by the next commit

    def add(self, documents: Iterable[IndexDocument]) -> None:
        docs = list(documents)
        if any(doc.id in self._pending for doc in docs):
            # A letter replaced twice before a commit: commit the first (Whoosh cannot delete
            # what it has not committed), without the merge a commit usually does.
            self._commit(merge=False)
        if not docs:
            return
        if self._writer is None:
            self._writer = self.backend._live_writer(self.procs)
        writer = self._writer
        # One searcher for the batch's deletions; Whoosh would open one per document.
        with writer.searcher() as searcher:  # type: ignore[attr-defined]
            for doc in docs:
                writer.delete_by_term("id", doc.id, searcher=searcher)  # type: ignore[attr-defined]
        for doc in docs:
            writer.add_document(**document_fields(doc))  # type: ignore[attr-defined]
            self._pending[doc.id] = None

    def _commit(self, *, merge: bool = True) -> None:
        if self._writer is not None:
            self._writer.commit(  # type: ignore[attr-defined]
                **({"mergetype": merge_small} if merge else {"merge": False}))
        self._committed.extend(self._pending)
        self._writer, self._pending = None, {}

    def commit(self) -> list[str]:
        self._commit()
        committed, self._committed = self._committed, []
        if committed:
            _keep_arrays(self.backend._current().resolve())
        return committed

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()  # type: ignore[attr-defined]
        self._writer, self._pending = None, {}


@dataclass
class _Selection:
    """The documents one query selects, with what ordering and facet counting need."""

    parsed: wq.Query | None
    ranked: np.ndarray | None  # Whoosh's ranking, for shapes the arrays do not score
    scores: np.ndarray | None  # the arrays' scores, when they scored the query
    matched: Mask  # text and dates
    case_masks: dict[str, Mask]  # each case facet's selection
    item_mask: Mask  # documents with an item the item facets allow
    case_all: Mask  # matched and every case facet
    total_mask: Mask  # everything: the results
    selections: dict[str, tuple[str, ...]]
    item_selection: dict[str, tuple[str, ...]]
    triples: list[tuple[str, str, str]]  # the item triples the item facets allow


def _without_case_facet(matched: Mask, item_mask: Mask, case_masks: dict[str, Mask],
                        facet: str) -> Mask:
    """What a query selects with one case facet's selection left out: its counts, and the
    total of the search that drops it."""
    mask = matched & item_mask
    for other, case_mask in case_masks.items():
        if other != facet:
            mask &= case_mask
    return mask


def _items_allowed(arrays: FacetArrays, item_selection: dict[str, tuple[str, ...]],
                   triples: list[tuple[str, str, str]] | None = None) -> Mask:
    """Documents with an item the item facets' selection allows (all live ones if none)."""
    if not item_selection:
        return arrays.live
    return arrays.items_mask(arrays.item_triples(item_selection) if triples is None
                             else triples)


class _Opened:
    """One process's view of one state of the index: the arrays derived from it, shared by
    every thread, and a pool of searchers of that state, one lent to each read at a time.

    A Whoosh searcher is not safe in two threads at once: its files are read by seeking and
    then reading, column readers and the stored fields keep their place in a file, and a
    read that interleaves with another's gets the other's bytes (seen as unpickling, zlib and
    "read length" errors under a threaded server). The arrays are NumPy values that no read
    changes, so they are shared.
    """

    def __init__(self, target: Path, ix: index.Index, searcher: Searcher) -> None:
        self.target = target
        self.index = ix
        self.files = _committed_files(target, searcher)  # a read that fails compares them
        self.checked = time.monotonic()
        # The first searcher: whether the index moved on is asked of it (it only lists the
        # directory), and it is the first one lent.
        self.searcher = searcher
        reader = searcher.reader()
        self.generation = reader.generation()
        self.segments = [segment for leaf, _ in reader.leaf_readers()
                         if (segment := leaf.segment()) is not None]
        self.arrays = FacetArrays(reader, CASE_FACETS, target)
        self.lengths: dict[str, np.ndarray] = {}  # field lengths, shared by the rankers
        self.suggestions: dict[str, str | None] = {}  # word -> suggestion, for this index
        self._ids: list[str] | None = None
        self._lock = threading.Lock()  # the idle searchers, the suggestions, the ids
        self._idle: list[Searcher] = [searcher]

    @contextmanager
    def lend(self) -> Iterator[_Lent]:
        """A searcher of this state for one read in one thread: an idle one, or a new one
        of the same segments. A read that fails leaves its searcher's files mid-read: that
        searcher is dropped, and the next read opens a fresh one."""
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
        if searcher is None:
            searcher = self._sibling()
        try:
            yield _Lent(self, searcher)
        except SearchError:
            self._give_back(searcher)  # the query's fault, not the searcher's
            raise
        else:
            self._give_back(searcher)

    def _give_back(self, searcher: Searcher) -> None:
        with self._lock:
            if len(self._idle) < IDLE_SEARCHERS:
                self._idle.append(searcher)
                return
        if searcher is not self.searcher:
            searcher.close()  # a burst of threads is over: its extra files are closed

    def _sibling(self) -> Searcher:
        """Another searcher of the same committed state, with file handles of its own."""
        reader = index.FileIndex._reader(  # Whoosh's reader of given segments
            self.index.storage, self.index.schema, list(self.segments), self.generation)
        return Searcher(reader, fromindex=self.index)

    def ids(self, searcher: Searcher) -> list[str]:
        """Public id by document number, read once (for exports of whole result sets)."""
        if self._ids is None:
            ids = [""] * self.arrays.size
            for docnum, stored in searcher.reader().iter_docs():
                ids[docnum] = stored["id"]
            self._ids = ids  # two threads may both read them: the same list either way
        return self._ids

    def suggestion(self, searcher: Searcher, word: str) -> str | None:
        """The spelling suggestion for ``word`` (see ``_suggestion``), remembered."""
        with self._lock:
            if word in self.suggestions:
                return self.suggestions[word]
        found = _suggestion(searcher, word)
        with self._lock:
            self.suggestions[word] = found
            if len(self.suggestions) > SUGGESTIONS_KEPT:
                self.suggestions.pop(next(iter(self.suggestions)))
        return found

    def damaged(self) -> bool:
        """Whether any index file this searcher opened was since removed or resized."""
        self.checked = time.monotonic()
        now = _file_sizes(self.target)
        return any(now.get(name) != size for name, size in self.files.items())

    def check_due(self) -> bool:
        """Whether the files are due for a look (a stat of each: 7 ms for the 1,200 files of
        100 segments, too much for every search; read errors are caught regardless)."""
        return time.monotonic() - self.checked >= DAMAGE_CHECK_SECONDS


class _Lent:
    """What one read uses: the state's shared arrays and a searcher of its own."""

    def __init__(self, opened: _Opened, searcher: Searcher) -> None:
        self.opened = opened
        self.searcher = searcher
        self.arrays = opened.arrays
        self.ranker = Ranker(searcher, opened.arrays.size, opened.lengths)


def _verify(read: _Lent) -> None:
    """Check that each segment's postings file holds every posting list its terms point to
    (a cut file is otherwise found only by the first query that reads past its end)."""
    searcher, opened = read.searcher, read.opened
    leaves = [reader for reader, _base in searcher.reader().leaf_readers()]
    for reader in leaves:
        name = reader.segment().make_filename(".pst")
        if name not in opened.files:
            continue  # a compound segment (written by another tool): one file, not checked
        size = opened.files[name]
        end = max((_extent_end(info)
                   for _term, info in reader._terms.items()  # type: ignore[attr-defined]
                   if not info.is_inlined()), default=0)
        if end > size:
            raise _DamagedError(f"{name} holds {size} bytes; its terms point up to {end}")
        reader.stored_fields(reader.doc_count_all() - 1)  # the stored column's last entry


def _extent_end(info: object) -> int:
    """Where a term's posting list ends in the postings file (Whoosh decodes the length as
    a one-element tuple)."""
    offset, length = info.extent()  # type: ignore[attr-defined]
    return int(offset) + int(length[0] if isinstance(length, tuple) else length)


class _DamagedError(Exception):
    """Index files changed under a searcher although no writer committed."""


# Errors of reading cut or garbled files: what Whoosh's file readers raise on them.
_READ_ERRORS = (struct.error, EOFError, zlib.error, OSError, UnicodeDecodeError, _DamagedError)


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


def _committed_files(directory: Path, searcher: Searcher) -> dict[str, int]:
    """The sizes of the files a searcher reads: its segments' and its own table of contents.
    A writer at work meanwhile adds files of segments not yet committed and writes them as
    it goes, and a commit deletes the previous table of contents just after writing its
    own: none of that is what this searcher reads, and no damage."""
    reader = searcher.reader()
    toc = f"_MAIN_{reader.generation()}.toc"
    segments = {segment.segment_id() for leaf, _ in reader.leaf_readers()
                if (segment := leaf.segment()) is not None}
    return {name: size for name, size in _file_sizes(directory).items()
            if name == toc or name.split(".", 1)[0] in segments}


def _generation(directory: Path) -> int:
    """The latest committed generation of the index in ``directory`` (-1: none)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return -1
    return max((int(found[1]) for name in names if (found := _TOC_NAME.fullmatch(name))),
               default=-1)


def _file_sizes(directory: Path) -> dict[str, int]:
    """Whoosh's files in an index directory, by name (locks and the arrays readers keep
    beside the segments, which come and go between commits, left out)."""
    try:
        with os.scandir(directory) as entries:
            return {e.name: e.stat().st_size for e in entries
                    if e.is_file() and not e.name.endswith((".lock", ARRAY_SUFFIX, ".tmp"))
                    and not e.name.startswith(".")}
    except OSError:
        return {}


def _allow_open_files(wanted: int = OPEN_FILES_WANTED) -> None:
    """Raise this process's soft limit of open files towards ``wanted`` (never above the
    hard limit): each searcher holds about ten files per segment open, a hundred segments
    at a million letters, and a threaded worker keeps a searcher per busy thread, where
    the usual soft limit is 1,024."""
    with suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class WhooshBackend(SearchBackend):
    """Whoosh index with NumPy facet counts; safe for several reader processes, and for
    many threads in each."""

    def __init__(self, options: Mapping[str, object]) -> None:
        super().__init__(options)
        _allow_open_files()
        self.path = Path(str(options["path"]))
        self.schema = build_schema()
        self.queries = QueryBuilder(self.schema)
        self._lock = threading.Lock()
        self._opened: _Opened | None = None
        # Found damaged: the files as they were, and until when not to try them again.
        self._broken: tuple[Path, dict[str, int], float] | None = None

    # -- writing ----------------------------------------------------------------------
    def _current(self) -> Path:
        return self.path / "current"

    def _holds_index(self) -> bool:
        """Whether an index exists: a ``current`` generation with a table of contents. (One
        whose directory was deleted or emptied does not: writing starts a new one.)"""
        current = self._current()
        try:
            return current.exists() and index.exists_in(str(current))
        except Exception:  # a table of contents that cannot be read: there, but damaged
            return True

    def _ensure_index(self) -> index.Index:
        if not self._holds_index():
            self.path.mkdir(parents=True, exist_ok=True)
            self._swap_in(self._new_generation())
        return self._open_index(self._current().resolve())

    def _open_index(self, directory: Path) -> index.Index:
        """Open an index generation, refusing one written with another schema."""
        try:
            opened = index.open_dir(str(directory))
            stored = _signature(opened.schema)
        except (AttributeError, ImportError, ModuleNotFoundError) as exc:
            stored = repr(exc)  # pickled by code that is gone: an older layout
        if stored != _signature(self.schema):
            raise IndexUnavailableError(
                "The search index was built by an older version of this app; run "
                "`python manage.py rebuild_index` to build it again.")
        return opened

    def _new_generation(self) -> Path:
        generation = self.path / f"gen-{time.time_ns()}-{os.getpid()}"
        generation.mkdir(parents=True)
        index.create_in(str(generation), self.schema)
        return generation

    def _swap_in(self, generation: Path) -> None:
        link = self.path / f".current-{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(generation.name)
        os.replace(link, self._current())
        self._prune(keep={generation.name})

    def _prune(self, keep: set[str]) -> None:
        """Remove generations older than the previous one (a reader may still use that)."""
        generations = sorted(p for p in self.path.glob("gen-*") if p.is_dir())
        for old in generations[:-2]:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def writer(self, *, procs: int = 1) -> _Writer:
        return _Writer(self, procs)

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(ids)
        if not wanted:
            return 0
        writer = self._live_writer(1)
        for doc_id in wanted:
            writer.delete_by_term("id", doc_id)
        writer.commit(mergetype=merge_small)
        return len(wanted)

    def _live_writer(self, procs: int) -> object:
        """A writer of the current index. A rebuild swaps a new index in only while it holds
        the current one's write lock: a writer that got the lock of an index no longer
        current (it waited while a rebuild swapped) lets go and takes the new one's."""
        while True:
            ix = self._ensure_index()
            target = self._current().resolve()
            writer = _open_writer(ix, procs)
            if self._current().resolve() == target:
                return writer
            writer.cancel()

    @contextmanager
    def _writers_paused(self) -> Iterator[None]:
        """Hold the current index's write lock: no writer can commit to it meanwhile (an
        import that holds it is waited for, up to its next commit)."""
        if not self._current().exists():
            yield
            return
        lock = FileStorage(str(self._current().resolve())).lock(WRITE_LOCK)
        if not lock.acquire(blocking=False):
            logger.info("Waiting for the index writer at work to commit before swapping.")
            lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def rebuild(self, documents: Iterable[IndexDocument], *, procs: int = 1,
                catch_up: Callable[[], Iterable[IndexDocument]] | None = None) -> int:
        self.path.mkdir(parents=True, exist_ok=True)
        generation = self._new_generation()
        written = 0
        writer = _open_writer(index.open_dir(str(generation)), procs)
        try:
            for doc in documents:
                writer.add_document(**document_fields(doc))
                written += 1
                if written % REBUILD_COMMIT_EVERY == 0:
                    # A writer sorts all its postings before writing a segment, spilling
                    # them to temporary files: 8 GB for 100,000 letters in one commit.
                    writer.commit(mergetype=merge_small)
                    writer = _open_writer(index.open_dir(str(generation)), procs)
            if procs == 1 and written <= REBUILD_COMMIT_EVERY:
                writer.commit(optimize=True)  # a small index: one segment
            else:
                writer.commit(mergetype=merge_small)
            _keep_arrays(generation)  # before the swap: no worker reads the postings
            with self._writers_paused():
                if catch_up is not None:  # what imports wrote to the old index meanwhile
                    writer = _open_writer(index.open_dir(str(generation)), 1)
                    docs = list(catch_up())
                    with writer.searcher() as searcher:
                        for doc in docs:
                            writer.delete_by_term("id", doc.id, searcher=searcher)
                    for doc in docs:
                        writer.add_document(**document_fields(doc))
                    writer.commit(mergetype=merge_small)
                    _keep_arrays(generation)  # the catch-up's segment only
                self._swap_in(generation)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return written

    # -- reading ----------------------------------------------------------------------
    def _open(self) -> _Opened:
        """This process's view of the index, reopened only when the index changed."""
        with self._lock:
            try:
                target = self._current().resolve(strict=True)
                if (self._broken is not None and time.monotonic() < self._broken[2]
                        and self._broken[:2] == (target, _file_sizes(target))):
                    # Still as found damaged: no use reading them again yet.
                    raise IndexUnavailableError(self._unavailable_message())
                opened = self._opened
                # Not Searcher.refresh(): it reuses the reader of a segment that gained
                # deletions since, so replaced letters would show twice.
                if (opened is None or opened.target != target
                        or not opened.searcher.up_to_date()):
                    opened = self._fresh(target)
                elif opened.check_due() and opened.damaged():
                    # A commit or a swap between the look above and the files' (a merge
                    # deletes the merged segments' files right after its TOC) is no damage.
                    if not self._moved_on(opened):
                        raise _DamagedError(f"files of {target} changed, yet no commit")
                    opened = self._fresh(self._current().resolve(strict=True))
            except IndexUnavailableError:
                self._opened = None
                raise
            except (OSError, index.EmptyIndexError) as exc:
                self._unavailable(exc)
                raise IndexUnavailableError(self._unavailable_message()) from exc
            except Exception as exc:  # a damaged file
                self._unavailable(exc, damaged=True)
                raise IndexUnavailableError(self._unavailable_message()) from exc
            self._opened = opened
            self._broken = None
            return opened

    def _fresh(self, target: Path) -> _Opened:
        """Open the index at ``target``. A writer that commits meanwhile deletes the table of
        contents and the segments it merged, so the open may fail on files that went for
        good reason: then it opens what the writer committed instead."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            generation = _generation(target)
            try:
                ix = self._open_index(target)
                return _Opened(target, ix, ix.searcher())
            except IndexUnavailableError:
                raise
            except Exception:
                latest = self._current().resolve(strict=True)
                if attempt == READ_ATTEMPTS or (latest, _generation(latest)) == (target,
                                                                                 generation):
                    raise
                target = latest
        raise AssertionError("unreachable")

    def _moved_on(self, opened: _Opened) -> bool:
        """Whether a commit or a rebuild's swap happened since ``opened`` was opened (files it
        would read may then be gone: Whoosh opens a segment's column files, the stored
        fields and the field lengths, only when first read)."""
        try:
            return (self._current().resolve(strict=True) != opened.target
                    or not opened.searcher.up_to_date())
        except Exception:  # no index to look at: gone, not moved on
            return False

    def _rebuild_under_way(self) -> bool:
        """Whether a rebuild is writing a generation newer than the current one: its writer
        holds that generation's write lock (one killed midway left its folder, unlocked)."""
        try:
            current = self._current().resolve(strict=True).name
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
        return INDEX_REBUILDING if self._rebuild_under_way() else INDEX_UNAVAILABLE

    def _unavailable(self, exc: BaseException, *, damaged: bool = False) -> None:
        """Forget the searchers; a damaged index is not opened again until its files change,
        or for ``DAMAGED_RETRY_SECONDS``."""
        self._opened = None
        if damaged:
            with suppress(OSError):
                target = self._current().resolve(strict=True)
                self._broken = (target, _file_sizes(target),
                                time.monotonic() + DAMAGED_RETRY_SECONDS)
            logger.error("The search index at %s cannot be read (%r): searches answer 503 "
                         "for %.0f s or until its files change; `python manage.py "
                         "check_index --repair` or `rebuild_index` repairs it.", self.path, exc,
                         DAMAGED_RETRY_SECONDS)
        else:
            logger.error("The search index at %s cannot be opened (%r); searches answer 503 "
                         "until it can. `python manage.py rebuild_index` builds it.",
                         self.path, exc)

    def _read(self, work: Callable[[_Lent], T]) -> T:
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
            opened = self._open()
            try:
                with opened.lend() as read:
                    return work(read)
            except SearchError:
                raise
            except Exception as exc:
                if self._moved_on(opened):
                    if attempt < READ_ATTEMPTS:
                        continue  # the next _open sees the change and reopens
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

    def count(self) -> int:
        if not self._holds_index():
            return 0
        return self._read(lambda read: read.searcher.doc_count())

    def verify(self) -> None:
        if self._holds_index():
            self._read(_verify)

    def fingerprints(self) -> Iterator[tuple[str, str]]:
        if not self._holds_index():
            return iter(())

        def stored(read: _Lent) -> list[tuple[str, str]]:
            return [(fields["id"], fields.get("fingerprint", ""))
                    for _docnum, fields in read.searcher.reader().iter_docs()]
        return iter(self._read(stored))

    def search(self, query: SearchQuery, *, load_text: TextLoader | None = None) -> SearchResults:
        if query.page < 1 or query.page_size < 1:
            raise SearchError("Pages are numbered from 1 and hold at least one result.")
        return self._read(lambda read: self._search(read, query, load_text))

    def _search(self, read: _Lent, query: SearchQuery,
                load_text: TextLoader | None) -> SearchResults:
        chosen = self._select(read, query)
        arrays = read.arrays
        facets = self._facets(arrays, chosen.matched, chosen.case_masks, chosen.item_mask,
                              chosen.case_all, chosen.selections)
        decisions = arrays.item_decisions(
            chosen.total_mask, chosen.triples if chosen.item_selection else arrays.items)
        start = (query.page - 1) * query.page_size
        docnums = self._ordered(arrays, chosen, start, start + query.page_size, query.sort)
        total = int(chosen.total_mask.sum())
        hits = self._hits(read.searcher, chosen.parsed, docnums, load_text)
        return SearchResults(
            hits=hits, total=total, page=query.page,
            pages=max(1, math.ceil(total / query.page_size)), facets=facets,
            items_upheld=decisions.get("Upheld", 0),
            items_overturned=decisions.get("Overturned", 0),
        )

    def total(self, query: SearchQuery) -> int:
        return self._read(lambda read: int(self._select(read, query).total_mask.sum()))

    def totals_without_each_filter(self, query: SearchQuery) -> dict[str, int]:
        """One selection, then each count from its masks: the text is matched once, not
        once per dropped filter (a zero-hit page offers each of these)."""
        def count(read: _Lent) -> dict[str, int]:
            chosen = self._select(read, query)
            arrays = read.arrays
            totals = {}
            for facet in chosen.selections:
                if facet in CASE_FACETS:
                    mask = _without_case_facet(chosen.matched, chosen.item_mask,
                                               chosen.case_masks, facet)
                else:
                    others = {k: v for k, v in chosen.item_selection.items() if k != facet}
                    mask = chosen.case_all & _items_allowed(arrays, others)
                totals[facet] = int(mask.sum())
            return totals
        return self._read(count)

    def matching_ids(self, query: SearchQuery) -> list[str]:
        def ordered(read: _Lent) -> list[str]:
            chosen = self._select(read, query)
            total = int(chosen.total_mask.sum())
            docnums = self._ordered(read.arrays, chosen, 0, total, query.sort)
            ids = read.opened.ids(read.searcher)
            return [ids[n] for n in docnums]
        return self._read(ordered)

    def outcome_counts(self, query: SearchQuery) -> OutcomeCounts:
        def counts(read: _Lent) -> OutcomeCounts:
            chosen = self._select(read, query)
            triples = chosen.triples if chosen.item_selection else read.arrays.triples
            return read.arrays.outcomes(chosen.total_mask, triples, GROUPS)
        return self._read(counts)

    def _select(self, read: _Lent, query: SearchQuery) -> _Selection:
        """Which documents match: the text, the dates, and each facet's selection."""
        self.check_filters(query)
        parsed = self.queries.parse(query.text)
        searcher, arrays = read.searcher, read.arrays
        if parsed is not None:
            self.queries.check_expansion(parsed, searcher.reader())
        ranked = scores = None
        evaluated = read.ranker.evaluate(parsed) if parsed is not None else None
        if evaluated is not None:  # the common shapes: whole arrays, no per-match Python
            text_mask = evaluated[0] & arrays.live
            scores = evaluated[1] if query.sort == "relevance" else None
        elif parsed is not None and query.sort == "relevance":
            # One pass scores every match: the mask and the ranking come from it, where
            # running the query for the mask and again for the page evaluated it twice.
            ranked = np.fromiter((docnum for _score, docnum in
                                  searcher.search(parsed, limit=None).top_n), dtype=np.int64)
            text_mask = arrays.mask_of(ranked) & arrays.live
        else:
            text_mask = self._text_mask(searcher, arrays, parsed)
        matched = text_mask & self._date_mask(arrays, query)
        selections = {k: tuple(v) for k, v in query.filters.items() if v}
        case_masks = {facet: arrays.values_mask(facet, values)
                      for facet, values in selections.items() if facet in CASE_FACETS}
        item_selection = {k: v for k, v in selections.items() if k in ITEM_FACETS}
        triples = arrays.item_triples(item_selection)
        item_mask = _items_allowed(arrays, item_selection, triples)
        case_all = matched.copy()
        for mask in case_masks.values():
            case_all &= mask
        return _Selection(parsed, ranked, scores, matched, case_masks, item_mask,
                          case_all, case_all & item_mask, selections, item_selection, triples)

    @staticmethod
    def _text_mask(searcher: Searcher, arrays: FacetArrays, parsed: wq.Query | None) -> Mask:
        if parsed is None:
            return arrays.live.copy()
        return arrays.mask_of(searcher.docs_for_query(parsed)) & arrays.live

    @staticmethod
    def _date_mask(arrays: FacetArrays, query: SearchQuery) -> Mask:
        mask = np.ones(arrays.size, dtype=bool)
        for column, low, high in ((arrays.decided, query.decided_from, query.decided_to),
                                  (arrays.injured, query.injured_from, query.injured_to)):
            if low:
                mask &= column >= _day(low)
            if high:
                mask &= (column <= _day(high)) & (column > 0)
        return mask

    @staticmethod
    def _facets(arrays: FacetArrays, matched: Mask, case_masks: dict[str, Mask],
                item_mask: Mask, case_all: Mask,
                selections: dict[str, tuple[str, ...]]) -> dict[str, list[FacetValue]]:
        facets: dict[str, list[FacetValue]] = {}
        for facet in FACETS:
            chosen = set(selections.get(facet, ()))
            counts: dict[str, int] = {}
            if facet in CASE_FACETS:
                counts = arrays.counts(_without_case_facet(matched, item_mask, case_masks,
                                                           facet), facet)
            else:
                counts = arrays.item_counts(facet, case_all, selections)
            for value in chosen:
                counts.setdefault(value, 0)
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            facets[facet] = [FacetValue(value, value, count, value in chosen)
                             for value, count in ordered if count or value in chosen]
        return facets

    @staticmethod
    def _ordered(arrays: FacetArrays, chosen: _Selection, start: int, stop: int,
                 sort: str) -> list[int]:
        """Document numbers ``start:stop`` of the matches, in the requested order."""
        mask = chosen.total_mask
        if chosen.scores is not None:
            return top(chosen.scores, np.flatnonzero(mask), start, stop)
        if chosen.ranked is not None:
            return chosen.ranked[mask[chosen.ranked]][start:stop].tolist()
        docs = np.flatnonzero(mask)
        days = arrays.decided[docs]
        if sort == "oldest":  # undated letters last either way, not first
            order = np.argsort(np.where(days > 0, days, np.iinfo(days.dtype).max),
                               kind="stable")
        else:
            order = np.argsort(days, kind="stable")[::-1]
        return docs[order[start:stop]].tolist()

    def _hits(self, searcher: Searcher, parsed: wq.Query | None, docnums: list[int],
              load_text: TextLoader | None) -> tuple[Hit, ...]:
        ids = [searcher.stored_fields(n)["id"] for n in docnums]
        texts = load_text(ids) if load_text and ids else {}
        terms = _query_terms(parsed)
        return tuple(Hit(doc_id, 0.0, self._snippet(texts.get(doc_id, ""), terms))
                     for doc_id in ids)

    @staticmethod
    def _snippet(text: str, terms: frozenset[str]) -> str:
        return snippet(text, terms)

    def similar(self, doc_id: str, *, text: str, category: str | None = None,
                limit: int = 5) -> list[str]:
        return self._read(lambda read: self._similar(read, doc_id, text, category, limit))

    @staticmethod
    def _similar(read: _Lent, doc_id: str, text: str, category: str | None,
                 limit: int) -> list[str]:
        searcher = read.searcher
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or not text:
            return []
        allow = None
        if category:
            allow = wq.Or([wq.Term(ITEM_FIELD, SEP.join(triple))
                           for triple in read.arrays.items if triple[0] == category])
        # Key terms of the treatments and summary, matched in treatment words: "similar" means
        # a similar request, not the same reviewer's boilerplate.
        results = searcher.more_like(docnum, "treatment", text=text, top=limit, filter=allow)
        return [hit["id"] for hit in results]

    def suggest(self, word: str) -> str | None:
        word = word.lower()

        try:
            return self._read(lambda read: read.opened.suggestion(read.searcher, word))
        except IndexUnavailableError:
            return None


def _suggestion(searcher: Searcher, word: str) -> str | None:
    """The closest treatment word to an unknown ``word``, sharing its first letter (which
    typos rarely change: it spares comparing with every word of the index)."""
    stems = [token.text for token in text_analyzer()(word)]
    if not stems or any(searcher.reader().frequency("content", s) for s in stems):
        return None  # the word is in the index already
    suggestions = searcher.suggest("treatment", word, limit=1, prefix=1)
    return suggestions[0] if suggestions else None


def _query_terms(parsed: wq.Query | None) -> frozenset[str]:
    if parsed is None:
        return frozenset()
    words = set()
    for fieldname, text in parsed.iter_all_terms(phrases=True):
        term = text.decode() if isinstance(text, bytes) else text
        if fieldname == PAIR_FIELD:
            words.update(term.split(" "))
        elif fieldname in ("content", "treatment", "rationale", "summary"):
            words.add(term)
    return frozenset(words)
