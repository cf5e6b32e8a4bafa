"""The outcome view: Wilson intervals, and the page's rates and links checked against the
database through Django's test client."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from cases.models import Determination, DisputedItem
from cases.parsing.specialties import canonical_specialties
from cases.presentation.outcomes import (
    TOP_DRUGS,
    OutcomeReport,
    contrast,
    narrowed,
    wilson_interval,
)
from cases.search.base import QUANTITY_BANDS, UNDATED_YEAR, SearchQuery
from cases.services import import_determinations
from tests.conftest import DATA

pytestmark = pytest.mark.django_db

ITEM_ATTRS = {"category": "category", "treatment": "subcategory", "decision": "decision"}


# -- the interval ---------------------------------------------------------------------------
@pytest.mark.parametrize(("k", "n", "low", "high"), [
    (5, 10, 0.2366, 0.7634),
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (1, 100, 0.0018, 0.0545),
    (50, 200, 0.1951, 0.3143),
    (0, 1, 0.0, 0.7935),
])
def test_wilson_interval_matches_known_values(k: int, n: int, low: float, high: float) -> None:
    assert wilson_interval(k, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_of_nothing_is_everything() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_contrast_only_when_the_interval_excludes_the_baseline() -> None:
    assert contrast(30, 100, 0.12) == "higher"  # 21.9-39.6 %
    assert contrast(2, 100, 0.12) == "lower"  # 0.6-7.0 %
    assert contrast(2, 10, 0.12) == ""  # 5.7-51.0 %: too few items to tell
    assert contrast(0, 0, 0.12) == ""


def test_narrowed_replaces_the_facet_selection() -> None:
    query = SearchQuery("norco", {"specialty": ("A", "B"), "decision": ("Upheld",)}, page=3)
    assert narrowed(query, specialty="B", category="Surgery") == SearchQuery(
        "norco", {"specialty": ("B",), "decision": ("Upheld",), "category": ("Surgery",)},
        page=1)


# -- the page -------------------------------------------------------------------------------
ARCHIVE = (400, 31)  # generated letters and their seed, for the archive fixture


def database_counts(filters: dict[str, list[str]]) -> dict[str, Counter]:
    """(value, decision) -> items, per grouping, counted straight from the stored rows."""
    case_filters = {k: set(v) for k, v in filters.items() if k not in ITEM_ATTRS}
    item_filters = {ITEM_ATTRS[k]: set(v) for k, v in filters.items() if k in ITEM_ATTRS}
    counts: dict[str, Counter] = {g: Counter() for g in (
        "category", "specialty", "guideline", "year", "drug", "body_region",
        "quantity-sessions", "quantity-count", "same_guideline", "imr_guideline")}
    for d in Determination.objects.prefetch_related("items"):
        values = {"specialty": set(canonical_specialties(d.specialty_names)),
                  "state": set(d.state_names),
                  "guideline": set(d.guidelines_cited),
                  "year": {str(d.decision_date.year) if d.decision_date else UNDATED_YEAR}}
        if not all(values[k] & v for k, v in case_filters.items()):
            continue
        for item in d.items.all():
            if not all(getattr(item, attr) in v for attr, v in item_filters.items()):
                continue
            counts["category"][(item.category, item.decision)] += 1
            # The reasons and agreements under their labels, as the page names them.
            for group, names in (
                    ("drug", item.drugs), ("body_region", item.body_regions),
                    ("same_guideline", {item.get_same_guideline_display()}
                     if item.same_guideline else set()),
                    ("imr_guideline", {c["document"] for c in item.maximus_citations})):
                for name in names:
                    counts[group][(name, item.decision)] += 1
            for low, high, label in QUANTITY_BANDS.get(item.quantity_unit, ()):
                value = item.quantity_value
                if value is not None and low <= value and (high is None or value < high + 1):
                    key = f"quantity-{item.quantity_unit}"
                    counts[key][(f"{label} {item.quantity_unit}", item.decision)] += 1
            for group in ("specialty", "guideline", "year"):
                for value in values[group]:
                    counts[group][(value, item.decision)] += 1
    return counts


def page_rates(report: OutcomeReport) -> dict[str, dict[str, tuple[int, int]]]:
    return {group.name: {r.label: (r.n, r.overturned) for r in group.rates}
            for group in report.groups}


def expected_rates(counts: dict[str, Counter]) -> dict[str, dict[str, tuple[int, int]]]:
    rates: dict[str, dict[str, tuple[int, int]]] = {}
    for group, counter in counts.items():
        labels = {label for label, _ in counter}
        rates[group] = {label: (counter[(label, "Upheld")] + counter[(label, "Overturned")],
                                counter[(label, "Overturned")]) for label in labels}
    return rates


FILTERS = [
    {},
    {"category": ["Pharmaceuticals"]},
    {"specialty": ["Pain Management"], "treatment": ["opioids", "physical therapy"]},
    {"guideline": ["ODG"], "category": ["Rehabilitation", "Injections"]},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_outcomes_counts_equal_the_database(client: Client, served: Path,
                                            filters: dict[str, list[str]]) -> None:
    response = client.get("/outcomes/", filters)
    assert response.status_code == 200
    report: OutcomeReport = response.context["report"]
    expected = expected_rates(database_counts(filters))
    assert expected["category"]  # the comparison is not trivial
    if not filters:  # the whole archive has items of every new grouping
        assert expected["drug"] and expected["body_region"] and expected["quantity-sessions"]
    # The drug table shows the drugs with most items.
    expected["drug"] = dict(sorted(expected["drug"].items(),
                                   key=lambda kv: (-kv[1][0], kv[0]))[:TOP_DRUGS])
    assert page_rates(report) == expected
    total = sum(n for n, _ in expected["category"].values())
    assert (report.overall.n, report.overall.overturned) == (
        total, sum(o for _, o in expected["category"].values()))
    # Every rate is on the page as text, not only as a bar.
    html = response.content.decode()
    for group in report.groups:
        for rate in group.rates:
            assert f'<td class="num">{rate.overturned} of {rate.n}</td>' in html


def test_outcomes_groups_are_sorted(client: Client, served: Path) -> None:
    report: OutcomeReport = client.get("/outcomes/").context["report"]
    groups = {group.name: group.rates for group in report.groups}
    for name in ("category", "specialty", "guideline"):
        sizes = [r.n for r in groups[name]]
        assert sizes == sorted(sizes, reverse=True), name
    years = [r.label for r in groups["year"]]
    assert years == sorted(years)


def _search_split(client: Client, url: str) -> tuple[int, int]:
    results = client.get(url).context["results"]
    return results.items_upheld + results.items_overturned, results.items_overturned


def test_outcomes_links_lead_to_searches_with_the_same_counts(client: Client,
                                                              served: Path) -> None:
    params = {"q": "pain", "decision": ["Upheld", "Overturned"]}
    report: OutcomeReport = client.get("/outcomes/", params).context["report"]
    assert report.overall.url == "/?q=pain&decision=Upheld&decision=Overturned"
    assert _search_split(client, report.overall.url) == (report.overall.n,
                                                         report.overall.overturned)
    checked = 0
    for group in report.groups:
        for rate in group.rates[:6]:
            assert rate.url.startswith("/?q=pain&")
            assert _search_split(client, rate.url) == (rate.n, rate.overturned), rate.url
            checked += 1
    for row in report.cross.rows[:3]:
        assert _search_split(client, row.total.url) == (row.total.n, row.total.overturned)
        for cell in [c for c in row.cells if c][:3]:
            assert _search_split(client, cell.url) == (cell.n, cell.overturned), cell.url
            checked += 1
    assert checked > 20


def test_outcomes_cross_table_cells_agree_with_the_database(client: Client,
                                                            served: Path) -> None:
    report: OutcomeReport = client.get("/outcomes/").context["report"]
    assert report.cross.rows
    crossed: Counter = Counter()
    for d in Determination.objects.prefetch_related("items"):
        for specialty in set(canonical_specialties(d.specialty_names)):
            for item in d.items.all():
                crossed[(specialty, item.category, item.decision)] += 1
    for row in report.cross.rows:
        for category, cell in zip(report.cross.categories, row.cells, strict=True):
            upheld = crossed[(row.total.label, category, "Upheld")]
            overturned = crossed[(row.total.label, category, "Overturned")]
            got = (cell.n, cell.overturned) if cell else (0, 0)
            assert got == (upheld + overturned, overturned), (row.total.label, category)


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(v or "" for k, v in attrs if tag == "a" and k == "href")


def test_outcomes_page_links_back_and_to_the_exports(client: Client, served: Path) -> None:
    response = client.get("/outcomes/", {"q": "therapy", "specialty": "Family Practice"})
    parser = _Hrefs()
    parser.feed(response.content.decode())
    assert "/?q=therapy&specialty=Family+Practice" in parser.hrefs
    assert "/export.csv?q=therapy&specialty=Family+Practice" in parser.hrefs
    assert "/export.json?q=therapy&specialty=Family+Practice" in parser.hrefs
    assert "/outcomes/?q=therapy" in parser.hrefs  # removes the filter, stays here
    assertContains(response, "← Back to the search for “therapy”")


def test_outcomes_small_groups_show_faded(client: Client, served: Path) -> None:
    response = client.get("/outcomes/")
    report: OutcomeReport = response.context["report"]
    sparse = [r for g in report.groups for r in g.rates if r.sparse]
    assert sparse  # the real letters' rarer specialties, or the generated corpus's
    assertContains(response, '<tr class="is-sparse">')
    assert not [r for r in sparse if r.contrast]  # no ▲/▼ on a handful of items
    cells = [cell for row in report.cross.rows for cell in row.cells if cell and cell.sparse]
    assert cells and not [cell for cell in cells if cell.contrast]


def test_outcomes_undated_items_have_their_own_year_row(client: Client, served: Path) -> None:
    """Letters whose decision date was not read are a row of the by-year table, linking to
    the search for them (the year facet's "Undated"), so the rows add up to every item."""
    report: OutcomeReport = client.get("/outcomes/").context["report"]
    years = {r.label: r for r in next(g for g in report.groups if g.name == "year").rates}
    undated = Determination.objects.filter(decision_date=None)
    assert undated.exists()  # the generated corpus leaves some dates unread
    assert years[UNDATED_YEAR].n == DisputedItem.objects.filter(
        determination__decision_date=None).count()
    assert sum(r.n for r in years.values()) == report.overall.n
    assert _search_split(client, years[UNDATED_YEAR].url) == (
        years[UNDATED_YEAR].n, years[UNDATED_YEAR].overturned)
    assert list(years)[-1] == UNDATED_YEAR  # after the years


@pytest.mark.parametrize(("params", "message"), [
    ({"page": "abc"}, "Page must be a whole number from 1 to 10,000."),
    ({"q": "x" * 600}, "The search text is 600 characters long; shorten it to 500"),
    ({"decided_from": "2016-02-30"}, "Enter the decided from date as YYYY-MM-DD"),
    ({"specialty": "x" * 300}, "A value of “Reviewer specialty” is longer than 200"),
    ({"q": "a*"}, "Type at least 2 letters before * or ?"),
])
def test_outcomes_bad_parameters_are_400_with_the_message(client: Client, served: Path,
                                                          params: dict, message: str) -> None:
    response = client.get("/outcomes/", params)
    assertContains(response, message, status_code=400)
    assertContains(response, 'id="search-errors"', status_code=400)
    assertNotContains(response, 'class="rates"', status_code=400)


def test_outcomes_missing_index_is_503(client: Client, tmp_path: Path,
                                       settings: object) -> None:
    import_determinations(paths=[DATA / "layout_2013.txt"], index=False)  # a letter, no index
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "not-built")},
    }
    response = client.get("/outcomes/")
    assertContains(response, "Search is unavailable for a moment.", status_code=503)
    assert response["Retry-After"] == "60"


def test_outcomes_of_nothing_say_so(client: Client, served: Path, settings: object,
                                    tmp_path: Path) -> None:
    response = client.get("/outcomes/", {"q": "zzyzxqwv"})  # (a state no letter has: a 400)
    assertContains(response, "No disputed items match this search.")
    # Before any import: no rows (until this test's rollback) and no index yet.
    Determination.objects.all().delete()
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "not-built")},
    }
    assertContains(client.get("/outcomes/"), "No disputed items match this search.")


def test_outcomes_escape_the_query(client: Client, served: Path) -> None:
    response = client.get("/outcomes/", {"q": '<script>alert("q")</script>',
                                         "specialty": "<b>x</b>"})
    assert b"<script>alert" not in response.content
    assert b"<b>x</b>" not in response.content
    # No letter has that specialty: refused, the value quoted escaped in the message.
    assertContains(response, "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;",
                   status_code=400)
    assertContains(response, "the reviewer specialty “&lt;b&gt;x&lt;/b&gt;”", status_code=400)
