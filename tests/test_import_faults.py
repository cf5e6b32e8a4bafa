"""Imports that fail half-way, run as a user would: killed, out of disk, on a read-only index.

Each test runs `manage.py` in subprocesses on a file database and index of its own, breaks
the run, re-runs it, and checks that nothing is missing, nothing is twice, and the index
agrees with the database (`check_index` exits 0). A full disk and a read-only directory are
real: a small tmpfs or a read-only bind mount, in a private mount namespace (``unshare``).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cases.search.whoosh_backend.arrays import ARRAY_SUFFIX
from cases.synthetic import BENCHMARK, write_corpus
from tests.conftest import ROOT

LETTERS = 240
BATCH = 20


@pytest.fixture
def site(tmp_path: Path) -> dict[str, str]:
    """Environment of a migrated file database and an index directory of this test."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'db.sqlite3'}",
           "IMRSITE_INDEX_DIR": str(tmp_path / "index"), "PYTHONUNBUFFERED": "1"}
    (tmp_path / "db").mkdir()
    (tmp_path / "index").mkdir()
    _run(env, "migrate", "--noinput")
    write_corpus(tmp_path / "corpus", count=LETTERS, seed=41, profile=BENCHMARK)
    return env


def _manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def _run(env: dict[str, str], *args: str, status: int = 0) -> str:
    done = subprocess.run(_manage(*args), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == status, done.stdout + done.stderr
    return done.stdout + done.stderr


def _stored(env: dict[str, str]) -> tuple[int, int, int]:
    """Determinations, distinct source files among them, and those flagged indexed."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("SELECT COUNT(*), COUNT(DISTINCT source_name), SUM(indexed) "
                          "FROM cases_determination").fetchone()


def _assert_complete(env: dict[str, str]) -> None:
    """Every letter stored once and indexed once: check_index finds no drift."""
    count, distinct, indexed = _stored(env)
    assert count == distinct == indexed == LETTERS
    report = _run(env, "check_index", "--quiet")
    assert f"Checked {LETTERS} stored determinations" in report
    for kind in ("missing", "stale", "orphaned", "duplicated"):
        assert f"{kind}: 0 " in report


@pytest.mark.parametrize("kill_after", [10, 90, 200])
def test_import_killed_midway_rerun_finishes_without_duplicates(
        site: dict[str, str], tmp_path: Path, kill_after: int) -> None:
    """SIGKILL once ``kill_after`` letters are stored: before the first index commit, after
    one, and late; the re-run stores and indexes exactly what is missing."""
    command = _manage("import_determinations", str(tmp_path / "corpus"), "--quiet",
                      f"--batch-size={BATCH}", "--index-every=60")
    process = subprocess.Popen(command, cwd=ROOT, env=site, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if Path(site["DATABASE_URL"].removeprefix("sqlite:///")).exists():
                try:
                    if _stored(site)[0] >= kill_after:
                        break
                except sqlite3.OperationalError:  # tables not readable yet
                    pass
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    stored = _stored(site)[0]
    assert kill_after <= stored < LETTERS, "the import must be killed part-way"
    assert stored % BATCH == 0  # whole batches or none: the killed one rolled back

    again = _run(site, "import_determinations", str(tmp_path / "corpus"), "--quiet")
    assert f"{LETTERS - stored} new, 0 updated, {stored} unchanged, 0 failed" in again
    _assert_complete(site)


COUNT_ROWS = ('manage shell -c "from cases.models import Determination as D; '
              "print('rows stored:', D.objects.count())\"")


def _namespace_prefix() -> list[str]:
    """A private mount namespace to mount in, or skip saying why it is not available."""
    for prefix in (["unshare", "--mount", "--propagation", "private"],
                   ["unshare", "--user", "--map-root-user", "--mount", "--propagation",
                    "private"]):
        if shutil.which("unshare") and subprocess.run(
                [*prefix, "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", "/mnt"],
                capture_output=True).returncode == 0:
            return prefix
    pytest.skip("cannot mount in a private mount namespace here (unshare refused)")


def _in_namespace(env: dict[str, str], script: str) -> subprocess.CompletedProcess[str]:
    """Run a bash ``script`` in a private mount namespace; ``manage`` runs manage.py."""
    prelude = f'set -u\nexec 2>&1\nmanage() {{ "{sys.executable}" "{ROOT / "manage.py"}" "$@"; }}\n'
    return subprocess.run([*_namespace_prefix(), "bash", "-c", prelude + script], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)


def _rerun_and_check(corpus: Path) -> str:
    """Script lines: the import again (section "second"), then check_index ("check")."""
    return (f'echo "== second"\nmanage import_determinations "{corpus}" --quiet\n'
            'echo "exit $?"\necho "== check"\nmanage check_index --quiet\necho "exit $?"\n')


def _sections(output: str) -> dict[str, str]:
    """The script's output split at lines ``== name``: name -> the output that follows."""
    sections, name = {}, ""
    for line in output.splitlines():
        if line.startswith("== "):
            name = line[3:]
            sections[name] = ""
        elif name:
            sections[name] += line + "\n"
    return sections


def test_import_on_full_index_disk_stops_clearly_and_rerun_completes(
        site: dict[str, str], tmp_path: Path) -> None:
    """The index directory is a 2 MB tmpfs: the import fills it, stops with a clear error
    and the failing batch rolled back; given room (remounted larger), a re-run completes."""
    corpus, index = tmp_path / "corpus", site["IMRSITE_INDEX_DIR"]
    done = _in_namespace(site, f"""
mount -t tmpfs -o size=2m tmpfs "{index}"
echo "== first"
manage import_determinations "{corpus}" --quiet --batch-size={BATCH} --index-every=40
echo "exit $?"
{COUNT_ROWS}
mount -o remount,size=256m "{index}"
""" + _rerun_and_check(corpus))
    sections = _sections(done.stdout + done.stderr)
    assert "exit 2" in sections["first"], done.stdout + done.stderr
    first = sections["first"]
    assert "Import stopped: cannot write the search index: No space left on device" in first
    assert "the batch being written was rolled back; run the import again to finish" in first
    stored = int(first.split("rows stored: ")[1].split()[0])
    assert 0 < stored < LETTERS and stored % BATCH == 0
    assert "exit 0" in sections["second"] and "exit 0" in sections["check"], sections
    assert f"{LETTERS - stored} new, 0 updated, {stored} unchanged, 0 failed" in \
        sections["second"] + first
    assert f"Checked {LETTERS} stored determinations" in sections["check"]


def test_import_on_full_database_disk_stops_clearly_and_rerun_completes(
        site: dict[str, str], tmp_path: Path) -> None:
    """The database lives on a tmpfs just larger than it: SQLite reports the disk full, the
    batch is rolled back, the import stops (not one failure per letter); with room, the
    re-run completes and the index agrees."""
    database = Path(site["DATABASE_URL"].removeprefix("sqlite:///"))
    size_kb = database.stat().st_size // 1024 + 600
    corpus = tmp_path / "corpus"
    saved = tmp_path / "migrated.sqlite3"
    shutil.copy(database, saved)
    done = _in_namespace(site, f"""
mount -t tmpfs -o size={size_kb}k tmpfs "{database.parent}"
cp "{saved}" "{database}"
echo "== first"
manage import_determinations "{corpus}" --quiet --batch-size={BATCH}
echo "exit $?"
mount -o remount,size=256m "{database.parent}"
""" + _rerun_and_check(corpus))
    output = done.stdout + done.stderr
    sections = _sections(output)
    assert "exit 2" in sections["first"], output
    assert "the database refused the write: database or disk is full" in sections["first"]
    assert "FAILED" not in sections["first"]  # stopped, not a failure per letter
    assert "exit 0" in sections["second"] and "exit 0" in sections["check"], output
    assert f"Checked {LETTERS} stored determinations" in sections["check"]
    for kind in ("missing", "stale", "orphaned", "duplicated"):
        assert f"{kind}: 0 " in sections["check"]


def test_import_on_read_only_index_stops_clearly_and_rerun_completes(
        site: dict[str, str], tmp_path: Path) -> None:
    """A first import builds the index; the directory is then mounted read-only: the next
    import stops before storing anything; made writable, the re-run completes."""
    corpus, more, index = tmp_path / "corpus", tmp_path / "more", site["IMRSITE_INDEX_DIR"]
    more.mkdir()
    for path in sorted(corpus.glob("*.txt"))[: LETTERS // 2]:
        path.rename(more / path.name)
    _run(site, "import_determinations", str(corpus), "--quiet")
    # As on a read-only copy made without them: the arrays kept beside the segments are
    # read from the postings again, and cannot be kept.
    kept = list(Path(index, "current").resolve().glob(f"*{ARRAY_SUFFIX}"))
    assert kept
    for path in kept:
        path.unlink()
    done = _in_namespace(site, f"""
mount --bind "{index}" "{index}"
mount -o remount,bind,ro "{index}"
echo "== first"
manage import_determinations "{more}" --quiet --batch-size={BATCH}
echo "exit $?"
{COUNT_ROWS}
mount -o remount,bind,rw "{index}"
echo "== second"
manage import_determinations "{more}" --quiet
echo "exit $?"
""")
    output = done.stdout + done.stderr
    sections = _sections(output)
    assert "exit 2" in sections["first"], output
    assert "Import stopped: cannot write the search index: Read-only file system" in \
        sections["first"]
    assert f"rows stored: {LETTERS - LETTERS // 2}" in sections["first"]  # nothing new stored
    assert "exit 0" in sections["second"], output
    _assert_complete(site)
