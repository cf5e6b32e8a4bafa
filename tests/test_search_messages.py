"""What the search says back, on the sample archive, through the page and the API: a field
that does not exist, a facet typed as a field, a case number or letter id typed whole,
wildcards alone, a lone operator, an unclosed quote, a search that finds nothing; facet
values in any case and unknown ones refused with the values there are; the year facet in
year order; snippets that mark no stop words, repeat no passage, and come as plain text
with the places of their marks (issue 21)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cases.forms import MAX_LISTED
from cases.models import Determination
from cases.search.base import AGE_BANDS

pytestmark = pytest.mark.django_db
ARCHIVE = (300, 29)  # the real letters and a few hundred generated ones (as the exports)
HTMX = {"HX-Request": "true"}
FIELDS_ARE = ("the fields are treatment:, rationale:, summary:, specialty:, state: and "
              "case: (or type the words alone to search the whole letter).")
TOO_SHORT = "Type at least 2 letters before * or ?: a shorter pattern would match most"


def _refused(client: Client, params: dict[str, str], message: str) -> dict:
    """The page (plain and htmx) and the API refuse ``params`` with ``message``; the API's
    answer."""
    for headers in ({}, HTMX):
        page = client.get("/", params, headers=headers)
        assertContains(page, html.escape(message), status_code=400)
        assertContains(page, 'id="search-errors"', status_code=400)
    api = client.get("/api/search", params)
    assert api.status_code == 400
    assert message in api.json()["error"]
    return api.json()


def _some_case_number() -> str:
    return Determination.objects.exclude(case_number="").order_by("public_id") \
        .values_list("case_number", flat=True)[0]


# -- the search text ----------------------------------------------------------------------
@pytest.mark.parametrize("q", ["foo:bar", "massage foo:bar", "content:massage", "id:x"])
def test_unknown_field_names_the_fields_there_are(client: Client, served: Path,
                                                  q: str) -> None:
    name = re.search(r"(\w+):", q)[1]  # type: ignore[index]
    data = _refused(client, {"q": q}, f"There is no field “{name}” to search in; {FIELDS_ARE}")
    assert list(data["fields"]) == ["q"]


def test_facet_typed_as_field_offers_the_filter(client: Client, served: Path) -> None:
    message = ("“decision” is a filter, not a part of the letter to search: use Item "
               "decision = Overturned instead of “decision:overturned”.")
    _refused(client, {"q": "decision:overturned"}, message)
    page = client.get("/", {"q": "massage decision:overturned"})
    assertContains(page, html.escape(message), status_code=400)
    # The link searches the other words with the filter, spelled as the facet spells it.
    assertContains(page, '<a id="typed-filter" href="/?q=massage&amp;decision=Overturned" '
                         'hx-get="/?q=massage&amp;decision=Overturned">Filter by Item decision '
                         "= Overturned for “massage”</a>", html=True, status_code=400)
    filtered = client.get("/api/search", {"q": "massage", "decision": "Overturned"}).json()
    assert filtered["total"] > 0


def test_facet_typed_as_field_with_a_value_no_letter_has_lists_them(client: Client,
                                                                     served: Path) -> None:
    data = _refused(client, {"q": "outcome:maybe"},
                    "“outcome” is a filter, not a part of the letter to search: remove "
                    "“outcome:maybe”. No letter in the archive has the case outcome “maybe”. "
                    "Choose one of: Overturned, Partially overturned, Upheld.")
    assert data["valid"] == {"outcome": ["Overturned", "Partially overturned", "Upheld"]}


@pytest.mark.parametrize("q", ["treatment:norco", "TREATMENT:norco", "rationale:guidelines",
                               "summary:fall", 'specialty:"pain management"', "state:texas",
                               "Treatment:(massage OR acupuncture)"])
def test_known_fields_still_search(client: Client, served: Path, q: str) -> None:
    response = client.get("/api/search", {"q": q})
    assert response.status_code == 200
    assert response.json()["total"] > 0
    assert client.get("/", {"q": q}).status_code == 200


def test_field_names_are_read_in_any_case(client: Client, served: Path) -> None:
    lower = client.get("/api/search", {"q": "treatment:norco"}).json()["total"]
    assert client.get("/api/search", {"q": "Treatment:Norco"}).json()["total"] == lower


@pytest.mark.parametrize("typed", ["case:{number}", "case:{lower}", "CASE: {number}",
                                   'case:"{number}"', "{lower}"])
def test_case_number_typed_whole_opens_the_case(client: Client, served: Path,
                                                typed: str) -> None:
    number = _some_case_number()
    q = typed.format(number=number, lower=number.lower())
    public_id = Determination.objects.get(case_number=number).public_id
    assertRedirects(client.get("/", {"q": q}), f"/cases/{public_id}/")
    assert client.get("/", {"q": q}, headers=HTMX)["HX-Redirect"] == f"/cases/{public_id}/"


def test_letter_id_typed_whole_opens_the_case(client: Client, served: Path) -> None:
    letter = Determination.objects.filter(public_id__startswith="imr-").first()
    if letter is None:
        pytest.skip("every letter of this archive has a case number")
    for q in (letter.public_id, letter.public_id.upper(), f"case:{letter.public_id}"):
        assertRedirects(client.get("/", {"q": q}), f"/cases/{letter.public_id}/")


@pytest.mark.parametrize("q", ["***", "*", "* ?", "a*", "(*)"])
def test_wildcards_alone_are_refused_as_a_short_prefix(client: Client, served: Path,
                                                       q: str) -> None:
    _refused(client, {"q": q}, TOO_SHORT)


def test_unclosed_quote_suggests_the_phrase_closed(client: Client, served: Path) -> None:
    q = '"unclosed phrase'
    assert client.get("/api/search", {"q": q}).json()["suggestion"] == '"unclosed phrase"'
    page = client.get("/", {"q": q})
    assertContains(page, '<p class="suggestion">Did you mean <a href="/?q=%22unclosed+phrase%22"'
                         ' hx-get="/?q=%22unclosed+phrase%22">&quot;unclosed phrase&quot;</a>?'
                         "</p>", html=True)
    assertNotContains(page, "phase")


@pytest.mark.parametrize(("q", "operator"), [("OR", "OR"), ("AND", "AND"), ("OR OR", "OR"),
                                             ("massage OR", "OR"), ("AND massage", "AND")])
def test_lone_operator_says_it_joins_two_words(client: Client, served: Path, q: str,
                                               operator: str) -> None:
    _refused(client, {"q": q}, f"“{operator}” joins two words or phrases, one on each side "
                               f"(for example: massage {operator} acupuncture)")


def test_lone_not_says_what_it_excludes(client: Client, served: Path) -> None:
    _refused(client, {"q": "massage NOT"}, "“NOT” excludes the word after it")


def test_operators_in_lower_case_are_words(client: Client, served: Path) -> None:
    assert client.get("/api/search", {"q": "massage or acupuncture"}).status_code == 200


def test_no_results_shows_no_empty_filter_heading(client: Client, served: Path) -> None:
    for headers in ({}, HTMX):
        empty = client.get("/", {"q": "zzyzxqwv"}, headers=headers)
        assertContains(empty, "No determinations match")
        assertNotContains(empty, 'class="facets-heading"')
        assertNotContains(empty, 'id="filters"')
        assertContains(empty, 'class="results-layout results-layout-single"')
    found = client.get("/", {"q": "massage"})
    assertContains(found, '<h2 class="facets-heading" id="filters-heading">Filter</h2>', html=True)


# -- facet values -------------------------------------------------------------------------
@pytest.mark.parametrize(("facet", "typed", "canonical"), [
    ("decision", "overturned", "Overturned"), ("treatment", "Opioids", "opioids"),
    ("outcome", "PARTIALLY OVERTURNED", "Partially overturned"),
    ("reason", "No documented functional improvement", "no_functional_improvement"),
])
def test_facet_values_are_read_in_any_case(client: Client, served: Path, facet: str,
                                           typed: str, canonical: str) -> None:
    asked = client.get("/api/search", {facet: typed})
    assert asked.status_code == 200
    expected = client.get("/api/search", {facet: canonical}).json()
    assert asked.json()["total"] == expected["total"] > 0
    assert {"value": canonical, "count": expected["total"], "selected": True} in \
        asked.json()["facets"][facet]
    # The page moves to the address its links write (its pager, sort and export links
    # repeat the address's own spelling), which filters the same.
    canonical_url = "/?" + urlencode({facet: canonical})
    assertRedirects(client.get("/", {"q": "", facet: typed}), canonical_url)
    assert client.get("/", {facet: typed}, headers=HTMX)["HX-Redirect"] == canonical_url
    assertContains(client.get(canonical_url), f"{expected['total']} determination")


def test_unknown_facet_value_is_400_listing_the_values(client: Client, served: Path) -> None:
    specialties = [v["value"] for v in client.get("/api/search").json()["facets"]["specialty"]]
    data = _refused(client, {"specialty": "Nope"},
                    "No letter in the archive has the reviewer specialty “Nope”. Choose one "
                    "of: Anesthesiology, ")
    assert data["valid"] == {"specialty": sorted(specialties, key=str.casefold)}
    assert list(data["fields"]) == ["specialty"]


def test_unknown_value_keeps_the_known_ones(client: Client, served: Path) -> None:
    page = client.get("/", {"q": "massage", "decision": ["overturned", "Maybe"]})
    assertContains(page, "No letter in the archive has the item decision “Maybe”. Choose one "
                         "of: Overturned, Upheld.", status_code=400)
    assertContains(page, '<a href="/?q=massage&amp;decision=Overturned" hx-get="/?q=massage&amp;'
                         'decision=Overturned">Search without the invalid parameters</a>',
                   html=True, status_code=400)


def test_unknown_value_of_a_long_facet_lists_the_closest_first(client: Client,
                                                               served: Path) -> None:
    sections = client.get("/api/search").json()["facets"]["guideline_section"]
    if len(sections) <= MAX_LISTED:
        pytest.skip("the archive's guideline sections are few enough to list whole")
    typed = sections[0]["value"] + " x"
    data = client.get("/api/search", {"guideline_section": typed}).json()
    assert len(data["valid"]["guideline_section"]) == MAX_LISTED
    assert data["valid"]["guideline_section"][0] == sections[0]["value"]
    assert f"There are {len(sections):,} (the “Guideline section” filter lists them all); " \
           f"the closest: {sections[0]['value']}" in data["error"]


def test_year_facet_is_newest_first_undated_last(client: Client, served: Path) -> None:
    years = [v["value"] for v in client.get("/api/search").json()["facets"]["year"]]
    dated = [y for y in years if y != "Undated"]
    assert dated == sorted(dated, reverse=True) and len(dated) > 3
    if "Undated" in years:
        assert years[-1] == "Undated"
    page = client.get("/").content.decode()
    section = page[page.index('id="facet-year-heading"'):]
    section = section[:section.index("</section>")]
    label = r'<span class="facet-label">([^<]*)</span>'
    shown = re.findall(label, section)
    if rest := re.search(r'hx-get="(/facets/year/[^"]*)"', section):  # "Show all" brings it
        loaded = client.get(html.unescape(rest[1]), headers={"HX-Request": "true"})
        shown += re.findall(label, loaded.content.decode().split('id="facet-year-top"')[0])
    assert shown == years


def test_age_facet_reads_youngest_band_first(client: Client, served: Path) -> None:
    ages = [v["value"] for v in client.get("/api/search").json()["facets"]["age"]]
    bands = [label for _, _, label in AGE_BANDS]
    assert len(ages) > 3
    assert ages == sorted(ages, key=bands.index)


# -- snippets -----------------------------------------------------------------------------
MARK = re.compile(r'<mark class="match term\d+">(.*?)</mark>')


def _marked(q: str, client: Client) -> list[str]:
    results = client.get("/api/search", {"q": q}).json()["results"]
    return [word.lower() for r in results for word in MARK.findall(r["snippet"])]


def test_snippets_do_not_mark_stop_words(client: Client, served: Path) -> None:
    marked = _marked("for the massage is no", client)
    assert marked and set(marked) <= {"massage", "massages", "massaged", "massaging"}


def test_stop_words_in_a_quoted_phrase_are_marked(client: Client, served: Path) -> None:
    assert "no" in _marked('"no functional improvement"', client)
    assert "no" not in _marked("no functional improvement", client)


def test_snippet_shows_a_passage_the_letter_repeats_once(client: Client,
                                                        served: Path) -> None:
    # A real letter's summary and rationale both say it, after another date each.
    repeated = "improvement on the regimen is not documented. No acute injury muscle spasm"
    letter = Determination.objects.filter(original_text__contains=repeated).first()
    if letter is None or letter.original_text.count(repeated) < 2:
        pytest.skip("the real letter that repeats this passage is not beside the checkout")
    found = [r for page in (1, 2, 3, 4, 5)
             for r in client.get("/api/search", {"q": "functional", "page": page}).json()
             ["results"] if r["id"] == letter.public_id]
    assert found
    assert found[0]["snippet_text"].count("on the regimen is not documented") == 1


def test_snippets_come_as_plain_text_with_their_marks(client: Client, served: Path) -> None:
    results = client.get("/api/search", {"q": "massage therapy"}).json()["results"]
    assert results
    for result in results:
        text, spans = result["snippet_text"], result["highlights"]
        assert html.unescape(re.sub(r"</?mark[^>]*>", "", result["snippet"])) == text
        assert [text[start:end] for start, end in spans] == [
            html.unescape(word) for word in MARK.findall(result["snippet"])]
        assert all(re.match(r"(?i)massag|therap", text[start:end]) for start, end in spans)
        assert spans == sorted(spans)


# -- a case as JSON -----------------------------------------------------------------------
def test_api_case_carries_the_reviewers_credentials(client: Client, served: Path) -> None:
    stored = Determination.objects.exclude(credentials="").first()
    assert stored is not None
    data = client.get(f"/api/cases/{stored.public_id.lower()}").json()
    assert (data["id"], data["credentials"], data["summary"], data["text"]) == (
        stored.public_id, stored.credentials, stored.summary, stored.original_text)
    assert "credentials" in data["credentials"]
