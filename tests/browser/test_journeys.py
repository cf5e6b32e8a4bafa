"""A reader's journey through the live site in headless Chromium, with and without JavaScript.

Search by typing, tick and untick a facet, tick one to keep, go to page 2, sort, reload,
go back and forward, open a case, copy its link and open that link in a fresh browser.
With JavaScript every step before the case page swaps the results in place (htmx); without
it every step is a plain page load, and the pages must hold the same state.

Each step's screenshot is saved under var/test-artifacts/browser/<test>/. With
IMRSITE_UPDATE_SCREENSHOTS=1 the synthetic-corpus runs also refresh the README's
docs/screenshots/journey-*.png (never the real letters' runs).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Request, expect
from pytest_django.live_server_helper import LiveServer

from cases.services import import_determinations
from cases.synthetic import write_corpus
from tests.browser.conftest import Screenshots, assert_accessible
from tests.conftest import REAL_PDFS, ROOT, SEEDS, need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
QUERY = "therapy"

# Reads the whole visible state of the search page in one go.
READ_STATE = """() => ({
  url: location.pathname + location.search,
  status: document.querySelector("#result-count")?.textContent.trim() ?? "",
  hits: [...document.querySelectorAll("#search-results .hit-title")].map(a => a.textContent.trim()),
  dates: [...document.querySelectorAll("#search-results .hit .meta time")]
    .map(t => t.getAttribute("datetime")),
  q: document.querySelector("#q").value,
  ticked: [...document.querySelectorAll('#filters [role="checkbox"][aria-checked="true"]')]
    .map(a => a.id),
  sort: document.querySelector(".sort-current")?.textContent.trim() ?? "",
  page: document.querySelector(".pager .current")?.textContent.trim() ?? "1",
})"""
READ_COUNTS = """() => Object.fromEntries(
  [...document.querySelectorAll('#filters [role="checkbox"]')]
    .map(a => [a.id, Number(a.querySelector(".facet-count").textContent)]))"""
# A counter of htmx swaps on `window`: it survives swaps and is gone after a page load.
COUNT_SWAPS = """() => { window.journeySwaps = 0;
  document.addEventListener("htmx:afterSettle", () => { window.journeySwaps += 1; }); }"""


@dataclass(frozen=True)
class State:
    """What the search page shows: the URL, the count line, the hits and the controls."""

    url: str
    status: str
    hits: tuple[str, ...]
    dates: tuple[str, ...]
    q: str
    ticked: tuple[str, ...]
    sort: str
    page: str

    @property
    def total(self) -> int:
        return int(self.status.split()[0].replace(",", ""))

    @property
    def params(self) -> list[tuple[str, str]]:
        """The URL's parameters, leaving out the empty fields a plain form submits."""
        return [(k, v) for k, v in parse_qsl(urlsplit(self.url).query) if v]


@pytest.fixture(params=["synthetic", "real"])
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The letters the site serves: 120 generated ones, or the real letters from ../shared."""
    if request.param == "real":
        paths = [need(SEEDS), need(REAL_PDFS)]
    else:
        paths = [write_corpus(tmp_path / "letters", count=120, seed=2013).parent]
    report = import_determinations(paths=paths)
    assert report.failed == [] and report.new > 40, report
    return request.param


class Journey:
    """One reader in one tab: acts, waits for the result, and records what happened."""

    def __init__(self, page: Page, *, javascript: bool, shots: Screenshots,
                 docs: dict[str, str]) -> None:
        self.page, self.javascript, self.shots = page, javascript, shots
        self.docs = docs  # step -> name of its README screenshot
        self.documents: list[str] = []  # full page loads
        self.swaps: list[str] = []  # htmx requests
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        if request.resource_type == "document":
            self.documents.append(request.url)
        elif request.headers.get("hx-request") == "true":
            self.swaps.append(request.url)

    def state(self) -> State:
        data = self.page.evaluate(READ_STATE)
        return State(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})

    def counts(self) -> dict[str, int]:
        return self.page.evaluate(READ_COUNTS)

    def load(self, url: str | None = None) -> None:
        """Open ``url``, or reload the page when none is given."""
        if url is None:
            self.page.reload()
        else:
            self.page.goto(url)
        expect(self.page.locator("#result-count")).to_have_text(re.compile(r"^\d+ determination"))
        if self.javascript:
            self.page.evaluate(COUNT_SWAPS)

    def act(self, action: Callable[[], None], *, done: Callable[[], None]) -> State:
        """Do ``action``; with JavaScript it must swap the results in place, else load a page."""
        documents, swaps = len(self.documents), len(self.swaps)
        if self.javascript:
            before = self.page.evaluate("window.journeySwaps")
            action()
            # Also true once the counter is gone, so that a page load fails below, not here.
            self.page.wait_for_function("n => !(window.journeySwaps <= n)", arg=before)
            done()
            assert self.page.evaluate("window.journeySwaps") is not None, "the page reloaded"
            assert self.documents[documents:] == [], "JavaScript on, yet a full page load"
            assert len(self.swaps) > swaps, "no htmx request"
        else:
            with self.page.expect_navigation():
                action()
            done()
            assert len(self.documents) == documents + 1, self.documents[documents:]
            assert self.swaps == []
        return self.state()

    def shoot(self, step: str) -> None:
        """Screenshot the step; with JavaScript, axe-core checks the page as it is then."""
        self.shots.take(self.page, step)
        if self.javascript:
            assert_accessible(self.page)
        if step in self.docs and os.environ.get("IMRSITE_UPDATE_SCREENSHOTS") == "1":
            self.page.screenshot(path=DOCS_SCREENSHOTS / f"journey-{self.docs[step]}.png")

    def facet(self, heading: str, value: str) -> Locator:
        section = self.page.locator("#filters section.facet").filter(
            has=self.page.get_by_role("heading", name=re.compile(rf"^{heading}\b")))
        return section.get_by_role("checkbox", name=re.compile(rf"^{value} \d+$"))

    def tick(self, heading: str, value: str, *, checked: str) -> State:
        link = self.facet(heading, value)
        return self.act(link.click, done=lambda: expect(self.facet(heading, value))
                        .to_have_attribute("aria-checked", checked))


def search_journey(journey: Journey, open_context: Callable[..., BrowserContext],
                   live_url: str) -> None:
    """The whole journey; ``journey.javascript`` says which kind of page steps to expect."""
    page, js = journey.page, journey.javascript
    journey.load("/")
    everything = journey.state()
    journey.shoot("start")

    # Type a query: with JavaScript the results follow the typing, without it Enter submits.
    def type_query() -> None:
        box = page.locator("#q")
        box.click()
        if js:
            box.press_sequentially(QUERY, delay=60)
        else:
            box.fill(QUERY)
            box.press("Enter")

    typed = journey.act(type_query, done=lambda: expect(page.locator("#result-count"))
                        .to_contain_text(f"for “{QUERY}”"))
    assert typed.params == [("q", QUERY)]
    if js:
        assert typed.url == f"/?q={QUERY}"  # empty fields are left out of the pushed URL
    assert typed.q == QUERY
    assert 40 < typed.total < everything.total, typed.status
    assert typed.hits != everything.hits and len(typed.hits) == 20
    journey.shoot("typed-query")
    counts = journey.counts()

    # Tick a facet value: the results narrow to its count and the other counts follow.
    overturned_id = journey.facet("Item decision", "Overturned").get_attribute("id")
    ticked = journey.tick("Item decision", "Overturned", checked="true")
    assert ("decision", "Overturned") in ticked.params
    assert ticked.ticked == (overturned_id,)
    assert ticked.total == counts[overturned_id]
    assert ", filtered" in ticked.status
    after = journey.counts()
    assert after != counts
    assert any(after.get(key) != count for key, count in counts.items()
               if not key.startswith("facet-decision-")), "only the ticked facet's counts moved"
    journey.shoot("facet-ticked")

    # Untick it: every count is back.
    unticked = journey.tick("Item decision", "Overturned", checked="false")
    assert unticked.params == typed.params
    assert (unticked.total, unticked.hits, unticked.ticked) == (typed.total, typed.hits, ())
    assert journey.counts() == counts
    journey.shoot("facet-unticked")

    # Keep one value ticked, then page and sort within it.
    upheld_id = journey.facet("Item decision", "Upheld").get_attribute("id")
    filtered = journey.tick("Item decision", "Upheld", checked="true")
    assert filtered.total == counts[upheld_id] and filtered.total > 20, filtered.status
    journey.shoot("facet-kept")

    paged = journey.act(page.locator("#page-next").click,
                        done=lambda: expect(page.locator(".pager .current")).to_have_text("2"))
    assert ("page", "2") in paged.params
    assert paged.total == filtered.total and set(paged.hits).isdisjoint(filtered.hits)
    assert page.locator("ol.hits").get_attribute("start") == "21"
    journey.shoot("page-2")

    ordered = journey.act(page.locator("#sort-newest").click,
                          done=lambda: expect(page.locator(".sort-current"))
                          .to_have_text("Newest first"))
    assert ordered.params == [("q", QUERY), ("decision", "Upheld"), ("sort", "newest")]
    assert ordered.page == "1" and ordered.total == filtered.total
    assert ordered.hits != filtered.hits
    dates = [d for d in ordered.dates if d]
    assert dates == sorted(dates, reverse=True) and len(dates) > 10, ordered.dates
    journey.shoot("sorted-newest")

    # Reload: the URL alone brings back the same state.
    documents = len(journey.documents)
    journey.load()
    assert len(journey.documents) == documents + 1
    assert journey.state() == ordered
    journey.shoot("reloaded")

    # Back and forward walk through the same states.
    history = [(paged, "page-2"), (filtered, "facet-kept")]
    for earlier, step in history:
        page.go_back()
        expect(page).to_have_url(live_url + earlier.url)
        expect(page.locator("#result-count")).to_have_text(earlier.status)
        assert journey.state() == earlier
        journey.shoot(f"back-to-{step}")
    for later, step in [(paged, "page-2"), (ordered, "sorted-newest")]:
        page.go_forward()
        expect(page).to_have_url(live_url + later.url)
        expect(page.locator("#result-count")).to_have_text(later.status)
        assert journey.state() == later
        journey.shoot(f"forward-to-{step}")

    # Open the first case: the search travels along, to mark the terms and link back.
    case_number = ordered.hits[0]
    with page.expect_navigation():
        page.locator("#search-results .hit-title").first.click()
    expect(page.locator("h1")).to_contain_text(case_number)
    path = urlsplit(page.url).path
    assert re.fullmatch(r"/cases/[\w-]+/", path), page.url
    assert parse_qsl(urlsplit(page.url).query) == ordered.params
    expect(page.locator("nav.back a")).to_have_text(f"← Back to the results for “{QUERY}”")
    title = page.title()
    permalink = live_url + path
    journey.shoot("case")

    # Copy link: JavaScript puts the permanent URL on the clipboard; without it the button is
    # hidden and the page's canonical link is that URL.
    if js:
        page.get_by_role("button", name="Copy link").click()
        expect(page.locator(".determination-header .copy-status")).to_have_text("Link copied.")
        shared = page.evaluate("navigator.clipboard.readText()")
        journey.shoot("link-copied")
    else:
        expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
        shared = page.locator('link[rel="canonical"]').get_attribute("href")
    assert shared == permalink

    # Someone else opens the link: same case, no search state.
    fresh = open_context(java_script_enabled=js).new_page()
    fresh.goto(shared)
    expect(fresh.locator("h1")).to_contain_text(case_number)
    assert fresh.title() == title
    assert fresh.url == permalink
    expect(fresh.locator("nav.back")).to_have_count(0)
    journey.shots.take(fresh, "link-opened-fresh")

    # Back from the case page: the results it was opened from.
    page.go_back()
    expect(page.locator("#result-count")).to_have_text(ordered.status)
    assert journey.state() == ordered
    journey.shoot("back-from-case")


def test_journey_with_javascript(corpus: str, open_context: Callable[..., BrowserContext],
                                 live_server: LiveServer, screenshots: Screenshots) -> None:
    context = open_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    docs = {"typed-query": "search", "facet-ticked": "facet", "link-copied": "case"}
    journey = Journey(page, javascript=True, shots=screenshots,
                      docs=docs if corpus == "synthetic" else {})
    search_journey(journey, open_context, live_server.url)
    # The journey swapped results in place: one page load per visit to the search page.
    assert len(journey.swaps) >= 6


def test_journey_without_javascript(corpus: str, open_context: Callable[..., BrowserContext],
                                    live_server: LiveServer, screenshots: Screenshots) -> None:
    page = open_context(java_script_enabled=False).new_page()
    journey = Journey(page, javascript=False, shots=screenshots,
                      docs={"sorted-newest": "nojs"} if corpus == "synthetic" else {})
    search_journey(journey, open_context, live_server.url)
    assert journey.swaps == []


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_show_all_brings_the_rest_of_a_facet(tmp_path: Path, js: bool,
                                             open_context: Callable[..., BrowserContext],
                                             live_server: LiveServer,
                                             screenshots: Screenshots) -> None:
    """The results name a facet's top values and count the rest. "Show all" loads the rest
    in place with JavaScript, or opens them on a page of their own without; either way one
    of them ticks as the top ones do."""
    import_determinations(paths=[write_corpus(tmp_path / "letters", count=120,
                                              seed=2013).parent])
    page = open_context(java_script_enabled=js).new_page()
    journey = Journey(page, javascript=js, shots=screenshots, docs={})
    journey.load(f"/?q={QUERY}")
    section = page.locator("#filters section.facet").filter(
        has=page.locator("#facet-treatment-heading"))
    summary = section.locator("summary")
    total = int(re.fullmatch(r"Show all (\d+)", summary.inner_text().strip())[1])
    values = section.get_by_role("checkbox")
    expect(values).to_have_count(8)
    if js:
        summary.click()
        expect(values).to_have_count(total)
        # The top values were replaced by the same state's (out of band), not added again.
        ids = values.evaluate_all("links => links.map(link => link.id)")
        assert len(set(ids)) == total
        loads = [url for url in journey.swaps if "/facets/" in url]
        assert len(journey.documents) == 1 and loads == [f"{live_server.url}/facets/"
                                                         f"treatment/?q={QUERY}"]
        journey.shoot("show-all-loaded")
        summary.click()  # closed and opened again: loaded once
        summary.click()
        expect(values).to_have_count(total)
        assert [url for url in journey.swaps if "/facets/" in url] == loads
    else:
        summary.click()
        with page.expect_navigation():
            section.locator("a.facet-rest-link").click()
        expect(page.locator("h1")).to_have_text(f"Treatment: all {total} values")
        values = page.get_by_role("checkbox")
        expect(values).to_have_count(total)
        journey.shots.take(page, "show-all-page")
    last = values.nth(total - 1)
    name, count = last.locator(".facet-label").inner_text(), last.locator(".facet-count")
    count = int(count.inner_text())
    ticked = journey.act(last.click, done=lambda: expect(page.locator("#result-count"))
                         .to_contain_text(", filtered"))
    assert ("treatment", name) in ticked.params and ("q", QUERY) in ticked.params
    assert ticked.total == count
    journey.shoot("show-all-ticked")
