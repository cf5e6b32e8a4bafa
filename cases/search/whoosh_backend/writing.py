"""The maintenance side of the Whoosh index: writers, deletion, rebuilds and checks.

Imports write through ``WhooshIndexWriter`` (one Whoosh writer held across many ``add``
calls, committed in large steps with a merge policy that never re-merges large segments);
``rebuild`` writes a new generation in segments of at most ``REBUILD_COMMIT_EVERY`` letters
and swaps it in while no import can commit. After each commit the writer keeps the new
segments' facet arrays and the new state's joined arrays (``shared``), so no web worker pays
for reading or joining them: workers map the state's file.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from whoosh import index
from whoosh.codec.base import Segment
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter as WhooshWriter
from whoosh.writing import SegmentWriter

from cases.processes import die_with_parent
from cases.search.base import IndexBusyError, IndexDocument, IndexWriter, SearchIndex
from cases.search.whoosh_backend.codec import ArrayCodec
from cases.search.whoosh_backend.counting import FacetArrays
from cases.search.whoosh_backend.directory import IndexDirectory, verify_postings
from cases.search.whoosh_backend.opened import Lent
from cases.search.whoosh_backend.schema import CASE_FACETS, document_fields

logger = logging.getLogger(__name__)

WRITER_TIMEOUT = 60.0
WRITER_MB = 512  # postings held in memory before sorting runs go to disk
REBUILD_COMMIT_EVERY = 50_000  # letters per segment commit of a rebuild
SMALL_SEGMENT = 5_000  # letters: segments under this are merged (see merge_small)
MERGE_AT_MOST = 50_000  # letters merged at one commit
MERGE_AT_LEAST = 4  # small segments before a merge is worth its cost


def open_writer(ix: index.Index, procs: int) -> WhooshWriter:
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
                             timeout=WRITER_TIMEOUT, compound=False, codec=ArrayCodec())
        return ix.writer(limitmb=WRITER_MB, timeout=WRITER_TIMEOUT, compound=False,
                         codec=ArrayCodec())
    except index.LockError as exc:
        raise IndexBusyError(
            f"Another import or rebuild has been writing the search index for over "
            f"{WRITER_TIMEOUT:.0f} s; run this again when it has finished.") from exc


def merge_small(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
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
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


def _keep_arrays(directory: Path) -> None:
    """Keep the arrays of the segments a writer just committed (see
    ``arrays.segment_arrays``) and of the state it committed (``shared``). Only a head
    start: a worker derives what is missing."""
    try:
        with index.open_dir(str(directory)).reader() as reader:
            FacetArrays.open(reader, CASE_FACETS, directory)
    except Exception:  # a damaged index is the readers' to report, with its fix
        logger.warning("Could not keep the arrays of the index at %s; the first search of "
                       "each worker reads them instead.", directory, exc_info=True)


def _replace(writer: WhooshWriter, documents: Iterable[IndexDocument]) -> list[str]:
    """Add ``documents``, deleting what was indexed under their ids; return the ids."""
    docs = list(documents)
    # One searcher for the batch's deletions; Whoosh would open one per document.
    with writer.searcher() as searcher:
        for doc in docs:
            writer.delete_by_term("id", doc.id, searcher=searcher)
    for doc in docs:
        writer.add_document(**document_fields(doc))
    return [doc.id for doc in docs]


class _SubWriterTask(SubWriterTask):
    """Whoosh's sub-writer process, which dies with the writer that forked it: it inherits
    the index's write lock, and orphaned it would hold the lock forever."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.parent = os.getpid()  # the writer's, read before the fork

    def run(self) -> None:
        die_with_parent(self.parent)
        super().run()


class _MpWriter(MpWriter):
    """Whoosh's multi-process writer, with sub-writers that die with it."""

    def _new_task(self) -> _SubWriterTask:
        task = _SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                              self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


class WhooshIndexWriter(IndexWriter):
    """One Whoosh writer held across many ``add`` calls until ``commit``."""

    def __init__(self, target: WhooshIndex, procs: int) -> None:
        self.target = target
        self.procs = procs
        self._writer: WhooshWriter | None = None
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
            self._writer = self.target.live_writer(self.procs)
        self._pending.update(dict.fromkeys(_replace(self._writer, docs)))

    def _commit(self, *, merge: bool = True) -> None:
        if self._writer is not None:
            self._writer.commit(**({"mergetype": merge_small} if merge else {"merge": False}))
        self._committed.extend(self._pending)
        self._writer, self._pending = None, {}

    def commit(self) -> list[str]:
        self._commit()
        committed, self._committed = self._committed, []
        if committed:
            _keep_arrays(self.target.directory.current().resolve())
        return committed

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        self._writer, self._pending = None, {}


class WhooshIndex(SearchIndex):
    """Writing, rebuilding and checking the index in one ``IndexDirectory``."""

    def __init__(self, directory: IndexDirectory) -> None:
        self.directory = directory

    def writer(self, *, procs: int = 1) -> WhooshIndexWriter:
        return WhooshIndexWriter(self, procs)

    def live_writer(self, procs: int) -> WhooshWriter:
        """A writer of the current index. A rebuild swaps a new index in only while it holds
        the current one's write lock: a writer that got the lock of an index no longer
        current (it waited while a rebuild swapped) lets go and takes the new one's."""
        directory = self.directory
        while True:
            ix = directory.ensure_index()
            target = directory.current().resolve()
            writer = open_writer(ix, procs)
            if directory.current().resolve() == target:
                return writer
            writer.cancel()

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(ids)
        if not wanted:
            return 0
        writer = self.live_writer(1)
        for doc_id in wanted:
            writer.delete_by_term("id", doc_id)
        writer.commit(mergetype=merge_small)
        _keep_arrays(self.directory.current().resolve())  # the state's live documents changed
        return len(wanted)

    def rebuild(self, documents: Iterable[IndexDocument], *, procs: int = 1,
                catch_up: Callable[[], Iterable[IndexDocument]] | None = None) -> int:
        directory = self.directory
        directory.path.mkdir(parents=True, exist_ok=True)
        generation = directory.new_generation()
        written = 0
        writer = open_writer(index.open_dir(str(generation)), procs)
        try:
            for doc in documents:
                writer.add_document(**document_fields(doc))
                written += 1
                if written % REBUILD_COMMIT_EVERY == 0:
                    # A writer sorts all its postings before writing a segment, spilling
                    # them to temporary files: 8 GB for 100,000 letters in one commit.
                    writer.commit(mergetype=merge_small)
                    writer = open_writer(index.open_dir(str(generation)), procs)
            if procs == 1 and written <= REBUILD_COMMIT_EVERY:
                writer.commit(optimize=True)  # a small index: one segment
            else:
                writer.commit(mergetype=merge_small)
            _keep_arrays(generation)  # before the swap: no worker reads the postings
            with directory.writers_paused():
                if catch_up is not None:  # what imports wrote to the old index meanwhile
                    writer = open_writer(index.open_dir(str(generation)), 1)
                    _replace(writer, catch_up())
                    writer.commit(mergetype=merge_small)
                    _keep_arrays(generation)  # the catch-up's segment only
                directory.swap_in(generation)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return written

    def count(self) -> int:
        if not self.directory.holds_index():
            return 0
        return self.directory.read(lambda read: read.searcher.doc_count())

    def verify(self) -> None:
        if self.directory.holds_index():
            self.directory.read(verify_postings)

    def fingerprints(self) -> Iterator[tuple[str, str]]:
        if not self.directory.holds_index():
            return iter(())

        def stored(read: Lent) -> list[tuple[str, str]]:
            return [(fields["id"], fields.get("fingerprint", ""))
                    for _docnum, fields in read.searcher.reader().iter_docs()]
        return iter(self.directory.read(stored))
