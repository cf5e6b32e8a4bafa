"""The import pipeline against a real database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Determination, DisputedItem, LicenseState, Specialty
from cases.services import import_determinations, rebuild_index
from tests.conftest import DATA, REAL_PDFS, SEEDS, need
from tests.pdfs import encrypted_pdf_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[object, ...]]:
    return list(Determination.objects.order_by("public_id").values_list(
        "public_id", "content_hash", "updated_at", "case_outcome"))


def test_import_real_letters_twice_changes_nothing() -> None:
    paths = [need(SEEDS), need(REAL_PDFS)]
    first = import_determinations(paths=paths, batch_size=40)
    assert (first.new, first.updated, first.unchanged, first.failed) == (152, 0, 0, [])
    before = _snapshot()
    items = DisputedItem.objects.count()
    second = import_determinations(paths=paths)
    assert (second.new, second.updated, second.unchanged, second.failed) == (0, 0, 152, [])
    assert _snapshot() == before
    assert DisputedItem.objects.count() == items == 285 + 5
    assert Determination.objects.filter(public_id="CM16-0213037").exists()


def test_import_stores_every_field_of_a_letter() -> None:
    import_determinations(paths=[DATA / "layout_2013.txt"])
    stored = Determination.objects.get(public_id="CM13-0099001")
    assert str(stored.decision_date) == "2013-12-27"
    assert stored.specialty_names == ["Physical Medicine and Rehabilitation", "Pain Management"]
    assert sorted(s.name for s in stored.specialties.all()) == [
        "Pain Management", "Physical Medicine and Rehabilitation"]
    assert sorted(s.name for s in stored.states.all()) == ["California", "Nevada"]
    assert stored.guidelines_cited == ["MTUS", "ODG"]
    assert stored.case_outcome == "Partially overturned"
    assert stored.layout == "2013"
    assert "Regarding the request for Norco" in stored.issues
    assert stored.original_text == (DATA / "layout_2013.txt").read_text()
    assert stored.get_absolute_url() == "/cases/CM13-0099001/"
    assert [(i.position, i.decision, i.subcategory) for i in stored.items.all()] == [
        (1, "Upheld", "opioids"), (2, "Overturned", "physical therapy"),
        (3, "Upheld", "TENS / stimulation unit")]


def test_import_changed_letter_updates_it_in_place(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    shutil.copy(DATA / "prose_mixed.txt", letter)
    import_determinations(paths=[letter])
    original = Determination.objects.get()
    letter.write_text(letter.read_text().replace("Norco 10/325mg #90: Upheld",
                                                 "Norco 10/325mg #90: Overturned"))
    report = import_determinations(paths=[letter])
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    updated = Determination.objects.get()
    assert updated.public_id == original.public_id
    assert updated.case_outcome == "Overturned"
    assert list(updated.items.values_list("decision", flat=True)) == ["Overturned"] * 2
    assert DisputedItem.objects.count() == 2
    assert Specialty.objects.count() == 2 and LicenseState.objects.count() == 3


def test_import_reports_bad_files_and_keeps_going(tmp_path: Path) -> None:
    shutil.copy(DATA / "layout_2013.txt", tmp_path / "good.txt")
    (tmp_path / "nested").mkdir()
    shutil.copy(DATA / "prose_mixed.txt", tmp_path / "nested" / "good2.txt")
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "latin1.txt": "Décision: Upheld".encode("latin-1"),
        "truncated.txt": (DATA / "prose_mixed.txt").read_bytes()[:300],
        "no_items.txt": b"CLINICAL CASE SUMMARY\nA 40 year old male with neck pain.\n",
        "scan.pdf": pdf_bytes([[]]),
        "locked.pdf": encrypted_pdf_bytes(),
        "broken.pdf": pdf_bytes([["Case Number: CM16-0000001"]])[:120],
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    with (tmp_path / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (tmp_path / "notes.docx").write_bytes(b"ignored: not a letter suffix")
    report = import_determinations(paths=[tmp_path, tmp_path / "missing"], batch_size=1)
    reasons = {Path(path).name: reason for path, reason in report.failed}
    assert reasons == {
        "missing": "no such file or folder",
        "empty.txt": "empty file",
        "binary.txt": "binary data, not text",
        "latin1.txt": "no disputed item with an Upheld/Overturned decision found",
        "truncated.txt": "no disputed item with an Upheld/Overturned decision found",
        "no_items.txt": "no disputed item with an Upheld/Overturned decision found",
        "scan.pdf": "PDF has no text layer (scanned image?)",
        "locked.pdf": "encrypted PDF (password required)",
        "broken.pdf": reasons["broken.pdf"],
        "huge.txt": "file too large (52.4 MB; letters are under 20 MB)",
    }
    assert reasons["broken.pdf"].startswith("broken PDF")
    assert report.new == 2
    assert Determination.objects.count() == 2


def test_import_bad_version_of_a_letter_loses_nothing(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    shutil.copy(DATA / "layout_2013.txt", letter)
    import_determinations(paths=[letter])
    before = _snapshot()
    letter.write_bytes(letter.read_bytes()[:200])
    report = import_determinations(paths=[letter])
    assert len(report.failed) == 1
    assert _snapshot() == before
    assert DisputedItem.objects.count() == 3


def test_import_same_letter_twice_in_one_run_creates_one_row(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        shutil.copy(DATA / "prose_mixed.txt", tmp_path / name)
    report = import_determinations(paths=[tmp_path])
    assert (report.new, report.updated) == (1, 1)
    assert Determination.objects.get().source_name == "b.txt"


def test_import_writes_in_batches_not_row_by_row() -> None:
    with CaptureQueriesContext(connection) as one_batch:
        report = import_determinations(paths=[need(REAL_PDFS)], batch_size=200)
    assert report.new == 147
    # A batch costs a fixed number of statements, however many letters it holds.
    assert len(one_batch.captured_queries) < 25


def test_import_with_worker_processes_matches_single_process(tmp_path: Path) -> None:
    report = import_determinations(paths=[need(REAL_PDFS)], jobs=2, batch_size=50)
    assert (report.new, report.failed) == (147, [])
    parallel = _snapshot()
    again = import_determinations(paths=[REAL_PDFS], jobs=1)
    assert again.unchanged == 147
    assert _snapshot() == parallel


def _ids(text: str = "", **filters: tuple[str, ...]) -> set[str]:
    from cases.search import get_backend
    from cases.search.base import SearchQuery

    results = get_backend().search(SearchQuery(text=text, filters=filters, page_size=500))
    return {hit.id for hit in results.hits}


def test_import_indexes_what_it_stores(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    shutil.copy(DATA / "layout_2013.txt", letter)
    import_determinations(paths=[letter, DATA / "prose_mixed.txt"])
    assert len(_ids()) == Determination.objects.count() == 2
    assert _ids(treatment=("opioids",), decision=("Overturned",)) == set()
    letter.write_text(letter.read_text().replace("Norco 10/325mg #120 is not",
                                                 "Norco 10/325mg #120 is"))
    import_determinations(paths=[letter])
    assert _ids(treatment=("opioids",), decision=("Overturned",)) == {"CM13-0099001"}
    assert len(_ids()) == 2  # replaced, not added twice


def test_rebuild_swaps_in_a_fresh_index_seen_by_open_searchers(tmp_path: Path) -> None:
    from cases.search import get_backend
    from cases.search.whoosh_backend import WhooshBackend

    import_determinations(paths=[DATA / "layout_2013.txt"])
    backend = get_backend()
    other_process = WhooshBackend(backend.options)  # a second worker's own searcher
    assert other_process.index.count() == 1
    import_determinations(paths=[DATA / "prose_mixed.txt"], index=False)
    assert other_process.index.count() == 1  # not indexed yet: the database leads
    assert rebuild_index(backend=backend) == 2
    assert other_process.index.count() == 2
    assert sorted(_ids()) == sorted(Determination.objects.values_list("public_id", flat=True))
    generations = list((Path(str(backend.options["path"]))).glob("gen-*"))
    assert len(generations) <= 2  # older generations are pruned


def test_public_ids_survive_reimport_and_rebuild(tmp_path: Path) -> None:
    from cases.search import get_backend

    import_determinations(paths=[DATA / "prose_mixed.txt", DATA / "layout_2013.txt"])
    before = set(Determination.objects.values_list("public_id", flat=True))
    Determination.objects.all().delete()
    import_determinations(paths=[DATA / "prose_mixed.txt", DATA / "layout_2013.txt"])
    rebuild_index(backend=get_backend())
    assert set(Determination.objects.values_list("public_id", flat=True)) == before == _ids()


def test_letters_stored_but_not_yet_indexed_are_indexed_by_the_next_import() -> None:
    from cases.search import get_backend

    # As if an import stopped after its database commits and before its index commit.
    import_determinations(paths=[need(SEEDS)], index=False)
    assert not Determination.objects.filter(indexed=True).exists()
    again = import_determinations(paths=[need(SEEDS)])
    assert (again.new, again.unchanged, again.indexed) == (0, 5, 5)
    assert _ids() == set(Determination.objects.values_list("public_id", flat=True))
    assert not Determination.objects.filter(indexed=False).exists()
    assert get_backend().index.count() == 5


def test_import_with_two_index_processes_and_several_commits(monkeypatch) -> None:
    from cases import services

    monkeypatch.setattr(services.importing, "INDEX_COMMIT_EVERY", 40)  # several commits per import
    report = import_determinations(paths=[need(SEEDS), need(REAL_PDFS)], jobs=2,
                                   batch_size=25)
    assert (report.new, report.indexed, report.failed) == (152, 152, [])
    assert _ids() == set(Determination.objects.values_list("public_id", flat=True))
    # Three letters whose stored file hash no longer matches are read again and replaced.
    stale = list(Determination.objects.order_by("pk").values_list("pk", flat=True)[:3])
    Determination.objects.filter(pk__in=stale).update(source_hash="")
    again = import_determinations(paths=[need(SEEDS), need(REAL_PDFS)], jobs=2)
    assert (again.updated, again.unchanged, again.indexed) == (3, 149, 3)
    from cases.search import get_backend
    assert get_backend().index.count() == 152  # replaced documents are not counted twice


def test_import_refuses_a_copy_that_says_less_unless_replace(tmp_path: Path) -> None:
    text = (DATA / "layout_2013.txt").read_text()
    (tmp_path / "CM13-0099001.txt").write_text(text)
    import_determinations(paths=[tmp_path / "CM13-0099001.txt"])
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.index("2) MAXIMUS")])
    report = import_determinations(paths=[cut])
    assert (report.new, report.updated) == (0, 0)
    assert report.failed == [(str(cut), (
        "not stored over CM13-0099001 from CM13-0099001.txt: 1 of its 3 disputed items; "
        "no reviewer specialty; …, as in a damaged copy (--replace forces it)"))]
    # A corrected letter that says as much replaces the stored one.
    fixed = tmp_path / "fixed.txt"
    fixed.write_text(text.replace("Overturned", "Upheld"))
    assert import_determinations(paths=[fixed]).updated == 1
    # --replace lets even the cut copy replace it.
    forced = import_determinations(paths=[cut], replace_any=True)
    assert (forced.updated, forced.failed) == (1, [])
    assert Determination.objects.get(public_id="CM13-0099001").items.count() == 1
