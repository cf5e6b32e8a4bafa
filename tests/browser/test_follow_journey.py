"""Following a search in headless Chromium (issue 20): from a search, follow it, sign in,
save it; letters are imported; the saved searches say "3 new", and one of them opens at its
matching item. The login, follow and saved-searches pages are checked with axe.

Each step's screenshot is saved under var/test-artifacts/browser/<test>/, and the three pages
at 1280 and 390 px wide; with IMRSITE_UPDATE_SCREENSHOTS=1 also docs/screenshots/
{login,follow,saved}-{desktop,phone}.png."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import BrowserContext, Page, expect

from cases.models import AlertFrequency, SavedSearch
from cases.services import import_determinations
from tests.browser.conftest import Screenshots, assert_accessible
from tests.conftest import ROOT
from tests.factories import letter_batches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "a long password here"
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def batches(tmp_path: Path, settings: object) -> tuple[Path, Path]:
    """24 synthetic letters, the first 16 imported; the last 8 (three of them with a
    rehabilitation item) are left to import during the journey."""
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first, second = letter_batches(tmp_path)
    assert import_determinations(paths=[first]).new == 16
    User.objects.create_user("alice", "alice@example.org", PASSWORD)
    return first, second


def _widths(page: Page, screenshots: Screenshots, name: str) -> None:
    """The page at a desktop's and a phone's width, then back."""
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        path = screenshots.take(page, f"{name}-{label}")
        if os.environ.get("IMRSITE_UPDATE_SCREENSHOTS") == "1":
            page.screenshot(path=DOCS_SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        assert path.stat().st_size > 0
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 1100})


def test_follow_journey(batches: tuple[Path, Path], open_context: Callable[..., BrowserContext],
                        screenshots: Screenshots) -> None:
    page = open_context().new_page()
    page.goto("/?category=Rehabilitation")
    expect(page.locator("#result-count")).to_contain_text("determinations")

    # Follow the search: the feed is offered; alerts need an account.
    page.get_by_role("link", name="Follow this search").click()
    expect(page.locator("h1")).to_have_text("Follow this search")
    expect(page.locator("#feed-url")).to_have_value(
        re.compile(r"^http://[^/]+/feed/\?category=Rehabilitation$"))
    page.get_by_role("link", name="Sign in to get e-mail alerts").click()

    # Sign in (one wrong password first), and come back to the follow page.
    expect(page.locator("h1")).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    assert_accessible(page)
    _widths(page, screenshots, "login")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Follow this search")
    assert page.url.endswith("/follow/?category=Rehabilitation")
    assert_accessible(page)
    _widths(page, screenshots, "follow")

    # Save it, weekly, under a name of one's own.
    expect(page.get_by_label("Name")).to_have_value("Rehabilitation")
    page.get_by_label("Name").fill("Therapy denials")
    page.get_by_label("E-mail new matches").select_option("weekly")
    page.get_by_role("button", name="Save this search").click()
    expect(page.locator("h1")).to_have_text("Your saved searches")
    expect(page.get_by_role("status")).to_contain_text("Saved “Therapy denials”.")
    saved = page.locator(".saved-search")
    expect(saved).to_contain_text("Therapy denials")
    expect(saved).to_contain_text("nothing new")
    assert SavedSearch.objects.get().frequency == AlertFrequency.WEEKLY

    # New letters arrive; three of them match.
    report = import_determinations(paths=[batches[1]])
    assert report.new == 8
    page.reload()
    new = page.get_by_role("link", name="3 new")
    expect(new).to_be_visible()
    assert_accessible(page)
    page.locator(".saved-edit summary").click()  # the rename and delete controls, shown
    assert_accessible(page)
    _widths(page, screenshots, "saved")

    # Open them: the search, latest added first; the first opens at its matching item.
    new.click()
    assert page.url.endswith("/?category=Rehabilitation&sort=added")
    expect(page.locator(".sort-current")).to_have_text("Recently added")
    first = page.locator("#search-results .hit-title").first
    href = first.get_attribute("href") or ""
    item = re.search(r"#item-(\d+)$", href)
    assert item is not None, href
    first.click()
    expect(page.locator(f"#item-{item[1]}")).to_be_in_viewport()
    expect(page.locator(f"#item-{item[1]}")).to_contain_text("Rehabilitation")
    screenshots.take(page, "opened")

    # Back on the list, nothing is new any more; the search page saves in one click too.
    page.goto("/saved/")
    expect(page.locator(".saved-search")).to_contain_text("nothing new")
    page.goto("/?category=Pharmaceuticals")
    expect(page.get_by_role("link", name="Follow this search")).to_be_visible()
    screenshots.take(page, "search-signed-in")
    page.get_by_role("button", name="Save this search").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Pharmaceuticals”.")
    assert SavedSearch.objects.count() == 2

    # Sign out from the header.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
