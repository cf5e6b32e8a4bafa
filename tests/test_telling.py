"""What tells the overturned neighbours of a request from the upheld ones: the scoring on
small synthetic rationales, then the selector and the term's search on a real archive."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from itertools import chain

import pytest

from cases.models import DisputedItem
from cases.search import get_backend
from cases.search.base import SearchQuery
from cases.selectors.telling import (
    STOPWORDS,
    TellingTerms,
    compare_rationales,
    item_terms,
    telling_terms,
    term_query,
)

ARCHIVE = (300, 29)  # the real letters and a few hundred generated ones
PHYSICAL_THERAPY = SearchQuery(filters={"category": ("Rehabilitation",),
                                        "treatment": ("physical therapy",)})

# Said in every letter, whatever the decision: the letters' formula and a shared sentence.
SHARED = ("The injured worker's request is {verdict} per the MTUS guidelines. The records "
          "were reviewed in full. The {region} was examined.")
REGIONS = ("lumbar spine", "cervical spine", "left knee", "right shoulder", "wrist")
# How the overturned ones differ: "functional improvement" among varying words (so no
# longer phrase carries it), and a "home exercise program" in two thirds of them (and in a
# few upheld ones).
LEADS = ("Prior therapy gave", "The notes show")
QUALITIES = ("clear", "measurable", "objective")


def overturned_rationales() -> list[str]:
    return [SHARED.format(verdict="medically necessary", region=REGIONS[i % 5])
            + f" {LEADS[i % 2]} {QUALITIES[i % 3]} functional improvement."
            + (" A home exercise program is in place." if i % 3 else "")
            + (" Aquatic therapy." if i < 2 else "")
            for i in range(30)]


def upheld_rationales() -> list[str]:
    return [SHARED.format(verdict="not medically necessary", region=REGIONS[i % 5])
            + " There was no urine drug screen on file."
            + (" A home exercise program is in place." if i < 2 else "")
            for i in range(30)]


def texts(terms: tuple) -> list[str]:
    return [term.text for term in terms]


def test_item_terms_leave_out_stopwords_formula_numbers_and_punctuation() -> None:
    terms = item_terms("The patient had 12 sessions of physical therapy, without documented "
                       "improvement. Range of motion is medically necessary.")
    assert {"physical therapy", "range of motion", "without documented",
            "sessions of physical", "documented improvement"} <= terms
    assert not terms & {"the", "of", "patient", "medically necessary", "necessary", "12",
                        "therapy without", "improvement range", "motion is"}


def test_compare_rationales_puts_each_side_its_own_terms() -> None:
    result = compare_rationales(overturned_rationales(), upheld_rationales())
    assert result.items == (30, 30) and not result.limited
    assert texts(result.overturned)[:2] == ["functional improvement", "home exercise program"]
    assert texts(result.upheld) == ["no urine drug screen"]
    (screen,) = result.upheld
    assert (screen.overturned_items, screen.upheld_items) == (0, 30)
    improvement = result.overturned[0]
    assert (improvement.overturned_items, improvement.upheld_items) == (30, 0)


def test_compare_rationales_scores_by_sign_and_strength() -> None:
    result = compare_rationales(overturned_rationales(), upheld_rationales())
    over, up = [t.z for t in result.overturned], [t.z for t in result.upheld]
    assert all(z > 1.96 for z in over) and over == sorted(over, reverse=True)
    assert all(z < -1.96 for z in up) and up == sorted(up)
    # 30 items against none leans further than 20 against 2.
    assert result.overturned[0].z > result.overturned[1].z


def test_compare_rationales_prefers_the_phrase_to_its_words() -> None:
    result = compare_rationales(overturned_rationales(), upheld_rationales())
    shown = texts(result.overturned) + texts(result.upheld)
    for part in ("functional", "improvement", "urine", "drug screen", "urine drug screen",
                 "no urine", "exercise", "home exercise"):
        assert part not in shown


def test_compare_rationales_leaves_out_boilerplate_formula_and_stopwords() -> None:
    # With no threshold, every term but the left-out ones would show.
    result = compare_rationales(overturned_rationales(), upheld_rationales(), threshold=0.0,
                                top=1000)
    shown = set(texts(result.overturned) + texts(result.upheld))
    assert "records were reviewed" not in shown and "records" not in shown  # in every item
    assert not shown & {"mtus", "guidelines", "medically necessary", "injured worker",
                        "worker", "request", "not medically"}
    assert not shown & STOPWORDS


def test_compare_rationales_needs_the_minimum_number_of_items() -> None:
    overturned, upheld = overturned_rationales(), upheld_rationales()
    loose = compare_rationales(overturned, upheld, threshold=0.0, top=1000, min_items=2)
    strict = compare_rationales(overturned, upheld, threshold=0.0, top=1000, min_items=3)
    assert "aquatic therapy" in texts(loose.overturned)  # in 2 items
    assert "aquatic therapy" not in texts(strict.overturned)


def test_compare_rationales_shrinks_towards_a_background() -> None:
    """A background in which a term is much more common pulls its rate on both sides
    towards that common rate: it leans less than with the pooled counts as the prior."""
    overturned, upheld = overturned_rationales(), upheld_rationales()
    background = Counter(chain.from_iterable(map(item_terms, overturned + upheld)))
    background["functional improvement"] *= 3
    pooled = compare_rationales(overturned, upheld)
    common = compare_rationales(overturned, upheld, background=background)

    def z(result: TellingTerms) -> float:
        return next(t.z for t in result.overturned if t.text == "functional improvement")

    assert 1.96 < z(common) < z(pooled)


@pytest.mark.parametrize(("overturned", "upheld"), [
    ([], []),
    (["Functional improvement was documented."] * 5, []),
    ([], ["No urine drug screen."] * 5),
    (["", ""], ["", ""]),
    (["The patient's request is medically necessary."] * 4, ["The request."] * 4),
])
def test_compare_rationales_without_two_sides_finds_nothing(overturned: list[str],
                                                            upheld: list[str]) -> None:
    result = compare_rationales(overturned, upheld)
    assert result == TellingTerms(items=(len(overturned), len(upheld)))


def test_term_query_adds_the_phrase_to_the_query() -> None:
    query = SearchQuery(text="knee OR hip", filters={"decision": ("Upheld",)}, page=3)
    found = term_query(query, "functional improvement", "Overturned")
    assert found.text == '(knee OR hip) AND rationale:"functional improvement"'
    assert found.filters == {"decision": ("Overturned",)} and found.page == 1
    assert term_query(SearchQuery(), 'say "no"').text == 'rationale:"say no"'
    assert term_query(query, "x").filters == query.filters


@pytest.mark.django_db
def test_telling_terms_before_any_import_finds_nothing() -> None:
    assert telling_terms(SearchQuery()) == TellingTerms()


# The archive: the counts and terms agree with the database.


def _matching_items(query: SearchQuery) -> list[DisputedItem]:
    """The items ``query`` matches, read directly."""
    matched = dict(get_backend().matching_items(query))
    return [item for item in DisputedItem.objects.select_related("determination")
            .filter(determination__public_id__in=matched)
            if matched[item.determination.public_id] is None
            or item.position in matched[item.determination.public_id]]


def _says(rationale: str, term: str) -> bool:
    return re.search(rf"\b{re.escape(term)}\b", " ".join(rationale.lower().split())) is not None


@pytest.mark.django_db
@pytest.mark.parametrize("query", [PHYSICAL_THERAPY, SearchQuery()], ids=["pt", "all"])
def test_telling_terms_count_the_matching_items(served: object, query: SearchQuery) -> None:
    result = telling_terms(query, limit_items=10_000)
    items = _matching_items(query)
    overturned = [i.rationale for i in items if i.decision == "Overturned"]
    upheld = [i.rationale for i in items if i.decision == "Upheld"]
    assert result.items == (len(overturned), len(upheld)) and not result.limited
    counted = get_backend().count_items(query)
    assert result.items == (counted.overturned, counted.upheld)
    assert result.overturned  # the archive's overturned items share some wording
    for term in result.overturned + result.upheld:
        assert sum(_says(r, term.text) for r in overturned) >= term.overturned_items
        assert sum(_says(r, term.text) for r in upheld) >= term.upheld_items


@pytest.mark.django_db
def test_telling_terms_read_at_most_the_limit(served: object) -> None:
    result = telling_terms(SearchQuery(), limit_items=40)
    assert sum(result.items) == 40 and result.limited
    assert not telling_terms(PHYSICAL_THERAPY, limit_items=10_000).limited


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "items"), [
    (SearchQuery(text="zzqqxx"), (0, 0)),
    (replace(PHYSICAL_THERAPY, filters={**PHYSICAL_THERAPY.filters, "decision": ("Upheld",)}),
     None),
])
def test_telling_terms_of_no_or_one_side_are_empty(served: object, query: SearchQuery,
                                                   items: tuple[int, int] | None) -> None:
    result = telling_terms(query)
    assert result.overturned == result.upheld == ()
    assert result.items == items or (result.items[0] == 0 and result.items[1] > 0)


@pytest.mark.django_db
def test_term_query_finds_the_letters_using_the_term(served: object) -> None:
    term = telling_terms(SearchQuery()).overturned[0]
    query = term_query(SearchQuery(), term.text, "Overturned")
    found = get_backend().search(replace(query, page_size=1000))
    hits = {hit.id: hit.items for hit in found.hits}
    assert found.total == len(hits) > 0
    using = {i.determination.public_id for i in _matching_items(SearchQuery())
             if i.decision == "Overturned" and _says(i.rationale, term.text)}
    assert len(using) >= 1 and using <= hits.keys()
    # Each letter found has an overturned matching item and the phrase's words in its
    # rationales; the phrase is of the whole letter and the search also finds its other
    # forms ("improves" for "improvement"), so not every one says it in such an item.
    overturned = {(i.determination.public_id, i.position) for i in _matching_items(query)}
    assert all((doc, position) in overturned for doc, items in hits.items()
               for position in items)
    rationales = {doc: " ".join(i.rationale.lower() for i in items)
                  for doc, items in _letters(hits.keys()).items()}
    assert all(word[:4] in rationales[doc] for doc in hits for word in term.text.split())
    assert len(using & hits.keys()) >= 0.5 * len(hits)


def _letters(ids: object) -> dict[str, list[DisputedItem]]:
    letters: dict[str, list[DisputedItem]] = {}
    for item in DisputedItem.objects.select_related("determination").filter(
            determination__public_id__in=ids):
        letters.setdefault(item.determination.public_id, []).append(item)
    return letters
