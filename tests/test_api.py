"""The JSON API: shapes, errors as JSON, and agreement with the parser's own JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from cases.services import import_determinations
from tests.conftest import DATA, REAL_PDFS, need

pytestmark = pytest.mark.django_db

LETTERS = [DATA / "layout_2013.txt", DATA / "prose_mixed.txt"]


@pytest.fixture
def imported() -> None:
    import_determinations(paths=LETTERS)


def test_api_search_shape(client: Client, imported: None) -> None:
    response = client.get("/api/search", {"q": "norco", "outcome": "Partially overturned"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert {"total", "page", "pages", "results", "facets"} <= set(data)
    assert (data["total"], data["page"], data["pages"]) == (2, 1, 1)
    first = next(r for r in data["results"] if r["id"] == "CM13-0099001")
    assert {k: v for k, v in first.items()
            if k not in ("snippet", "snippet_text", "highlights")} == {
        "id": "CM13-0099001",
        "url": "http://testserver/cases/CM13-0099001/",
        "case_number": "CM13-0099001",
        "decision_date": "2013-12-27",
        "case_outcome": "Partially overturned",
        "specialties": ["Physical Medicine and Rehabilitation", "Pain Management"],
        "states_of_licensure": ["California", "Nevada"],
        "items": [
            {"item": 1, "treatment": "Norco 10/325mg #120", "category": "Pharmaceuticals",
             "subcategory": "opioids", "decision": "Upheld",
             "drugs": ["acetaminophen", "hydrocodone"],
             "body_regions": [], "quantity": {"value": 120, "unit": "count"},
             "matching": False},
            {"item": 2, "treatment": "physical therapy 2x6 for the lumbar spine",
             "category": "Rehabilitation", "subcategory": "physical therapy",
             "decision": "Overturned", "drugs": [], "body_regions": ["lumbar spine"],
             "quantity": {"value": 12, "unit": "sessions"}, "matching": False},
            {"item": 3, "treatment": "a TENS unit", "category": "DMEPOS",
             "subcategory": "TENS / stimulation unit", "decision": "Upheld", "drugs": [],
             "body_regions": [],
             "quantity": None, "matching": False},
        ],
        "matching_items": [],
    }
    assert "<mark" in first["snippet"]
    assert data["facets"]["outcome"] == [
        {"value": "Partially overturned", "count": 2, "selected": True}]
    assert set(data["facets"]) == {"outcome", "decision", "category", "treatment", "drug",
                                   "body_region", "imr_guideline", "guideline_section",
                                   "same_guideline", "reason", "specialty", "state",
                                   "guideline", "year", "sex", "age"}
    assert data["items_matching_only"] is False  # "norco" matched whole letters


def test_api_search_no_match_is_empty(client: Client, imported: None) -> None:
    data = client.get("/api/search", {"q": "acupuncture", "state": "Nevada"}).json()
    assert (data["total"], data["results"]) == (0, [])


@pytest.mark.parametrize(("params", "field"), [
    ({"page": "-1"}, "page"),
    ({"page": "abc"}, "page"),
    ({"q": "x" * 501}, "q"),
    ({"decided_to": "2016-99-01"}, "decided_to"),
    ({"injured_from": "2016-02-02", "injured_to": "2016-02-01"}, "injured_to"),
    ({"sort": "best"}, "sort"),
    ({"age": "y" * 201}, "age"),
])
def test_api_search_bad_parameters_are_400_json(client: Client, imported: None,
                                                params: dict, field: str) -> None:
    response = client.get("/api/search", params)
    assert response.status_code == 400
    data = response.json()
    assert list(data["fields"]) == [field]
    assert data["error"] == " ".join(data["fields"][field])


def test_api_search_query_error_is_400_json(client: Client, imported: None) -> None:
    response = client.get("/api/search", {"q": "a*"})
    assert response.status_code == 400
    assert response.json()["fields"]["q"][0].startswith("Type at least 2 letters")


def test_api_search_missing_index_is_503_json(client: Client, settings: object,
                                              tmp_path: Path, imported: None) -> None:
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "not-built")},
    }
    response = client.get("/api/search")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.json()["error"]


def test_api_search_before_any_import_is_empty(client: Client) -> None:
    response = client.get("/api/search")
    assert response.status_code == 200
    assert (response.json()["total"], response.json()["results"]) == (0, [])


def test_api_search_only_get(client: Client) -> None:
    assert client.post("/api/search").status_code == 405


@pytest.mark.parametrize("letter", LETTERS, ids=lambda p: p.name)
def test_api_determination_matches_parse_determination_json(client: Client, letter: Path,
                                                            imported: None) -> None:
    out = io.StringIO()
    call_command("parse_determination", str(letter), "--text", stdout=out)
    [parsed] = json.loads(out.getvalue())
    response = client.get(f"/api/cases/{parsed['id']}")
    assert response.status_code == 200
    stored = response.json()
    assert stored.pop("url") == f"http://testserver/cases/{parsed['id']}/"
    # Beside the parser's keys: the sections the case page shows, and the letter itself.
    sections = parsed.pop("sections")
    assert stored.pop("summary") == sections["summary"]
    assert stored.pop("credentials") == sections["credentials"]
    assert stored.pop("text") == letter.read_text()
    parsed.pop("text")
    assert stored == parsed


def test_api_determination_unknown_is_404_json(client: Client) -> None:
    response = client.get("/api/cases/CM00-0000000")
    assert response.status_code == 404
    assert response.json() == {"error": "No determination has the id 'CM00-0000000'."}


@pytest.mark.parametrize("public_id", ["%00", "CM16-0247255%00", "a%00b"])
def test_api_determination_id_with_nul_is_404_json(client: Client, public_id: str) -> None:
    # PostgreSQL refuses a NUL in a query: this was a 500 there.
    response = client.get(f"/api/cases/{public_id}")
    assert response.status_code == 404
    assert response.json()["error"].startswith("No determination has the id")


def test_api_real_letters_facet_counts_are_the_totals_they_lead_to(client: Client) -> None:
    """On the real letters: ticking any facet value finds exactly as many as it promised."""
    import_determinations(paths=[need(REAL_PDFS)], jobs=4)
    base = {"q": "therapy"}
    data = client.get("/api/search", base).json()
    assert data["total"] > 20
    checked = 0
    for facet, values in data["facets"].items():
        for value in values[:3]:
            narrowed = client.get("/api/search", {**base, facet: value["value"]}).json()
            assert narrowed["total"] == value["count"], (facet, value)
            assert len(narrowed["results"]) == min(20, value["count"])
            checked += 1
    assert checked >= 20
    # And through the page: the same URL with htmx is a partial with that count.
    value = data["facets"]["specialty"][0]
    page = client.get("/", {**base, "specialty": value["value"]}, headers={"HX-Request": "true"})
    assert f"{value['count']} determination".encode() in page.content


def test_api_determination_in_another_case_is_the_same(client: Client, imported: None) -> None:
    expected = client.get("/api/cases/CM13-0099001").json()
    for address in ("/api/cases/cm13-0099001", "/api/cases/CM13-0099001/",
                    "/api/cases/cm13-0099001/"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert response.json() == expected
    letter_id = next(r["id"] for r in client.get("/api/search").json()["results"]
                     if r["id"].startswith("imr-"))
    assert client.get(f"/api/cases/{letter_id.upper()}").json()["id"] == letter_id


@pytest.mark.parametrize("address", ["/api/cases/CM00-0000000/", "/api/nothing", "/api/",
                                     "/api/cases/CM13-0099001/items", "/api/search/",
                                     "/api/cases/"])
def test_api_unknown_addresses_are_json_404(client: Client, imported: None,
                                            address: str) -> None:
    response = client.get(address)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error.startswith("No determination has the id") or (
        f"There is no API address {address!r}; the API answers at /api/search, "
        "/api/cases/<id>, /api/like, /api/telling." == error)


def test_api_determination_has_the_summary_credentials_and_letter(client: Client,
                                                                  imported: None) -> None:
    from cases.models import Determination

    for stored in Determination.objects.all():
        data = client.get(f"/api/cases/{stored.public_id}").json()
        assert data["summary"] == stored.summary and data["summary"]
        assert data["credentials"] == stored.credentials
        assert data["text"] == stored.original_text and len(data["text"]) > 500
