"""The items a search is about come first on its result card, marked, and the case page
opened from it marks them and opens at the first (issue 17, item 5)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cases.services import import_determinations
from tests.conftest import DATA

pytestmark = pytest.mark.django_db

CASE = "CM13-0099001"  # layout_2013.txt: 1 Norco (Upheld), 2 physical therapy (Overturned),
#                        3 a TENS unit (Upheld)


@pytest.fixture
def imported() -> None:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])


@pytest.mark.parametrize(("params", "first", "marked"), [
    ({"q": "TENS"}, 3, [3]),
    ({"q": "hydrocodone"}, 1, [1]),  # the generic names the Norco item
    ({"decision": "Overturned"}, 2, [2]),
    ({"q": "unit", "decision": "Upheld"}, 3, [3]),
])
def test_result_card_lists_the_matching_items_first(client: Client, imported: None,
                                                     params: dict, first: int,
                                                     marked: list[int]) -> None:
    html = client.get("/", params).content.decode()
    assert re.search(rf'href="/cases/{CASE}/\?[^"]*#item-{first}"', html), html
    row = next(r for r in client.get("/", params).context["rows"]
               if r["title"] == CASE)
    assert row["items"][0]["position"] == first
    assert [i["position"] for i in row["items"] if i["matched"]] == marked
    assert html.count("matches your search") >= len(marked)


def test_a_search_of_no_item_marks_none(client: Client, imported: None) -> None:
    row = next(r for r in client.get("/", {"q": "walks"}).context["rows"]
               if r["title"] == CASE)  # a word of the summary only
    assert [i["position"] for i in row["items"]] == [1, 2, 3]
    assert not any(i["matched"] for i in row["items"]) and "#item-" not in row["url"]


def test_case_page_marks_the_items_the_search_is_about(client: Client, imported: None) -> None:
    html = client.get(f"/cases/{CASE}/", {"q": "TENS"}).content.decode()
    assert html.count('class="item is-match"') == 1
    assert 'class="item is-match" id="item-3"' in html
    assert html.count('<tr class="is-match">') == 1
    bare = client.get(f"/cases/{CASE}/").content.decode()
    assert "is-match" not in bare and "matches your search" not in bare
