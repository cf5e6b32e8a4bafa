"""Management commands, called in-process and as a new user would run them."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Determination
from tests.conftest import DATA, REAL_PDFS, ROOT, SEEDS, need

PARSE_KEYS = {
    "source", "case_number", "decision_date", "date_of_injury", "date_assigned",
    "ur_denial_date", "application_received", "priority", "states_of_licensure", "specialties",
    "patient_age", "patient_sex", "items", "case_outcome", "guidelines_cited", "warnings", "error",
}
ITEM_KEYS = {"treatment", "decision", "category", "claims_administrator_guideline",
             "maximus_guideline", "rationale"}


def test_parse_determination_prints_json_list_for_text_and_pdf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    out = io.StringIO()
    call_command("parse_determination", str(need(REAL_PDFS) / "CM16-0213037.pdf"),
                 str(DATA / "layout_2013.txt"), str(bad), stdout=out)
    results = json.loads(out.getvalue())
    assert [r["source"] for r in results] == ["CM16-0213037.pdf", "layout_2013.txt", "bad.txt"]
    assert all(set(r) >= PARSE_KEYS for r in results)
    pdf = results[0]
    assert pdf["case_number"] == "CM16-0213037"
    assert pdf["decision_date"] == "2016-12-09"
    assert pdf["states_of_licensure"] == ["California", "North Carolina"]
    assert pdf["error"] is None
    assert set(pdf["items"][0]) >= ITEM_KEYS
    assert [i["decision"] for i in pdf["items"]] == ["Upheld", "Upheld"]
    assert results[2]["error"] == "binary data, not text"
    assert results[2]["items"] == []


@pytest.mark.django_db
def test_import_command_reports_failures_and_exits_1(tmp_path: Path) -> None:
    shutil.copy(DATA / "layout_2013.txt", tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_determinations", str(tmp_path), stdout=out, stderr=err)
    assert failure.value.returncode == 1
    assert f"FAILED {tmp_path / 'empty.txt'}: empty file" in err.getvalue()
    assert "1 new, 0 updated, 0 unchanged, 1 failed; 1 indexed." in out.getvalue()
    assert Determination.objects.filter(public_id="CM13-0099001").exists()


@pytest.mark.django_db
def test_import_command_rejects_bad_batch_size() -> None:
    with pytest.raises(CommandError, match="must be at least 1"):
        call_command("import_determinations", str(DATA), batch_size=0)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_commands_run_as_processes_with_exit_status(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "IMRSITE_INDEX_DIR": str(tmp_path / "index")}
    assert _manage("migrate", "--noinput", env=env).returncode == 0
    first = _manage("import_determinations", str(need(SEEDS)), env=env)
    assert first.returncode == 0, first.stderr
    assert "5 new, 0 updated, 0 unchanged, 0 failed; 5 indexed." in first.stdout
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    again = _manage("import_determinations", str(SEEDS), str(tmp_path / "bad.pdf"), env=env)
    assert again.returncode == 1
    assert "0 new, 0 updated, 5 unchanged, 1 failed; 0 indexed." in again.stdout
    assert "bad.pdf: broken PDF" in again.stderr


def test_settings_refuse_production_without_secret_key(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY when DJANGO_DEBUG=0." in result.stderr
    env["DJANGO_SECRET_KEY"] = "x" * 50
    assert _manage("check", env=env).returncode == 0


@pytest.mark.django_db
def test_bench_search_times_every_typical_query() -> None:
    from cases.services import import_determinations

    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])
    out = io.StringIO()
    call_command("bench_search", repeat=2, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2 determinations indexed")
    assert len(lines) == 10
    assert all("median" in line and "p95" in line for line in lines[1:])


@pytest.mark.django_db
def test_rebuild_index_command_reports_count() -> None:
    from cases.services import import_determinations

    import_determinations(paths=[DATA / "layout_2013.txt"], index=False)
    out = io.StringIO()
    call_command("rebuild_index", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("indexed 1/1 determinations (100%), ")
    assert lines[-1].startswith("Indexed 1 determinations in ")


@pytest.mark.django_db
@pytest.mark.parametrize("quiet", [{"quiet": True}, {"verbosity": 0}])
def test_rebuild_index_quiet_prints_only_the_summary(quiet: dict[str, object]) -> None:
    from cases.services import import_determinations

    import_determinations(paths=[DATA / "layout_2013.txt"], index=False)
    out = io.StringIO()
    call_command("rebuild_index", stdout=out, jobs=2, **quiet)
    [line] = out.getvalue().splitlines()
    assert line.startswith("Indexed 1 determinations in ")


@pytest.mark.django_db
def test_import_command_prints_progress_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    call_command("import_determinations", str(DATA / "layout_2013.txt"),
                 str(DATA / "prose_mixed.txt"), stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines[:2]] == [
        "imported 1/2 files (50%)", "imported 2/2 files (100%)"]
    assert lines[0].endswith(" files/s")
    assert lines[2].startswith("Imported 2 files in ")
    assert len(lines) == 3


@pytest.mark.django_db
def test_import_command_quiet_prints_only_the_summary() -> None:
    out = io.StringIO()
    call_command("import_determinations", str(DATA / "layout_2013.txt"), quiet=True, stdout=out)
    [line] = out.getvalue().splitlines()
    assert line.startswith("Imported ")
