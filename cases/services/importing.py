"""Importing letter files: find them, parse them (in worker processes), store them in
batches and index what was stored."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import DatabaseError, DataError, IntegrityError, reset_queries, transaction

from cases.models import Determination
from cases.parsing import PARSER_VERSION, ParseError, parse_determination
from cases.parsing.text import LETTER_SUFFIXES, MAX_FILE_BYTES, UnreadableLetter, read_letter
from cases.processes import die_with_parent
from cases.search import get_backend
from cases.search.base import (
    IndexBusyError,
    IndexUnavailableError,
)
from cases.services.indexing import INDEX_COMMIT_EVERY, Indexer
from cases.services.storing import Letter, source_name, write_letters

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 250


@dataclass
class ImportReport:
    """What an import did, file by file."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    indexed: int = 0
    recovered: int = 0  # stored before this run, missing from the index, indexed now
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Files seen."""
        return self.new + self.updated + self.unchanged + len(self.failed)


class ImportStopped(Exception):
    """The import could not go on (a full disk, a read-only or damaged index, a lost
    database). Letters committed before stay; the batch being written was rolled back; a
    re-run continues where this one stopped. ``report`` says what was done."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


# What stops an import, rather than failing one letter: the storage, not the data.
_STOPPING = (OSError, DatabaseError, IndexUnavailableError, IndexBusyError)


def _why_stopped(exc: BaseException) -> str:
    if isinstance(exc, IndexBusyError):
        return str(exc)
    if isinstance(exc, IndexUnavailableError):
        return f"{exc} Run `python manage.py rebuild_index`, then this import again"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"cannot write the search index: {exc.strerror or exc}{where}"
    return f"the database refused the write: {exc}"


def find_letter_files(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand files and folders (recursively) into letter files, sorted; report missing paths
    and links to nowhere."""
    found: list[Path] = []
    missing: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            for entry in sorted(path.rglob("*")):
                if entry.suffix.lower() not in LETTER_SUFFIXES:
                    continue
                if entry.is_file():
                    found.append(entry)
                elif entry.is_symlink() and not entry.exists():
                    missing.append((str(entry), "a link to nowhere (its target is missing, "
                                                "or the link leads back to itself)"))
        elif path.is_file():
            found.append(path)
        else:
            missing.append((str(path), "no such file or folder"))
    return found, missing


def read_and_parse(path: Path) -> Letter | str:
    """Read and parse one file: the letter, or the reason it could not be read."""
    try:
        # NUL is no text, and PostgreSQL text columns refuse it.
        text = read_letter(path).replace("\x00", "")
        return Letter(path, parse_determination(text, source=path.name), text)
    except (UnreadableLetter, ParseError) as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must not stop the import
        logger.exception("Unexpected error parsing %s", path)
        return f"internal error while parsing: {exc!r}"


def _parsed(files: list[Path], pool: Executor | None) -> Iterator[Letter | str]:
    """Parse files in order, in the pool's worker processes when there is one."""
    if pool is None:
        return map(read_and_parse, files)
    return pool.map(read_and_parse, files, chunksize=8)


def import_determinations(
    *,
    paths: Iterable[Path],
    batch_size: int = DEFAULT_BATCH_SIZE,
    jobs: int = 1,
    index: bool = True,
    index_every: int | None = None,
    replace_any: bool = False,
    on_file: Callable[[Path], None] | None = None,
) -> ImportReport:
    """Import letter files into the database and the search index (unless ``index`` is off);
    idempotent, one transaction per batch, the index committed every ``index_every`` letters.

    A file whose bytes and name are already stored (read by the current parser version) is
    counted unchanged without being parsed again, so re-running an import is cheap; letters
    a stopped run stored but did not index are indexed first. Raises ``ImportStopped`` when
    the storage fails (a full disk, say): nothing committed is lost. A file that would
    replace a stored letter with less (a damaged copy) is refused unless ``replace_any``.
    """
    files, missing = find_letter_files(paths)
    report = ImportReport(failed=list(missing))
    indexer = None
    with ExitStack() as stack:
        pool = stack.enter_context(ProcessPoolExecutor(
            jobs, initializer=die_with_parent, initargs=(os.getpid(),))) if jobs > 1 else None
        try:
            if index:
                indexer = Indexer(get_backend(), procs=jobs,
                                   commit_every=index_every or INDEX_COMMIT_EVERY)
                report.recovered = indexer.add_unindexed()
            _import_files(files, report, batch_size=batch_size, pool=pool, indexer=indexer,
                          on_file=on_file, replace_any=replace_any)
            if indexer:
                indexer.commit()
        except _STOPPING as exc:
            _cancel(indexer)
            report.indexed = indexer.committed if indexer else 0
            raise ImportStopped(
                f"Import stopped: {_why_stopped(exc)}. Letters stored before this stay stored "
                "and the batch being written was rolled back; run the import again to finish.",
                report) from exc
        except BaseException:
            _cancel(indexer)
            raise
    report.indexed = indexer.committed if indexer else 0
    return report


def _cancel(indexer: Indexer | None) -> None:
    """Drop the uncommitted index writes (they stay flagged unindexed: the next run adds them)."""
    if indexer is None:
        return
    try:
        indexer.cancel()
    except Exception:  # a failing disk may fail this too; the flags still say what is missing
        logger.exception("Could not cancel the index writer")


def _import_files(files: list[Path], report: ImportReport, *, batch_size: int,
                  pool: Executor | None, indexer: Indexer | None,
                  on_file: Callable[[Path], None] | None, replace_any: bool) -> None:
    batch: dict[str, Letter] = {}
    # A window of files at a time: the pool never holds more than one window of parsed
    # letters, and already-stored files are skipped a window at a time.
    window = max(batch_size, 256)
    for start in range(0, len(files), window):
        hashes = _file_hashes(files[start : start + window])
        known = _known_files(hashes)
        fresh = [path for path, digest in hashes.items()
                 if (digest, source_name(path)) not in known]
        report.unchanged += len(hashes) - len(fresh)
        for path, letter in zip(fresh, _parsed(fresh, pool), strict=True):
            if isinstance(letter, str):
                report.failed.append((str(path), letter))
                continue
            letter = replace(letter, source_hash=hashes[path])
            if letter.parsed.public_id in batch:
                # The same letter twice in one batch: store the first before comparing.
                _store_batch(list(batch.values()), report, indexer, replace_any)
                batch = {}
            batch[letter.parsed.public_id] = letter
            if len(batch) >= batch_size:
                _store_batch(list(batch.values()), report, indexer, replace_any)
                batch = {}
        if on_file:
            for path in hashes:
                on_file(path)
    if batch:
        _store_batch(list(batch.values()), report, indexer, replace_any)


def _file_hashes(files: list[Path]) -> dict[Path, str]:
    """SHA-256 of each file's bytes ("" for files too large or unreadable: they get parsed,
    which reports why)."""
    hashes = {}
    for path in files:
        try:
            too_big = path.stat().st_size > MAX_FILE_BYTES
            hashes[path] = "" if too_big else hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            hashes[path] = ""
    return hashes


def _known_files(hashes: dict[Path, str]) -> set[tuple[str, str]]:
    """(source hash, source name) of the given files already stored by this parser version."""
    digests = {digest for digest in hashes.values() if digest}
    return set(Determination.objects.filter(
        source_hash__in=digests, parser_version=PARSER_VERSION,
    ).values_list("source_hash", "source_name"))


def _store_batch(letters: list[Letter], report: ImportReport,
                 indexer: Indexer | None, replace_any: bool = False) -> None:
    """Store a batch in one transaction; if it fails, store letter by letter to isolate the bad."""
    try:
        with transaction.atomic():
            counts = write_letters(letters, replace_any=replace_any)
            if indexer is not None and counts.ids:
                # Inside the transaction: if the index cannot take the batch (a full disk),
                # the batch is rolled back with it.
                indexer.add(counts.ids)
    except (IntegrityError, DataError):  # a letter the database refuses; others go on
        if len(letters) == 1:
            logger.exception("Could not store %s", letters[0].path)
            report.failed.append((str(letters[0].path), "database rejected the letter"))
            return
        for letter in letters:
            _store_batch([letter], report, indexer, replace_any)
        return
    reset_queries()  # with DEBUG on, Django would keep every statement of a long import
    if indexer is not None:
        indexer.commit_if_due()  # after the batch's commit: the index never runs ahead of it
    report.new += counts.new
    report.updated += counts.updated
    report.unchanged += counts.unchanged
    report.failed.extend(counts.refused)
