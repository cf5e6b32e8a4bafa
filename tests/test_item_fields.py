"""The treatment fields of each disputed item (drugs, body regions, side, quantity) travel from
the parser to the database, the case page, the API, the exports and the admin; a re-parse
fills letters an older parser stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from cases.models import Determination, DisputedItem
from cases.parsing import PARSER_VERSION, parse_file
from cases.services import import_determinations
from tests.conftest import DATA, REAL_TEXTS, need

pytestmark = pytest.mark.django_db

CASE = "CM13-0099001"  # layout_2013.txt: Norco #120, physical therapy 2x6 lumbar, a TENS unit
EXPECTED = [
    {"drugs": ["acetaminophen", "hydrocodone"], "body_regions": [], "laterality": None,
     "quantity": {"value": 120, "unit": "count"}},
    {"drugs": [], "body_regions": ["lumbar spine"], "laterality": None,
     "quantity": {"value": 12, "unit": "sessions"}},
    {"drugs": [], "body_regions": [], "laterality": None, "quantity": None},
]
FIELDS = ("drugs", "body_regions", "laterality", "quantity")


@pytest.fixture
def imported() -> None:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])


def _stored(public_id: str) -> list[dict[str, object]]:
    return [{"drugs": i.drugs, "body_regions": i.body_regions,
             "laterality": i.laterality or None, "quantity": i.quantity}
            for i in Determination.objects.get(public_id=public_id).items.all()]


def test_the_parser_json_has_the_four_keys_on_each_item() -> None:
    out = io.StringIO()
    call_command("parse_determination", str(DATA / "layout_2013.txt"), stdout=out)
    items = json.loads(out.getvalue())[0]["items"]
    assert [{key: item[key] for key in FIELDS} for item in items] == EXPECTED


def test_stored_items_hold_what_the_parser_read(imported: None) -> None:
    assert _stored(CASE) == EXPECTED
    for path in sorted(need(REAL_TEXTS).glob("*.txt"))[:20]:
        parsed = parse_file(path)
        import_determinations(paths=[path], index=False)
        assert _stored(parsed.public_id) == [
            {"drugs": list(i.drugs), "body_regions": list(i.body_regions),
             "laterality": i.laterality,
             "quantity": {"value": i.quantity.value, "unit": i.quantity.unit}
             if i.quantity else None} for i in parsed.items], path.name


def test_api_case_items_carry_the_fields(client: Client, imported: None) -> None:
    items = client.get(f"/api/cases/{CASE}").json()["items"]
    assert [{key: item[key] for key in FIELDS} for item in items] == EXPECTED


def test_case_page_shows_the_fields_of_each_item(client: Client, imported: None) -> None:
    page = client.get(f"/cases/{CASE}/").content.decode()
    assert "<dt>Drugs</dt><dd>acetaminophen, hydrocodone</dd>" in page
    assert "<dt>Requested</dt><dd>#120</dd>" in page
    assert "<dt>Body region</dt><dd>lumbar spine</dd>" in page
    assert "<dt>Requested</dt><dd>12 sessions</dd>" in page
    assert page.count('class="item-facts"') == 2  # the TENS unit states none


def test_exports_carry_the_fields(client: Client, imported: None) -> None:
    rows = list(csv.DictReader(io.StringIO(b"".join(
        client.get("/export.csv", {"q": CASE}).streaming_content).decode())))
    norco = next(row for row in rows if row["case_id"] == CASE and row["item"] == "1")
    assert (norco["drugs"], norco["body_regions"], norco["laterality"],
            norco["quantity_value"], norco["quantity_unit"]) == (
        "acetaminophen; hydrocodone", "", "", "120", "count")
    data = json.loads(b"".join(client.get("/export.json", {"q": CASE}).streaming_content))
    therapy = next(obj for obj in data if obj["case_id"] == CASE and obj["item"] == 2)
    assert (therapy["drugs"], therapy["body_regions"], therapy["quantity_value"],
            therapy["quantity_unit"]) == ([], ["lumbar spine"], 12, "sessions")


def test_admin_shows_the_fields(client: Client, imported: None) -> None:
    User.objects.create_superuser("reviewer", "r@example.com", "a long password here")
    assert client.login(username="reviewer", password="a long password here")
    page = client.get("/admin/cases/disputeditem/", {"quantity_unit__exact": "count"})
    assert page.status_code == 200
    assert "Norco 10/325mg #120" in page.content.decode()
    assert "physical therapy 2x6" not in page.content.decode()


def test_reparse_command_fills_letters_of_an_older_parser(imported: None) -> None:
    # As a letter stored before the fields existed: its items empty, an older version.
    DisputedItem.objects.filter(determination__public_id=CASE).update(
        drugs=[], body_regions=[], laterality="", quantity_value=None, quantity_unit="")
    Determination.objects.filter(public_id=CASE).update(parser_version=PARSER_VERSION - 1)
    out = io.StringIO()
    call_command("reparse_determinations", stdout=out)
    assert "Re-parsed 1 of 1 letters (1 re-indexed)" in out.getvalue()
    assert _stored(CASE) == EXPECTED
    assert Determination.objects.get(public_id=CASE).parser_version == PARSER_VERSION
    out = io.StringIO()
    call_command("reparse_determinations", stdout=out)  # nothing older is left
    assert "Re-parsed 0 of 0 letters" in out.getvalue()


def test_reparse_command_reports_a_letter_that_no_longer_parses(imported: None) -> None:
    Determination.objects.filter(public_id=CASE).update(original_text="not a letter")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 letter"):
        call_command("reparse_determinations", "--all", stdout=out)
    assert f"not re-parsed: {CASE}" in out.getvalue()
    assert _stored(CASE) == EXPECTED  # left as it was



def test_reparse_command_after_an_upgrade_that_needs_a_rebuild(imported: None,
                                                               _index_in_tmp: Path) -> None:
    """An index of other terms (analyzers of an older version) cannot be written: the
    letters are still re-parsed and stored, and the command says to rebuild the index."""
    from whoosh import index

    from cases.search.whoosh_backend.schema import build_schema

    old = _index_in_tmp / "gen-0-old"
    old.mkdir()
    schema = build_schema()
    for _name, field in schema.items():
        if hasattr(getattr(field, "analyzer", None), "version"):
            del field.analyzer.version
    index.create_in(str(old), schema)
    (_index_in_tmp / "current").unlink()
    (_index_in_tmp / "current").symlink_to(old.name)
    DisputedItem.objects.filter(determination__public_id=CASE).update(drugs=[])
    Determination.objects.filter(public_id=CASE).update(parser_version=PARSER_VERSION - 1)
    out = io.StringIO()
    with pytest.raises(CommandError, match="run `python manage.py rebuild_index`"):
        call_command("reparse_determinations", stdout=out)
    assert "Re-parsed 1 of 1 letters (0 re-indexed)" in out.getvalue()
    assert "could not be written" in out.getvalue()
    assert _stored(CASE) == EXPECTED
    call_command("rebuild_index", "--quiet", stdout=io.StringIO())
    call_command("check_index", "--quiet", stdout=io.StringIO())  # the index agrees again
