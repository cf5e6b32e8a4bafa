"""Cases like mine in headless Chromium: paste a denial, edit the request as understood, open
a neighbour (its case page opens at the item), and come back to the same answer (issue 18)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from cases.services import import_determinations
from cases.synthetic import write_corpus
from tests.browser.conftest import Screenshots, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASTE = ("Utilization review has completed its review.\n"
         "The request for 12 sessions of physical therapy for the lumbar spine is not medically\n"
         "necessary as there is no documentation of functional improvement from prior therapy.")


@pytest.fixture
def letters(tmp_path: Path) -> None:
    report = import_determinations(paths=[write_corpus(tmp_path / "letters", count=200,
                                                       seed=2013).parent])
    assert report.failed == [] and report.new == 200


@pytest.mark.parametrize("javascript", [True, False])
def test_like_journey(letters: None, open_context: Callable[..., BrowserContext],
                      screenshots: Screenshots, javascript: bool) -> None:
    page = open_context(java_script_enabled=javascript).new_page()
    page.goto("/")
    page.get_by_role("link", name="Cases like mine").click()
    page.get_by_label("The denial or request").fill(PASTE)
    page.get_by_role("button", name="Find cases like this").click()
    heading = page.locator(".like-request h2")
    expect(heading).to_have_text("12 sessions of physical therapy for the lumbar spine")
    expect(page.locator(".like-request .item-facts")).to_contain_text("lumbar spine")
    screenshots.take(page, "like-answered")
    assert "/like/?request=" in page.url  # the answer is a URL

    # What tells the neighbours apart: loaded after them, or a page of its own.
    # (axe runs in the page, so only where JavaScript does.)
    answer = page.url
    if javascript:
        expect(page.locator(".like-request .like-telling h3")).to_contain_text(
            "What tells them apart")
        assert_accessible(page)
        page.get_by_role("link", name="(its own page)").click()
    else:
        page.get_by_role("link", name="What tells the overturned from the upheld?").click()
    expect(page.locator("h1")).to_contain_text("What tells overturned from upheld")
    expect(page.locator(".like-telling")).to_contain_text("matching item")
    if javascript:
        assert_accessible(page)
    page.go_back()
    assert page.url == answer

    # Edit the request as understood and search again.
    page.get_by_label("Request 1").fill("18 sessions of acupuncture for the neck")
    page.get_by_role("button", name="Find cases like this").click()
    expect(heading).to_have_text("18 sessions of acupuncture for the neck")
    answered = page.url
    first = page.locator(".like-results .hit-title a").first
    expect(first).to_be_visible()
    item = re.search(r"#item-(\d+)$", first.get_attribute("href") or "")
    assert item is not None

    # Open a neighbour: its case page, at the neighbour's item.
    first.click()
    assert page.url.endswith(f"#item-{item[1]}")
    expect(page.locator(f"#item-{item[1]}")).to_be_in_viewport()
    expect(page.locator(f"#item-{item[1]} h3")).to_contain_text("cupuncture")
    screenshots.take(page, "like-neighbour")
    if javascript:
        assert_accessible(page)

    # Back: the same answer, without posting again.
    page.go_back()
    assert page.url == answered
    expect(heading).to_have_text("18 sessions of acupuncture for the neck")
    expect(page.get_by_label("Request 1")).to_have_value("18 sessions of acupuncture for the neck")
