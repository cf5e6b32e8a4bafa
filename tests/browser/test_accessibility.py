"""axe-core on every kind of page, at a desktop and a phone width: the search (empty, with
results and facets, with invalid parameters), a case page, the outcome view, cases like mine
answered, what tells them apart, and a missing page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from cases.models import Determination
from cases.services import import_determinations
from cases.synthetic import BENCHMARK, write_corpus
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": {"width": 1280, "height": 1100}, "phone": {"width": 390, "height": 844}}
LIKE = "/like/?request=12+sessions+of+physical+therapy+for+the+lumbar+spine&text=no+improvement"
PAGES = {
    "search": ("/", "h1"),
    "results": ("/?q=therapy&decision=Upheld&sort=newest", "#result-count"),
    "invalid": ("/?page=abc&decided_from=2016-02-30", "#search-errors"),
    "outcomes": ("/outcomes/?q=therapy", "h1"),
    "like": (LIKE, ".like-telling h3"),
    "telling": ("/telling/?category=Rehabilitation", "h1"),
    "guidelines": ("/guidelines/", "h1"),
    "missing": ("/cases/no-such-case/", "h1"),
}


@pytest.fixture
def letters(tmp_path: Path) -> None:
    report = import_determinations(paths=[write_corpus(tmp_path / "letters", count=120,
                                                       seed=2014, profile=BENCHMARK).parent])
    assert report.failed == []


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe(letters: None, open_context: Callable[..., BrowserContext],
                               width: str) -> None:
    page = open_context(viewport=WIDTHS[width]).new_page()
    case = Determination.objects.order_by("pk").first()
    assert case is not None
    for name, (url, ready) in {**PAGES, "case": (case.get_absolute_url(), "h1")}.items():
        page.goto(url)
        expect(page.locator(ready).first, f"{name} page").to_be_visible()
        assert_accessible(page)
