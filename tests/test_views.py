"""The search page and the permanent case page, through Django's test client."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cases.models import Determination
from cases.search import get_backend
from cases.search.base import SearchQuery
from cases.selectors import count_alternatives, searching
from cases.services import import_determinations
from cases.synthetic import BENCHMARK, write_corpus
from tests.conftest import BAD_PARAMETERS, DATA, REAL_TEXTS, need

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CASE = "/cases/CM13-0099001/"


@pytest.fixture
def imported() -> None:
    """The two small synthetic fixture letters, stored and indexed."""
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])


@pytest.fixture
def corpus(tmp_path: Path) -> None:
    """Forty-five generated letters: enough for three pages of results."""
    write_corpus(tmp_path / "letters", count=45, seed=7, profile=BENCHMARK)
    report = import_determinations(paths=[tmp_path / "letters"])
    assert report.new == 45


class _Links(HTMLParser):
    """Collect the attributes of every element that has an hx-get."""

    def __init__(self) -> None:
        super().__init__()
        self.hx: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if any(name == "hx-get" for name, _ in attrs):
            self.hx.append((tag, dict(attrs)))


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value or "" for name, value in attrs if name == "id")


def duplicate_ids(html: str) -> set[str]:
    parser = _Ids()
    parser.feed(html)
    return {i for i in parser.ids if parser.ids.count(i) > 1}


def hx_elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Links()
    parser.feed(html)
    return parser.hx


# -- the search page ----------------------------------------------------------------------
def test_search_plain_request_renders_full_page(client: Client, imported: None) -> None:
    response = client.get("/", {"q": "norco"})
    assert response.status_code == 200
    assertContains(response, "<html")
    assertContains(response, '<section id="search-results"')
    assertContains(response, '<form id="search-form"')
    assertContains(response, 'action="/" method="get"')
    assertContains(response, 'value="norco"')
    assertContains(response, "/static/django_htmx/htmx-2.min.js")
    assert "HX-Request" in response["Vary"]


def test_search_htmx_request_renders_partial(client: Client, imported: None) -> None:
    full = client.get("/", {"q": "norco"})
    partial = client.get("/", {"q": "norco"}, headers=HTMX)
    assert partial.status_code == 200
    assertNotContains(partial, "<html")
    assertNotContains(partial, '<form id="search-form"')
    assert partial.content.decode().lstrip().startswith("<title>norco · IMR precedent search")
    assertContains(partial, '<section id="search-results"', count=1)
    assert "HX-Request" in partial["Vary"]
    # The same hits in both.
    for link in ('href="/cases/CM13-0099001/?q=norco#item-1"', "2 determinations for “norco”"):
        assertContains(full, link)
        assertContains(partial, link)
    # The persistent live region is refreshed out of band.
    assertContains(partial, '<span id="search-status" hx-swap-oob="innerHTML">'
                            "2 determinations for “norco”</span>", html=True)


def test_search_history_restore_request_renders_full_page(client: Client,
                                                          imported: None) -> None:
    response = client.get("/", {"q": "norco"},
                          headers={**HTMX, "HX-History-Restore-Request": "true"})
    assertContains(response, "<html")
    assert "HX-History-Restore-Request" in response["Vary"]


def test_search_live_region_announces_the_count(client: Client, imported: None) -> None:
    response = client.get("/")
    assertContains(response, '<p id="search-status" class="visually-hidden" role="status" '
                             'aria-live="polite" aria-atomic="true">2 determinations</p>',
                   html=True)


def _og(response: object, name: str) -> str:
    """The content of the page's ``og:NAME`` meta tag."""
    found = re.findall(rf'<meta property="og:{name}" content="([^"]*)">',
                       response.content.decode())  # type: ignore[attr-defined]
    assert len(found) == 1, f"og:{name} appears {len(found)} times"
    return html.unescape(found[0])


@pytest.mark.parametrize(("params", "title", "url", "description"), [
    ({"q": "norco", "outcome": "Partially overturned"},
     "“norco” · Partially overturned · IMR precedent search",
     "/?q=norco&outcome=Partially+overturned",
     "2 IMR determinations match; 40% of their 5 disputed items overturned (found medically "
     "necessary)."),
    ({"decision": "Overturned", "page": "1"}, "Overturned · IMR precedent search",
     "/?decision=Overturned",
     "2 IMR determinations match; 100% of the 2 disputed items meeting its conditions "
     "overturned (found medically necessary)."),
    ({"q": "acupuncture"}, "“acupuncture” · IMR precedent search", "/?q=acupuncture",
     "1 IMR determination matches; 50% of their 2 disputed items overturned (found "
     "medically necessary)."),
    ({}, "All determinations · IMR precedent search", "/",
     "2 IMR determinations match; 40% of their 5 disputed items overturned (found medically "
     "necessary)."),
])
def test_search_page_open_graph_names_the_search_and_its_outcomes(
        client: Client, imported: None, params: dict, title: str, url: str,
        description: str) -> None:
    response = client.get("/", params)
    assert _og(response, "type") == "website"
    assert _og(response, "title") == title
    assert _og(response, "url") == f"http://testserver{url}"
    assert _og(response, "description") == description
    # The partial htmx swaps in has no head.
    assertNotContains(client.get("/", params, headers=HTMX), "og:")


def test_search_page_open_graph_of_nothing_found_and_of_a_refused_search(
        client: Client, imported: None) -> None:
    assert _og(client.get("/", {"q": "zyzzyva"}), "description") == (
        "0 IMR determinations match.")
    refused = client.get("/", {"page": "abc"})
    assert refused.status_code == 400
    assertNotContains(refused, "og:", status_code=400)


def test_search_every_hx_get_has_the_same_href(client: Client, corpus: None) -> None:
    response = client.get("/", {"q": "therapy", "page": "2", "sort": "newest"})
    elements = hx_elements(response.content.decode())
    assert len(elements) > 20
    for tag, attrs in elements:
        if tag == "a":
            assert attrs["href"] == attrs["hx-get"], attrs
        elif tag == "p":  # the item-level offer's line, counted once the page is shown
            assert attrs["hx-get"].startswith("/offer/?q=therapy"), attrs
            assert attrs["hx-trigger"] == "load", attrs
        elif tag == "ul":  # a facet's rest, loaded when "Show all" opens; page 1 of its links
            assert re.fullmatch(r"/facets/[a-z_]+/\?q=therapy&sort=newest", attrs["hx-get"])
            assert attrs["hx-trigger"] == "toggle once from:closest details", attrs
        else:  # the form and its fields send the form to the same page
            assert attrs["hx-get"] == "/", attrs


def test_pages_have_unique_element_ids(client: Client, corpus: None) -> None:
    from cases.models import Determination

    determination = Determination.objects.order_by("public_id").first()
    assert determination is not None
    for url in ("/?q=therapy", "/?sort=oldest&page=2", determination.get_absolute_url()):
        assert duplicate_ids(client.get(url).content.decode()) == set(), url


def test_search_facet_links_toggle_values(client: Client, imported: None) -> None:
    response = client.get("/", {"q": "norco"})
    assertContains(response, 'href="/?q=norco&amp;decision=Overturned"')
    selected = client.get("/", {"q": "norco", "decision": "Overturned",
                                "state": ["Nevada", "Texas"]})
    html = selected.content.decode()
    # Ticking another value keeps the others; unticking drops only that value.
    assert 'href="/?q=norco&amp;decision=Overturned&amp;decision=Upheld' in html
    assert ('href="/?q=norco&amp;decision=Overturned&amp;state=Texas" '
            'hx-get="/?q=norco&amp;decision=Overturned&amp;state=Texas" role="checkbox" '
            'aria-checked="true"') in html
    assertContains(selected, 'aria-label="Remove filter State of licensure: Nevada"')
    assertContains(selected, "2 determinations for “norco”, filtered")


def test_search_facet_counts_follow_the_filters(client: Client, imported: None) -> None:
    response = client.get("/", {"specialty": "Pain Management", "state": "Nevada"})
    assertContains(response, "1 determination, filtered")
    assertContains(response, 'href="/cases/CM13-0099001/?specialty=Pain+Management&amp;'
                             'state=Nevada"')


def test_search_hit_shows_items_badges_and_marked_snippet(client: Client,
                                                          imported: None) -> None:
    response = client.get("/", {"q": "norco"})
    assertContains(response, '<span class="treatment"><mark>Norco</mark> 10/325mg #120</span>',
                   html=True)
    assertContains(response, 'title="Upheld: the denial stands, the treatment is not approved"')
    assertContains(response, 'title="Overturned: the treatment was found medically necessary"')
    assertContains(response, '<p class="snippet">')
    assertContains(response, "<mark")
    assertContains(response, "Decided <time datetime=\"2013-12-27\">Dec 27, 2013</time>")


def test_search_outcome_split_of_the_result_set(client: Client, imported: None) -> None:
    response = client.get("/")
    # Items of both letters: 2 overturned, 3 upheld.
    assertContains(response, "<strong>40%</strong> overturned (2)")
    assertContains(response, "60% upheld (3)")
    assertContains(response, 'style="width: 40%"')


def test_search_sort_links_keep_the_query_and_drop_the_page(client: Client,
                                                            corpus: None) -> None:
    response = client.get("/", {"q": "therapy", "page": "2"})
    assertContains(response, '<span class="sort-current" aria-current="true">Relevance</span>',
                   html=True)
    assertContains(response, 'href="?q=therapy&amp;sort=oldest"')


def test_search_browsing_hides_relevance_sort(client: Client, imported: None) -> None:
    response = client.get("/")
    assertContains(response, '<span class="sort-current" aria-current="true">Newest first'
                             '</span>', html=True)
    assertNotContains(response, "sort=relevance")


def test_search_pager_links_every_page(client: Client, corpus: None) -> None:
    response = client.get("/", {"page": "2"})
    assertContains(response, "45 determinations · page 2 of 3")
    assertContains(response, '<a id="page-prev" rel="prev" href="?page=1" hx-get="?page=1">'
                             "← Previous</a>", html=True)
    assertContains(response, '<span class="current" aria-current="page">2</span>', html=True)
    assertContains(response, 'href="?page=3"')
    assertContains(response, '<ol class="hits" id="hits" start="21"')


def test_search_page_past_the_end_links_back(client: Client, corpus: None) -> None:
    response = client.get("/", {"page": "9"})
    assert response.status_code == 200
    assertContains(response, "Page 9 is past the last page of results.")
    assertContains(response, 'href="?page=3"')


def test_search_no_results_offers_suggestion_and_alternatives(client: Client,
                                                              imported: None) -> None:
    response = client.get("/", {"q": "phisical therapy"})
    assertContains(response, "No determinations match “phisical therapy”")
    assertContains(response, 'Did you mean <a href="/?q=physical+therapy" '
                             'hx-get="/?q=physical+therapy">physical therapy</a>?', html=True)
    assertContains(response, '<a href="/?q=therapy" hx-get="/?q=therapy">Search without '
                             '“phisical”</a>', html=True)
    assertContains(response, "1 determination</span>")


def test_search_no_results_long_query_counts_few_distinct_alternatives(
        imported: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each alternative costs a search: a pasted 240-word query must not cost 240 of them.
    backend = get_backend()
    counted: list[SearchQuery] = []
    total = backend.total
    monkeypatch.setattr(backend, "total", lambda query: counted.append(query) or total(query))
    words = " ".join([f"zq{n}" for n in range(60)] * 4)
    count_alternatives(SearchQuery(words, filters={"state": ("Nevada",)}))
    # The dropped filter takes one of the alternatives, counted with the others' masks;
    # the words fill the rest, a search each.
    assert len(counted) == searching.MAX_ALTERNATIVES - 1
    assert all(q.filters == {"state": ("Nevada",)} for q in counted)
    assert len({(q.text, tuple(q.filters)) for q in counted}) == len(counted)
    # A repeated word is one alternative.
    offered = count_alternatives(SearchQuery("phisical phisical therapy"))
    assert [label for label, _query, _total in offered] == ["without “phisical”"]


def test_search_no_results_alternative_drops_a_filter(client: Client, imported: None) -> None:
    response = client.get("/", {"q": "acupuncture", "state": "Nevada"})
    assertContains(response, "No determinations match “acupuncture” with these filters.")
    assertNotContains(response, 'class="hit"')
    assertContains(response, 'href="/?q=acupuncture"')
    assertContains(response, "without state of licensure: Nevada")


@pytest.mark.parametrize(("params", "message"), [
    *BAD_PARAMETERS,
    ({"page": "-1"}, "Page must be a whole number from 1 to 10,000."),
    ({"page": "10001"}, "Page must be a whole number from 1 to 10,000."),
])
def test_search_bad_parameters_explain_with_400(client: Client, imported: None,
                                               params: dict, message: str) -> None:
    """The page answers invalid parameters as the API and the exports do: 400, with the
    form's messages shown (htmx swaps a 400 in, see base.html)."""
    for headers in ({}, HTMX):
        response = client.get("/", params, headers=headers)
        assert response.status_code == 400
        assertContains(response, 'id="search-errors" class="notice notice-error" role="alert"',
                       status_code=400)
        assertContains(response, message, status_code=400)


def test_search_bad_parameter_links_to_the_valid_search(client: Client,
                                                        imported: None) -> None:
    response = client.get("/", {"q": "norco", "page": "abc"})
    assertContains(response, '<a href="/?q=norco" hx-get="/?q=norco">Search without the '
                             "invalid parameters</a>", html=True, status_code=400)


@pytest.mark.parametrize(("q", "message"), [
    ("a*", "Type at least 2 letters before * or ?"),
    ("-norco", "The query"),
])
def test_search_query_error_is_shown_near_the_box(client: Client, imported: None, q: str,
                                                  message: str) -> None:
    response = client.get("/", {"q": q})
    assert response.status_code == 400
    assertContains(response, "The search could not be run.", status_code=400)
    assertContains(response, message, status_code=400)


def test_search_missing_index_is_503_with_a_clear_message(client: Client, imported: None,
                                                         settings: object,
                                                         tmp_path: Path) -> None:
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(tmp_path / "not-built")},
    }
    for headers in ({}, HTMX):
        response = client.get("/", {"q": "norco"}, headers=headers)
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        assertContains(response, "Search is unavailable for a moment.", status_code=503)
        assertContains(response, "temporarily unavailable", status_code=503)
        assertNotContains(response, "being rebuilt", status_code=503)
    # The case pages do not need the index.
    assert client.get(CASE).status_code == 200


def test_search_case_number_redirects_to_the_case(client: Client, imported: None) -> None:
    assertRedirects(client.get("/", {"q": " cm13 - 0099001 "}), CASE)
    response = client.get("/", {"q": "CM13-0099001"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == CASE


def test_search_letter_id_or_case_field_opens_the_case(client: Client, imported: None) -> None:
    letter_id = Determination.objects.get(public_id__startswith="imr-").public_id
    for q in (letter_id, f" {letter_id.upper()} ", f"case:{letter_id}"):
        assertRedirects(client.get("/", {"q": q}), f"/cases/{letter_id}/")
    for q in ("case:CM13-0099001", "Case: cm13-0099001", "cm13 0099001"):
        assertRedirects(client.get("/", {"q": q}), CASE)


def test_search_without_results_shows_no_empty_filter_heading(client: Client,
                                                              imported: None) -> None:
    empty = client.get("/", {"q": "zzyzxqwv"})
    assertContains(empty, "No determinations match")
    assertNotContains(empty, "facets-heading")
    # A selected filter stays to be unticked, under its heading.
    filtered = client.get("/", {"q": "acupuncture", "state": "Nevada"})
    heading = '<h2 class="facets-heading" id="filters-heading">Filter</h2>'
    assertContains(filtered, heading, html=True)
    assertContains(client.get("/", {"q": "norco"}), heading, html=True)


def test_search_unknown_case_number_searches(client: Client, imported: None) -> None:
    response = client.get("/", {"q": "CM99-0000001"})
    assert response.status_code == 200
    assertContains(response, "No determinations match “CM99-0000001”")


def test_search_escapes_the_query(client: Client, imported: None) -> None:
    response = client.get("/", {"q": '<script>alert("q")</script>'})
    assert response.status_code == 200
    assert b'<script>alert("q")' not in response.content
    assertContains(response, "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;")


def test_search_escapes_letter_text(client: Client, tmp_path: Path) -> None:
    letter = tmp_path / "xss.txt"
    letter.write_text((DATA / "prose_mixed.txt").read_text().replace(
        "Norco 10/325mg #90", "<script>alert(1)</script> Norco").replace(
        "He has neck pain.", "He has neck pain <img src=x onerror=alert(2)>."))
    import_determinations(paths=[letter])
    for params in ({}, {"q": "norco"}, {"q": "neck pain"}):
        response = client.get("/", params)
        assert b"<script>alert(1)" not in response.content
        assert b"<img src=x" not in response.content
        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    # Marking the query inside the tag's name keeps the tag escaped.
    response = client.get("/", {"q": "script"})
    assert b"<script>alert(1)" not in response.content
    assertContains(response, "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;")


# -- the case page ------------------------------------------------------------------------
def test_detail_shows_items_with_anchors_and_guidelines(client: Client, imported: None) -> None:
    response = client.get(CASE)
    for n in (1, 2, 3):
        assertContains(response, f'<section class="item" id="item-{n}"')
        assertContains(response, f'href="#item-{n}"')
    assertContains(response, "MTUS Chronic Pain Medical Treatment Guidelines, page 78.")
    assertContains(response, "MTUS Chronic Pain Medical Treatment Guidelines, opioids, page 80.")
    assertContains(response, "Physical Medicine and Rehabilitation, Pain Management")
    assertContains(response, '<details class="letter-text" id="letter">')
    assertContains(response, "Partially overturned")


def test_detail_meta_tags_and_canonical_link(client: Client, imported: None) -> None:
    response = client.get(CASE, {"q": "norco"})
    url = f"http://testserver{CASE}"
    assertContains(response, f'<link rel="canonical" href="{url}">', html=True)
    assertContains(response, f'<meta property="og:url" content="{url}">', html=True)
    assertContains(response, '<meta property="og:title" content="IMR Final Determination '
                             'CM13-0099001: Partially overturned">', html=True)
    assertContains(response, '<meta name="description" content="California IMR final '
                             "determination CM13-0099001, decided 2013-12-27: Partially "
                             "overturned. Norco 10/325mg #120 (Upheld);")
    assertContains(response, '<meta property="og:description"')


def test_detail_copy_buttons_carry_link_and_citation(client: Client, imported: None) -> None:
    response = client.get(CASE)
    assertContains(response, 'data-copy="http://testserver/cases/CM13-0099001/"')
    cited = "IMR Final Determination CM13-0099001 (Maximus Fed. Servs., dec. Dec. 27, 2013)"
    assertContains(response, f'data-copy="{cited}"')
    for position, item in enumerate(("Norco 10/325mg #120: Upheld",
                                     "physical therapy 2x6 for the lumbar spine: Overturned",
                                     "a TENS unit: Upheld"), start=1):
        assertContains(response, f'data-copy="{cited}, item {position} ({item})"', count=1)
        assertContains(response, f'aria-label="Copy citation of item {position}"', count=1)
    assertContains(response, f"Cite as: {cited}.")


def test_detail_item_citation_of_a_real_letter(client: Client) -> None:
    import_determinations(paths=[need(REAL_TEXTS) / "CM16-0213037.txt"])
    response = client.get("/cases/CM16-0213037/")
    assertContains(response, 'data-copy="IMR Final Determination CM16-0213037 (Maximus Fed. '
                             "Servs., dec. Dec. 9, 2016), item 2 (MRI of the cervical spine "
                             'without contrast: Upheld)"', count=1)


def test_detail_with_query_marks_terms_and_links_back(client: Client, imported: None) -> None:
    response = client.get(CASE, {"q": "norco", "outcome": "Partially overturned"})
    assertContains(response, "<mark>Norco</mark> 10/325mg #120")
    assertContains(response, '<a href="/?q=norco&amp;outcome=Partially+overturned">'
                             "← Back to the results for “norco”</a>", html=True)


def test_detail_without_query_has_no_marks_or_back_link(client: Client, imported: None) -> None:
    response = client.get(CASE)
    assertNotContains(response, "<mark>")
    assertNotContains(response, "Back to the results")


def test_detail_similar_requests_under_each_item(client: Client, corpus: None) -> None:
    from cases.models import Determination

    determination = max(Determination.objects.prefetch_related("items"),
                        key=lambda d: (len(d.items.all()), d.public_id))
    response = client.get(determination.get_absolute_url())
    rows = dict(response.context["item_rows"])
    compared = [near for near in rows.values() if near is not None]
    assert len(compared) == min(len(rows), 12) > 1
    for near in compared:
        for result in near["results"]:
            assert result["id"] != determination.public_id
            assert f"#item-{result['item']}" in result["url"]
    html = response.content.decode()
    assert html.count("Similar requests elsewhere") == sum(bool(n["results"]) for n in compared)
    assert "See all cases like this request" in html
    # "See all" opens the cases-like-mine page on that request, already answered.
    see_all = next(n["see_all"] for n in compared if n["results"])
    answered = client.get(see_all)
    assert answered.status_code == 200 and answered.context["requests"]


def test_detail_id_with_nul_is_404(client: Client) -> None:
    # PostgreSQL refuses a NUL in a query: it must be a 404, not a server error.
    assert client.get("/cases/%00/").status_code == 404
    assert client.get("/cases/CM13-0099001%00/").status_code == 404


def test_detail_unknown_id_is_404_page(client: Client) -> None:
    response = client.get("/cases/CM00-0000000/")
    assert response.status_code == 404
    assertContains(response, "Not found", status_code=404)
    assertContains(response, "<code>/cases/CM00-0000000/</code>", status_code=404)
    assertContains(response, 'name="q"', status_code=404)


def test_detail_case_number_in_another_spelling_redirects(client: Client,
                                                          imported: None) -> None:
    assertRedirects(client.get("/cases/cm13-0099001/"), CASE, status_code=301)


def test_detail_page_is_permanent_across_reimport(client: Client, tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    shutil.copy(DATA / "layout_2013.txt", letter)
    import_determinations(paths=[letter])
    response = client.get(CASE)
    assertContains(response, 'id="item-3"')
    assertContains(response, "Partially overturned")
    letter.write_text(letter.read_text().replace("lumbar spine is medically",
                                                 "lumbar spine is not medically"))
    import_determinations(paths=[letter])
    response = client.get(CASE)
    assert response.status_code == 200
    assertContains(response, '<meta property="og:title" content="IMR Final Determination '
                             'CM13-0099001: Upheld">', html=True)
    assertContains(response, "item 2 (physical therapy 2x6 for the lumbar spine: Upheld)")
    # The index follows the corrected letter: the case is found under its new outcome.
    found = client.get("/", {"outcome": "Upheld"})
    assertContains(found, f'href="{CASE}?outcome=Upheld"')


def test_detail_escapes_letter_text(client: Client, tmp_path: Path) -> None:
    letter = tmp_path / "xss.txt"
    letter.write_text((DATA / "prose_mixed.txt").read_text().replace(
        "Norco 10/325mg #90", "<script>alert(1)</script> Norco"))
    import_determinations(paths=[letter])
    [hit] = [line for line in client.get("/").content.decode().splitlines()
             if 'class="hit-title"' in line]
    url = hit.split('href="')[1].split('"')[0]
    for params in ({}, {"q": "script norco"}, {"q": '"><script>'}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert b"<script>alert(1)" not in response.content
        assert b'"><script>' not in response.content
        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")


@pytest.mark.parametrize("path", ["/", "/api/search"])
def test_results_read_their_rows_in_a_few_queries_without_the_letters(
        client: Client, corpus: None, path: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"q": "therapy"})
    assert response.status_code == 200
    assert (response.json()["total"] if path.startswith("/api") else
            response.context["results"].total) > 0
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= 4, statements  # rows and their items, nothing per row
    # Neither the letter's text nor the columns no row shows: citations, reasons.
    for column in ("original_text", "citations", "reasons", "guideline"):
        assert not any(column in sql for sql in statements), column
