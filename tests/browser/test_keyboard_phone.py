"""The search by keyboard alone and on a phone, in headless Chromium (issue 21).

- From the search box the first result is at most five Tab presses away: the skip link
  comes right after the Search button, and the results come before the filters in the page.
- At 390 px the filters wait behind a Filters button; it opens them as a panel over the
  results (the rest of the page inert), Escape closes it, and a choice in it shows the new
  results from their top.
- A table wider than its box says that it scrolls; one that fits says nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cases.services import import_determinations
from cases.synthetic import write_corpus
from tests.browser.conftest import Screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
FOCUSED = "document.activeElement"


@pytest.fixture
def letters(tmp_path: Path) -> None:
    report = import_determinations(paths=[write_corpus(tmp_path / "letters", count=120,
                                                       seed=2015).parent])
    assert report.failed == []


def _focused(page: Page) -> dict[str, str | bool]:
    return page.evaluate(f"""() => {{ const e = {FOCUSED}; return {{
        text: (e.textContent || "").trim().slice(0, 60), id: e.id || "",
        hit: e.matches("#search-results .hit-title"),
        facet: Boolean(e.closest("#filters")) }}; }}""")


def test_first_result_within_five_tabs_of_the_box(
        letters: None, open_context: Callable[..., BrowserContext]) -> None:
    page = open_context().new_page()
    page.goto("/?q=therapy")
    first = page.locator("#search-results .hit-title").first
    expect(first).to_be_visible()
    page.locator("#q").focus()

    presses = 0
    while presses < 5:
        page.keyboard.press("Tab")
        presses += 1
        now = _focused(page)
        if now["hit"]:
            break
        if now["text"] == "Skip to the results":
            expect(page.locator(".skip-results")).to_be_visible()  # seen when focused
            page.keyboard.press("Enter")
    assert _focused(page)["hit"], f"the first result is not reached in {presses} Tab presses"
    assert _focused(page)["text"] == first.inner_text().strip()
    assert presses <= 5

    # Without the skip link, Tab still reaches every result before any filter.
    page.locator("#q").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        now = _focused(page)
        assert not now["facet"], "a filter comes before the first result in the Tab order"
        if now["hit"]:
            break
    else:
        pytest.fail("40 Tab presses from the box did not reach the first result")


def test_skip_link_is_left_out_where_there_is_nothing_to_skip_to(
        letters: None, open_context: Callable[..., BrowserContext]) -> None:
    page = open_context().new_page()
    page.goto("/?page=abc")  # the search needs fixing: no results to skip to
    expect(page.locator("#search-errors")).to_be_visible()
    page.locator("#q").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] != "Skip to the results"


def test_headings_outline_the_results(letters: None,
                                      open_context: Callable[..., BrowserContext]) -> None:
    page = open_context().new_page()
    page.goto("/?q=therapy")
    expect(page.locator("h1")).to_have_text("Search determinations")
    expect(page.locator("h2#result-count")).to_contain_text("determinations for “therapy”")
    titles = page.locator("#hits h3 .hit-title")
    assert titles.count() == page.locator("#hits > li").count() > 1
    expect(page.locator("#filters h2")).to_have_text("Filter")


def test_phone_filters_open_as_a_panel_and_return_to_the_results(
        letters: None, open_context: Callable[..., BrowserContext],
        screenshots: Screenshots) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto("/?q=therapy")
    toggle = page.locator("#filters-toggle")
    panel = page.locator("#filters")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()  # the filters do not make the results a long scroll away
    toggle_box = toggle.bounding_box()
    assert toggle_box is not None and toggle_box["y"] < PHONE["height"], "Filters is not on screen"
    screenshots.take(page, "phone-results")

    toggle.click()
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(panel).to_have_attribute("aria-modal", "true")
    assert _focused(page)["facet"], "opening the panel moves the focus into it"
    assert page.evaluate("document.querySelector('.results-main').inert")
    box = panel.bounding_box()
    assert box is not None and box["width"] == PHONE["width"] and box["y"] == 0
    done = page.locator("#filters .filters-done a")
    expect(done).to_be_in_viewport()  # "Show the N results" stays at the panel's foot
    screenshots.take(page, "phone-filters-open")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert _focused(page)["id"] == "filters-toggle"
    assert not page.evaluate("document.querySelector('.results-main').inert")

    toggle.click()
    before = page.locator("#result-count").inner_text()
    choice = panel.locator('[role="checkbox"]').nth(1)
    value = choice.locator(".facet-label").inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    choice.click()
    expect(page.locator("#result-count")).not_to_have_text(before)
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".chips")).to_contain_text(value)
    assert _focused(page)["id"] == "result-count"
    expect(page.locator("#result-count")).to_be_in_viewport()
    assert not page.evaluate("document.querySelector('#search-form').inert")
    expect(page.locator("#filters-toggle")).to_contain_text("1 on")
    screenshots.take(page, "phone-after-choice")

    page.locator("#filters-toggle").click()
    page.locator("#filters .filters-done a").click()
    expect(page.locator("#filters")).to_be_hidden()
    assert _focused(page)["id"] == "result-count"


def test_phone_filters_without_javascript_are_below_the_results(
        letters: None, open_context: Callable[..., BrowserContext]) -> None:
    page = open_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto("/?q=therapy")
    expect(page.locator("#filters")).to_be_visible()
    page.locator("#filters-toggle").click()
    assert page.url.endswith("#filters")
    expect(page.locator("#filters h2")).to_be_in_viewport()


@pytest.mark.parametrize(("width", "cut"), [(390, True), (1366, False)])
def test_a_table_wider_than_the_screen_says_it_scrolls(
        letters: None, open_context: Callable[..., BrowserContext], width: int,
        cut: bool) -> None:
    page = open_context(viewport={"width": width, "height": 900}).new_page()
    page.goto("/outcomes/")
    box = page.locator(".cross-scroll")
    expect(box).to_be_attached()
    widths = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert (widths[0] > widths[1]) is cut, widths
    hint = page.locator("#cross-hint")
    if cut:
        expect(hint).to_be_visible()
        box.focus()  # a scrolling box is reachable by keyboard, and arrows scroll it
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('.cross-scroll').scrollLeft > 0")
    else:
        expect(hint).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
