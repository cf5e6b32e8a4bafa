"""The import pipeline: find letter files, parse them, store them in batches."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from django.db import DatabaseError, DataError, IntegrityError, reset_queries, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from cases.models import Determination, DisputedItem, LicenseState, Specialty
from cases.parsing import PARSER_VERSION, ParsedDetermination, ParseError, parse_determination
from cases.parsing.text import LETTER_SUFFIXES, MAX_FILE_BYTES, UnreadableLetter, read_letter
from cases.processes import die_with_parent
from cases.search import get_backend
from cases.search.base import (
    IndexBusyError,
    IndexCheck,
    IndexDocument,
    IndexItem,
    IndexUnavailableError,
    SearchBackend,
)

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


@dataclass(frozen=True)
class _Letter:
    path: Path
    parsed: ParsedDetermination
    original_text: str
    source_hash: str = ""


def source_name(path: Path) -> str:
    """A file's name as stored: text the database takes, even for a name in another
    encoding than UTF-8 (old zip files write Latin-1 names)."""
    return path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")[:255]


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


def read_and_parse(path: Path) -> _Letter | str:
    """Read and parse one file: the letter, or the reason it could not be read."""
    try:
        # NUL is no text, and PostgreSQL text columns refuse it.
        text = read_letter(path).replace("\x00", "")
        return _Letter(path, parse_determination(text, source=path.name), text)
    except (UnreadableLetter, ParseError) as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must not stop the import
        logger.exception("Unexpected error parsing %s", path)
        return f"internal error while parsing: {exc!r}"


def _parsed(files: list[Path], pool: Executor | None) -> Iterator[_Letter | str]:
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
        pool = stack.enter_context(ProcessPoolExecutor(jobs, initializer=die_with_parent)
                                   ) if jobs > 1 else None
        try:
            if index:
                indexer = _Indexer(get_backend(), procs=jobs,
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


def _cancel(indexer: _Indexer | None) -> None:
    """Drop the uncommitted index writes (they stay flagged unindexed: the next run adds them)."""
    if indexer is None:
        return
    try:
        indexer.cancel()
    except Exception:  # a failing disk may fail this too; the flags still say what is missing
        logger.exception("Could not cancel the index writer")


def _import_files(files: list[Path], report: ImportReport, *, batch_size: int,
                  pool: Executor | None, indexer: _Indexer | None,
                  on_file: Callable[[Path], None] | None, replace_any: bool) -> None:
    batch: dict[str, _Letter] = {}
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


def _store_batch(letters: list[_Letter], report: ImportReport,
                 indexer: _Indexer | None, replace_any: bool = False) -> None:
    """Store a batch in one transaction; if it fails, store letter by letter to isolate the bad."""
    try:
        with transaction.atomic():
            counts = _write(letters, replace_any=replace_any)
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


@dataclass
class _Written:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[str] = field(default_factory=list)  # of the letters created or rewritten
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


def _write(letters: list[_Letter], *, replace_any: bool = False) -> _Written:
    """Create new determinations, rewrite changed ones, refuse to replace a stored letter by
    a less complete one (a damaged copy) unless ``replace_any``."""
    ids = [letter.parsed.public_id for letter in letters]
    existing = {d.public_id: d for d in Determination.objects.filter(public_id__in=ids)
                .annotate(item_count=Count("items"))}
    created: list[tuple[Determination, _Letter]] = []
    changed: list[tuple[Determination, _Letter]] = []
    written = _Written()
    for letter in letters:
        current = existing.get(letter.parsed.public_id)
        if current is None:
            created.append((Determination(**_determination_fields(letter)), letter))
        elif (current.content_hash, current.parser_version, current.source_hash,
              current.source_name) == (letter.parsed.content_hash, PARSER_VERSION,
                                       letter.source_hash, source_name(letter.path)):
            written.unchanged += 1
        elif not replace_any and (losses := _losses(current, letter)):
            shown = "; ".join(losses[:2]) + ("; …" if len(losses) > 2 else "")
            stored_from = "".join(c if c.isprintable() else "?" for c in current.source_name)
            written.refused.append((str(letter.path), (
                f"not stored over {current.public_id} from {stored_from[:40]}: {shown}, "
                "as in a damaged copy (--replace forces it)")))
        else:
            for name, value in _determination_fields(letter).items():
                setattr(current, name, value)
            changed.append((current, letter))
    Determination.objects.bulk_create([d for d, _ in created])
    if changed:
        Determination.objects.bulk_update(
            [d for d, _ in changed], fields=list(_determination_fields(changed[0][1]))
        )
        stale = [d.pk for d, _ in changed]
        DisputedItem.objects.filter(determination_id__in=stale).delete()
        Determination.specialties.through.objects.filter(determination_id__in=stale).delete()
        Determination.states.through.objects.filter(determination_id__in=stale).delete()
    _write_children(created + changed)
    written.new, written.updated = len(created), len(changed)
    written.ids = [d.public_id for d, _ in created + changed]
    return written


def _losses(current: Determination, letter: _Letter) -> list[str]:
    """What a stored letter says that a new file of the same letter does not, from another
    file (a re-read of the same file by a newer parser may say less: a parser fix)."""
    if current.source_hash == letter.source_hash:
        return []
    parsed = letter.parsed
    losses = []
    if len(parsed.items) < current.item_count:
        losses.append(f"{len(parsed.items)} of its {current.item_count} disputed items")
    sections = parsed.sections
    for label, stored, new in (
        ("decision date", current.decision_date, parsed.decision_date),
        ("date of injury", current.date_of_injury, parsed.date_of_injury),
        ("date assigned", current.date_assigned, parsed.date_assigned),
        ("UR denial date", current.ur_denial_date, parsed.ur_denial_date),
        ("application date", current.application_received, parsed.application_received),
        ("priority", current.priority, parsed.priority),
        ("case outcome", current.case_outcome, parsed.case_outcome),
        ("reviewer specialty", current.specialty_names, parsed.specialties),
        ("state of licensure", current.state_names, parsed.states_of_licensure),
        ("patient age", current.patient_age, parsed.patient_age),
        ("patient sex", current.patient_sex, parsed.patient_sex),
        ("account of how the decision was made", current.how_made, sections.how_made),
        ("reviewer credentials", current.credentials, sections.credentials),
        ("summary", current.summary, sections.summary),
        ("issues section", current.issues, sections.issues),
    ):
        if stored not in (None, "", []) and new in (None, "", [], ()):
            losses.append(f"no {label}")
    if len(parsed.warnings) > len(current.warnings):
        losses.append(f"{len(parsed.warnings)} parse warnings where it had "
                      f"{len(current.warnings)}")
    return losses


def _write_children(rows: list[tuple[Determination, _Letter]]) -> None:
    if not rows:
        return
    specialties = _named(Specialty, {n for _, letter in rows for n in letter.parsed.specialties})
    states = _named(LicenseState, {n for _, letter in rows
                                   for n in letter.parsed.states_of_licensure})
    items, specialty_links, state_links = [], [], []
    specialty_through = Determination.specialties.through
    state_through = Determination.states.through
    for determination, letter in rows:
        parsed = letter.parsed
        items.extend(
            DisputedItem(
                determination=determination,
                position=position,
                # The model stores "" where the parser says None (text columns, no NULLs).
                **{name: value or "" for name, value in vars(item).items()},
            )
            for position, item in enumerate(parsed.items, start=1)
        )
        specialty_links.extend(
            specialty_through(determination_id=determination.pk, specialty_id=specialties[n])
            for n in dict.fromkeys(parsed.specialties)
        )
        state_links.extend(
            state_through(determination_id=determination.pk, licensestate_id=states[n])
            for n in dict.fromkeys(parsed.states_of_licensure)
        )
    DisputedItem.objects.bulk_create(items)
    specialty_through.objects.bulk_create(specialty_links)
    state_through.objects.bulk_create(state_links)


def _named(model: type[Specialty] | type[LicenseState], names: set[str]) -> dict[str, int]:
    """Ids of the named rows, creating the missing ones."""
    model.objects.bulk_create([model(name=n) for n in names], ignore_conflicts=True)
    return dict(model.objects.filter(name__in=names).values_list("name", "pk"))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _determination_fields(letter: _Letter) -> dict[str, object]:
    """Model field values of a parsed letter (children excluded)."""
    p = letter.parsed
    cited = set(p.guidelines_cited)
    return {
        "case_number": p.case_number or "",
        "decision_date": _day(p.decision_date),
        "date_of_injury": _day(p.date_of_injury),
        "date_assigned": _day(p.date_assigned),
        "ur_denial_date": _day(p.ur_denial_date),
        "application_received": _day(p.application_received),
        "priority": p.priority or "",
        "specialty_names": list(p.specialties),
        "state_names": list(p.states_of_licensure),
        "patient_age": p.patient_age,
        "patient_sex": p.patient_sex or "",
        "case_outcome": p.case_outcome or "",
        "cites_mtus": "MTUS" in cited,
        "cites_acoem": "ACOEM" in cited,
        "cites_odg": "ODG" in cited,
        "cites_non_mtus": "Non-MTUS" in cited,
        "layout": p.layout or "",
        "how_made": p.sections.how_made,
        "credentials": p.sections.credentials,
        "summary": p.sections.summary,
        "issues": p.sections.issues,
        "original_text": letter.original_text.replace("\x00", ""),
        "source_name": source_name(letter.path),
        "content_hash": p.content_hash,
        "source_hash": letter.source_hash,
        "parser_version": PARSER_VERSION,
        "indexed": False,
        "warnings": list(p.warnings),
        "public_id": p.public_id,
        "updated_at": timezone.now(),  # bulk_update leaves auto_now alone; rebuilds read it
    }


# -- the search index ------------------------------------------------------------------
INDEX_CHUNK = 1000
# Letters an import indexes between two index commits. Each commit is a Whoosh segment
# (one per writer process): fewer, larger commits index faster and search faster; a
# stopped import loses at most this many letters' indexing, which the next run redoes.
INDEX_COMMIT_EVERY = 20_000


class _Indexer:
    """An import's index writer: adds stored letters, commits every so many, flags them."""

    def __init__(self, backend: SearchBackend, *, procs: int,
                 commit_every: int = INDEX_COMMIT_EVERY) -> None:
        self.backend = backend
        self.writer = backend.writer(procs=procs)
        self.commit_every = commit_every
        self.uncommitted = 0
        self.committed = 0

    def add(self, public_ids: list[str]) -> None:
        """Queue these stored determinations for the index (read back as stored)."""
        for start in range(0, len(public_ids), INDEX_CHUNK):
            found = Determination.objects.filter(
                public_id__in=public_ids[start : start + INDEX_CHUNK]).prefetch_related("items")
            self.writer.add(index_document(d) for d in found)
        self.uncommitted += len(public_ids)

    def commit_if_due(self) -> None:
        """Commit once enough letters are queued."""
        if self.uncommitted >= self.commit_every:
            self.commit()

    def add_unindexed(self) -> int:
        """Index the stored determinations that no index commit covers (all of them when the
        index is gone); return how many."""
        if self.backend.count() == 0:  # raises when an index exists but cannot be read
            lost = Determination.objects.filter(indexed=True).update(indexed=False)
            if lost:
                logger.warning("The search index is missing; indexing all %d stored letters.",
                               lost)
        pending = list(Determination.objects.filter(indexed=False).order_by("pk")
                       .values_list("public_id", flat=True))
        for start in range(0, len(pending), self.commit_every):
            self.add(pending[start : start + self.commit_every])
            self.commit()
        return len(pending)

    def commit(self) -> None:
        """Make the queued determinations searchable and flag them indexed."""
        ids = self.writer.commit()
        _flag_indexed(ids)
        self.committed += len(ids)
        self.uncommitted = 0

    def cancel(self) -> None:
        """Drop what is queued (it stays flagged unindexed)."""
        self.writer.cancel()


def _flag_indexed(public_ids: list[str]) -> None:
    for start in range(0, len(public_ids), INDEX_CHUNK):
        Determination.objects.filter(
            public_id__in=public_ids[start : start + INDEX_CHUNK]).update(indexed=True)


def index_document(determination: Determination) -> IndexDocument:
    """What the index needs of a stored determination (items must be prefetched)."""
    items = list(determination.items.all())
    return IndexDocument(
        id=determination.public_id,
        case_number=determination.case_number,
        decision_date=determination.decision_date,
        date_of_injury=determination.date_of_injury,
        specialties=tuple(determination.specialty_names),
        states=tuple(determination.state_names),
        outcome=determination.case_outcome,
        guidelines=tuple(determination.guidelines_cited),
        sex=determination.patient_sex,
        age=determination.patient_age,
        summary=determination.summary,
        items=tuple(IndexItem(i.treatment, i.category, i.subcategory, i.decision, i.rationale)
                    for i in items),
        body="\n".join([determination.credentials]
                       + [f"{i.claims_administrator_guideline}\n{i.maximus_guideline}"
                          for i in items]),
    )


def index_determinations(*, public_ids: Iterable[str], backend: SearchBackend) -> int:
    """(Re)index the given stored determinations now; return how many were written."""
    indexer = _Indexer(backend, procs=1)
    indexer.add(list(public_ids))
    indexer.commit()
    return indexer.committed


# How far back of a rebuild's start its catch-up looks for changed letters: room for a
# database clock (PostgreSQL's) a little behind this machine's.
CATCH_UP_MARGIN = timedelta(minutes=5)


def each_with_items(stored: QuerySet[Determination] | None = None) -> Iterator[Determination]:
    """Stored determinations (all, or ``stored``) in id order with their items, read a
    chunk at a time: what building index documents needs."""
    stored = Determination.objects.all() if stored is None else stored
    return stored.order_by("pk").prefetch_related("items").iterator(chunk_size=INDEX_CHUNK)


def rebuild_index(*, backend: SearchBackend, procs: int = 1,
                  on_document: Callable[[], None] | None = None) -> int:
    """Build a fresh index of every stored determination and swap it in.

    An import may run meanwhile: before the swap, the letters changed since the rebuild
    started are indexed again, once that import's writer has committed to the old index."""
    written: list[str] = []
    started = timezone.now()

    def documents() -> Iterable[IndexDocument]:
        for determination in each_with_items():
            if on_document:
                on_document()
            written.append(determination.public_id)
            yield index_document(determination)

    def catch_up() -> Iterable[IndexDocument]:
        changed = Determination.objects.filter(updated_at__gte=started - CATCH_UP_MARGIN)
        for determination in each_with_items(changed):
            written.append(determination.public_id)
            yield index_document(determination)

    count = backend.rebuild(documents(), procs=procs, catch_up=catch_up)
    _flag_indexed(list(dict.fromkeys(written)))
    return count


def check_index(*, backend: SearchBackend,
                on_document: Callable[[], None] | None = None) -> IndexCheck:
    """Compare the index with the database: which stored determinations it lacks or holds
    in an older form, and which documents it holds that the database does not (or twice).

    Raises ``IndexUnavailableError`` when the index cannot be read at all.
    """
    backend.verify()
    indexed: dict[str, str] = {}
    duplicated: set[str] = set()
    for doc_id, fingerprint in backend.fingerprints():
        if doc_id in indexed:
            duplicated.add(doc_id)
        indexed[doc_id] = fingerprint
    missing, stale = [], []
    for determination in each_with_items():
        if on_document:
            on_document()
        fingerprint = indexed.pop(determination.public_id, None)
        if fingerprint is None:
            missing.append(determination.public_id)
        elif fingerprint != index_document(determination).fingerprint():
            stale.append(determination.public_id)
    return IndexCheck(missing=missing, stale=stale, orphaned=sorted(indexed),
                      duplicated=sorted(duplicated - set(indexed) - set(stale)))


def repair_index(*, backend: SearchBackend, check: IndexCheck, procs: int = 1) -> int:
    """Fix the drift ``check`` found: index the missing and stale determinations (which also
    removes duplicates) and remove the orphans. Returns how many documents were fixed."""
    if check.orphaned:
        backend.delete(check.orphaned)
    again = check.missing + check.stale + check.duplicated
    if again:
        indexer = _Indexer(backend, procs=procs)
        for start in range(0, len(again), indexer.commit_every):
            indexer.add(again[start : start + indexer.commit_every])
            indexer.commit()
    return check.drift
