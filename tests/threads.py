"""What the thread-safety tests share: the mix of requests they send, and each answer reduced
to what must not depend on the moment it was asked (totals, facet counts, rows), so that an
answer under many threads can be compared with the same request answered alone."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

HTMX = {"HX-Request": "true"}
_HIT = '<li class="hit">'
_HITS = re.compile(r'<ol class="hits"[^>]*>(.*?)</ol>', re.DOTALL)
# A case page's similar requests under each item: nearest by scores that count every
# posting, so a commit that replaces letters with themselves (deleted postings until a
# merge) may reorder equals: they count as their number.
_SIMILAR = re.compile(r'<details class="item-similar">.*?</details>', re.DOTALL)


def signature(path: str, status: int, content_type: str, body: bytes) -> tuple[object, ...]:
    """An answer without what may differ between two answers of the same index state.

    Hits of equal score come in document order, which a commit that replaces letters
    changes: lists of hits count as their length, exports as their sorted rows, and the
    JSON search as its totals and facets; a case page's similar requests as their number.
    """
    if status != 200:
        return (status, body[:300])
    text = body.decode()
    if path.startswith("/api/search"):
        found = json.loads(text)
        return (status, found["total"], found["pages"], json.dumps(found["facets"]))
    if path.startswith("/export.csv"):
        return (status, tuple(sorted(tuple(row) for row in csv.reader(io.StringIO(text)))))
    if path.startswith("/export.json"):
        return (status, tuple(sorted(json.dumps(row, sort_keys=True)
                                     for row in json.loads(text))))
    if content_type.startswith("application/json"):
        return (status, text)
    text = _SIMILAR.sub(lambda m: f"<similar {m[0].count('<li>')}>", text)
    return (status, _HITS.sub(lambda m: f"<hits {m[1].count(_HIT)}>", text))


def request_mix(*, words: Iterable[str], facets: dict[str, list[str]],
                case_ids: Iterable[str]) -> list[tuple[str, dict[str, str]]]:
    """(path, headers) of every kind of request that reads the index: searches with facets,
    phrases and prefixes, htmx partials, pages and sorts, the API, exports, the outcome
    view, and case pages with their similar determinations."""
    mix: list[tuple[str, dict[str, str]]] = []
    filters = [{}] + [{facet: value} for facet, values in facets.items() for value in values]
    for number, word in enumerate(words):
        chosen = filters[number % len(filters)]
        for text in (word, f"{word[:4]}*", f'"{word} therapy"', f"treatment:{word}"):
            query = urlencode({"q": text, **chosen})
            mix.append((f"/?{query}", {}))
            mix.append((f"/?{query}&page=2&sort=newest", HTMX))
            mix.append((f"/api/search?{query}", {}))
        query = urlencode({"q": word, **chosen})
        mix += [(f"/outcomes/?{query}", {}), (f"/?{query}&sort=oldest", {})]
        # Exports of one filtered search each: whole result sets, the costliest requests.
        query = urlencode({"q": word, **filters[(number + 1) % len(filters)]})
        mix += [(f"/export.csv?{query}", {}), (f"/export.json?{query}", {})]
    mix += [(f"/?{urlencode(chosen)}", HTMX) for chosen in filters]
    mix += [(f"/outcomes/?{urlencode(chosen)}", {}) for chosen in filters[:4]]
    for case_id in case_ids:
        mix += [(f"/cases/{case_id}/", {}), (f"/api/cases/{case_id}", {})]
    return mix


def answers(fetch: Callable[[str, dict[str, str]], tuple[int, str, bytes]],
            mix: list[tuple[str, dict[str, str]]]) -> dict[int, tuple[object, ...]]:
    """Each request of ``mix`` answered one at a time, by its position in the mix."""
    return {number: signature(path, *fetch(path, headers))
            for number, (path, headers) in enumerate(mix)}
