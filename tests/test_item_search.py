"""The users' own question, asked through the site: drugs, body regions, a quantity range and
typed treatment: clauses, all about the same disputed item, on the page, the API, the
outcome view and the exports; each count checked against the stored items (issue 17)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from cases.models import Determination, DisputedItem
from tests.backend_contract import heading_words

pytestmark = pytest.mark.django_db
ARCHIVE = (600, 41)


def _stored() -> list[tuple[Determination, list[DisputedItem]]]:
    return [(d, list(d.items.all())) for d in Determination.objects.prefetch_related("items")]


def _massage_over_6(item: DisputedItem) -> bool:
    return ("massag" in heading_words(item.treatment) and item.quantity_unit == "sessions"
            and item.quantity_value is not None and item.quantity_value >= 7)


def _split(response_json: dict) -> tuple[int, int]:
    return response_json["items_upheld"], response_json["items_overturned"]


def test_more_than_six_massage_sessions_counts_the_same_item(client: Client,
                                                             served: object) -> None:
    """"Requests for more than 6 sessions of massage, how many overturned?" """
    params = {"q": "treatment:massage", "quantity_unit": "sessions", "quantity_min": "7"}
    found = client.get("/api/search", params).json()
    items = [(d, i) for d, its in _stored() for i in its if _massage_over_6(i)]
    assert items, "the generated letters request massage beyond six sessions"
    assert found["total"] == len({d.pk for d, _ in items})
    assert found["items_matching_only"] is True
    assert _split(found) == (sum(i.decision == "Upheld" for _, i in items),
                             sum(i.decision == "Overturned" for _, i in items))
    # A letter with massage for 6 sessions and physical therapy for 12 is not among them.
    mixed = [d for d, its in _stored() if not any(_massage_over_6(i) for i in its)
             and any("massag" in heading_words(i.treatment) for i in its)
             and any((i.quantity_value or 0) >= 7 and i.quantity_unit == "sessions"
                     for i in its)]
    assert mixed and not {d.public_id for d in mixed} & {r["id"] for r in found["results"]}
    for result in found["results"]:
        matching = [i for i in result["items"] if i["matching"]]
        assert matching and [i["item"] for i in matching] == result["matching_items"]
        assert all(i["quantity"]["unit"] == "sessions" and i["quantity"]["value"] >= 7
                   for i in matching)


def test_drug_and_body_region_facets_count_letters_with_such_an_item(client: Client,
                                                                     served: object) -> None:
    found = client.get("/api/search", {"drug": "hydrocodone"}).json()
    stored = _stored()
    expected = {d.public_id for d, its in stored if any("hydrocodone" in i.drugs for i in its)}
    assert found["total"] == len(expected) > 0
    regions = {v["value"]: v["count"] for v in found["facets"]["body_region"]}
    counted = Counter(r for d, its in stored for r in
                      {r for i in its if "hydrocodone" in i.drugs for r in i.body_regions})
    assert regions == dict(counted)
    # Without a selection of its own, the drug facet counts every letter naming each drug.
    drugs = {v["value"]: v["count"] for v in found["facets"]["drug"]}
    assert drugs["hydrocodone"] == len(expected)
    assert drugs == dict(Counter(g for d, its in stored for g in {g for i in its
                                                                   for g in i.drugs}))


def test_the_search_page_shows_and_keeps_the_quantity_range(client: Client,
                                                            served: object) -> None:
    params = {"treatment": "massage", "quantity_unit": "sessions", "quantity_min": "7"}
    response = client.get("/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="quantity_min"' in html and 'value="7"' in html
    chip = next(c for c in response.context["active_filters"]
                if c["facet"] == "Requested quantity")
    assert chip["label"] == "7 or more sessions"
    assert dict(parse_qsl(urlsplit(chip["remove_url"]).query)) == {"treatment": "massage"}
    # Every link of the page keeps the range: a facet value, a page, the outcome view.
    link = response.context["facets"][0]["values"][0]["toggle_url"]
    assert ("quantity_min", "7") in parse_qsl(urlsplit(link).query)
    assert "quantity_unit=sessions" in html.split('id="outcomes-link"')[1][:300]
    assert "matching the item conditions" in response.context["split"]["scope"]


@pytest.mark.parametrize(("params", "message"), [
    ({"quantity_min": "many"}, "must be a number from 0 to 100,000"),
    ({"quantity_min": "-1"}, "must be a number from 0 to 100,000"),
    ({"quantity_min": "12", "quantity_max": "6"}, "The quantity range ends (6) below"),
    ({"quantity_unit": "pills"}, "Give the unit of the quantity as one of: sessions, count"),
])
def test_a_bad_quantity_is_explained(client: Client, served: object, params: dict,
                                     message: str) -> None:
    page = client.get("/", params)
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get("/api/search", params)
    assert api.status_code == 400 and message in str(api.json())


def test_plain_words_offer_the_item_level_search(client: Client, served: object) -> None:
    """Plain words match whole letters; the page says so and offers the item-level search,
    whose counts it asks for once shown (they cost a second search)."""
    response = client.get("/", {"q": "norco OR hydrocodone OR tramadol"})
    split, offer = response.context["split"], response.context["offer"]
    assert split["scope"].startswith("all ") and "whichever item" in split["scope"]
    assert offer["words"] == "norco, hydrocodone or tramadol" and "counted" not in offer
    html = response.content.decode()
    assert f'hx-get="{response.context["offer_count_url"]}"' in html.replace("&amp;", "&")
    counted = client.get(response.context["offer_count_url"])
    line = counted.content.decode()
    assert counted.status_code == 200 and "Count only the items whose treatment" in line
    narrowed = client.get(offer["url"])
    results = narrowed.context["results"]
    assert results.items_matching_only
    items = results.items_upheld + results.items_overturned
    assert f"{items:,} disputed items in {results.total:,} determinations" in line
    assert items < split["total"]
    # Each counted item names one of the drugs, by any name.
    found = client.get("/api/search" + offer["url"][offer["url"].index("?"):]).json()
    for result in found["results"]:
        for item in result["items"]:
            if item["matching"]:
                words = heading_words(item["treatment"])
                assert {"norco", "hydrocodon", "tramadol"} & words or \
                    {"hydrocodone", "tramadol"} & set(item["drugs"]), item
    # Field words, or an item-level search, are offered nothing.
    assert client.get("/", {"q": "treatment:norco"}).context["offer"] is None
    assert client.get("/offer/", {"q": "treatment:norco"}).status_code == 204


def test_outcome_view_by_drug_region_and_quantity_band(client: Client, served: object) -> None:
    response = client.get("/outcomes/", {"category": "Rehabilitation"})
    report = response.context["report"]
    groups = {g.name: g for g in report.groups}
    bands = groups["quantity-sessions"].rates
    assert [r.label for r in bands] == [label for label in (
        "1–6 sessions", "7–12 sessions", "13–18 sessions", "19–24 sessions", "over 24 sessions")
        if label in {r.label for r in bands}]
    stored = [i for _, its in _stored() for i in its if i.category == "Rehabilitation"
              and i.decision in ("Upheld", "Overturned")]
    in_band = [i for i in stored if i.quantity_unit == "sessions"
               and i.quantity_value is not None and 7 <= i.quantity_value <= 12]
    seven = next(r for r in bands if r.label == "7–12 sessions")
    assert (seven.n, seven.overturned) == (len(in_band),
                                          sum(i.decision == "Overturned" for i in in_band))
    # The band's link is the search for that range, on the same item: its split agrees.
    linked = client.get("/api/search" + seven.url[seven.url.index("?"):]).json()
    assert linked["items_upheld"] + linked["items_overturned"] == seven.n
    regions = {r.label: r.n for r in groups["body_region"].rates}
    assert regions == dict(Counter(r for i in stored for r in i.body_regions))
    html = response.content.decode()
    assert "By requested sessions" in html and "By body region" in html


def test_export_rows_are_the_counted_items(client: Client, served: object) -> None:
    params = {"q": "treatment:therapy", "quantity_unit": "sessions", "quantity_max": "6",
              "decision": "Upheld"}
    body = b"".join(client.get("/export.csv", params).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    expected = {(d.public_id, i.position) for d, its in _stored() for i in its
                if "therapi" in heading_words(i.treatment) and i.decision == "Upheld"
                and i.quantity_unit == "sessions" and i.quantity_value is not None
                and i.quantity_value <= 6}
    assert expected and {(r["case_id"], int(r["item"])) for r in rows} == expected
    found = client.get("/api/search", params).json()
    assert found["items_upheld"] == len(rows)


def test_case_page_marks_the_item_the_conditions_found(client: Client, served: object) -> None:
    determination, item = next(
        (d, i) for d, its in _stored() for i in its[1:] if _massage_over_6(i)
        and not any(_massage_over_6(j) for j in its if j != i))
    params = {"q": "treatment:massage", "quantity_unit": "sessions", "quantity_min": "7"}
    response = client.get(determination.get_absolute_url(), params)
    assert response.context["matched"] == {item.position}
    html = response.content.decode()
    assert re.search(rf'id="item-{item.position}"[^>]*class="[^"]*is-match', html) or \
        re.search(rf'class="[^"]*is-match[^"]*"[^>]*id="item-{item.position}"', html), html
