"""Snippets: the query's words marked where they appear, everything escaped."""

from __future__ import annotations

from cases.search.whoosh_backend.analysis import text_analyzer
from cases.search.whoosh_backend.snippets import BETWEEN, MAX_CHARS, SURROUND, cut, snippet


def _terms(text: str) -> frozenset[str]:
    return frozenset(token.text for token in text_analyzer()(text))


def test_marks_every_form_of_a_stemmed_word_and_escapes_the_rest() -> None:
    html = snippet("Massages <b>helped</b>; massage therapy was massaged twice.",
                   _terms("massage"))
    assert html.count('<mark class="match term0">') == 3
    assert "&lt;b&gt;helped&lt;/b&gt;" in html and "<b>" not in html


def test_each_query_word_gets_its_own_class_and_compounds_match_whole() -> None:
    html = snippet("Left L5-S1 epidural injection for radiculopathy.", _terms("L5-S1 epidural"))
    assert '<mark class="match term0">L5-S1</mark>' in html
    assert '<mark class="match term1">epidural</mark>' in html


def test_fragments_around_the_densest_places_in_text_order() -> None:
    filler = "Unrelated clinical narrative continues here at some length. " * 12
    text = f"knee pain once. {filler} knee brace and knee surgery. {filler} knee again."
    html = snippet(text, _terms("knee"))
    first, second = html.split(" … ")
    assert first.startswith("knee") or "knee" in first[:SURROUND + 20]
    assert "brace" in second and second.count("<mark") == 2
    assert all(len(part) < MAX_CHARS + 2 * SURROUND + 200 for part in (first, second))


def test_without_a_match_the_text_begins_the_snippet() -> None:
    assert snippet("Shoulder strain after a fall <at work>.", _terms("knee")) == (
        "Shoulder strain after a fall &lt;at work&gt;.")
    assert snippet("", _terms("knee")) == ""


def test_fragments_that_would_overlap_are_shown_once() -> None:
    # Hits close enough that the second fragment's context began inside the first's: the
    # words between them were shown twice.
    text = ("knee " + "alpha " * 15 + "knee " + "bravo " * 15 + "knee " + "charlie " * 8
            + "knee " + "delta " * 30)
    found = cut(text, _terms("knee"))
    assert found.text.count("charlie") == 8
    assert BETWEEN not in found.text


def test_a_passage_the_letter_repeats_is_shown_once() -> None:
    filler = "Unrelated clinical narrative continues here at some length. " * 12
    said = ("The objective functional improvement on the regimen is not documented. No "
            "acute injury muscle spasm is noted.")
    text = (f"Treatment has been Norco since November of 2016. {said} {filler} Treatment has "
            f"been Norco since 11-15-2016. {said} {filler} Continued functional decline.")
    found = cut(text, _terms("functional"))
    assert found.text.count("on the regimen is not documented") == 1
    assert "decline" in found.text  # the next best place instead of the repeat


def test_plain_text_and_marks_agree_with_the_html() -> None:
    found = cut("Massage <b>& more</b>: massages helped.", _terms("massage"))
    assert found.text == "Massage <b>& more</b>: massages helped."
    assert [found.text[a:b] for a, b in found.highlights] == ["Massage", "massages"]
    assert found.html() == ('<mark class="match term0">Massage</mark> &lt;b&gt;&amp; more&lt;/b'
                            '&gt;: <mark class="match term0">massages</mark> helped.')
    assert snippet("Massage <b>& more</b>: massages helped.", _terms("massage")) == found.html()
