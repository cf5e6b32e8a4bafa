"""SearchForm: every GET parameter cleaned, with messages a reader can act on."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.forms import MAX_PAGE, SearchForm, query_string
from cases.parsing.specialties import canonical_specialties
from cases.search.base import FACETS, SearchQuery


def form_for(query_string_: str) -> SearchForm:
    form = SearchForm(QueryDict(query_string_))
    form.is_valid()
    return form


def test_search_form_no_parameters_browses_newest_first() -> None:
    form = form_for("")
    assert form.is_valid()
    assert form.search_query() == SearchQuery(sort="newest")


def test_search_form_text_defaults_to_relevance() -> None:
    query = form_for("q=+lumbar+fusion+").search_query()
    assert (query.text, query.sort) == ("lumbar fusion", "relevance")


def test_search_form_repeated_facet_values_are_kept_in_order_once() -> None:
    query = form_for("specialty=Pain+Management&specialty=Internal+Medicine"
                     "&specialty=Pain+Management&specialty=+&outcome=Upheld").search_query()
    assert query.filters == {"outcome": ("Upheld",),
                             "specialty": ("Pain Management", "Internal Medicine")}


def test_search_form_unknown_facet_value_is_kept() -> None:
    form = form_for("state=Atlantis")
    assert form.is_valid()
    assert form.search_query().filters == {"state": ("Atlantis",)}


def test_search_form_facet_value_too_long_is_an_error() -> None:
    form = form_for("treatment=" + "x" * 201)
    assert form.errors["treatment"] == ["A value of “Treatment” is longer than 200 characters."]


def test_search_form_too_many_facet_values_is_an_error() -> None:
    form = form_for("&".join(f"year={n}" for n in range(51)))
    assert "Choose at most 50 values of “Decision year”" in form.errors["year"][0]


def test_search_form_long_query_is_an_error_saying_the_limit() -> None:
    form = form_for("q=" + "a" * 501)
    assert form.errors["q"] == [
        "The search text is 501 characters long; shorten it to 500 or fewer "
        "(a few distinctive words work best)."]


def test_search_form_null_character_is_an_error() -> None:
    assert not form_for("q=a%00b").is_valid()
    assert not form_for("specialty=a%00b").is_valid()


@pytest.mark.parametrize("page", ["-1", "0", "abc", "1.5", str(MAX_PAGE + 1), "9" * 5000])
def test_search_form_bad_page_is_an_error(page: str) -> None:
    form = form_for(f"page={page}")
    assert form.errors["page"] == ["Page must be a whole number from 1 to 10,000."]


def test_search_form_invalid_parameter_keeps_the_valid_ones() -> None:
    form = form_for("q=norco&page=abc&outcome=Upheld")
    assert not form.is_valid()
    assert form.search_query() == SearchQuery("norco", {"outcome": ("Upheld",)})


def test_search_form_page_in_range_is_used() -> None:
    assert form_for("page=3").search_query().page == 3


@pytest.mark.parametrize("value", ["2016-13-01", "12/09/2016", "2016-12", "yesterday"])
def test_search_form_bad_date_says_the_format(value: str) -> None:
    form = form_for(f"decided_from={value}")
    assert form.errors["decided_from"] == [
        "Enter the decided from date as YYYY-MM-DD, for example 2016-12-09."]


def test_search_form_dates_become_the_query_range() -> None:
    query = form_for("decided_from=2016-01-01&decided_to=2016-12-31"
                     "&injured_from=2015-02-03&injured_to=2015-02-03").search_query()
    assert (query.decided_from, query.decided_to) == (date(2016, 1, 1), date(2016, 12, 31))
    assert query.injured_from == query.injured_to == date(2015, 2, 3)


def test_search_form_range_ending_before_it_starts_is_an_error() -> None:
    form = form_for("injured_from=2016-06-01&injured_to=2016-01-01")
    assert form.errors["injured_to"] == [
        "The injury date range ends (2016-01-01) before it starts (2016-06-01)."]


def test_search_form_unknown_sort_is_an_error() -> None:
    assert form_for("sort=random").errors["sort"] == [
        "Sort by one of: relevance, newest, oldest, added."]


def test_query_string_leaves_defaults_out() -> None:
    assert query_string(SearchQuery(sort="newest")) == ""
    assert query_string(SearchQuery("knee", sort="relevance", page=1)) == "q=knee"
    assert query_string(SearchQuery(sort="oldest", page=2)) == "sort=oldest&page=2"


def test_query_string_orders_facets_as_the_page_does() -> None:
    query = SearchQuery("mri", {"state": ("Texas",), "outcome": ("Upheld", "Overturned")})
    assert query_string(query) == "q=mri&outcome=Upheld&outcome=Overturned&state=Texas"


_values = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                  min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(
    text=st.one_of(st.just(""), _values),
    filters=st.dictionaries(st.sampled_from(list(FACETS)),
                            st.lists(_values, min_size=1, max_size=3, unique=True).map(tuple),
                            max_size=4),
    sort=st.sampled_from(["relevance", "newest", "oldest"]),
    page=st.integers(1, MAX_PAGE),
    decided=st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2030, 1, 1))),
)
def test_query_string_round_trips_through_the_form(text: str, filters: dict, sort: str,
                                                   page: int, decided: date | None) -> None:
    query = SearchQuery(text, filters, sort, page, decided_from=decided, decided_to=decided)
    form = SearchForm(QueryDict(query_string(query)))
    assert form.is_valid(), form.errors
    rebuilt = form.search_query()
    # Specialties come back under their one name (tests/test_specialties.py).
    expected = {k: canonical_specialties(filters[k]) if k == "specialty" else filters[k]
                for k in FACETS if k in filters}
    assert rebuilt == SearchQuery(text, expected, sort, page, decided_from=decided,
                                  decided_to=decided)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from(["q", "page", "sort", "decided_from", "injured_to", "outcome", "age", "zzz"]),
    st.text(max_size=40))))
def test_search_form_any_parameters_never_raise(pairs: list[tuple[str, str]]) -> None:
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    form = SearchForm(data)
    form.is_valid()
    assert isinstance(form.search_query(), SearchQuery)
