"""Reasons for an item's decision, read from its rationale: rules, negation, quotes, gating,
sentences, junk input, and the share of the real letters' upheld items given a reason.

The sentences here are written for these tests in the shapes reviewers use; none is taken
from a letter. Run with ``-s`` to see the counts over the real letters.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.parsing import parse_file
from cases.parsing.reasons import REASONS, Reason, classify_reasons, split_sentences
from tests.conftest import REAL_TEXTS, need

ORDER = [rule.code for rule in REASONS]
AGAINST = {rule.code for rule in REASONS if rule.decision == "Upheld"}


def codes(rationale: str, decision: str = "Upheld") -> list[str]:
    return [reason.code for reason in classify_reasons(rationale, decision)]


def reason(rationale: str, code: str, decision: str = "Upheld") -> Reason:
    return next(r for r in classify_reasons(rationale, decision) if r.code == code)


def assert_well_formed(reasons: tuple[Reason, ...], rationale: str, decision: str) -> None:
    found = [r.code for r in reasons]
    assert found == sorted(set(found), key=ORDER.index)  # each once, in table order
    side = decision.strip().lower() if isinstance(decision, str) else ""
    if side.startswith("upheld"):
        assert set(found) <= AGAINST
    elif side.startswith("overturned"):
        assert set(found) <= {"criteria_met"}
    else:
        assert found == []
    for r in reasons:
        assert rationale[r.start : r.end] == r.sentence
        assert r.label == next(rule.label for rule in REASONS if rule.code == r.code)


# --- The table --------------------------------------------------------------------------------

def test_reasons_table_holds_the_seven_reasons_in_order() -> None:
    assert [(rule.code, rule.label) for rule in REASONS] == [
        ("no_functional_improvement", "No documented functional improvement"),
        ("exceeds_guideline_quantity", "Exceeds the guideline's quantity, frequency or duration"),
        ("not_recommended",
         "Not recommended by the guideline for this condition (or insufficient evidence)"),
        ("conservative_care", "Conservative care not tried or its failure not documented"),
        ("monitoring_missing", "Required monitoring missing (urine drug screen, CURES, "
                               "opioid agreement, pain assessment)"),
        ("insufficient_documentation", "Objective findings or documentation insufficient"),
        ("criteria_met", "Criteria met"),
    ]
    assert {rule.decision for rule in REASONS} == {"Upheld", "Overturned"}
    assert [rule.code for rule in REASONS if rule.decision == "Overturned"] == ["criteria_met"]


# --- Each reason ------------------------------------------------------------------------------

@pytest.mark.parametrize(("rationale", "code"), [
    ("The claimant has had eight chiropractic visits. The file holds no record of functional "
     "gains from those visits.", "no_functional_improvement"),
    ("Pain scores fell a little, but increased function with the earlier sessions was not "
     "documented.", "no_functional_improvement"),
    ("The patient took the medication for four months without any measurable benefit.",
     "no_functional_improvement"),
    ("The twelve visits requested are more than the recommended number for this diagnosis.",
     "exceeds_guideline_quantity"),
    ("This request for sixteen sessions would exceed the guideline's maximum.",
     "exceeds_guideline_quantity"),
    ("The patient has used the relaxant since the summer, and continued use is not "
     "recommended.", "exceeds_guideline_quantity"),
    ("The guidelines do not support topical muscle relaxants, so the gel in this request "
     "is declined.", "not_recommended"),
    ("The claimant's cream contains one agent that is not recommended.", "not_recommended"),
    ("There is no record that the claimant tried a course of physical therapy before the "
     "injection was requested.", "conservative_care"),
    ("It is unclear which conservative treatment the claimant has had for the wrist.",
     "conservative_care"),
    ("The file gives no sign of a failed trial of oral NSAIDs before the patch.",
     "not_recommended"),
    ("The prescriber has not documented a recent urine drug screen or a review of the CURES "
     "database.", "monitoring_missing"),
    ("There is no signed opioid agreement in the records.", "monitoring_missing"),
    ("The examination found full strength, and no red flags are described.",
     "insufficient_documentation"),
    ("The request does not state which knee is to be braced.", "insufficient_documentation"),
    ("The treating physician offers no clear rationale for a second scan of the same joint.",
     "insufficient_documentation"),
])
def test_classify_reasons_upheld_phrase_gives_reason(rationale: str, code: str) -> None:
    assert code in codes(rationale)


@pytest.mark.parametrize("rationale", [
    "The patient has completed a course of therapy with documented functional improvement. "
    "The therapy is medically necessary.",
    "The claimant's examination shows clear signs of radiculopathy at the left L5 level.",
    "The criteria for the study have been met here.",
    "Yes, the request for the brace was medically necessary.",
])
def test_classify_reasons_overturned_gives_criteria_met(rationale: str) -> None:
    assert codes(rationale, "Overturned") == ["criteria_met"]


@pytest.mark.parametrize(("rationale", "expected"), [
    # A drug before the first-line drugs is not first-line; conservative care is drug-free.
    ("There is no record that the claimant tried an antidepressant before this cream.",
     ["not_recommended"]),
    ("The notes do not show that the worker cannot tolerate oral medications.",
     ["not_recommended"]),
    ("The chart gives no sign that physical therapy was tried before the knee injection.",
     ["conservative_care"]),
    ("The patient's scan was ordered only 5 days after the fall.", ["conservative_care"]),
    ("The records hold no documentation of a failure to progress in a home exercise program.",
     ["conservative_care"]),
    # The stock remark names the excess and is no documentation gap of its own.
    ("The claimant is past the visits allowed. The file shows no exceptional factors that call "
     "for 10 more visits.", ["exceeds_guideline_quantity"]),
    ("The worker is past the visits allowed. No rationale is given for continued care outside "
     "the guidelines.", ["exceeds_guideline_quantity"]),
    # A missing rationale beside another reason is a gap of its own.
    ("The treating physician gives no rationale for the massage before the completion of the "
     "authorized course of therapy.", ["conservative_care", "insufficient_documentation"]),
    # Two questions the notes leave open are two reasons.
    ("The notes do not document how many sessions the claimant has had or whether they brought "
     "functional improvement.", ["no_functional_improvement", "insufficient_documentation"]),
    ("Further visits are contingent on the patient's response to the six already authorized.",
     ["no_functional_improvement"]),
    ("The claimant's brace use is not tied to any surgery, as bracing should be avoided "
     "otherwise.", ["not_recommended"]),
])
def test_classify_reasons_narrower_reading_wins(rationale: str, expected: list[str]) -> None:
    assert codes(rationale) == expected


def test_classify_reasons_duration_limit_applied_to_patient_gives_excess() -> None:
    limit = "The guideline limits this relaxant to short-term use."
    use = "The patient has been taking it for six months."
    found = classify_reasons(f"{limit} {use}", "Upheld")
    assert [(r.code, r.sentence) for r in found] == [("exceeds_guideline_quantity", use)]
    # Recited alone, the limit is no reason.
    assert codes(f"{limit} The claimant's exam shows spasm.") == []


def test_classify_reasons_specific_reason_is_not_also_generic() -> None:
    rationale = "The notes contain no documentation of functional improvement with past visits."
    assert codes(rationale) == ["no_functional_improvement"]


def test_classify_reasons_conclusion_alone_gives_no_reason() -> None:
    assert codes("The medical necessity of the cane is not shown. So the cane is not medically "
                 "necessary.") == []


@pytest.mark.parametrize(("rationale", "expected"), [
    # A drug for a condition the patient is not shown to have.
    ("Pregabalin is meant for two nerve pain syndromes. The claimant was never diagnosed "
     "with either of those syndromes.", ["not_recommended"]),
    ("The progress notes do not show that the patient is being treated for gout.",
     ["not_recommended"]),
    ("There is no note that the worker has fibromyalgia.", ["not_recommended"]),
    # Ranked last in its class, or no better than the first-line drug.
    ("The relaxant requested has the weakest evidence of its class.", ["not_recommended"]),
    ("The requested wrap is still under study, and the notes give the patient's pain as "
     "mild.", ["not_recommended"]),
    ("The claimant's gel shows no benefit over an oral NSAID, which she tolerates.",
     ["not_recommended"]),
    ("The patient took one relaxant, but the notes show no failure of other muscle relaxants.",
     ["not_recommended"]),
    # An imaging method other than the one preferred.
    ("The treating physician gives no reason for a CT scan rather than an ultrasound of the "
     "groin.", ["not_recommended"]),
    # "The guidelines do not support X" is the reviewer's, even before the case is named.
    ("Guidelines do not support traction for neck pain. The claimant's exam is not documented.",
     ["not_recommended", "insufficient_documentation"]),
])
def test_classify_reasons_not_recommended_reading_gives_reason(rationale: str,
                                                               expected: list[str]) -> None:
    assert codes(rationale) == expected


@pytest.mark.parametrize("rationale", [
    "Pregabalin is meant for two nerve pain syndromes. The claimant was diagnosed with one of "
    "those syndromes.",
    "The progress notes show that the patient is being treated for gout.",
    "The notes document that the worker has fibromyalgia.",
    "If there is no sign that the patient is being treated for gout, the drug will stop.",
    "The relaxant requested is not the one with the weakest evidence of its class.",
    "The requested wrap is no longer under study, and the notes give the patient's pain as mild.",
    "The claimant's gel shows a clear benefit over an oral NSAID, which she cannot tolerate.",
    "The patient has tried and failed other muscle relaxants.",
    "The treating physician explains the need for a CT scan rather than an ultrasound of the "
    "groin.",
    "Guidelines support traction for neck pain. The claimant's exam is not documented.",
])
def test_classify_reasons_not_recommended_reading_negated_gives_no_reason(rationale: str) -> None:
    assert "not_recommended" not in codes(rationale)


# --- Negation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("rationale", "absent"), [
    ("There is documentation of functional improvement with the earlier sessions.",
     "no_functional_improvement"),
    ("The records show functional improvement, but the request is for too many visits.",
     "no_functional_improvement"),
    ("The worker showed no failure to improve after the first visits.",
     "no_functional_improvement"),
    ("The provider will stop the drug if there is no improvement by the next visit.",
     "no_functional_improvement"),
    ("The guidelines recommend aquatic therapy for patients who cannot bear weight. The records "
     "do not describe the patient's gait.", "not_recommended"),
    ("The requested six sessions do not exceed the recommended course.",
     "exceeds_guideline_quantity"),
    ("The claimant has tried and failed conservative care, yet the exam shows no deficit.",
     "conservative_care"),
    ("There is no sign of high risk that would require repeated urine drug screens.",
     "monitoring_missing"),
])
def test_classify_reasons_negated_or_affirmed_phrase_gives_no_reason(rationale: str,
                                                                      absent: str) -> None:
    assert absent not in codes(rationale)


def test_classify_reasons_double_negation_reads_as_conservative_care_only() -> None:
    rationale = "Imaging waits, as the claimant has not failed to respond to conservative care."
    assert codes(rationale) == ["conservative_care"]


def test_classify_reasons_clause_break_ends_negation_scope() -> None:
    rationale = "There is no new injury, but functional improvement is well documented."
    assert "no_functional_improvement" not in codes(rationale)


# --- Quotes and verdicts ----------------------------------------------------------------------

def test_classify_reasons_quoted_criterion_marks_the_applying_sentence() -> None:
    quote = ('The MTUS states that "further visits depend on objective functional improvement '
             'and are not supported without it."')
    applied = "The notes give no measure of functional improvement from the first six visits."
    rationale = f"{quote} {applied} So the visits are not medically necessary."
    found = reason(rationale, "no_functional_improvement")
    assert found.sentence == applied
    assert (found.start, found.end) == (len(quote) + 1, len(quote) + 1 + len(applied))


def test_classify_reasons_quote_alone_gives_no_reason() -> None:
    rationale = ('ODG: "Repeat imaging is not indicated without a significant change in '
                 'findings." Therefore the MRI is not medically necessary.')
    assert codes(rationale) == []


def test_classify_reasons_guideline_preamble_is_not_a_finding() -> None:
    rationale = ("Per ODG, braces offer no lasting benefit and show no functional improvement "
                 "beyond the acute phase. The patient's neck exam was normal, and no red flags "
                 "are noted.")
    assert codes(rationale) == ["insufficient_documentation"]


def test_classify_reasons_flat_verdict_stands_in_when_nothing_else() -> None:
    rationale = ("ODG states that magnetic therapy is not recommended. So the magnets asked for "
                 "are not medically necessary.")
    found = classify_reasons(rationale, "Upheld")
    assert [r.code for r in found] == ["not_recommended"]
    assert found[0].sentence == "ODG states that magnetic therapy is not recommended."


def test_classify_reasons_flat_verdict_gives_way_to_a_finding() -> None:
    rationale = ("Per ODG, traction under sedation is not recommended. The claimant has had "
                 "six visits with no documented functional improvement.")
    assert codes(rationale) == ["no_functional_improvement"]


def test_classify_reasons_conditional_verdict_is_a_criterion() -> None:
    rationale = ("Muscle relaxants are not recommended for longer than three weeks. So the "
                 "pills asked for are not medically necessary.")
    assert codes(rationale) == []


def test_classify_reasons_closing_sentence_sums_up() -> None:
    rationale = ("The exam found no red flags. Hence the scan asked for would not be supported "
                 "by the guidelines.")
    assert codes(rationale) == ["insufficient_documentation"]


# --- Gating -----------------------------------------------------------------------------------

def test_classify_reasons_overturned_item_ignores_reasons_against() -> None:
    rationale = ("The visits exceed the guideline by two sessions. There is no urine drug "
                 "screen on file. The visits are medically necessary.")
    assert codes(rationale, "Overturned") == ["criteria_met"]
    assert "criteria_met" not in codes(rationale, "Upheld")


def test_classify_reasons_overturned_prior_denial_reads_what_it_affirms() -> None:
    recount = ("The earlier review denied the visits because no improvement was documented, "
               "but improvement is now documented in the therapist's notes.")
    rationale = f"The MTUS supports therapy for this strain. {recount}"
    assert reason(rationale, "criteria_met", "Overturned").sentence == recount
    # Upholding, the reviewer adopts the recounted denial reason.
    assert reason(rationale, "no_functional_improvement").sentence == recount


@pytest.mark.parametrize("decision", ["", "Partially overturned", "Modified", None, 3])
def test_classify_reasons_unknown_decision_gives_nothing(decision: object) -> None:
    assert classify_reasons("The exam notes describe no red flags.", decision) == ()  # type: ignore[arg-type]


@pytest.mark.parametrize("decision", ["upheld", " UPHELD ", "Upheld."])
def test_classify_reasons_decision_spelling_is_forgiven(decision: str) -> None:
    assert codes("The exam notes describe no red flags.", decision) == [
        "insufficient_documentation"]


# --- Sentences and spans ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "count"), [
    ("Dr. Lee saw the patient on 3/2/2016. The exam was normal.", 2),
    ("Passive care (e.g. ultrasound) is an adjunct, i.e. not the main treatment. Active care "
     "comes first.", 2),
    ("Surgery vs. injection was discussed. See p. 12 of the chapter.", 2),
    ("The indications are: 1. Tumor, 2. Fracture. No other one applies.", 2),
    ("The dose is 2.5 mg a day. It was stopped in May.", 2),
    ("Benefit was shown (Smith, 2010).Later trials disagreed.", 2),
    ("Request No. 4 was withdrawn by Mr. J. Ortiz.", 1),
    ("It works (see Fig. 2). It is cheap.", 2),
    ("", 0),
    ("   ", 0),
    ("no full stop at all", 1),
])
def test_split_sentences_abbreviations_do_not_end_a_sentence(text: str, count: int) -> None:
    sentences = split_sentences(text)
    assert len(sentences) == count
    assert all(text[s.start : s.end] == s.text and s.text == s.text.strip() for s in sentences)


def test_classify_reasons_span_marks_the_sentence_that_gave_it() -> None:
    first = "Dr. Ames notes the claimant's neck pain, e.g. on turning."
    second = "The chart describes no neurological deficit in the legs."
    rationale = f"  {first}\n{second} So the scan is not medically necessary."
    found = reason(rationale, "insufficient_documentation")
    assert (found.sentence, found.start, found.end) == (
        second, rationale.index(second), rationale.index(second) + len(second))


def test_classify_reasons_each_code_once_at_its_first_sentence() -> None:
    rationale = ("The chart shows no red flags. The chart shows no deficits either. The chart "
                 "shows no objective functional improvement.")
    found = classify_reasons(rationale, "Upheld")
    assert [r.code for r in found] == ["no_functional_improvement", "insufficient_documentation"]
    assert found[1].sentence == "The chart shows no red flags."


# --- Junk input -------------------------------------------------------------------------------

@pytest.mark.parametrize("rationale", [None, 42, b"no documentation", "", "." * 10_000,
                                       '"' * 5_001, "no " * 20_000, "a" * 60_000,
                                       "\x00\ufffd\u201c\u201d" * 1_000])
def test_classify_reasons_junk_input_does_not_raise(rationale: object) -> None:
    for decision in ("Upheld", "Overturned"):
        reasons = classify_reasons(rationale, decision)  # type: ignore[arg-type]
        if isinstance(rationale, str):
            assert_well_formed(reasons, rationale, decision)
        else:
            assert reasons == ()


VOCABULARY = ["no", "not", "lack of", "without", "documentation", "functional improvement",
              "the patient", "exceeds", "guidelines", "not recommended", "if", "but", ",",
              ".", "conservative care", "failed to", "urine drug screen", "red flags",
              "medically necessary", '"', "Dr.", "e.g.", "MTUS states", "is", "there"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=3_000),
                 st.lists(st.sampled_from(VOCABULARY), max_size=200).map(" ".join)),
       st.sampled_from(["Upheld", "Overturned", "", "upheld", "Denied"]))
def test_classify_reasons_any_text_gives_well_formed_reasons(rationale: str,
                                                             decision: str) -> None:
    assert_well_formed(classify_reasons(rationale, decision), rationale, decision)


# --- The real letters -------------------------------------------------------------------------

def test_classify_reasons_real_letters_give_most_upheld_items_a_reason() -> None:
    counts: Counter[str] = Counter()
    items = {"Upheld": 0, "Overturned": 0}
    explained = {"Upheld": 0, "Overturned": 0}
    for path in sorted(need(REAL_TEXTS).glob("*.txt")):
        parsed = parse_file(path)
        assert parsed.error is None, path.name
        for item in parsed.items:
            reasons = classify_reasons(item.rationale, item.decision)
            assert_well_formed(reasons, item.rationale, item.decision)
            counts.update(r.code for r in reasons)
            items[item.decision] += 1
            explained[item.decision] += bool(reasons)
    share = explained["Upheld"] / items["Upheld"]
    print(f"\nupheld items with a reason: {explained['Upheld']} of {items['Upheld']} "
          f"({share:.1%}); overturned with criteria_met: {explained['Overturned']} of "
          f"{items['Overturned']}")
    for code in ORDER:
        print(f"  {code:28} {counts[code]:4}")
    assert share >= 0.8
