"""A short run of the benchmark: ours and the FTS5 and Tantivy references agree on every
count, and the search page and the API answer every request through gunicorn."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT


def test_bench_short_run_agrees_with_fts5_and_tantivy_references(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--count", "2000", "--repeat", "1",
         "--jobs", "2", "--http-seconds", "3", "--http-threads", "1,2",
         # The bare indexing is timed on a part: its rate per letter needs no more.
         "--bare-letters", "500",
         "--work-dir", str(tmp_path / "work"), "--json", str(report_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["count"] == 2000
    assert report["disagreements"] == []
    assert len(report["searches"]) == 28  # 7 classes x (0, 1 and 3 filters, item filters)
    # Each class measures what its name says: the common word is in most letters, the rare
    # word in a few but not none.
    hits = {label: row["hits"] for label, row in report["searches"].items()}
    assert hits["common word + 0 filters"] > 1000
    assert 0 < hits["rare word + 0 filters"] < 40
    assert hits["match-all + 0 filters"] == 2000
    # The item-level filters (one body region and at least 7 sessions, on the same item)
    # find letters for most classes: the agreement on their counts is about something.
    item_rows = [n for label, n in hits.items() if label.endswith(" + item filters")]
    assert len(item_rows) == 7
    assert 0 < hits["match-all + item filters"] < 2000
    assert sum(n > 0 for n in item_rows) >= 4
    assert all(row["ours_median_ms"] > 0 and row["fts5_median_ms"] > 0
               and row["tantivy_median_ms"] > 0 for row in report["searches"].values())
    # The Tantivy column and its ratio are printed on every row, and its build is recorded.
    rows = [line for line in result.stdout.splitlines() if " hits " in line]
    assert len(rows) == 28 and all(" tantivy " in r and " ours/tantivy " in r for r in rows)
    # … and the engine alone (no snippets, as Tantivy's column), which costs less than ours.
    assert all(" engine/tantivy " in r for r in rows)
    assert all(row["engine_median_ms"] > 0 and row["engine_vs_tantivy_median"] > 0
               for row in report["searches"].values())
    assert (sum(row["engine_median_ms"] for row in report["searches"].values())
            < sum(row["ours_median_ms"] for row in report["searches"].values()))
    assert report["figures"]["tantivy_build_s"] > 0
    assert report["figures"]["import_letters_per_s"] > 0
    # Cases like mine answered each of its pasted texts (timed; the figures are printed).
    figures = report["figures"]
    assert figures["like_texts"] == 20 and figures["like_chars"] >= 1000
    assert 0 < figures["like_median_ms"] <= figures["like_p95_ms"]
    assert "cases like mine, 20 pasted texts" in result.stdout
    # … and what tells each request's neighbours apart, timed apart (the page loads it after).
    assert figures["telling_requests"] >= 20
    assert 0 < figures["telling_median_ms"] <= figures["telling_p95_ms"]
    assert "what tells them apart, loaded after" in result.stdout
    http = report["http"]
    assert http["page"]["requests"] > 0 and http["api"]["requests"] > 0
    assert http["page"]["errors"] == 0 and http["api"]["errors"] == 0
    assert http["worker_peak_rss_mb"] > 0
    assert set(http["page_vs_in_process"]) == set(report["searches"])
    # Both worker models ran, and are printed side by side.
    assert [(run["workers"], run["threads"]) for run in report["http_runs"]] == [(2, 1), (2, 2)]
    assert all(run[kind]["errors"] == 0 for run in report["http_runs"]
               for kind in ("page", "api", "pages_only"))
    # After the mix, the page alone: its own throughput, printed beside the mix's.
    assert all(run["pages_only"]["requests"] > 0 for run in report["http_runs"])
    assert "(then the page alone, as long)" in result.stdout
    assert "2 gthread workers x 2 threads" in result.stdout


def _bench(work: Path, *extra: str) -> list[str]:
    return [sys.executable, "manage.py", "bench", "--count", "2000", "--repeat", "1",
            "--jobs", "2", "--http-seconds", "0", "--work-dir", str(work), *extra]


def _stored(database: Path) -> int:
    try:
        with sqlite3.connect(database, timeout=5) as db:
            return db.execute("SELECT count(*) FROM cases_determination").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def test_bench_killed_during_the_import_resumes_where_it_stopped(tmp_path: Path) -> None:
    """A run killed mid-import keeps what it stored and the time it spent; ``--resume``
    goes on from there and ends with the same agreement as a run in one sitting."""
    work = tmp_path / "work"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    run = subprocess.Popen(_bench(work), cwd=ROOT, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    progress = work / "progress.json"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and run.poll() is None:
            state = json.loads(progress.read_text()) if progress.exists() else {}
            if state.get("seconds", {}).get("import", 0) > 0 and _stored(work / "bench.sqlite3"):
                break
            time.sleep(0.2)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    killed = json.loads(progress.read_text())
    assert "import" not in killed["done"], "the run ended its import before it was killed"
    stored_at_kill = _stored(work / "bench.sqlite3")
    assert 0 < stored_at_kill < 2000

    result = subprocess.run(_bench(work, "--resume", "--json", str(tmp_path / "r.json"),
                                   "--bare-letters", "500"),
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "resuming the run" in result.stdout and "done: corpus" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["disagreements"] == [] and len(report["searches"]) == 28
    assert report["figures"]["sittings"] == 2
    assert report["figures"]["bare_letters"] == 500  # the rate of a part, per letter
    assert _stored(work / "bench.sqlite3") == 2000
    resumed = json.loads(progress.read_text())
    assert resumed["done"] == ["corpus", "import", "bare", "fts5", "tantivy", "searches"]
    assert resumed["seconds"]["import"] > killed["seconds"]["import"]
    assert report["figures"]["import_letters_per_s"] == round(
        2000 / resumed["seconds"]["import"], 1)


def test_bench_resume_refuses_another_run(tmp_path: Path) -> None:
    work = tmp_path / "work"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    first = subprocess.run(_bench(work, "--stop-after", "corpus"), cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    assert json.loads((work / "progress.json").read_text())["done"] == ["corpus"]
    other = subprocess.run([*_bench(work, "--resume"), "--count", "3000"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert other.returncode == 1
    assert "holds a run of 2000 letters with seed 2024" in other.stderr
