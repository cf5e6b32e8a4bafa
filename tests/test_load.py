"""The production server under load and under faults, with the writers beside it in their
own processes: a short run of ``manage.py loadtest``, searches through gunicorn while
``rebuild_index`` and an import write the index, and imports or rebuilds killed with
SIGKILL while they hold Whoosh's write lock.

Everything runs against a scratch database that the server and the commands can all open:
a SQLite file, or under ``.ci/with-postgres`` a database created on that PostgreSQL server
(pytest's own test database is invisible to other processes).
"""

from __future__ import annotations

import fcntl
import http.client
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmarks.scratch import (
    default_database_kind,
    manage,
    new_marker,
    scratch_database,
    start_manage,
    write_marked_corpus,
)
from benchmarks.server import HOST, Server, kill_group, serve, server_env
from benchmarks.traffic import MIX
from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from tests.conftest import ROOT

DATABASE = default_database_kind()
BASE_LETTERS = 200
WAIT = 180  # seconds a command may take on a busy 2-core machine
# Letters of an import that is killed or paused once it printed its first progress line: a
# window of 256 files stored and queued to the index (it holds the write lock), with more to
# come.
KILLED_IMPORT = 400


@dataclass
class Site:
    """A scratch database and index with letters imported, and what the commands need."""

    env: dict[str, str]
    index_dir: Path
    work_dir: Path
    batches: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    numbered: int = 0  # case numbers of marked letters given so far (from 0)

    def marked_corpus(self, count: int) -> tuple[Path, str]:
        """A fresh folder of ``count`` new letters that a search for the marker counts."""
        number, marker = next(self.batches), new_marker()
        # Numbered past every earlier corpus, whatever its size: all of them are new letters.
        batch = -(-self.numbered // count)
        self.numbered = (batch + 1) * count
        folder = self.work_dir / f"letters-{number}"
        write_marked_corpus(folder, count=count, seed=100 + number, marker=marker, batch=batch,
                            env=self.env)
        return folder, marker

    def total(self, text: str) -> int:
        """How many letters the live index finds for ``text`` (read in this process)."""
        return WhooshBackend({"path": str(self.index_dir)}).search(SearchQuery(text)).total


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work_dir = tmp_path_factory.mktemp("site")
    with scratch_database(DATABASE, work_dir) as database_url:
        env = server_env(database_url=database_url, index_dir=work_dir / "index")
        manage("migrate", "--noinput", env=env)
        manage("generate_corpus", str(work_dir / "base"), "--count", str(BASE_LETTERS),
               "--seed", "7", "--profile", "benchmark", env=env)
        manage("import_determinations", str(work_dir / "base"), "--quiet", env=env,
               timeout=WAIT)
        yield Site(env, work_dir / "index", work_dir)


def test_loadtest_short_run_answers_every_request_and_finds_imported_letters(
        tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = dict(os.environ)
    if DATABASE == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "loadtest", "--seconds", "10", "--clients", "20",
         "--workers", "2", "--base-letters", "150", "--import-letters", "150", "--imports", "1",
         "--sample-seconds", "1", "--fresh-seconds", "3", "--database", DATABASE,
         "--work-dir", str(tmp_path / "work"), "--json", str(report_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads(report_path.read_text())
    assert report["error_count"] == 0 and report["server_tracebacks"] == 0
    assert report["sent"] == report["answered"] > 200
    assert all(report["kinds"][kind]["requests"] > 0 for kind in MIX), report["kinds"]
    [run] = report["imports"]
    assert run["returncode"] == 0 and run["expected"] == 150
    assert run["searchable"] and run["all_or_nothing"], run["totals"]
    assert report["memory"]["worker_pids_seen"] == 2  # no worker died or was replaced
    assert report["memory"]["total"]["samples"] >= 5
    fresh = report["fresh"]  # new workers after SIGHUP, same load, no import
    assert fresh["error_count"] == 0 and fresh["sent"] == fresh["answered"] > 0
    assert len(fresh["new_workers_rss_end"]) == 2


class Searches:
    """Clients searching through the server, each request recorded with the total the API
    gave, until stopped."""

    def __init__(self, server: Server, words: list[str], clients: int = 4) -> None:
        self.server, self.words = server, words
        self.started = time.perf_counter()
        self.samples: list[tuple[float, str, str, int, int | None]] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,)) for n in range(clients)]
        for thread in self.threads:
            thread.start()

    def now(self) -> float:
        return time.perf_counter() - self.started

    def _client(self, number: int) -> None:
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=120)
        for step in itertools.count(number):
            if self.stopping.is_set():
                break
            word = self.words[step % len(self.words)]
            api = step % 2 == 0
            path = f"/api/search?q={word}" if api else f"/?q={word}"
            at = self.now()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                status = response.status
                total = json.loads(body)["total"] if api and status == 200 else None
            except (OSError, ValueError, KeyError, http.client.HTTPException) as exc:
                connection.close()
                self.samples.append((at, word, f"{path}: {exc!r}", 0, None))
                continue
            self.samples.append((at, word, path, status, total))
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def totals(self, word: str, start: float = 0, end: float = float("inf")) -> list[int]:
        """The totals the API gave for ``word`` in the order asked, between two times."""
        return [total for at, w, _, _, total in sorted(self.samples)
                if w == word and total is not None and start <= at <= end]

    def wait_for(self, word: str, total: int, timeout: float = 60) -> float:
        """When a search first counted ``total`` letters for ``word``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if total in self.totals(word):
                return self.now()
            time.sleep(0.2)
        raise AssertionError(f"{word!r} never found {total} letters: {self.totals(word)[-5:]}")


def _all_or_nothing(totals: list[int], before: int, after: int) -> bool:
    """Every total is the old or the new one, and once new never old again."""
    return set(totals) <= {before, after} and totals == sorted(totals, key=[before, after].index)


def test_searches_answer_while_rebuild_and_import_write_the_index(site: Site) -> None:
    # Letters stored but not indexed: the rebuild is what makes them searchable.
    stored, stored_marker = site.marked_corpus(60)
    manage("shell", "-c", "from pathlib import Path; from cases.services import "
           f"import_determinations; import_determinations(paths=[Path({str(stored)!r})], "
           "index=False)", env=site.env, timeout=WAIT)
    imported, imported_marker = site.marked_corpus(150)
    common = "pain"
    before_common = site.total(common)
    log = site.work_dir / "gunicorn-faults.log"
    with serve(database_url=site.env["DATABASE_URL"], index_dir=site.index_dir, workers=3,
               log=log) as server:
        searches = Searches(server, [stored_marker, imported_marker, common])
        try:
            searches.wait_for(stored_marker, 0)
            rebuild_started = searches.now()
            manage("rebuild_index", "--jobs", "2", "--quiet", env=site.env, timeout=WAIT)
            rebuild_done = searches.wait_for(stored_marker, 60)
            after_rebuild_common = site.total(common)
            import_started = searches.now()
            manage("import_determinations", str(imported), "--jobs", "2", "--quiet",
                   env=site.env, timeout=WAIT)
            import_done = searches.wait_for(imported_marker, 150)
            time.sleep(1)  # more searches on the new data
        finally:
            searches.stop()
    failed = [(at, path, status) for at, _, path, status, _ in searches.samples if status != 200]
    assert failed == [], (failed[:10], _logged_errors(log))
    assert len(searches.samples) > 100
    during_rebuild = searches.totals(stored_marker, rebuild_started, rebuild_done)
    assert during_rebuild.count(0) and _all_or_nothing(during_rebuild, 0, 60)
    assert _all_or_nothing(searches.totals(stored_marker, rebuild_started), 0, 60)
    assert _all_or_nothing(searches.totals(common, end=import_started), before_common,
                           after_rebuild_common)
    during_import = searches.totals(imported_marker, import_started)
    assert during_import.count(0) > 0, "no search ran while the import did"
    assert _all_or_nothing(during_import, 0, 150), during_import
    # Once a search saw the new letters, every search started later saw them.
    assert set(searches.totals(imported_marker, import_done)) == {150}
    assert set(searches.totals(stored_marker, rebuild_done)) == {60}


def _logged_errors(log: Path) -> list[str]:
    """What the workers logged as errors: why a request failed, for the failure message."""
    return [line for line in log.read_text(errors="replace").splitlines()
            if "ERROR" in line or "Error" in line][:20]


def _writelock_held(generation: Path) -> bool:
    """Whether some process holds Whoosh's write lock on this index generation."""
    lock = generation / "MAIN_WRITELOCK"
    if not lock.exists():
        return False
    descriptor = os.open(lock, os.O_WRONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # closing releases a lock this test took
    return False


def _wait_until(condition: object, process: subprocess.Popen[str], what: str,
                timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}) before {what}: "
                                 f"{process.stdout.read()[-2000:]}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.02)


def _wait_until_writing(process: subprocess.Popen[str], generation: Path) -> None:
    """Until an import has stored its first window of letters and queued them to the index:
    it holds the write lock and is writing."""
    _wait_until(lambda: "imported" in process.stdout.readline(), process,  # type: ignore
                "a progress line")
    assert _writelock_held(generation)


def _group_members(group: int) -> list[int]:
    """The live processes of a process group (SIGKILL is delivered, not waited for)."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except (OSError, NotADirectoryError):
            continue
        if len(fields) > 2 and fields[0] != "Z" and fields[2] == str(group):
            members.append(int(entry.name))
    return members


def _wait_until_gone(group: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while _group_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)


def _generations(site: Site) -> set[Path]:
    return {p for p in site.index_dir.glob("gen-*") if p.is_dir()}


def test_rebuild_killed_mid_write_leaves_a_working_index(site: Site) -> None:
    before = _generations(site)
    current = (site.index_dir / "current").resolve()
    process = start_manage("rebuild_index", "--jobs", "2", env=site.env)
    try:
        _wait_until(lambda: any(_writelock_held(g) for g in _generations(site) - before),
                    process, "write lock on a new generation")
        _wait_until(lambda: "indexed" in process.stdout.readline(), process,  # type: ignore
                    "letters written")
        os.kill(process.pid, signal.SIGKILL)  # its sub-writers live on, holding that lock
        process.wait(timeout=10)
        assert (site.index_dir / "current").resolve() == current  # never swapped in
        letters, marker = site.marked_corpus(30)
        with serve(database_url=site.env["DATABASE_URL"], index_dir=site.index_dir,
                   workers=2, log=site.work_dir / "gunicorn-rebuild.log") as server:
            searches = Searches(server, [marker, "pain"], clients=2)
            try:
                manage("import_determinations", str(letters), "--quiet", env=site.env,
                       timeout=WAIT)
                searches.wait_for(marker, 30)
                manage("rebuild_index", "--jobs", "2", "--quiet", env=site.env, timeout=WAIT)
                rebuilt = searches.now()
                time.sleep(2)  # searches on the new generation
            finally:
                searches.stop()
    finally:
        kill_group(process)  # the orphaned sub-writers
    assert (site.index_dir / "current").resolve() != current
    assert site.total(marker) == 30
    failed = [(at, path, status) for at, _, path, status, _ in searches.samples if status != 200]
    assert failed == [], failed[:10]
    assert set(searches.totals(marker, rebuilt)) == {30}


def test_rebuild_during_import_keeps_the_imported_letters(site: Site) -> None:
    """A rebuild reads the letters stored so far while an import goes on. It swaps its index
    in only once it holds the old index's write lock (the import committed to it) and has
    indexed again what changed meanwhile; the import's later writers take the new index."""
    letters, marker = site.marked_corpus(KILLED_IMPORT)
    process = start_manage("import_determinations", str(letters), env=site.env)
    rebuild = None
    try:
        # The first window of letters is stored and queued to the index; pause the import
        # there so that the rebuild reads the database between its first and last letters.
        _wait_until(lambda: "imported" in process.stdout.readline(), process,  # type: ignore
                    "a progress line")
        os.kill(process.pid, signal.SIGSTOP)
        rebuild = start_manage("rebuild_index", "--quiet", env=site.env)
        time.sleep(3)  # it reads what is stored, then waits for the import's write lock
        os.kill(process.pid, signal.SIGCONT)
        process.communicate(timeout=WAIT)
        rebuild.communicate(timeout=WAIT)
    finally:
        kill_group(process)
        if rebuild is not None:
            kill_group(rebuild)
    assert rebuild.returncode == 0
    assert process.returncode == 0
    assert site.total(marker) == KILLED_IMPORT


# The import kills come last: each leaves its letters stored, which every rebuild above
# would index again.
@pytest.mark.parametrize(("jobs", "kill"), [(1, "process"), (2, "process group")])
def test_import_killed_holding_the_write_lock_leaves_no_lock(site: Site, jobs: int,
                                                              kill: str) -> None:
    letters, marker = site.marked_corpus(KILLED_IMPORT)
    current = (site.index_dir / "current").resolve()
    process = start_manage("import_determinations", str(letters), "--jobs", str(jobs),
                           env=site.env)
    try:
        _wait_until_writing(process, current)
        if kill == "process":
            os.kill(process.pid, signal.SIGKILL)
        else:  # what a whole job's death looks like: OOM in its cgroup, systemd stopping it
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        _wait_until_gone(process.pid)
    finally:
        kill_group(process)
    assert process.returncode == -signal.SIGKILL
    assert not _writelock_held(current)  # the kernel released it with the last holder
    again = manage("import_determinations", str(letters), "--jobs", str(jobs), "--quiet",
                   env=site.env, timeout=WAIT)
    assert ", 0 failed;" in again.stdout
    assert site.total(marker) == KILLED_IMPORT


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_import_with_jobs_main_process_killed_leaves_no_lock(site: Site) -> None:
    """Whoosh's sub-writers and the parse workers inherit the lock's descriptor: killed
    with the main process alone, they must die with it rather than hold the lock."""
    letters, _ = site.marked_corpus(KILLED_IMPORT)
    current = (site.index_dir / "current").resolve()
    process = start_manage("import_determinations", str(letters), "--jobs", "2", env=site.env)
    try:
        _wait_until_writing(process, current)
        os.kill(process.pid, signal.SIGKILL)  # the main process only: OOM killer, kill -9 PID
        process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _writelock_held(current) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _writelock_held(current)
        deadline = time.monotonic() + 5
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _group_alive(process.pid), "orphaned import processes are left running"
    finally:
        kill_group(process)  # any orphan left, should the test fail
