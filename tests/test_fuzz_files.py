"""Fuzz the importer with mangled letter files (issue 7, "Bad input" / "Files").

The real letters in ../shared are imported first; then over a thousand files made from them
by a seeded generator (``tests/mangling.py``: cut, shuffled, re-encoded, padded, corrupted,
...) are imported on top. Every file must be imported or reported with a reason a person can
act on, the run must never crash or stall, nothing already stored may change except through
a file that claims the same letter, and the database and the index must agree at the end.

Reproduce a failure with the seed its message names: ``IMRSITE_FUZZ_SEED=<seed> pytest ...``.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from cases import services
from cases.models import Determination, LicenseState, Specialty
from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.services import ImportReport, check_index, import_determinations
from tests.conftest import DATA, REAL_TEXTS, SEEDS
from tests.mangling import Corpus, write_corpus

SEED = int(os.environ.get("IMRSITE_FUZZ_SEED", "20240607"))
# The 20 MB file takes about 4 s; a quadratic regular expression takes minutes on a huge line.
SLOWEST_FILE_SECONDS = 30.0


def _seeded(message: str) -> str:
    return f"{message} (seed {SEED}; rerun with IMRSITE_FUZZ_SEED={SEED})"


# -- the run ---------------------------------------------------------------------------------
@dataclass
class FuzzRun:
    """What importing the corpus over the real letters did."""

    corpus: Corpus
    index: Path
    given: list[Path]  # the letter files the importer was given (regular files)
    report: ImportReport
    before: dict[str, dict[str, object]]  # stored determinations, by public id
    after: dict[str, dict[str, object]]
    indexed_before: dict[str, str]  # index fingerprints, by public id
    indexed_after: dict[str, str]
    searches_before: list[set[str]]
    searches_after: list[set[str]]
    seconds: dict[Path, float]  # reading and parsing time of each file
    unflagged: list[str]  # stored letters not flagged indexed after the import
    command: tuple[int, str, str, list[Path]]  # exit status, stdout, stderr, files given


def _stored() -> dict[str, dict[str, object]]:
    """Every stored determination with its items, specialties and states."""
    skip = {"id", "updated_at", "imported_at", "indexed"}
    rows = {}
    for d in Determination.objects.prefetch_related("items", "specialties", "states"):
        row: dict[str, object] = {f.attname: getattr(d, f.attname)
                                  for f in Determination._meta.concrete_fields
                                  if f.attname not in skip}
        row["items"] = [(i.position, i.treatment, i.decision, i.category, i.subcategory,
                         i.claims_administrator_guideline, i.maximus_guideline, i.rationale,
                         i.original_request, i.authorized) for i in d.items.all()]
        row["specialties"] = sorted(s.name for s in d.specialties.all())
        row["states"] = sorted(s.name for s in d.states.all())
        rows[d.public_id] = row
    return rows


SEARCHES = [
    SearchQuery(),
    SearchQuery(text="massage"),
    SearchQuery(text="norco OR tramadol"),
    SearchQuery(text='"physical therapy"'),
    SearchQuery(text="acupunct*"),
    SearchQuery(filters={"decision": ("Overturned",)}),
    SearchQuery(filters={"category": ("Pharmaceuticals",), "decision": ("Upheld",)}),
    SearchQuery(filters={"specialty": ("Family Practice",)}),
    SearchQuery(filters={"state": ("California",)}),
    SearchQuery(filters={"guideline": ("ODG",)}),
    SearchQuery(filters={"year": ("2016",)}),
]


def _searches(backend: WhooshBackend) -> list[set[str]]:
    return [set(backend.matching_ids(query)) for query in SEARCHES]


def _timed(seconds: dict[Path, float]) -> Callable[[Path], object]:
    untimed = services.importing.read_and_parse

    def read_and_parse(path: Path) -> object:
        started = time.perf_counter()
        try:
            return untimed(path)
        finally:
            seconds[path] = time.perf_counter() - started

    return read_and_parse


@pytest.fixture(scope="module")
def fuzz(django_db_setup: None, django_db_blocker: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzRun]:
    """The real letters imported, then the mangled corpus over them, once per module."""
    root = tmp_path_factory.mktemp("fuzz") / "letters"
    root.mkdir()
    corpus = write_corpus(root, seed=SEED)
    index = tmp_path_factory.mktemp("fuzz-index")
    search = {"BACKEND": "cases.search.whoosh_backend.WhooshBackend",
              "OPTIONS": {"path": str(index)}}
    backend = WhooshBackend({"path": str(index)})
    seconds: dict[Path, float] = {}
    with django_db_blocker.unblock(), override_settings(CASES_SEARCH=search):
        try:
            assert not Determination.objects.exists(), "the fuzz needs an empty database"
            real = import_determinations(paths=[REAL_TEXTS, SEEDS])
            assert not real.failed and real.new > 100
            before, indexed_before = _stored(), dict(backend.index.fingerprints())
            searches_before = _searches(backend)
            given, _ = services.find_letter_files([root])
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(services.importing, "read_and_parse", _timed(seconds))
                report = import_determinations(paths=[root], batch_size=100)
            unflagged = list(Determination.objects.filter(indexed=False)
                             .values_list("public_id", flat=True))
            run = FuzzRun(corpus, index, given, report, before, _stored(), indexed_before,
                          dict(backend.index.fingerprints()), searches_before, _searches(backend),
                          seconds, unflagged, _run_command(corpus, report))
            yield run
        finally:
            for path in corpus.kinds:
                if not path.is_symlink():
                    path.chmod(0o644)  # let pytest clean its temporary folder
            Determination.objects.all().delete()
            Specialty.objects.all().delete()
            LicenseState.objects.all().delete()


def _run_command(corpus: Corpus, report: ImportReport) -> tuple[int, str, str, list[Path]]:
    """The command, with worker processes, on some files the service failed and some it
    imported."""
    failed = sorted(Path(path) for path, _ in report.failed)[::20]
    imported = sorted(set(corpus.kinds) - {Path(path) for path, _ in report.failed})[::40]
    files = failed + imported
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command("import_determinations", *map(str, files), "--jobs", "2", "--quiet",
                     stdout=out, stderr=err)
    except CommandError as exc:
        status = exc.returncode
    return status, out.getvalue(), err.getvalue(), files


# -- the tests -------------------------------------------------------------------------------
pytestmark = pytest.mark.django_db

# What a reason must not look like: a traceback, an exception's repr, an internal error.
_UNREADABLE_REASON = re.compile(r"internal error|Traceback|Error\(|Exception|\bNone\b|\\x")


def test_fuzz_import_accounts_for_every_file(fuzz: FuzzRun) -> None:
    report, corpus = fuzz.report, fuzz.corpus
    assert len(corpus.kinds) >= 1000
    assert set(fuzz.given) == set(corpus.kinds), _seeded("the importer skipped written files")
    links = {str(path) for path in corpus.specials if path.is_symlink() and not path.exists()}
    assert report.total == len(fuzz.given) + len(links), _seeded(
        "files given and files reported differ")
    failed = dict(report.failed)
    assert len(failed) == len(report.failed), _seeded("a file was reported twice")
    assert set(failed) <= {str(path) for path in fuzz.given} | links
    bad = {path: reason for path, reason in failed.items()
           if not reason or len(reason) > 200 or not reason.isprintable()
           or _UNREADABLE_REASON.search(reason)}
    assert not bad, _seeded(f"reasons a person cannot act on: {bad}")
    wrong = {path.name: failed.get(str(path), "imported")
             for path, fragment in corpus.must_fail.items()
             if fragment not in failed.get(str(path), "")}
    assert not wrong, _seeded(f"files not refused for the expected reason: {wrong}")
    by_kind = Counter(corpus.kinds[Path(path)].split("/")[0] for path in failed
                      if path not in links)
    assert {path for path, reason in failed.items() if "a link to nowhere" in reason} == links
    assert by_kind["encoding"] == 0, _seeded("a re-encoded letter was refused")


def test_fuzz_import_reads_re_encoded_letters_as_the_original(fuzz: FuzzRun) -> None:
    differ = []
    for path, original in fuzz.corpus.same_as.items():
        letter = services.read_and_parse(path)
        expected = services.read_and_parse(original)
        assert not isinstance(expected, str)
        if isinstance(letter, str) or letter.parsed.content_hash != expected.parsed.content_hash:
            differ.append(path.name)
    assert not differ, _seeded(f"read differently from the letter they encode: {differ}")


def test_fuzz_import_reads_every_file_quickly(fuzz: FuzzRun) -> None:
    slow = sorted(((s, p.name) for p, s in fuzz.seconds.items() if s > SLOWEST_FILE_SECONDS),
                  reverse=True)
    assert not slow, _seeded(f"files that took over {SLOWEST_FILE_SECONDS} s to read: {slow}")


def test_fuzz_import_changes_only_letters_a_file_claims(fuzz: FuzzRun) -> None:
    # A mangled copy of a stored letter can keep its case number, and so its public id: such
    # a file replaces the stored letter (see the next test). Nothing else may change.
    assert set(fuzz.before) <= set(fuzz.after), _seeded("stored letters were removed")
    changed = {i for i in fuzz.before if fuzz.after[i] != fuzz.before[i]}
    names = {path.name: path for path in fuzz.given}
    unexplained = []
    for public_id in sorted(changed):
        path = names.get(str(fuzz.after[public_id]["source_name"]))
        letter = services.read_and_parse(path) if path else "not a file of this run"
        if isinstance(letter, str) or letter.parsed.public_id != public_id:
            unexplained.append(public_id)
    assert not unexplained, _seeded(f"stored letters changed by no file claiming them: "
                                    f"{unexplained}")
    kept = set(fuzz.before) - changed
    moved = [i for i in kept if fuzz.indexed_after.get(i) != fuzz.indexed_before[i]]
    assert not moved, _seeded(f"unchanged letters re-indexed differently: {moved}")
    for query, found_before, found_after in zip(SEARCHES, fuzz.searches_before,
                                                fuzz.searches_after, strict=True):
        assert found_before & kept == found_after & kept, _seeded(f"{query} finds otherwise")


def _lost(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """What a stored letter lost when it was replaced: items, fields it had, cleanliness."""
    lost = [name for name, value in before.items()
            if value not in ("", None, [], ()) and after[name] in ("", None, [], ())]
    if len(after["items"]) < len(before["items"]):  # type: ignore[arg-type]
        lost.append(f"items {len(before['items'])}->{len(after['items'])}")  # type: ignore[arg-type]
    if len(after["warnings"]) > len(before["warnings"]):  # type: ignore[arg-type]
        lost.append("new warnings")
    return lost


def test_fuzz_import_never_replaces_a_letter_with_a_damaged_copy(fuzz: FuzzRun) -> None:
    damaged = {i: lost for i in fuzz.before
               if (lost := _lost(fuzz.before[i], fuzz.after[i]))}
    assert not damaged, _seeded(f"{len(damaged)} stored letters replaced by damaged copies: "
                                f"{dict(sorted(damaged.items())[:10])}")


def test_fuzz_database_and_index_agree(fuzz: FuzzRun) -> None:
    backend = WhooshBackend({"path": str(fuzz.index)})
    check = check_index(backend=backend)
    assert check.drift == 0, _seeded(f"index drift after the fuzz import: {check}")
    stored = dict(Determination.objects.values_list("public_id", "case_number"))
    assert backend.index.count() == len(stored)
    assert set(backend.matching_ids(SearchQuery())) == set(stored)
    unfound = [public_id for public_id, case_number in stored.items()
               if backend.matching_ids(SearchQuery(text=f"case:{case_number or public_id}"))
               != [public_id]]
    assert not unfound, _seeded(f"stored letters a search for their case does not find: "
                                f"{unfound[:20]}")


def test_fuzz_import_command_lists_failures_and_exits_1(fuzz: FuzzRun) -> None:
    status, out, err, files = fuzz.command
    failures = [line for line in err.splitlines() if line.startswith("FAILED ")]
    summary = re.search(r"Imported (\d+) files .*: (\d+) new, (\d+) updated, (\d+) unchanged, "
                        r"(\d+) failed; (\d+) indexed\.", out)
    assert summary, _seeded(f"no summary line in {out!r}")
    total, new, updated, unchanged, failed, _ = map(int, summary.groups())
    assert total == len(files) == new + updated + unchanged + failed
    assert failed == len(failures) > 0 and status == 1
    named = {line.removeprefix("FAILED ").split(": ", 1)[0] for line in failures}
    assert named <= {str(path) for path in files}


def test_fuzz_import_reports_links_to_nowhere(fuzz: FuzzRun) -> None:
    failed = {path for path, _ in fuzz.report.failed}
    links = [path for path in fuzz.corpus.specials if path.is_symlink()]
    assert {str(path) for path in links} <= failed



def test_fuzz_import_flags_every_letter_it_indexed(fuzz: FuzzRun) -> None:
    assert not fuzz.unflagged, _seeded(f"{len(fuzz.unflagged)} letters in the index but "
                                       f"flagged unindexed: {sorted(fuzz.unflagged)[:10]}")


def test_fuzz_import_survives_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    letter = os.fsencode(folder) + b"/caf\xe9.txt"  # Latin-1 "café", as old zips name it
    with open(letter, "wb") as handle:
        handle.write((DATA / "formula_2013.txt").read_bytes())
    report = import_determinations(paths=[folder])
    assert report.total == 1 and not report.failed


def test_fuzz_import_cut_copy_does_not_replace_the_whole_letter(tmp_path: Path) -> None:
    # The fuzz finding in small: the first 579 characters of a three-item letter, saved as a
    # copy, still name its case number and one item.
    text = (DATA / "layout_2013.txt").read_text()
    (tmp_path / "CM13-0099001.txt").write_text(text)
    import_determinations(paths=[tmp_path / "CM13-0099001.txt"])
    (tmp_path / "CM13-0099001 (copy).txt").write_text(text[: text.index("2) MAXIMUS")])
    report = import_determinations(paths=[tmp_path / "CM13-0099001 (copy).txt"])
    stored = Determination.objects.get(public_id="CM13-0099001")
    assert (stored.items.count(), stored.case_outcome, stored.source_name) == (
        3, "Partially overturned", "CM13-0099001.txt")
    assert report.failed  # the copy is reported, with the reason it was not imported
