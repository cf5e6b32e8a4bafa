"""One process's view of one committed state of the index, and what a read borrows from it.

A Whoosh searcher is not safe in two threads at once: its files are read by seeking and
then reading, column readers and the stored fields keep their place in a file, and a read
that interleaves with another's gets the other's bytes (seen as unpickling, zlib and "read
length" errors under a threaded server). So each state keeps a pool of searchers, one lent
to each read at a time, and the NumPy arrays derived from it, which no read changes, shared
by every thread.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from cases.search.base import SearchError
from cases.search.whoosh_backend.analysis import expansion, text_analyzer
from cases.search.whoosh_backend.arrays import ARRAY_SUFFIX
from cases.search.whoosh_backend.counting import FacetArrays
from cases.search.whoosh_backend.frequent import map_frequent
from cases.search.whoosh_backend.ranking import Ranker
from cases.search.whoosh_backend.schema import CASE_FACETS
from cases.search.whoosh_backend.shared import STATE_SUFFIX

SUGGESTIONS_KEPT = 1000
# Prefixes and wildcards whose expansions a state remembers: a search's paging and facet
# clicks repeat its words, and expanding one through a hundred segments' term lists costs
# 25 ms at a million letters.
EXPANSIONS_KEPT = 256
# Words whose statistics (letters using them, occurrences) a state remembers: a pasted
# text's few hundred words are mostly the same medical words as the last paste's.
STATISTICS_KEPT = 50_000
# Searchers of one index state kept open for the next reads; a burst of more threads opens
# more, closed as they come back (a searcher holds a few open files per segment).
IDLE_SEARCHERS = 8
OPEN_FILES_WANTED = 65_536  # the soft limit of open files a process raises itself to
DAMAGE_CHECK_SECONDS = 1.0  # how often a worker compares the index files with what it opened


class Opened:
    """The arrays of one index state, shared by every thread, and its searcher pool."""

    def __init__(self, target: Path, ix: index.FileIndex, searcher: Searcher) -> None:
        self.target = target
        self.index = ix
        self.files = committed_files(target, searcher)  # a read that fails compares them
        self.checked = time.monotonic()
        # The first searcher: whether the index moved on is asked of it (it only lists the
        # directory), and it is the first one lent.
        self.searcher = searcher
        reader = searcher.reader()
        self.generation = reader.generation()
        self.segments = [segment for leaf, _ in reader.leaf_readers()
                         if (segment := leaf.segment()) is not None]
        self.arrays = FacetArrays.open(reader, CASE_FACETS, target)
        # Kept beside the segments by whoever derived the arrays (``counting``).
        self.frequent = map_frequent(reader, target)
        self.suggestions: dict[str, str | None] = {}  # word -> suggestion, for this index
        self.statistics: dict[tuple[tuple[str, ...], str], tuple[int, int]] = {}
        self.expansions: dict[tuple[str, str, str], list[bytes]] = {}
        self._ids: list[str] | None = None
        self._lock = threading.Lock()  # the idle searchers, the suggestions, the ids
        self._idle: list[Searcher] = [searcher]

    @contextmanager
    def lend(self) -> Iterator[Lent]:
        """A searcher of this state for one read in one thread: an idle one, or a new one
        of the same segments. A read that fails leaves its searcher's files mid-read: that
        searcher is dropped, and the next read opens a fresh one."""
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
        if searcher is None:
            searcher = self._sibling()
        try:
            yield Lent(self, searcher)
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
        """The spelling suggestion for ``word`` (see ``suggestion``), remembered."""
        return self._remembered(self.suggestions, word, SUGGESTIONS_KEPT,
                                lambda: suggestion(searcher, word))

    def expansion(self, searcher: Searcher, pattern: wq.PatternQuery) -> list[bytes]:
        """A prefix's or wildcard's index terms (``analysis.expansion``), remembered."""
        return self._remembered(
            self.expansions, (type(pattern).__name__, pattern.fieldname, pattern.text),
            EXPANSIONS_KEPT, lambda: expansion(pattern, searcher.reader()))

    def _remembered(self, kept: dict[Any, Any], key: Hashable, most: int,
                    find: Callable[[], Any]) -> Any:
        """``kept[key]``, found first if missing (outside the lock: two threads may both
        find it, the same either way); ``kept`` holds the ``most`` latest."""
        with self._lock:
            if key in kept:
                return kept[key]
        found = find()
        with self._lock:
            kept[key] = found
            if len(kept) > most:
                kept.pop(next(iter(kept)))
        return found

    def term_statistics(self, searcher: Searcher, fieldnames: tuple[str, ...],
                        words: Iterable[str]) -> dict[str, tuple[int, int]]:
        """For each word, over ``fieldnames``: the most documents using it in one of the
        fields, and its occurrences in all of them (deleted documents included, as in
        Whoosh's own statistics); remembered, as a lookup per segment and field adds up to a
        tenth of a second for the words of a long paste."""
        words = list(dict.fromkeys(words))
        with self._lock:
            found = {w: self.statistics[(fieldnames, w)] for w in words
                     if (fieldnames, w) in self.statistics}
        missing = [w for w in words if w not in found]
        leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
        for word in missing:
            docs, occurrences = dict.fromkeys(fieldnames, 0), 0
            btext = word.encode("utf-8")
            for leaf in leaves:
                for fieldname in fieldnames:
                    try:
                        info = leaf.term_info(fieldname, btext)
                    except TermNotFound:
                        continue
                    docs[fieldname] += info.doc_frequency()
                    occurrences += int(info.weight())
            found[word] = (max(docs.values(), default=0), occurrences)
        with self._lock:
            for word in missing:
                self.statistics[(fieldnames, word)] = found[word]
            while len(self.statistics) > STATISTICS_KEPT:
                self.statistics.pop(next(iter(self.statistics)))
        return found

    def arrays_intact(self) -> bool:
        """Whether the files this state's arrays and its segments' frequent lists are
        mapped from are whole (see ``shared.StateArrays.intact``)."""
        return self.arrays.state.intact() and all(
            table.intact() for table in self.frequent.values())

    def damaged(self) -> bool:
        """Whether any index file this searcher opened was since removed or resized."""
        self.checked = time.monotonic()
        now = file_sizes(self.target)
        return any(now.get(name) != size for name, size in self.files.items())

    def check_due(self) -> bool:
        """Whether the files are due for a look (a stat of each: 7 ms for the 1,200 files of
        100 segments, too much for every search; read errors are caught regardless)."""
        return time.monotonic() - self.checked >= DAMAGE_CHECK_SECONDS


class Lent:
    """What one read uses: the state's shared arrays and a searcher of its own."""

    def __init__(self, opened: Opened, searcher: Searcher) -> None:
        self.opened = opened
        self.searcher = searcher
        self.arrays = opened.arrays
        self.ranker = Ranker(searcher, opened.arrays.size, opened.arrays.lengths,
                             opened.frequent)


def suggestion(searcher: Searcher, word: str) -> str | None:
    """The closest treatment word to an unknown ``word``, sharing its first letter (which
    typos rarely change: it spares comparing with every word of the index)."""
    stems = [token.text for token in text_analyzer()(word)]
    if not stems or any(searcher.reader().frequency("content", s) for s in stems):
        return None  # the word is in the index already
    suggestions = searcher.suggest("treatment", word, limit=1, prefix=1)
    return suggestions[0] if suggestions else None


def committed_files(directory: Path, searcher: Searcher) -> dict[str, int]:
    """The sizes of the files a searcher reads: its segments' and its own table of contents.
    A writer at work meanwhile adds files of segments not yet committed and writes them as
    it goes, and a commit deletes the previous table of contents just after writing its
    own: none of that is what this searcher reads, and no damage."""
    reader = searcher.reader()
    toc = f"_MAIN_{reader.generation()}.toc"
    segments = {segment.segment_id() for leaf, _ in reader.leaf_readers()
                if (segment := leaf.segment()) is not None}
    return {name: size for name, size in file_sizes(directory).items()
            if name == toc or name.split(".", 1)[0] in segments}


def file_sizes(directory: Path) -> dict[str, int]:
    """Whoosh's files in an index directory, by name (locks and the arrays kept beside the
    segments and the states, which come and go between commits, left out)."""
    try:
        with os.scandir(directory) as entries:
            return {e.name: e.stat().st_size for e in entries
                    if e.is_file()
                    and not e.name.endswith((".lock", ARRAY_SUFFIX, STATE_SUFFIX, ".tmp"))
                    and not e.name.startswith(".")}
    except OSError:
        return {}


def allow_open_files(wanted: int = OPEN_FILES_WANTED) -> None:
    """Raise this process's soft limit of open files towards ``wanted`` (never above the
    hard limit): each searcher holds about ten files per segment open, a hundred segments
    at a million letters, and a threaded worker keeps a searcher per busy thread, where
    the usual soft limit is 1,024."""
    with suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
