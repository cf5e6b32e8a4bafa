"""The index damaged under a running app, and `check_index` finding and repairing drift.

The database is the source of truth: whatever happens to the index directory, case pages
keep answering from it, search pages say the search is unavailable (503, never a 500), and
`rebuild_index` or `check_index --repair` brings full service back.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import time
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from cases.models import Determination
from cases.search import get_backend
from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend, directory, opened, selection, writing
from cases.search.whoosh_backend.arrays import ARRAY_SUFFIX
from cases.search.whoosh_backend.frequent import FREQUENT_SUFFIX
from cases.search.whoosh_backend.schema import document_fields
from cases.search.whoosh_backend.shared import STATE_PREFIX, STATE_SUFFIX
from cases.services import import_determinations, index_document
from cases.synthetic import BENCHMARK, write_corpus
from tests.conftest import SEEDS, need

pytestmark = pytest.mark.django_db

UNAVAILABLE = "temporarily unavailable; try again in a minute. Case pages still work."
# Every page that reads the index, with a query and a facet so that all of its parts run.
SEARCHES = ["/?q=therapy&outcome=Upheld", "/api/search?q=therapy&outcome=Upheld",
            "/export.csv?q=therapy", "/outcomes/?q=therapy"]


@pytest.fixture
def letters(tmp_path: Path) -> list[str]:
    """Real and synthetic letters imported into this test's database and index; five more
    synthetic ones wait in ``tmp_path / "more"``."""
    corpus, more = tmp_path / "corpus", tmp_path / "more"
    write_corpus(corpus, count=45, seed=7, profile=BENCHMARK)
    more.mkdir()
    for path in sorted(corpus.glob("*.txt"))[-5:]:
        path.rename(more / path.name)
    report = import_determinations(paths=[need(SEEDS), corpus])
    assert report.new == 45 and report.indexed == 45
    return list(Determination.objects.values_list("public_id", flat=True))


def _damage(index_dir: Path, kind: str) -> None:
    current = (index_dir / "current").resolve()
    if kind == "directory deleted":
        shutil.rmtree(index_dir)
    elif kind == "generation deleted":
        shutil.rmtree(current)
    elif kind == "files deleted":
        for path in current.iterdir():
            path.unlink()
    else:  # a kind of file cut in half
        (found,) = [p for p in current.iterdir() if p.name.endswith(kind)]
        with found.open("r+b") as file:
            file.truncate(found.stat().st_size // 2)


def _summary(found: dict) -> tuple[object, ...]:
    """A search's answer but the order of equally scored hits (a rebuild may change it)."""
    return found["total"], found["facets"], sorted(hit["id"] for hit in found["results"])


def _statuses(client: Client) -> dict[str, int]:
    return {url: client.get(url).status_code for url in SEARCHES}


@pytest.mark.parametrize("kind", ["directory deleted", "generation deleted", "files deleted",
                                  ".pst", ".trm", "_stored.col", ".toc"])
def test_index_damaged_while_serving_answers_503_then_rebuild_restores(
        client: Client, letters: list[str], _index_in_tmp: Path, kind: str) -> None:
    before = client.get("/api/search?q=therapy&outcome=Upheld").json()
    assert before["total"] > 0  # the searcher is open before the damage
    _damage(_index_in_tmp, kind)
    time.sleep(opened.DAMAGE_CHECK_SECONDS)  # workers look at the files this often

    page = client.get("/?q=therapy&outcome=Upheld")
    assert page.status_code == 503
    assert page["Retry-After"] == "60"
    assert UNAVAILABLE in page.content.decode()
    api = client.get("/api/search?q=therapy")
    assert api.status_code == 503 and UNAVAILABLE in api.json()["error"]
    assert set(_statuses(client).values()) == {503}
    # Case pages come from the database and keep working, similar cases left out.
    for public_id in letters[:5]:
        case = client.get(f"/cases/{public_id}/")
        assert case.status_code == 200, public_id

    call_command("rebuild_index", "--quiet", stdout=io.StringIO())
    after = client.get("/api/search?q=therapy&outcome=Upheld").json()
    assert _summary(after) == _summary(before)
    assert set(_statuses(client).values()) == {200}


# Common words first (postings this small are kept in the terms file), then queries on the
# fields whose postings were written last, into the half of the postings file cut off.
QUERIES = [
    "therapy", "massage", "lumbar", "acupuncture", "opioid", "surgery", "injection",
    "physical", "medication", "pain", "chronic",
    "treatment:therapy", "summary:pain", "rationale:guidelines", '"physical therapy"',
    "state:california", "therapy"]


def test_index_damaged_before_first_search_answers_200_or_503(
        client: Client, letters: list[str], _index_in_tmp: Path) -> None:
    """A process opening an index whose postings were cut: words whose postings are intact
    answer, and from the first read of a cut posting list on, search is unavailable (the
    process no longer trusts the index until its files change); nothing crashes.

    The segments' decoded lists of frequent words (``frequent``) are removed first: in an
    index this small nearly every word is one, and those are answered from their intact
    copies without reading the cut file (the next test)."""
    for kept in (_index_in_tmp / "current").resolve().glob(f"*{FREQUENT_SUFFIX}"):
        kept.unlink()
    _damage(_index_in_tmp, ".pst")
    statuses = [client.get("/", {"q": query, "outcome": "Upheld"}).status_code
                for query in QUERIES]
    first_503 = statuses.index(503)
    assert set(statuses[:first_503]) == {200} and set(statuses[first_503:]) == {503}, statuses
    # The intact words did answer: at least the first page, whose offer of the same words as
    # a treatment: search read the treatment postings, the last of the file, and found the
    # cut (the page still answered, without the offer).
    assert first_503 >= 1


def test_postings_cut_under_kept_frequent_lists_answer_from_them_or_503(
        client: Client, letters: list[str], _index_in_tmp: Path) -> None:
    """The same cut with the kept lists there: the words they hold answer from them (the
    same answers as before the cut), and a read of the cut file still stops the process
    trusting the index; never a 500."""
    before = [client.get("/api/search", {"q": query}).json() for query in QUERIES]
    assert list((_index_in_tmp / "current").resolve().glob(f"*{FREQUENT_SUFFIX}"))
    _damage(_index_in_tmp, ".pst")
    statuses = []
    for query, answer in zip(QUERIES, before, strict=True):
        response = client.get("/api/search", {"q": query})
        statuses.append(response.status_code)
        if response.status_code == 200:
            assert _summary(response.json()) == _summary(answer), query
    first_503 = statuses.index(503) if 503 in statuses else len(statuses)
    assert set(statuses[:first_503]) <= {200} and set(statuses[first_503:]) <= {503}, statuses
    assert first_503 >= 1


def test_import_after_index_removed_indexes_every_stored_letter(
        letters: list[str], _index_in_tmp: Path, tmp_path: Path) -> None:
    shutil.rmtree(_index_in_tmp)
    report = import_determinations(paths=[tmp_path / "more"])
    assert (report.new, report.recovered) == (5, 45)
    assert get_backend().index.count() == 50
    call_command("check_index", "--quiet", stdout=io.StringIO())  # no drift: exits 0


def test_import_into_damaged_index_stops_and_keeps_the_database(
        letters: list[str], _index_in_tmp: Path, tmp_path: Path) -> None:
    _damage(_index_in_tmp, ".trm")
    more = tmp_path / "more"
    out = io.StringIO()
    with pytest.raises(CommandError, match="rebuild_index") as stopped:
        call_command("import_determinations", str(more), stdout=out, stderr=io.StringIO())
    assert stopped.value.returncode == 2
    assert Determination.objects.count() == 45  # nothing half-written
    call_command("rebuild_index", "--quiet", stdout=io.StringIO())
    call_command("import_determinations", str(more), "--quiet", stdout=out)
    assert get_backend().index.count() == Determination.objects.count() == 50


def _check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_index", "--quiet", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _line(output: str, kind: str) -> str:
    return next(line.strip() for line in output.splitlines() if line.strip().startswith(kind))


def test_check_index_counts_each_kind_of_drift_and_repair_fixes_it(
        client: Client, letters: list[str]) -> None:
    assert _check()[0] == 0
    backend = get_backend()
    gone, changed, removed, doubled = letters[:4]
    backend.index.delete([gone])  # missing
    Determination.objects.filter(public_id=changed).update(summary="A wholly new summary.")
    Determination.objects.filter(public_id=removed).delete()  # orphaned in the index
    # Duplicated: the same document added twice by a writer that skipped the replacement.
    stored = Determination.objects.prefetch_related("items").get(public_id=doubled)
    writer = whoosh_index.open_dir(str(Path(backend.path, "current").resolve())).writer()
    writer.add_document(**document_fields(index_document(stored)))
    writer.commit()

    status, output = _check()
    assert status == 1
    assert _line(output, "missing") == f"missing: 1  (stored, not in the index): {gone}"
    assert _line(output, "stale") == f"stale: 1  (indexed in an older form): {changed}"
    assert _line(output, "orphaned").startswith(f"orphaned: 1  (in the index, no longer stored): "
                                                f"{removed}")
    assert _line(output, "duplicated").startswith("duplicated: 1 ")
    assert "differs from the database in 4 document(s)" in output
    # The drift shows to users: the orphan is still counted, with no letter to show; the
    # changed summary is not found.
    orphan = client.get(f"/api/search?q=case:{removed}").json()
    assert (orphan["total"], orphan["results"]) == (1, [])
    assert client.get("/api/search?q=wholly+new+summary").json()["total"] == 0

    status, output = _check("--repair")
    assert status == 0, output
    assert "Repaired 4 document(s); the index now agrees with the database." in output
    assert _check()[0] == 0
    assert backend.index.count() == Determination.objects.count() == len(letters) - 1
    found = client.get("/api/search?q=wholly+new+summary").json()
    assert [hit["id"] for hit in found["results"]] == [changed]


def test_check_index_on_unreadable_index_exits_1_and_repair_rebuilds(
        letters: list[str], _index_in_tmp: Path) -> None:
    _damage(_index_in_tmp, ".pst")
    status, output = _check()
    assert status == 1
    assert "The index cannot be read" in output and "--repair" in output
    status, output = _check("--repair")
    assert status == 0
    assert f"rebuilt the index with {len(letters)} determinations" in output
    assert _check()[0] == 0


def test_check_index_is_clean_on_empty_database() -> None:
    assert _check()[0] == 0
    assert not os.path.exists(Path(get_backend().path, "current"))


def test_passing_fault_is_retried_after_a_while(
        client: Client, letters: list[str], _index_in_tmp: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that found the index unreadable does not trust it for a while, but the
    fault may have passed with the files unchanged (an I/O error, too many open files):
    it tries them again after ``DAMAGED_RETRY_SECONDS``."""
    monkeypatch.setattr(directory, "DAMAGED_RETRY_SECONDS", 1.0)
    (toc,) = (_index_in_tmp / "current").resolve().glob("*.toc")
    good = toc.read_bytes()
    toc.write_bytes(bytes(len(good)))  # unreadable, the same size
    url = "/api/search?q=therapy"
    assert client.get(url).status_code == 503
    toc.write_bytes(good)  # the fault passes; the files look as they did when it was found
    assert client.get(url).status_code == 503
    time.sleep(1.1)
    found = client.get(url)
    assert found.status_code == 200 and found.json()["total"] > 0


def _kept_arrays(index_dir: Path) -> dict[str, bool]:
    """Whether each segment of the current generation has its arrays kept beside it."""
    current = (index_dir / "current").resolve()
    segments = {segment.segment_id()
                for segment in whoosh_index.open_dir(str(current))._segments()}
    kept = {path.name.removesuffix(ARRAY_SUFFIX)
            for path in current.glob(f"*{ARRAY_SUFFIX}")}
    assert kept <= segments, "arrays of a segment that is gone"
    return {segment: segment in kept for segment in segments}


def test_date_arrays_kept_per_segment_and_removed_with_it(
        client: Client, letters: list[str], _index_in_tmp: Path, tmp_path: Path) -> None:
    """The first open keeps each segment's facet and date arrays beside it; other workers
    load them; a kept file that does not fit is read again; a merge removes them with the
    segment."""
    url = "/api/search?decided_from=2015-01-01&decided_to=2016-12-31&sort=oldest"
    before = client.get(url).json()
    assert before["total"] > 0
    backend = get_backend()
    backend.index.add_bulk(index_document(d) for d in Determination.objects.all()[:10])
    assert client.get(url).json()["total"] == before["total"]
    assert list(_kept_arrays(_index_in_tmp).values()) == [True, True]

    # Another worker opens the index: it maps the state's joined arrays. With that file
    # gone, it joins the segments' kept arrays, and one cut short it reads from the postings
    # again and keeps anew.
    (state,) = (_index_in_tmp / "current").resolve().glob(f"{STATE_PREFIX}*{STATE_SUFFIX}")
    state.unlink()
    cut = sorted((_index_in_tmp / "current").resolve().glob(f"*{ARRAY_SUFFIX}"))[0]
    whole = cut.read_bytes()
    cut.write_bytes(whole[:100])
    other = WhooshBackend({"path": str(_index_in_tmp)})
    query = SearchQuery(decided_from=date(2015, 1, 1), decided_to=date(2016, 12, 31))
    assert other.total(query) == before["total"]
    assert len(cut.read_bytes()) == len(whole)  # read again and kept anew, whole
    assert state.exists()

    # The arrays come and go with segments: no worker takes that for damage.
    for path in (_index_in_tmp / "current").resolve().glob(f"*{ARRAY_SUFFIX}"):
        path.unlink()
    time.sleep(opened.DAMAGE_CHECK_SECONDS)
    assert client.get(url).status_code == 200
    ix = whoosh_index.open_dir(str((_index_in_tmp / "current").resolve()))
    ix.writer(compound=False).commit(optimize=True)  # one segment: Whoosh deletes the
    # others' files, the arrays kept beside them included
    assert client.get(url).json()["total"] == before["total"]
    assert list(_kept_arrays(_index_in_tmp).values()) == [True]


def test_writers_keep_the_arrays_of_what_they_commit(
        letters: list[str], _index_in_tmp: Path, tmp_path: Path) -> None:
    """An import's commit and a rebuild leave every segment's arrays kept, before any
    search: no web worker reads the postings at its first search after them."""
    assert all(_kept_arrays(_index_in_tmp).values())  # the fixture's import
    import_determinations(paths=[tmp_path / "more"])  # a second segment
    kept = _kept_arrays(_index_in_tmp)
    assert len(kept) == 2 and all(kept.values())
    call_command("rebuild_index", "--quiet", stdout=io.StringIO())
    kept = _kept_arrays(_index_in_tmp)
    assert kept and all(kept.values())


def test_files_of_a_segment_being_written_are_no_damage(
        client: Client, letters: list[str], _index_in_tmp: Path) -> None:
    """A writer at work adds the files of its next segment and writes them as it goes,
    before its commit: a worker reads none of them and must not take their growth for
    damage (it did: 503s while an import wrote)."""
    url = "/api/search?q=therapy"
    assert client.get(url).status_code == 200
    current = (_index_in_tmp / "current").resolve()
    growing = [current / f"MAIN_zzzzwriting{i}.pst" for i in range(2)]
    growing[0].write_bytes(b"")  # present, empty, when a worker opens the index
    get_backend().directory.opened = None
    assert client.get(url).status_code == 200
    for path in growing:
        path.write_bytes(b"postings of an uncommitted segment" * 100)
    time.sleep(opened.DAMAGE_CHECK_SECONDS)
    assert client.get(url).status_code == 200
    for path in growing:
        path.unlink()  # a writer that cancels removes them
    time.sleep(opened.DAMAGE_CHECK_SECONDS)
    assert client.get(url).status_code == 200


def test_previous_toc_deleted_after_a_workers_open_is_no_damage(
        client: Client, letters: list[str], _index_in_tmp: Path) -> None:
    """A commit writes its table of contents, then deletes the previous one. A worker that
    opens the index between the two sees both; the deletion a moment later is no damage
    (CI caught both workers answering 503 for the rest of a test from it)."""
    url = "/api/search?q=therapy"
    assert client.get(url).status_code == 200
    current = (_index_in_tmp / "current").resolve()
    (toc,) = current.glob("_MAIN_*.toc")
    generation = int(toc.stem.removeprefix("_MAIN_"))
    previous = current / f"_MAIN_{generation - 1}.toc"
    previous.write_bytes(toc.read_bytes())  # not yet deleted when the worker opens
    get_backend().directory.opened = None
    assert client.get(url).status_code == 200
    previous.unlink()  # the committing writer's clean-up
    time.sleep(opened.DAMAGE_CHECK_SECONDS)
    found = client.get(url)
    assert found.status_code == 200, found.content
    assert found.json()["total"] > 0


def test_commits_merge_small_segments_only_and_boundedly(
        letters: list[str], _index_in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small imports' segments are merged a few at a time; a large segment never is (Whoosh's
    own policy merged ever larger sets under the write lock: half an hour at 240,000)."""
    monkeypatch.setattr(writing, "SMALL_SEGMENT", 12)
    monkeypatch.setattr(writing, "MERGE_AT_MOST", 30)
    backend = get_backend()
    stored = list(Determination.objects.all())

    def sizes() -> list[int]:
        ix = whoosh_index.open_dir(str((_index_in_tmp / "current").resolve()))
        return sorted(segment.doc_count_all() for segment in ix._segments())

    (large,) = sizes()  # the fixture's import: one segment of 40 letters, "large" here
    for start in range(0, 24, 3):  # eight small imports of 3 letters
        backend.index.add_bulk(index_document(d) for d in stored[start:start + 3])
    after = sizes()
    assert after[-1] == large  # never merged (its replaced letters stay as deletions)
    assert len(after) < 1 + 8  # the small ones were merged
    assert all(size <= 30 for size in after[:-1])
    assert backend.index.count() == len(stored)
    assert sorted(backend.matching_ids(SearchQuery())) == sorted(letters)  # once each


def test_commit_between_a_workers_open_and_its_reads_is_no_damage(
        client: Client, letters: list[str], _index_in_tmp: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoosh opens a segment's column files (stored fields, field lengths) only when first
    read. A worker that opened the index just before a commit merged its segments away
    finds them gone at its first search: the index moved on, which is no damage (CI on a
    busy machine caught a burst of 503s from it while an import committed)."""
    url = "/api/search?q=therapy&outcome=Upheld"
    before = client.get(url).json()
    backend = get_backend()
    backend.index.add_bulk(index_document(d) for d in Determination.objects.all()[:3])
    current = (_index_in_tmp / "current").resolve()
    assert len(list(current.glob("*.toc"))) == 1 and len(_kept_arrays(_index_in_tmp)) == 2
    listed = opened.committed_files
    merged = []

    def merge_then_list(folder: Path, searcher: object) -> dict[str, int]:
        if not merged:  # the commit lands between the searcher's open and the listing
            ix = whoosh_index.open_dir(str(current))
            ix.writer(compound=False).commit(optimize=True)
            merged.append(len(ix._segments()))
        return listed(folder, searcher)

    monkeypatch.setattr(opened, "committed_files", merge_then_list)
    backend.directory.opened = None
    found = client.get(url)
    assert merged == [1]
    assert found.status_code == 200, found.content
    assert _summary(found.json()) == _summary(before)
    assert client.get(url).status_code == 200


def _fail_once(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> list[int]:
    """Make the next read of the index raise ``error`` once (in the backend's hit loading,
    where a garbled read of the stored fields would raise it); returns the calls made."""
    calls: list[int] = []
    hits = selection.hits

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise error
        return hits(*args, **kwargs)

    monkeypatch.setattr(selection, "hits", failing)
    return calls


def test_read_error_on_unchanged_files_is_retried_not_called_damage(
        client: Client, letters: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A read that fails once (a garbled read, as threads sharing a file handle gave) is
    tried again with a fresh searcher: the request answers, nothing is marked damaged."""
    url = "/api/search?q=therapy&outcome=Upheld"
    expected = client.get(url).json()
    calls = _fail_once(monkeypatch, zlib.error("Error -3 while decompressing data"))
    found = client.get(url)
    assert found.status_code == 200 and found.json() == expected
    assert len(calls) == 2
    assert get_backend().directory.broken is None
    assert set(_statuses(client).values()) == {200}


def test_passing_fault_answers_one_503_and_the_next_request_works(
        client: Client, letters: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_once(monkeypatch, OSError(errno.EMFILE, "Too many open files"))
    first = client.get("/?q=therapy")
    assert first.status_code == 503
    assert "temporarily unavailable" in first.content.decode()
    assert "rebuilt" not in first.content.decode() and "damaged" not in first.content.decode()
    assert client.get("/?q=therapy").status_code == 200
    assert get_backend().directory.broken is None


def test_unavailable_says_rebuilt_only_while_a_rebuild_writes(
        client: Client, letters: list[str], _index_in_tmp: Path) -> None:
    """The 503 names a rebuild only when one is under way: a newer generation whose write
    lock a rebuild holds. One left behind by a killed rebuild (no lock held) is none."""
    shutil.rmtree((_index_in_tmp / "current").resolve())
    newer = _index_in_tmp / f"gen-{time.time_ns()}-1"
    newer.mkdir()
    lock = FileStorage(str(newer)).lock(directory.WRITE_LOCK)
    assert lock.acquire(blocking=False)
    try:
        page = client.get("/?q=therapy")
        assert page.status_code == 503
        assert "The search index is being rebuilt" in page.content.decode()
    finally:
        lock.release()
    page = client.get("/?q=therapy")
    assert page.status_code == 503
    assert UNAVAILABLE in page.content.decode() and "rebuilt" not in page.content.decode()
