"""The pure helpers behind the search page: facet dicts, toggles, pager, outcome split."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.presentation.facets import (
    active_filters,
    alternative_links,
    clear_facet,
    facet_groups,
    facet_values,
    hidden_fields,
    outcome_split,
    page_window,
    suggestion_link,
    toggle_value,
    url_for,
)
from cases.search.base import FACETS, FacetValue, SearchQuery, SearchResults

BASE = "/"


def results(upheld: int = 0, overturned: int = 0, *, matching_only: bool = False
            ) -> SearchResults:
    return SearchResults((), 0, 1, 1, {}, items_upheld=upheld, items_overturned=overturned,
                         items_matching_only=matching_only)


def test_toggle_value_adds_an_unselected_value_and_resets_the_page() -> None:
    query = SearchQuery("mri", {"state": ("Texas",)}, page=4)
    assert toggle_value(query, "state", "Ohio") == SearchQuery(
        "mri", {"state": ("Texas", "Ohio")}, page=1)


def test_toggle_value_removes_a_selected_value() -> None:
    query = SearchQuery("mri", {"state": ("Texas", "Ohio")})
    assert toggle_value(query, "state", "Texas").filters == {"state": ("Ohio",)}


def test_toggle_value_last_value_drops_the_facet() -> None:
    query = SearchQuery("mri", {"state": ("Texas",), "sex": ("male",)})
    assert toggle_value(query, "state", "Texas").filters == {"sex": ("male",)}


def test_url_for_default_query_is_the_bare_page() -> None:
    assert url_for(SearchQuery(sort="newest"), "/") == "/"
    assert url_for(SearchQuery("a&b"), "/") == "/?q=a%26b"


def test_facet_groups_are_datasette_style_dicts() -> None:
    query = SearchQuery("knee", {"outcome": ("Upheld",)}, sort="newest", page=3)
    facets = {"outcome": [FacetValue("Upheld", "Upheld", 7, True),
                          FacetValue("Overturned", "Overturned", 2, False)]}
    [group] = facet_groups(facets, query, base_url=BASE)
    values = [{k: v for k, v in row.items() if k != "id"} for row in group["values"]]
    assert values == [
        {"value": "Upheld", "label": "Upheld", "count": 7, "selected": True,
         "toggle_url": "/?q=knee&sort=newest"},
        {"value": "Overturned", "label": "Overturned", "count": 2, "selected": False,
         "toggle_url": "/?q=knee&outcome=Upheld&outcome=Overturned&sort=newest"},
    ]
    assert group["name"] == "outcome"
    assert group["label"] == "Case outcome"
    assert group["clear_url"] == "/?q=knee&sort=newest"
    assert group["more"] == []


def test_facet_groups_keep_facet_order_and_skip_empty_facets() -> None:
    facets = {"year": [FacetValue("2016", "2016", 3, False)], "sex": [],
              "outcome": [FacetValue("Upheld", "Upheld", 3, False)]}
    groups = facet_groups(facets, SearchQuery(), base_url=BASE)
    assert [g["name"] for g in groups] == ["outcome", "year"]
    assert groups[0]["clear_url"] == ""


def test_facet_groups_split_top_values_from_the_rest() -> None:
    values = [FacetValue(f"v{n}", f"v{n}", 20 - n, n == 9) for n in range(12)]
    query = SearchQuery(filters={"treatment": ("v9",)})
    [group] = facet_groups({"treatment": values}, query, base_url=BASE)
    assert [row["value"] for row in group["values"]] == [f"v{n}" for n in range(8)]
    assert [row["value"] for row in group["more"]] == ["v8", "v9", "v10", "v11"]
    assert group["more_selected"] is True
    assert group["count"] == 12


def test_facet_groups_with_a_rest_url_count_the_rest_and_link_it() -> None:
    values = [FacetValue(f"v{n}", f"v{n}", 20 - n, False) for n in range(12)]
    [group] = facet_groups({"treatment": values}, SearchQuery("knee"), base_url=BASE,
                           rest_url=lambda name: f"/facets/{name}/?q=knee")
    assert [row["value"] for row in group["values"]] == [f"v{n}" for n in range(8)]
    assert group["more"] == [] and group["more_count"] == 4 and group["count"] == 12
    assert group["more_url"] == "/facets/treatment/?q=knee"
    # A short facet has no rest; a selected value among the rest writes the rest out.
    [short] = facet_groups({"treatment": values[:8]}, SearchQuery(), base_url=BASE,
                           rest_url=lambda name: "/never")
    assert short["more_url"] == "" and short["more_count"] == 0
    query = SearchQuery(filters={"treatment": ("v10",)})
    [picked] = facet_groups({"treatment": [v._replace(selected=v.value == "v10")
                                           for v in values]}, query, base_url=BASE,
                            rest_url=lambda name: "/never")
    assert [row["value"] for row in picked["more"]] == ["v8", "v9", "v10", "v11"]
    assert picked["more_url"] == "" and picked["more_selected"] is True


def test_facet_groups_selected_value_the_backend_did_not_count_stays_visible() -> None:
    query = SearchQuery(filters={"state": ("Atlantis",)})
    [group] = facet_groups({"state": []}, query, base_url=BASE)
    assert [(r["value"], r["count"], r["selected"], r["toggle_url"]) for r in group["values"]] \
        == [("Atlantis", 0, True, "/?sort=relevance")]


def test_facet_groups_dom_ids_are_stable_and_distinct() -> None:
    facets = {"specialty": [FacetValue("A B", "A B", 1, False), FacetValue("A-B", "A-B", 1, False)]}
    first = facet_groups(facets, SearchQuery(), base_url=BASE)[0]["values"]
    again = facet_groups(facets, SearchQuery("x"), base_url=BASE)[0]["values"]
    assert [r["id"] for r in first] == [r["id"] for r in again]
    assert len({r["id"] for r in first}) == 2
    assert all(r["id"].startswith("facet-specialty-") for r in first)


def test_clear_facet_keeps_the_other_facets() -> None:
    query = SearchQuery(filters={"state": ("Texas",), "sex": ("male",)}, page=2)
    assert clear_facet(query, "state") == SearchQuery(filters={"sex": ("male",)})


def test_active_filters_each_link_removes_one_value() -> None:
    query = SearchQuery("mri", {"state": ("Texas", "Ohio"), "outcome": ("Upheld",)})
    assert active_filters(query, base_url=BASE) == [
        {"facet": "Case outcome", "label": "Upheld",
         "remove_url": "/?q=mri&state=Texas&state=Ohio"},
        {"facet": "State of licensure", "label": "Texas",
         "remove_url": "/?q=mri&outcome=Upheld&state=Ohio"},
        {"facet": "State of licensure", "label": "Ohio",
         "remove_url": "/?q=mri&outcome=Upheld&state=Texas"},
    ]


def test_hidden_fields_carry_filters_and_a_chosen_sort() -> None:
    assert hidden_fields(SearchQuery("mri", {"sex": ("male",)}, sort="oldest")) == [
        ("sex", "male"), ("sort", "oldest")]
    assert hidden_fields(SearchQuery("mri", sort="relevance")) == []


def test_outcome_split_counts_and_rounds() -> None:
    assert outcome_split(results(upheld=2, overturned=1)) == {
        "upheld": 2, "overturned": 1, "total": 3, "overturned_pct": 33, "upheld_pct": 67,
        "scope": "3 disputed items"}


@pytest.mark.parametrize(("query", "matching_only", "scope"), [
    (SearchQuery(), False, "3 disputed items"),
    (SearchQuery("norco"), False, "all 3 disputed items of the 0 determinations, whichever "
                                  "item the words matched"),
    (SearchQuery("norco", {"decision": ("Overturned",)}), True,
     "3 disputed items matching the item conditions, in 0 determinations"),
    (SearchQuery("treatment:norco"), True,
     "3 disputed items matching the item conditions, in 0 determinations"),
    (SearchQuery(filters={"state": ("Texas",)}), False, "3 disputed items"),
])
def test_outcome_split_says_what_it_counts(query: SearchQuery, matching_only: bool,
                                           scope: str) -> None:
    split = outcome_split(results(upheld=2, overturned=1, matching_only=matching_only), query)
    assert split["scope"] == scope


def test_outcome_split_without_items_is_none() -> None:
    assert outcome_split(results()) is None


def test_page_window_short_lists_every_page() -> None:
    assert page_window(1, 1) == []
    assert page_window(2, 4) == [1, 2, 3, 4]


def test_page_window_long_marks_gaps() -> None:
    assert page_window(1, 20) == [1, 2, 3, None, 20]
    assert page_window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_window(20, 20) == [1, None, 18, 19, 20]
    assert page_window(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]


def test_alternative_links_drop_empty_searches() -> None:
    query = SearchQuery("knee zzz", {"sex": ("male",)})
    alternatives = [("without “zzz”", query.without(word="zzz"), 4),
                    ("without patient sex: male", query.without(facet="sex"), 0)]
    assert alternative_links(alternatives, base_url=BASE) == [
        {"label": "without “zzz”", "url": "/?q=knee&sex=male", "count": 4}]


def test_suggestion_link_keeps_the_filters() -> None:
    query = SearchQuery("acupunture", {"sex": ("male",)}, page=2)
    assert suggestion_link(query, "acupuncture", base_url=BASE) == {
        "text": "acupuncture", "url": "/?q=acupuncture&sex=male"}
    assert suggestion_link(query, None, base_url=BASE) is None


_VALUES = st.sampled_from(["Texas", "Ohio", "a&b=c", "50% off", "é ü", "+1", ""])


@given(text=st.sampled_from(["", "mri", "knee & hip", "\"physical therapy\""]),
       filters=st.dictionaries(st.sampled_from(sorted(FACETS)),
                               st.lists(_VALUES, min_size=1, max_size=3, unique=True)
                               .map(tuple), max_size=4),
       sort=st.sampled_from(["relevance", "newest", "oldest"]),
       page=st.integers(1, 5), decided_from=st.sampled_from([None, date(2015, 3, 1)]),
       facet=st.sampled_from(sorted(FACETS)), values=st.lists(_VALUES, max_size=5))
@settings(max_examples=400, deadline=None)
def test_facet_values_link_each_value_as_toggle_value_would(
        text: str, filters: dict, sort: str, page: int, decided_from: date | None,
        facet: str, values: list[str]) -> None:
    """The links encoded once per facet are the URLs of ``toggle_value``, in every state."""
    query = SearchQuery(text, filters, sort=sort, page=page, decided_from=decided_from)
    shown = [FacetValue(v, v, 3, v in filters.get(facet, ())) for v in values]
    for row, value in zip(facet_values(facet, shown, query, base_url=BASE), values,
                          strict=True):
        assert row["toggle_url"] == url_for(toggle_value(query, facet, value), BASE)
        assert row["value"] == value and row["selected"] == (value in filters.get(facet, ()))
