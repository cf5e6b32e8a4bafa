"""Case-page helpers: query terms, escaping-safe highlighting, reflow, citation."""

from __future__ import annotations

import time
from datetime import date

import pytest

from cases.models import Determination
from cases.presentation.display import (
    citation,
    cite,
    describe,
    highlight,
    matching_positions,
    query_terms,
    reflow,
    result_row,
)
from cases.selectors import result_letters
from tests.factories import DeterminationFactory, DisputedItemFactory


def test_query_terms_keep_words_and_phrases_drop_operators() -> None:
    assert query_terms('"functional restoration" program AND norco -tramadol OR x') == (
        "functional restoration", "program", "norco")


def test_query_terms_strip_field_names_and_plus() -> None:
    assert query_terms("treatment:massage +lumb*") == ("massage", "lumb*")


def test_highlight_escapes_the_text_around_marks() -> None:
    html = highlight("<script>alert(1)</script> Norco & more", ("norco",))
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Norco</mark> &amp; more"


def test_highlight_escapes_the_matched_text_too() -> None:
    assert highlight("a <b>tag</b>", ("<b>tag",)) == "a <mark>&lt;b&gt;tag</mark>&lt;/b&gt;"


def test_highlight_never_marks_inside_an_entity() -> None:
    assert highlight("A & B", ("amp",)) == "A &amp; B"


def test_highlight_long_terms_match_inflections_short_terms_whole_words() -> None:
    assert highlight("Injections; PT and scripts", ("injection", "pt")) == (
        "<mark>Injections</mark>; <mark>PT</mark> and scripts")


def test_highlight_phrase_spans_line_breaks() -> None:
    assert highlight("functional\nrestoration", ("functional restoration",)) == (
        "<mark>functional\nrestoration</mark>")


def test_highlight_prefix_pattern() -> None:
    assert highlight("lumbar, lumbosacral", ("lumb*",)) == (
        "<mark>lumbar</mark>, <mark>lumbosacral</mark>")


def test_highlight_many_wildcards_over_a_long_word_answers() -> None:
    # Inner wildcards used to backtrack over every split of a long run of word characters
    # (a signature line of underscores): hours for this one. The bound is a hang guard.
    terms = query_terms("ab*" + "_*" * 12 + "x")
    started = time.perf_counter()
    assert highlight("ab" + "_" * 60 + " ab" + "_" * 12 + "x", terms) == (
        "ab" + "_" * 60 + " <mark>ab" + "_" * 12 + "x</mark>")
    assert time.perf_counter() - started < 5


def test_highlight_inner_wildcards_still_match() -> None:
    assert highlight("massage, lumbosacral, lumbar", ("mas*ge", "lu*b*r*l")) == (
        "<mark>massage</mark>, <mark>lumbosacral</mark>, lumbar")


def test_highlight_without_terms_only_escapes() -> None:
    assert highlight("<i>", ()) == "&lt;i&gt;"
    assert highlight(None, ("x",)) == ""


def test_reflow_joins_wrapped_lines_and_keeps_paragraphs() -> None:
    text = ("The injured worker is a 50 year old male, who sustained an injury at\n"
            "work on 10-11-2016. Treatment to date has included physical therapy and\n"
            "medication.\n"
            "Records reviewed:\n"
            "The MRI of the lumbar spine was read as normal by the radiologist here.\n\n"
            "Second paragraph.")
    assert reflow(text) == (
        "The injured worker is a 50 year old male, who sustained an injury at work on "
        "10-11-2016. Treatment to date has included physical therapy and medication.\n\n"
        "Records reviewed:\n\n"
        "The MRI of the lumbar spine was read as normal by the radiologist here.\n\n"
        "Second paragraph.")


@pytest.fixture
def determination(db: None) -> Determination:
    d = DeterminationFactory(case_number="CM16-0247255", decision_date=date(2016, 12, 9),
                             case_outcome="Partially overturned")
    for position, (treatment, decision) in enumerate(
            [("Norco 10/325mg #120", "Upheld"), ("Massage x6", "Overturned")], start=1):
        DisputedItemFactory(determination=d, position=position, treatment=treatment,
                            decision=decision, category="Pharmaceuticals")
    return d


def test_citation_is_the_form_practitioners_write(determination: Determination) -> None:
    assert citation(determination) == (
        "IMR Final Determination CM16-0247255 (Maximus Fed. Servs., dec. Dec. 9, 2016)")
    norco, massage = determination.items.all()
    assert citation(determination, norco) == (
        "IMR Final Determination CM16-0247255 (Maximus Fed. Servs., dec. Dec. 9, 2016), "
        "item 1 (Norco 10/325mg #120: Upheld)")
    assert citation(determination, massage).endswith(", item 2 (Massage x6: Overturned)")
    # The view's call: the permanent link is the Copy link button's, not the citation's.
    assert cite(determination, "https://x/cases/CM16-0247255/") == citation(determination)


@pytest.mark.parametrize(("decided", "written"), [
    (date(2016, 9, 6), "dec. Sept. 6, 2016"), (date(2015, 6, 30), "dec. June 30, 2015"),
    (date(2014, 5, 1), "dec. May 1, 2014"), (date(2019, 2, 28), "dec. Feb. 28, 2019"),
])
def test_citation_abbreviates_the_month_as_the_bluebook_does(
        determination: Determination, decided: date, written: str) -> None:
    determination.decision_date = decided
    assert citation(determination) == (
        f"IMR Final Determination CM16-0247255 (Maximus Fed. Servs., {written})")


def test_citation_without_number_or_date_names_the_letter_by_its_id(db: None) -> None:
    d = DeterminationFactory(case_number="", public_id="imr-5250ec5f922b4860",
                             decision_date=None)
    item = DisputedItemFactory(determination=d, position=1, decision="Upheld",
                               treatment="Physical therapy\n 12 sessions")
    assert citation(d, item) == ("IMR Final Determination imr-5250ec5f922b4860 (Maximus Fed. "
                                 "Servs.), item 1 (Physical therapy 12 sessions: Upheld)")


def test_describe_is_one_short_sentence(determination: Determination) -> None:
    assert describe(determination) == (
        "California IMR final determination CM16-0247255, decided 2016-12-09: Partially "
        "overturned. Norco 10/325mg #120 (Upheld); Massage x6 (Overturned). "
        "Reviewer: Pain Management.")


def test_result_row_holds_what_a_results_row_prints(determination: Determination) -> None:
    for position in range(3, 10):  # nine items: six listed, three behind a link
        DisputedItemFactory(determination=determination, position=position,
                            treatment=f"<b>massage</b> {position}", decision="Upheld",
                            category="Physical Medicine", subcategory="Massage")
    determination.state_names = ["California", "Texas"]
    determination.save()
    letter = result_letters([determination.public_id])[determination.public_id]
    row = result_row(letter, snippet="…<mark>massage</mark>…", search_state="q=massage",
                     terms=("massage",))
    # The eight massage items are what the search is about: listed first, marked, and the
    # link opens the case at the first of them; Norco (item 1) is behind "3 more items".
    assert row["url"] == "/cases/CM16-0247255/?q=massage#item-2"
    assert (row["title"], row["outcome"]) == ("CM16-0247255", "Partially overturned")
    assert (row["decided"], row["decided_iso"]) == ("Dec 9, 2016", "2016-12-09")
    assert row["meta"] == " · Pain Management · licensed in California, Texas"
    assert len(row["items"]) == 6 and row["more"] == 3
    assert row["more_url"] == "/cases/CM16-0247255/?q=massage#item-1"
    assert [item["position"] for item in row["items"]] == [2, 3, 4, 5, 6, 7]
    assert all(item["matched"] for item in row["items"])
    assert row["items"][0]["treatment"] == "<mark>Massage</mark> x6"
    assert row["items"][1] == {"decision": "Upheld", "category": "Physical Medicine · Massage",
                               "treatment": "&lt;b&gt;<mark>massage</mark>&lt;/b&gt; 3",
                               "position": 3, "matched": True}
    assert row["snippet"] == "…<mark>massage</mark>…"


def test_result_row_without_a_search_links_the_bare_case(determination: Determination) -> None:
    determination.decision_date = None
    determination.case_number = ""
    determination.save()
    letter = result_letters([determination.public_id])[determination.public_id]
    row = result_row(letter, snippet="ignored without terms")
    assert row["url"] == "/cases/CM16-0247255/" and row["title"] == "CM16-0247255"
    assert row["decided"] == "" and row["snippet"] == "" and row["more"] == 0


@pytest.mark.parametrize(("passing", "terms", "expected"), [
    (None, (), set()),  # no search: nothing singled out
    ((2,), (), {2}),  # the item the item-level conditions keep
    ((1, 2), (), set()),  # every item: none singled out
    ((), (), set()),  # no item either
    (None, ("massage",), {2}),
    (None, ("hydrocodone",), {1}),  # the generic finds the brand's item (Norco)
    (None, ("pain",), set()),  # a word of the letter, not of a heading
    ((1,), ("massage",), {1}),  # the conditions bind; the word names another item
])
def test_matching_items_hold_every_item_condition_and_a_typed_word(
        determination: Determination, passing: tuple[int, ...] | None,
        terms: tuple[str, ...], expected: set[int]) -> None:
    items = list(determination.items.all())
    assert matching_positions(items, terms, passing) == expected
