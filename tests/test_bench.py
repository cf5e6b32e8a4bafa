"""A short run of the benchmark: ours and the FTS5 reference agree on every count, and the
search page and the API answer every request through gunicorn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_bench_short_run_agrees_with_fts5_reference(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--count", "2000", "--repeat", "1",
         "--jobs", "2", "--http-seconds", "3", "--work-dir", str(tmp_path / "work"),
         "--json", str(report_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["count"] == 2000
    assert report["disagreements"] == []
    assert len(report["searches"]) == 21
    assert all(row["ours_median_ms"] > 0 and row["fts5_median_ms"] > 0
               for row in report["searches"].values())
    assert report["figures"]["import_letters_per_s"] > 0
    http = report["http"]
    assert http["page"]["requests"] > 0 and http["api"]["requests"] > 0
    assert http["page"]["errors"] == 0 and http["api"]["errors"] == 0
    assert http["worker_peak_rss_mb"] > 0
    assert set(http["page_vs_in_process"]) == set(report["searches"])
