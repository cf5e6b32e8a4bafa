"""The load test's users: each client is a browser-like session that searches for words of
the corpus and follows the links the pages give it (facets, pages, sorting, htmx swaps, case
pages, exports, the outcome view), or calls the JSON API."""

from __future__ import annotations

import http.client
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import quote, urlencode

from benchmarks.http import HOST, Sample, Target, fetch

# Request kinds and how often a client picks each (weights, out of 100).
MIX = {"search": 17, "facet": 14, "page_sort": 10, "htmx": 16, "case": 12, "api_search": 10,
       "api_case": 6, "export_csv": 3, "export_json": 3, "outcomes": 9}
KINDS = (*MIX, "probe")
ANSWERED = range(200, 400)  # any other status, or no answer, is an error
_WORD = re.compile(r"[a-z]{4,}")
_LINKS = {
    "facet": re.compile(r'class="facet-value[^"]*" href="([^"]+)"'),
    "page": re.compile(r'<a (?:id="page-\w+" rel="\w+" )?href="([^"]*page=\d+[^"]*)"'),
    "sort": re.compile(r'id="sort-\w+" href="([^"]+)"'),
    "case": re.compile(r'class="hit-title" href="([^"]+)"'),
    "export_csv": re.compile(r'id="export-csv" href="([^"]+)"'),
    "export_json": re.compile(r'id="export-json" href="([^"]+)"'),
    "outcomes": re.compile(r'id="outcomes-link" href="([^"]+)"'),
}


def build_queries(corpus: Path, *, seed: int, letters: int = 400) -> list[str]:
    """Search texts a user might type, from the words of ``corpus``'s letters: single words
    from common to rare, two words, two-word phrases, prefixes, field queries, match-all."""
    rng = random.Random(seed)
    paths = sorted(corpus.glob("*.txt"))
    frequency: Counter[str] = Counter()
    pairs: list[str] = []
    for path in rng.sample(paths, min(letters, len(paths))):
        words = _WORD.findall(path.read_bytes().decode(errors="replace").lower())
        frequency.update(set(words))
        if len(words) > 1:
            start = rng.randrange(len(words) - 1)
            pairs.append(" ".join(words[start:start + 2]))
    words = sorted(frequency)  # sorted first: the same corpus and seed, the same queries
    if not words:
        raise ValueError(f"No words in the letters of {corpus}.")
    singles = rng.sample(words, min(300, len(words)))
    queries = singles + [f"{rng.choice(singles)} {rng.choice(singles)}" for _ in range(60)]
    queries += [f'"{pair}"' for pair in pairs[:60]]
    queries += [f"{word[:5]}*" for word in rng.sample(singles, min(30, len(singles)))]
    queries += [f"treatment:{word}" for word in rng.sample(singles, min(30, len(singles)))]
    return queries + [""] * 10


def page_links(body: bytes) -> dict[str, list[str]]:
    """The links of a search page (or its htmx partial) by kind, as absolute paths."""
    text = body.decode(errors="replace")
    links = {}
    for kind, pattern in _LINKS.items():
        found = [unescape(href) for href in pattern.findall(text)]
        links[kind] = [f"/{href}" if href.startswith("?") else href for href in found]
    return links


@dataclass
class Session:
    """One client: a connection, a random walk over the site and every request it made.

    ``samples`` holds (seconds since ``started``, sample) pairs.
    """

    number: int
    port: int
    queries: list[str]
    started: float
    seed: int = 0
    samples: list[tuple[float, Sample]] = field(default_factory=list)
    sent: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed * 1000 + self.number)
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        self.links: dict[str, list[str]] = {}
        self.page_url = "/"
        self.api_ids: list[str] = []
        self.api_facets: dict[str, list[str]] = {}

    def step(self) -> None:
        """Make the next request of this user's walk."""
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        getattr(self, f"_{kind}")()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    # -- one method per kind --------------------------------------------------------------
    def _search(self) -> None:
        self._page("search", _search_path(self.rng.choice(self.queries)))

    def _facet(self) -> None:
        self._follow("facet", ["facet"])

    def _page_sort(self) -> None:
        self._follow("page_sort", ["page", "sort"])

    def _htmx(self) -> None:
        # Typing in the box, ticking a facet, a page or sort link: each swaps the results.
        options = [link for kind in ("facet", "page", "sort") for link in self.links.get(kind, [])]
        if options and self.rng.random() < 0.7:
            path = self.rng.choice(options)
        else:
            path = _search_path(self.rng.choice(self.queries))
        headers = {"HX-Request": "true", "HX-Target": "search-results",
                   "HX-Current-URL": f"http://{HOST}:{self.port}{self.page_url}"}
        body = self._get("htmx", path, headers=headers)
        if body:
            self.links, self.page_url = page_links(body), path

    def _case(self) -> None:
        self._follow("case", ["case"], keep_links=True)

    def _api_search(self) -> None:
        params: list[tuple[str, str]] = [("q", self.rng.choice(self.queries))]
        if self.api_facets and self.rng.random() < 0.5:
            name = self.rng.choice(sorted(self.api_facets))
            params.append((name, self.rng.choice(self.api_facets[name])))
        if self.rng.random() < 0.2:
            params.append(("page", "2"))
        if self.rng.random() < 0.2:
            params.append(("sort", self.rng.choice(("newest", "oldest"))))
        body = self._get("api_search", f"/api/search?{urlencode(params)}")
        if body:
            self._read_api(body)

    def _api_case(self) -> None:
        if not self.api_ids:
            self._api_search()
            return
        self._get("api_case", f"/api/cases/{quote(self.rng.choice(self.api_ids), safe='')}")

    def _export_csv(self) -> None:
        self._follow("export_csv", ["export_csv"], keep_links=True)

    def _export_json(self) -> None:
        self._follow("export_json", ["export_json"], keep_links=True)

    def _outcomes(self) -> None:
        self._follow("outcomes", ["outcomes"], keep_links=True)

    # -- helpers ----------------------------------------------------------------------------
    def _follow(self, kind: str, link_kinds: list[str], *, keep_links: bool = False) -> None:
        """Follow a link of the current page; with none (no page yet, no results), search."""
        options = [link for name in link_kinds for link in self.links.get(name, [])]
        if not options:
            self._search()
        elif keep_links:  # a case page, an export: the user comes back to the results
            self._get(kind, self.rng.choice(options))
        else:
            self._page(kind, self.rng.choice(options))

    def _page(self, kind: str, path: str) -> None:
        body = self._get(kind, path)
        if body:
            self.links, self.page_url = page_links(body), path

    def _read_api(self, body: bytes) -> None:
        data = json.loads(body)
        self.api_ids = [row["id"] for row in data["results"]] or self.api_ids
        self.api_facets = {name: [v["value"] for v in values]
                           for name, values in data["facets"].items() if values}

    def _get(self, kind: str, path: str, *, headers: dict[str, str] | None = None) -> bytes:
        """Request ``path``, record the sample, return the body ("" when it failed)."""
        self.sent += 1
        at = time.perf_counter() - self.started
        sample, body = fetch(self.connection, Target(kind, path, path), headers=headers,
                             accept=ANSWERED)
        if sample.ok and kind.startswith("api_"):
            try:
                json.loads(body)
            except ValueError:
                sample = Sample(sample.target, sample.seconds, False,
                                f"{path}: HTTP {sample.status} but not JSON", sample.status)
        self.samples.append((at, sample))
        return body if sample.ok and sample.status == 200 else b""


def _search_path(text: str) -> str:
    return f"/?{urlencode({'q': text})}" if text else "/"
