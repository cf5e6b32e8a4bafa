"""A facet's values beyond its top ones: counted on the results page, loaded when "Show all"
opens (htmx), or listed on a page of their own without JavaScript."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertRedirects

from cases.presentation.facets import TOP_VALUES

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LINK = re.compile(r'<a id="facet-(?P<facet>[a-z_]+)-[0-9a-f]{10}" class="facet-value[^"]*" '
                  r'href="(?P<url>[^"]*)"[^>]*><span class="facet-label">(?P<label>[^<]*)'
                  r'</span> <span class="facet-count">(?P<count>\d+)</span>')


def facet_links(page: str, facet: str) -> list[tuple[str, int, str]]:
    """(label, count, toggle URL) of every value of ``facet`` a page writes out."""
    return [(html.unescape(m["label"]), int(m["count"]), html.unescape(m["url"]))
            for m in LINK.finditer(page) if m["facet"] == facet]


def api_values(client: Client, params: dict) -> dict[str, dict[str, int]]:
    facets = client.get("/api/search", params).json()["facets"]
    return {name: {v["value"]: v["count"] for v in values} for name, values in facets.items()}


def rest_url(page: str, facet: str) -> str:
    found = re.search(rf'id="facet-{facet}-more">\s*<summary>[^<]*</summary>\s*'
                      r'<ul class="facet-values facet-rest" hx-get="([^"]+)"', page)
    assert found, f"no lazy Show all for {facet}"
    return html.unescape(found[1])


@pytest.mark.parametrize("params", [{}, {"q": "therapy"}, {"q": "therapy", "sex": "female"}])
def test_the_top_values_and_the_rest_loaded_are_every_value(client: Client, served: object,
                                                            params: dict) -> None:
    page = client.get("/", params).content.decode()
    counted = api_values(client, params)
    long_facets = [name for name, values in counted.items() if len(values) > TOP_VALUES]
    assert {"treatment", "state", "specialty"} <= set(long_facets)
    for name in long_facets:
        shown = facet_links(page, name)
        assert len(shown) == TOP_VALUES, name  # the rest is not written out, only counted
        assertContains(client.get("/", params), f"<summary>Show all {len(counted[name])}"
                                                 "</summary>", html=True)
        url = rest_url(page, name)
        assert url.startswith(f"/facets/{name}/")
        rest = client.get(url, headers=HTMX)
        assert rest.status_code == 200 and b"<html" not in rest.content
        loaded_html, top_html = rest.content.decode().split(
            f'<ul class="facet-values" id="facet-{name}-top" hx-swap-oob="true">')
        # The top values come again, of the same index state as the rest, to replace the
        # page's: a commit in between cannot show a value twice or lose it.
        assert facet_links(top_html, name) == shown
        loaded = facet_links(loaded_html, name)
        assert len(loaded) == len(counted[name]) - TOP_VALUES
        # Together, each value once with the count the API gives it.
        by_label = {label: count for label, count, _ in shown + loaded}
        assert len(by_label) == len(counted[name])
        assert sorted(by_label.values()) == sorted(counted[name].values())
        # The loaded links tick the value on the results, as the page's own do.
        label, count, toggle = loaded[0]
        ticked = client.get(toggle)
        assertContains(ticked, f"{count} determination")


def test_without_javascript_the_rest_opens_as_a_page_of_its_own(client: Client,
                                                                served: object) -> None:
    page = client.get("/", {"q": "therapy"}).content.decode()
    url = rest_url(page, "state")
    assert f'<a class="facet-rest-link" href="{html.escape(url)}" rel="nofollow">' in page
    response = client.get(url)
    assertContains(response, "<title>State of licensure: “therapy” · IMR precedent search"
                             "</title>", html=True)
    assertContains(response, '<a href="/?q=therapy">← Back to the results for “therapy”</a>',
                   html=True)
    assertContains(response, 'hx-disable')  # plain links: no results region to swap into
    listed = facet_links(response.content.decode(), "state")
    counted = api_values(client, {"q": "therapy"})["state"]
    assert {label: count for label, count, _ in listed} == counted
    assert all(url.startswith("/?q=therapy&state=") for _, _, url in listed)


def test_a_selected_value_among_the_rest_is_written_out_to_be_unticked(
        client: Client, served: object) -> None:
    counted = api_values(client, {})["state"]
    rare = sorted(counted, key=lambda value: (counted[value], value))[0]
    page = client.get("/", {"state": rare}).content.decode()
    assert "/facets/state/" not in page
    assert re.search(r'<details class="facet-more" id="facet-state-more" open>', page)
    assert (rare, counted[rare], "/") in facet_links(page, "state")


def test_the_rest_keeps_the_search_and_its_filters(client: Client, served: object) -> None:
    params = {"q": "therapy", "decision": "Overturned", "sort": "newest", "page": "2"}
    page = client.get("/", params).content.decode()
    url = rest_url(page, "treatment")
    assert url == "/facets/treatment/?q=therapy&decision=Overturned&sort=newest"
    counted = api_values(client, params)["treatment"]
    loaded = facet_links(client.get(url, headers=HTMX).content.decode(), "treatment")
    assert len(loaded) == len(counted)  # the rest, and the top values again
    assert all(counted[label] == count for label, count, _ in loaded)
    assert all("decision=Overturned" in toggle and "page=" not in toggle
               for _, _, toggle in loaded)


def test_an_unknown_facet_or_bad_parameters(client: Client, served: object) -> None:
    assert client.get("/facets/nope/", {"q": "x"}).status_code == 404
    # Bad parameters go to the search page, which says what is wrong.
    response = client.get("/facets/state/", {"decided_from": "not a date"})
    assertRedirects(response, "/?decided_from=not+a+date", target_status_code=400)
    # Loaded by htmx, nothing is swapped in: the list keeps its link to that page.
    loaded = client.get("/facets/state/", {"decided_from": "not a date"}, headers=HTMX)
    assert loaded.status_code == 204 and loaded.content == b""
