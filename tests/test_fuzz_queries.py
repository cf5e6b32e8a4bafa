"""Fuzzing every view that takes search parameters: the search page (plain and htmx), the
JSON API, the exports and the outcome view, through Django's test client against an index of
the real letters (when ../shared is there) and generated ones.

Generated: random unicode (astral characters, right-to-left text, combining marks, NUL and
other control characters), strings of 100,000 characters, the query language's operators in
every position (AND OR NOT, + and -, unbalanced quotes and parentheses, ``field:`` with known,
internal and unknown fields, ``* ? ~ ^``, ranges), wildcards that would match the whole
vocabulary, pages out of range or not numbers, unknown facets and facet values, repeated
parameters, bad dates and sorts, and raw query strings a browser would not send.

Properties: no response is a server error; a refused search says why in words, the same
words on every view; the limits on query length and wildcard breadth give their message;
nothing typed reaches a page unescaped; no request hangs.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.search.base import FACETS, SORTS
from cases.search.whoosh_backend import analysis

pytestmark = pytest.mark.django_db

ARCHIVE = (100, 29)  # generated letters and their seed, beside the real ones
EXAMPLES = 2_000  # each sends 5 requests: 10,000 in all, and the raw query strings 85 more
MIN_REQUESTS = 10_000
CASE_PAGE_EXAMPLES = 100
# A hang guard, not a speed target (those live in the benchmarks): a request that takes this
# long is stuck (an unbounded wildcard or range expansion, a regular expression backtracking).
HANG_SECONDS = 10.0
HTMX = {"HX-Request": "true"}
DATE_NAMES = ("decided_from", "decided_to", "injured_from", "injured_to")
PARAM_NAMES = ("q", "page", "sort", *DATE_NAMES, *FACETS)
# Markup that must never reach a page as markup (the templates hold none of it).
INJECTIONS = ("<script>alert('fuzz')</script>", '"><img src=x onerror=alert(1)>',
              "'><svg onload=alert(1)>", "</textarea><b>fuzz</b>", "{{ 7|add:7 }}", "{% now 'Y' %}")
RAW_MARKUP = ("<script>alert(", "<img src=x", "<svg onload", "<b>fuzz</b>",
              "<textarea")

# -- what is sent ---------------------------------------------------------------------------
_UNICODE = st.characters(exclude_categories=("Cs",))  # every code point UTF-8 can carry
_ODD = ("\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u00a0",
        "\u0301", "\u0338", "\u200b", "\u200d", "\u200e", "\u200f", "\u202e", "\u2028", "\u3000",
        "\ufeff", "\ufffd", "\uffff", "\U0001f600", "\U00010348", "\U0010fffd", "ﷺ", "ǅ",
        "ﬁ", "ß", "İ", "עברית", "العربية", "中文", "𝔘𝔫𝔦", "a\u0300\u0301\u0302")
_WORDS = ("massage", "therapy", "physical", "pain", "lumbar", "norco", "tramadol", "injection",
          "acupuncture", "surgery", "upheld", "overturned", "guidelines", "ESI", "PT", "TENS",
          "L5-S1", "10/325", "§9792.24.2", "CM16-0247255", "cm16 0247255", "x", "ab", "the")
_OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "and", "or", "not", "+", "-",
              '"', "(", ")", "[", "]", "{", "}", "~", "~2", "~99", "^", "^2", "^-1",
              "^abc", ":", "\\", "'", "<", ">", ">=", "=", "/", ".", ",", "§", "&", "%", "#")
_FIELDS = ("treatment:", "rationale:", "summary:", "specialty:", "state:", "case:", "content:",
           "id:", "item:", "pairs:", "decided:", "injured:", "f_outcome:", "f_year:", "foo:",
           "Treatment:", "TREATMENT:", "unknown_field:", "é:", "1:", ":", "::")
_PATTERNS = ("a*", "*", "*a*", "**", "?", "??", "a?", "?a", "*?", "ab*", "th*", "co*", "in*",
             "*ing", "mas*age", "ma?sage", "mass*~", "massage~", "massage~3", "massage^4",
             "x*y*z*", "0*", "1*", "cm*", "§*", "L5-*", "-*", "+*", "\"*\"", "(*)")
_RANGES = ("[a TO b]", "[a TO z]", "{a TO z}", "[ TO ]", "[massage TO]", "[TO massage]",
           "[a TO", "TO b]", "decided:[20150101 TO 20161231]", "[0 TO 99999999]", "{* TO *}",
           "case:[a TO z]", "id:[0 TO z]")
_SEPARATORS = ("", " ", " ", " ", "  ", "\t", "\n", "(", ")", '"', "-", "+", ":")
_HUGE = ("a", "massage ", "(", '"', "a* ", "NOT ", "-x ", "中", "\U0001f600", "\u0301",
         "\x00", "<script>")

_token = st.one_of(
    st.sampled_from(_WORDS), st.sampled_from(_OPERATORS), st.sampled_from(_FIELDS),
    st.sampled_from(_PATTERNS), st.sampled_from(_RANGES), st.sampled_from(_ODD),
    st.sampled_from(INJECTIONS), st.text(_UNICODE, min_size=1, max_size=6))
_operator_soup = st.lists(st.tuples(_token, st.sampled_from(_SEPARATORS)),
                          min_size=1, max_size=14).map(lambda ts: "".join(t + s for t, s in ts))
# Over 500 characters is refused before any search: 5,000 takes the refusal's path as
# 100,000 would, at a twentieth of the encoding and parsing (100,000 has its own test below).
_huge = st.builds(lambda piece, size: (piece * (size // len(piece) + 1))[:size],
                  st.sampled_from(_HUGE), st.sampled_from((5_000, 501, 500, 499)))
queries = st.one_of(_operator_soup, _operator_soup, _operator_soup,
                    st.text(_UNICODE, max_size=40), _huge, st.sampled_from(_PATTERNS))

pages = st.one_of(
    st.sampled_from(("-1", "0", "1", "2", "3", str(10**9), "abc", "1.5", "1e3", " 7 ", "",
                     "٣", "+2", "0x1", "10000", "10001", "9" * 50, "\x00", "1\x00", "NaN",
                     "∞", "²")),
    st.integers(-(10**12), 10**12).map(str))
dates = st.one_of(
    st.sampled_from(("2016-02-30", "2016-13-01", "0000-01-01", "0001-01-01", "9999-12-31",
                     "10000-01-01", "-2016-01-01", "2016-1-1", "2016/01/01", "20160101",
                     "2016-01-01T00:00", "", " ", "2016-01-01\x00", "२०१६-०१-०१", "today")),
    st.dates().map(lambda day: day.isoformat()), st.text(_UNICODE, max_size=12))
sorts = st.sampled_from((*SORTS, "", "best", "NEWEST", "relevance ", "-newest", "\x00",
                         "newest,oldest", "score"))
_unknown_names = st.sampled_from(("foo", "q[]", "Q", "page[]", "", "facet", "specialty[]",
                                  "__proto__", "sort_by", "format", "q ", "\x00", "é"))


@dataclass
class Tally:
    """How many requests the fuzz sent, how many searches ran, and the slowest request."""

    requests: int = 0
    searched: int = 0  # parameter sets the API answered with results (the others: a 400)
    slowest: tuple[float, str] = (0.0, "")


def _facet_values(client: Client) -> list[tuple[str, str]]:
    """(facet, value) pairs the archive really has, so some filters match something."""
    facets = client.get("/api/search").json()["facets"]
    return [(name, v["value"]) for name, values in facets.items() for v in values[:6]]


def _parameters(known: list[tuple[str, str]]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A query string's (name, value) pairs, names repeated at will: half of them a query
    with sound filters (so the search can run), half anything at all."""
    facet_values = st.one_of(
        st.sampled_from([value for _, value in known]), st.text(_UNICODE, max_size=20), _huge,
        st.sampled_from(("", " ", "\x00", "Upheld,Overturned", "x" * 201, "upheld")))
    pair = st.one_of(
        st.tuples(st.just("q"), queries),
        st.tuples(st.just("page"), pages),
        st.tuples(st.just("sort"), sorts),
        st.tuples(st.sampled_from(DATE_NAMES), dates),
        st.tuples(st.sampled_from(tuple(FACETS)), facet_values),
        st.tuples(_unknown_names, st.text(_UNICODE, max_size=10)),
        st.tuples(st.sampled_from(PARAM_NAMES), st.text(_UNICODE, max_size=10)))
    many_values = st.tuples(st.sampled_from(tuple(FACETS)),
                            st.sampled_from((30, 51, 60))).map(
        lambda fv: [(fv[0], f"value {n}") for n in range(fv[1])])
    sound = st.one_of(
        st.sampled_from(known),
        st.tuples(st.just("sort"), st.sampled_from(SORTS)),
        st.tuples(st.just("page"), st.integers(1, 3).map(str)),
        st.tuples(st.sampled_from(DATE_NAMES),
                  st.dates(date(2010, 1, 1), date(2020, 12, 31)).map(date.isoformat)))
    searchable = st.tuples(st.lists(st.tuples(st.just("q"), queries), min_size=1, max_size=2),
                           st.lists(sound, max_size=3)).map(lambda t: t[0] + t[1])
    return st.one_of(
        searchable, searchable,
        st.lists(pair, max_size=8),
        st.tuples(st.lists(pair, max_size=3), many_values).map(lambda t: t[0] + t[1]))


# Query strings no form would send: bad percent-escapes, surrogates, stray separators.
RAW_QUERY_STRINGS = ("q=%ff%fe", "q=%", "q=%zz", "q=%ED%A0%80", "page=%00", "&&&", "q", "=x",
                     ";q=1", "q=a&q=b&q=", "q=%2A", "specialty=%C0%AF", "q=+", "q=%0A%0D",
                     "page=1&page=abc", "page=2&page=-1", "sort=newest&sort=x")


# -- what is checked ------------------------------------------------------------------------
def _readable(message: str) -> bool:
    """A sentence for a person: words, a full stop, nothing from Python's insides."""
    text = message.strip()
    return (len(text.split()) >= 3 and text[-1] in ".)?!" and "Traceback" not in text
            and "Error(" not in text and " object at 0x" not in text)


def _messages(api: dict) -> list[str]:
    """The messages the API gave, one per refused parameter (or the one of the query)."""
    fields = api.get("fields") or {}
    return [m for errors in fields.values() for m in errors] or [api["error"]]


def _body(response: HttpResponse) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


class Prober:
    """Sends one query string to every view and checks what comes back."""

    def __init__(self, client: Client, tally: Tally) -> None:
        self.client = client
        self.tally = tally

    def get(self, path: str, query: str, headers: dict[str, str] | None = None
            ) -> tuple[HttpResponse, bytes]:
        """The response and its whole body (a stream read to its end)."""
        url = f"{path}?{query}" if query else path
        started = time.perf_counter()
        try:
            response = self.client.get(url, headers=headers or {})
            body = _body(response)
        except Exception as exc:  # the test client re-raises what would have been a 500
            raise AssertionError(f"{url[:300]!r} {headers or ''}: server error {exc!r}") from exc
        finally:
            spent = time.perf_counter() - started
            self.tally.requests += 1
            if spent > self.tally.slowest[0]:
                self.tally.slowest = (spent, url[:200])
        assert spent < HANG_SECONDS, f"{url[:200]!r} took {spent:.1f} s"
        assert response.status_code < 500, f"{url[:300]!r}: {response.status_code}"
        return response, body

    def check(self, query: str, *, pages: tuple[dict[str, str], ...] = ({}, HTMX)) -> None:
        """Every view (the search page with each of the ``pages`` headers), and their
        agreement with the API about whether the search runs."""
        api = self.get("/api/search", query)
        answers = [(bool(headers), self.get("/", query, headers)) for headers in pages]
        exports = [self.get("/export.csv", query), self.get("/export.json", query)]
        outcomes = self.get("/outcomes/", query)
        response, body = api
        data = json.loads(body)
        assert response.status_code in (200, 400), (query[:300], response.status_code)
        refused = response.status_code == 400
        self.tally.searched += not refused
        messages = _messages(data) if refused else []
        for message in [data.get("error", "")] * refused + messages:
            assert _readable(message), (query[:300], message)
        for partial, (response, body) in answers:
            self._check_page(query, partial, response, body, messages)
        self._check_exports(query, exports, refused, data)
        response, body = outcomes
        html = body.decode()
        assert response.status_code == (400 if refused else 200), (query[:300], html[-500:])
        for message in messages:
            assert escape(message) in html, (query[:300], message)
        _check_escaped(query, html)

    @staticmethod
    def _check_page(query: str, partial: bool, response: HttpResponse, body: bytes,
                    messages: list[str]) -> None:
        if response.status_code == 302 or response.has_header("HX-Redirect"):
            assert not messages  # a case number typed whole opens its page
            return
        # Refused parameters are a 400 here as in the API and the exports.
        assert response.status_code == (400 if messages else 200), (
            query[:300], partial, response.status_code)
        html = body.decode()
        assert ("<html" in html) != partial, (query[:300], partial)
        assert ('id="search-errors"' in html) == bool(messages), (query[:300], partial)
        for message in messages:
            assert escape(message) in html, (query[:300], partial, message)
        _check_escaped(query, html)

    @staticmethod
    def _check_exports(query: str, exports: list, refused: bool, api: dict) -> None:
        (csv_response, csv_body), (json_response, json_body) = exports
        if refused:
            assert csv_response.status_code == json_response.status_code == 400
            assert csv_body.decode().strip() == api["error"], query[:300]
            assert json.loads(json_body)["error"] == api["error"], query[:300]
            return
        assert csv_response.status_code == json_response.status_code == 200, query[:300]
        rows = list(csv.DictReader(io.StringIO(csv_body.decode())))
        objects = json.loads(json_body)
        assert len(rows) == len(objects), query[:300]
        assert len({row["case_id"] for row in rows}) <= api["total"], query[:300]


def _check_escaped(query: str, html: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html, (query[:300], markup)


# -- the suites -----------------------------------------------------------------------------
def test_fuzz_queries_never_fail_and_always_explain(client: Client, served: Path,
                                                    record_property: Callable[[str, object],
                                                                              None]) -> None:
    tally = Tally()
    prober = Prober(client, tally)
    parameters = _parameters(_facet_values(client))

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(parameters, st.booleans())
    def run(params: list[tuple[str, str]], htmx: bool) -> None:
        prober.check(urlencode(params), pages=(HTMX if htmx else {},))

    run()
    for raw in RAW_QUERY_STRINGS:
        prober.check(raw)
    # In every run's log, not only a failing one's (conftest.py prints it at the end).
    record_property("summary", f"query fuzz: {tally.requests} requests, {tally.searched} "
                    f"searches run, slowest {tally.slowest[0] * 1000:.0f} ms: "
                    f"{tally.slowest[1][:120]!r}")
    assert tally.requests >= MIN_REQUESTS


def test_fuzz_markup_in_every_parameter_is_escaped(client: Client, served: Path) -> None:
    tally = Tally()
    prober = Prober(client, tally)
    for markup in INJECTIONS:
        for name in PARAM_NAMES:
            prober.check(urlencode({name: markup}))
        prober.check(urlencode({"q": f"massage {markup}"}))


@pytest.mark.parametrize("size", [501, 5_000, 100_000])
def test_fuzz_too_long_query_says_how_long_it_may_be(client: Client, served: Path,
                                                     size: int) -> None:
    query = urlencode({"q": ("massage " * size)[:size]})
    limit = f"shorten it to {analysis.MAX_QUERY_LENGTH} or fewer"
    Prober(client, Tally()).check(query)
    assert limit in client.get(f"/api/search?{query}").json()["error"]
    for path in ("/", "/outcomes/", "/export.csv", "/export.json"):
        assert limit in _body(client.get(f"{path}?{query}")).decode()


@pytest.mark.parametrize("q", ["a*", "*a*", "?a", "x?", "massage OR *", "treatment:a*",
                               # Wildcards alone are refused as "a*" is: they were read as
                               # "no words" (every letter), while one letter more was refused.
                               "*", "**", "***", "* ?", " * ", "*?*"])
def test_fuzz_whole_vocabulary_wildcard_is_refused(client: Client, served: Path,
                                                    q: str) -> None:
    query = urlencode({"q": q})
    message = f"Type at least {analysis.MIN_PREFIX} letters before * or ?"
    Prober(client, Tally()).check(query)
    for path in ("/", "/api/search", "/outcomes/", "/export.csv", "/export.json"):
        assert message in _body(client.get(f"{path}?{query}")).decode(), path


def test_fuzz_too_broad_wildcard_hits_the_expansion_limit(client: Client, served: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # The test archive has a few thousand words, so no prefix reaches the real limit
    # (2,000 words); a lower one shows the same refusal.
    monkeypatch.setattr(analysis, "MAX_PREFIX_TERMS", 20)
    query = urlencode({"q": "co*"})
    message = "matches more than 20 different words; type more letters before the *."
    Prober(client, Tally()).check(query)
    for path in ("/", "/api/search", "/outcomes/", "/export.csv", "/export.json"):
        assert message in _body(client.get(f"{path}?{query}")).decode(), path



def test_fuzz_case_page_marks_any_query_safely(client: Client, served: Path) -> None:
    # The case page marks the query's words in the whole letter: any text must answer,
    # escaped, and without the pattern of a wildcard running away on a long line.
    tally = Tally()
    prober = Prober(client, tally)
    urls = [row["url"].removeprefix("http://testserver")
            for row in client.get("/api/search", {"q": "therapy"}).json()["results"][:5]]

    @settings(max_examples=CASE_PAGE_EXAMPLES, derandomize=True, database=None,
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(urls), queries)
    def run(url: str, q: str) -> None:
        response, body = prober.get(url, urlencode({"q": q}))
        assert response.status_code == 200, (q[:300], response.status_code)
        _check_escaped(q, body.decode())

    run()
    assert tally.requests >= CASE_PAGE_EXAMPLES
