"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.

No browser is downloaded: Playwright launches the system Chromium at ``IMRSITE_CHROMIUM``
(default ``/usr/bin/chromium``). Where it or Playwright is missing the browser tests skip,
saying so, unless ``IMRSITE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which makes them fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path(os.environ.get("IMRSITE_CHROMIUM", "/usr/bin/chromium"))
# Headless as root, no lookups of Google's hosts (the CI machine has no network), and no
# reliance on a container's small /dev/shm.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "browser"
VIEWPORT = {"width": 1280, "height": 1100}
TIMEOUT_MS = 30_000  # two busy cores: a swap can take a few seconds


def _unavailable(reason: str) -> None:
    if os.environ.get("IMRSITE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (IMRSITE_REQUIRE_BROWSER=1: the browser tests must run)")
    pytest.skip(f"{reason}; the browser tests need Debian's chromium (make test installs it "
                "with apt-get when run as root)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module, closed before the next module's database tests run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is not installed")
    # Playwright's sync API keeps an event loop running on this thread, so Django would take
    # the fixtures' database calls for calls from async code; they are plain sync calls.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


class Screenshots:
    """Numbered full-page screenshots of one test's steps, under var/test-artifacts/browser/."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.taken: dict[str, Path] = {}

    def take(self, page: Page, step: str) -> Path:
        """Save the page as ``NN-step.png`` and return its path."""
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        self.taken[step] = path
        return path


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    """Where this test saves the screenshot of each step."""
    return Screenshots(ARTIFACTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-"))


@pytest.fixture
def open_context(browser: Browser,
                 live_server: LiveServer) -> Iterator[Callable[..., BrowserContext]]:
    """Make fresh browser contexts (no cookies, storage or history) on the live server."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> BrowserContext:
        context = browser.new_context(**{"viewport": VIEWPORT, "base_url": live_server.url,
                                         **options})  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# The rules checked: WCAG 2.1 A and AA, and axe's best practices.
AXE_RULES = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                       "best-practice"]}


def assert_accessible(page: Page) -> None:
    """axe-core (the copy axe-playwright-python ships, no download) finds no violation on the
    page as it is now; the failure lists each rule, its impact and the elements. axe runs in
    the page: in a context without JavaScript the call never returns, so call it only where
    JavaScript runs."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"], "runOnly": AXE_RULES})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
