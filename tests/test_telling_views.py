"""What tells a search's overturned items from its upheld ones, as a page, as the section
the cases-like-mine page loads after its neighbours, and as JSON (views/telling.py)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from cases.forms import query_string
from cases.search.base import SearchQuery
from cases.selectors.telling import telling_terms
from tests.conftest import BAD_PARAMETERS

pytestmark = pytest.mark.django_db
ARCHIVE = (300, 29)  # the real letters and a few hundred generated ones
PHYSICAL_THERAPY = SearchQuery(filters={"category": ("Rehabilitation",),
                                        "treatment": ("physical therapy",)})
STATE = query_string(PHYSICAL_THERAPY)
PASTE = ("Request for 12 sessions of physical therapy for the lumbar spine is not medically "
         "necessary as there is no documentation of functional improvement from prior therapy.")


def test_the_like_page_asks_each_request_what_tells_its_neighbours_apart(
        client: Client, served: object) -> None:
    page = client.get("/like/?" + urlencode({"request": PASTE, "text": PASTE}))
    (row,) = page.context["requests"]
    assert row["telling_url"] == "/telling/?" + row["search_url"].split("?", 1)[1]
    html = page.content.decode()
    # htmx loads it once the page is shown; without JavaScript it is a link to the page.
    assert f'hx-get="{row["telling_url"]}"'.replace("&", "&amp;") in html
    assert f'href="{row["telling_url"]}"'.replace("&", "&amp;") in html
    section = client.get(row["telling_url"], headers={"HX-Request": "true"})
    assert section.status_code == 200 and section["Vary"].count("HX-Request")
    assert "<html" not in section.content.decode()
    assert "What tells them apart" in section.content.decode()
    # … with a link to the same answer as a page of its own (to share it).
    assert f'href="{row["telling_url"]}"'.replace("&", "&amp;") in section.content.decode()


def test_the_page_and_the_json_give_the_selectors_terms(client: Client, served: object) -> None:
    expected = telling_terms(PHYSICAL_THERAPY)
    assert expected.overturned or expected.upheld  # the archive has terms to show
    body = client.get(f"/api/telling?{STATE}").json()
    assert [t["term"] for t in body["overturned"]] == [t.text for t in expected.overturned]
    assert [t["term"] for t in body["upheld"]] == [t.text for t in expected.upheld]
    assert body["items"] == {"overturned": expected.items[0], "upheld": expected.items[1]}
    assert body["limited"] == expected.limited and body["read"] == sum(expected.items)
    page = client.get(f"/telling/?{STATE}")
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>" in html and "Back to the search" in html
    for term in body["overturned"] + body["upheld"]:
        assert f">{term['term']}</a>" in html
    # Each term opens the items of its side that use it: the search finds some.
    for side, decision in (("overturned", "Overturned"), ("upheld", "Upheld")):
        for term in body[side][:2]:
            state = term["url"].split("?", 1)[1]
            assert f"decision={decision}" in state
            assert client.get(f"/api/search?{state}").json()["total"] > 0


def test_a_search_with_no_item_says_so(client: Client, served: object) -> None:
    page = client.get("/telling/?q=zzqqxx")
    assert page.status_code == 200 and "No decided item matches" in page.content.decode()
    assert client.get("/api/telling?q=zzqqxx").json()["read"] == 0


@pytest.mark.parametrize(("params", "message"), BAD_PARAMETERS)
def test_bad_parameters_get_a_message(client: Client, served: object,
                                      params: dict[str, str], message: str) -> None:
    page = client.get("/telling/", params)
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get("/api/telling", params)
    assert api.status_code == 400 and message in api.json()["error"] and api.json()["fields"]
