"""axe-core on every kind of page, at a desktop and a phone width: the search (empty, with
results and facets, filtered, with no result, with invalid parameters), all the values of a
facet, a case page, the outcome view, the guidelines, cases like mine answered, what tells
them apart, following a search, signing in, the saved searches and a missing page. At the
phone's width none of them scrolls sideways (a table too wide for the screen scrolls inside
its own box)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db.models import Count
from playwright.sync_api import BrowserContext, Page, expect

from cases.models import Determination
from cases.services import import_determinations
from cases.synthetic import write_corpus
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": {"width": 1280, "height": 1100}, "phone": {"width": 390, "height": 844}}
PASSWORD = "a long password here"
LIKE = "/like/?request=12+sessions+of+physical+therapy+for+the+lumbar+spine&text=no+improvement"
PAGES = {
    "search": ("/", "h1"),
    "results": ("/?q=therapy&decision=Upheld&sort=newest", "#result-count"),
    "filtered": ("/?q=therapy&category=Rehabilitation&specialty=Pain+Management"
                 "&decided_from=2015-01-01", "#result-count"),
    "zero": ("/?q=zzyzx", "#hits h2"),
    "invalid": ("/?page=abc&decided_from=2016-02-30", "#search-errors"),
    "facet": ("/facets/treatment/?q=therapy&decision=Upheld", "h1"),
    "outcomes": ("/outcomes/?q=therapy", "h1"),
    "like": (LIKE, ".like-telling h3"),
    "telling": ("/telling/?category=Rehabilitation", "h1"),
    "guidelines": ("/guidelines/", "h1"),
    "follow": ("/follow/?q=therapy", "h1"),
    "login": ("/accounts/login/", "h1"),
    "saved": ("/saved/", "h1"),
    "missing": ("/cases/no-such-case/", "h1"),
}


@pytest.fixture
def letters(tmp_path: Path) -> None:
    report = import_determinations(paths=[write_corpus(tmp_path / "letters", count=120,
                                                       seed=2014).parent])
    assert report.failed == []
    User.objects.create_user("reader", "reader@example.org", PASSWORD)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe(letters: None, open_context: Callable[..., BrowserContext],
                               width: str) -> None:
    page = open_context(viewport=WIDTHS[width]).new_page()
    # The letter with most items: the longest tables of a case page.
    case = Determination.objects.annotate(n=Count("items")).order_by("-n", "pk").first()
    assert case is not None
    for name, (url, ready) in {**PAGES, "case": (case.get_absolute_url(), "h1")}.items():
        if name == "saved":
            _sign_in(page)
        page.goto(url)
        expect(page.locator(ready).first, f"{name} page").to_be_visible()
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"], \
            f"the {name} page scrolls sideways at {WIDTHS[width]['width']} px"


def _sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    expect(page.locator(".header-signout")).to_be_visible()
