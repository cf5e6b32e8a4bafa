"""Tests of the synthetic letter generator (no database)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from statistics import median

import pytest
from django.core.management import CommandError, call_command

from cases.parsing import parse_determination
from cases.parsing.taxonomy import Category, classify_treatment
from cases.parsing.treatment import BODY_REGIONS, QUANTITY_UNITS
from cases.search.whoosh_backend.analysis import text_analyzer
from cases.synthetic import (
    BENCHMARK,
    LAYOUTS,
    NOISE_KINDS,
    SAMPLE,
    SYNTHETIC_LINE,
    Profile,
    SyntheticLetter,
    generate_letter,
    tail_word,
    tail_words,
    wrap,
    write_corpus,
)
from cases.synthetic import prose as P
from cases.synthetic import vocab as V
from cases.synthetic import words as W
from tests.conftest import REAL_TEXTS, need

TRUTH_KEYS = {
    "source", "case_number", "decision_date", "date_of_injury", "date_assigned",
    "ur_denial_date", "application_received", "priority", "states_of_licensure", "specialties",
    "patient_age", "patient_sex", "items", "case_outcome", "guidelines_cited", "layout", "noise",
}
ITEM_KEYS = {
    "treatment", "decision", "category", "claims_administrator_guideline", "maximus_guideline",
    "rationale", "original_request", "authorized", "drugs", "body_regions", "laterality",
    "quantity",
}
CATEGORIES = {c.value for c in Category}


@cache
def _letters(seed: int, count: int,
             profile: Profile = BENCHMARK) -> tuple[SyntheticLetter, ...]:
    """A cached batch of letters drawn from one seed (the benchmark's, unless told: the
    tests below were written for its mix of layouts and its long tail)."""
    rng = random.Random(seed)
    return tuple(generate_letter(rng, i, profile=profile) for i in range(1, count + 1))


def _flat(text: str) -> str:
    """Whitespace-normalise text (form feeds and CRLF included)."""
    return " ".join(text.split())


def test_generate_letter_same_seed_identical_text() -> None:
    first = [generate_letter(random.Random(7), i) for i in range(20)]
    second = [generate_letter(random.Random(7), i) for i in range(20)]
    first += [generate_letter(random.Random(7), i, profile=BENCHMARK) for i in range(20)]
    second += [generate_letter(random.Random(7), i, profile=BENCHMARK) for i in range(20)]
    assert [x.text for x in first] == [x.text for x in second]
    assert [x.truth for x in first] == [x.truth for x in second]


def test_generate_letter_different_seeds_differ() -> None:
    assert generate_letter(random.Random(1), 1).text != generate_letter(random.Random(2), 1).text


PROFILES = pytest.mark.parametrize("profile", [BENCHMARK, SAMPLE], ids=["benchmark", "sample"])


@PROFILES
def test_generate_letter_any_letter_states_it_is_synthetic(profile: Profile) -> None:
    for letter in _letters(3, 400, profile):
        assert "SYNTHETIC LETTER" in letter.text
        assert "synthetic" in _flat(letter.text).lower().split("summary", 1)[1]
        for item in letter.truth["items"]:
            assert "synthetic" not in item["treatment"].lower()


@PROFILES
def test_generate_letter_truth_has_exact_keys_and_types(profile: Profile) -> None:
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for letter in _letters(3, 400, profile):
        truth = letter.truth
        assert set(truth) == TRUTH_KEYS
        assert json.loads(json.dumps(truth)) == truth
        assert truth["source"] == letter.filename
        assert re.fullmatch(r"synthetic-\d{6}\.txt", letter.filename)
        for key in ("decision_date", "date_assigned", "ur_denial_date", "application_received"):
            assert truth[key] is None or iso.match(truth[key])
        assert iso.match(truth["date_of_injury"])
        assert truth["priority"] in (None, "Standard", "Expedited")
        assert truth["patient_sex"] in ("male", "female")
        assert isinstance(truth["patient_age"], int) and 18 <= truth["patient_age"] <= 80
        assert truth["states_of_licensure"] and all(isinstance(s, str)
                                                    for s in truth["states_of_licensure"])
        assert truth["specialties"] and all(isinstance(s, str) for s in truth["specialties"])
        assert truth["layout"] in LAYOUTS
        assert set(truth["noise"]) <= set(NOISE_KINDS)
        assert truth["guidelines_cited"] == sorted(truth["guidelines_cited"])
        assert set(truth["guidelines_cited"]) <= {"ACOEM", "MTUS", "Non-MTUS", "ODG"}
        for item in truth["items"]:
            assert set(item) == ITEM_KEYS
            assert item["decision"] in ("Upheld", "Overturned")
            assert item["category"] in CATEGORIES
            verdict = "is not medically" if item["decision"] == "Upheld" else "is medically"
            assert item["rationale"].endswith((f"{verdict} necessary.",
                                               f"{verdict} necessary and appropriate."))


@PROFILES
def test_generate_letter_case_outcome_matches_item_decisions(profile: Profile) -> None:
    for letter in _letters(3, 400, profile):
        decisions = {item["decision"] for item in letter.truth["items"]}
        expected = ("Partially overturned" if len(decisions) == 2 else
                    "Upheld" if decisions == {"Upheld"} else "Overturned")
        assert letter.truth["case_outcome"] == expected


@PROFILES
def test_generate_letter_dates_ordered_and_case_number_synthetic(profile: Profile) -> None:
    for letter in _letters(3, 400, profile):
        truth = letter.truth
        if truth["layout"] not in ("table", "2013"):
            assert truth["case_number"] is None and truth["decision_date"] is None
            continue
        days = [date.fromisoformat(truth[k]) for k in (
            "date_of_injury", "ur_denial_date", "application_received", "date_assigned",
            "decision_date")]
        assert days == sorted(days)
        assert 2013 <= days[-1].year <= 2024
        assert re.fullmatch(rf"CM{days[-1].year % 100:02d}-9\d{{6}}", truth["case_number"])


def test_generate_letter_many_letters_item_counts_between_1_and_20() -> None:
    counts = Counter(len(letter.truth["items"]) for letter in _letters(11, 2000))
    assert min(counts) >= 1 and max(counts) <= 20
    assert counts[1] > counts[2] > counts[3]
    assert any(n > 8 for n in counts)


def test_generate_letter_2000_letters_upheld_share_near_89_percent() -> None:
    decisions = [item["decision"] for letter in _letters(11, 2000)
                 for item in letter.truth["items"]]
    assert 0.86 <= decisions.count("Upheld") / len(decisions) <= 0.92


def test_generate_letter_many_letters_every_layout_appears() -> None:
    layouts = Counter(letter.truth["layout"] for letter in _letters(11, 2000))
    assert set(layouts) == set(LAYOUTS)
    assert layouts["table"] > layouts["body"] > layouts["prose"]


def test_generate_letter_noise_true_every_kind_appears() -> None:
    rng = random.Random(5)
    letters = [generate_letter(rng, i, noise=True, profile=BENCHMARK) for i in range(300)]
    assert all(letter.truth["noise"] for letter in letters)
    seen = Counter(kind for letter in letters for kind in letter.truth["noise"])
    assert set(seen) == set(NOISE_KINDS)
    for letter in letters:
        noise = letter.truth["noise"]
        assert ("\r\n" in letter.text) == ("crlf" in noise)
        # A page break (footer, header) can fall between "isnot" and "medically".
        flat = " ".join(re.sub(r"Page \d+ of \d+|CM\d\d-\d+|Independent Medical Review", " ",
                               _flat(letter.text)).split())
        assert ("isnot medically" in flat or "notmedically" in flat) == ("runtogether" in noise)
        if "formfeed_headers" in noise:
            assert "\fPage" not in letter.text and "Page 1 of " in letter.text
        if "doubled" in noise:
            assert re.search(r"\S\r?\n ?\r?\n\S", letter.text)


def test_generate_letter_noise_false_has_no_noise() -> None:
    rng = random.Random(5)
    for i in range(200):
        letter = generate_letter(rng, i, noise=False, profile=BENCHMARK)
        assert letter.truth["noise"] == []
        assert "\r" not in letter.text and "notmedically" not in letter.text


def test_generate_letter_clean_letter_contains_truth_fields() -> None:
    rng = random.Random(9)
    for i in range(300):
        letter = generate_letter(rng, i, noise=False, profile=BENCHMARK)
        flat = _flat(letter.text)
        assert flat.startswith(SYNTHETIC_LINE)
        for item in letter.truth["items"]:
            assert item["treatment"] in flat
            assert item["rationale"] in flat
            assert item["claims_administrator_guideline"] in flat
            assert item["maximus_guideline"] in flat
            if item["original_request"]:
                assert f"{item['original_request']} was the original request." in flat
        if letter.truth["case_number"]:
            assert letter.truth["case_number"] in flat


def test_generate_letter_noisy_letter_keeps_truth_in_text() -> None:
    rng = random.Random(13)
    for i in range(300):
        letter = generate_letter(rng, i, noise=True, profile=BENCHMARK)
        if {"hyphenation", "runtogether"} & set(letter.truth["noise"]):
            continue
        furniture = {letter.truth["case_number"], "Independent Medical Review"}
        flat = _flat("\n".join(line for line in re.split(r"[\n\f]", letter.text)
                               if line.strip() not in furniture
                               and not re.fullmatch(r"Page \d+ of \d+", line.strip())))
        for item in letter.truth["items"]:
            assert item["treatment"] in flat and item["rationale"] in flat


def test_generate_letter_table_layout_has_case_table_labels() -> None:
    tables = [x for x in _letters(3, 400) if x.truth["layout"] == "table" and not x.truth["noise"]]
    assert tables
    for letter in tables:
        lines = letter.text.split("\n")
        assert lines[1] == f"{'Case Number:':<{len(lines[1]) - 12}}{letter.truth['case_number']}"
        assert re.match(r"Priority: +(Standard|Expedited) +Application +\d\d/\d\d/\d{4}$",
                        lines[4])
        assert lines[5].strip() == "Received:"
        assert letter.text.endswith("\n\f")


def test_generate_letter_2013_layout_has_notice_structure() -> None:
    late = [x for x in _letters(3, 400) if x.truth["layout"] == "2013" and not x.truth["noise"]]
    assert late
    for letter in late:
        text = letter.text
        assert "Notice of Independent Medical Review Determination" in text
        assert re.search(r"^Final Determination: (UPHOLD|OVERTURN|PARTIAL OVERTURN)$", text, re.M)
        assert text.count("Rationale for the Decision:") == len(letter.truth["items"])


def test_treatment_table_every_template_classified_as_intended() -> None:
    mismatches = []
    for template, category, topic, counts, *_ in V.TREATMENTS:
        assert topic in P.TOPICS
        for region in V.REGIONS:
            for n in counts or (0,):
                for side in ("right", "left", "bilateral"):
                    word = V.NUMBER_WORDS[n] if n < len(V.NUMBER_WORDS) else str(n)
                    text = template.format(
                        n=n, nw=word, Nw=word.capitalize(), x=2, w=4, side=side,
                        Side=side.capitalize(), lr="left", reg=region.phrase.format(side=side),
                        lvl=(region.levels or V.LUMBAR_LEVELS)[0], Spine="Lumbar",
                        ext="upper extremities", ext1="upper extremity", xw=8, xs="twice",
                        ww="four")
                    got = classify_treatment(text).category
                    if got is not category:
                        mismatches.append((text, category.value, got.value))
    assert mismatches == []


def test_generate_letter_truth_treatment_fields_in_spec_form_and_varied() -> None:
    regions, sides, units, drugs = Counter(), Counter(), Counter(), Counter()
    for letter in _letters(11, 2000):
        for item in letter.truth["items"]:
            assert item["drugs"] == sorted(set(item["drugs"]))
            assert item["body_regions"] == sorted(set(item["body_regions"]))
            assert set(item["body_regions"]) <= set(BODY_REGIONS)
            quantity = item["quantity"]
            assert quantity is None or set(quantity) == {"value", "unit"}
            assert quantity is None or isinstance(quantity["value"], int)
            regions.update(item["body_regions"])
            sides[item["laterality"]] += 1
            units[quantity and quantity["unit"]] += 1
            drugs.update(item["drugs"])
    assert set(regions) == set(BODY_REGIONS)
    assert set(sides) == {None, "left", "right", "bilateral"}
    assert set(units) == {None, *QUANTITY_UNITS}
    assert {"acetaminophen", "hydrocodone", "cyclobenzaprine", "carisoprodol", "lidocaine",
            "theramine"} <= set(drugs)


def test_generate_letter_treatment_heading_spells_its_quantity() -> None:
    """Headings carry quantities in the spec's forms: words, NxM, frequency x duration."""
    treatments = [item["treatment"] for letter in _letters(11, 2000)
                  for item in letter.truth["items"]]
    for form in (r"\b(six|eight|ten|twelve|eighteen|twenty-four) sessions", r"\d+x\d+",
                 r"\d+ x \d+", r"times a week for \d+ weeks", r"twice a week for \w+ weeks",
                 r"#\d+", r"\d+ tablets", r"qty \d+", r"\d+-day rental", r"\d+ hours per week",
                 r"for \d+ months"):
        assert any(re.search(form, t, re.IGNORECASE) for t in treatments), form


def test_generate_letter_truth_category_matches_taxonomy() -> None:
    for letter in _letters(11, 2000):
        for item in letter.truth["items"]:
            assert classify_treatment(item["treatment"]).category.value == item["category"]


def test_wrap_long_text_lines_fit_width_and_keep_words() -> None:
    text = " ".join(["word"] * 50 + ["Norco 10/325mg #120"])
    lines = wrap(text, 40)
    assert all(len(line) <= 40 for line in lines)
    assert " ".join(lines) == text


def test_write_corpus_same_seed_writes_identical_files(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "a", count=15, seed=4)
    second = write_corpus(tmp_path / "b", count=15, seed=4)
    assert first.read_bytes() == second.read_bytes()
    records = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == [f"synthetic-{i:06d}.txt" for i in range(1, 16)]
    for record in records:
        a = (tmp_path / "a" / record["source"]).read_bytes()
        assert a == (tmp_path / "b" / record["source"]).read_bytes()
    assert len(list((tmp_path / "a").glob("*.txt"))) == 15


def test_write_corpus_noise_share_zero_writes_clean_letters(tmp_path: Path) -> None:
    path = write_corpus(tmp_path, count=30, seed=1, noise_share=0.0)
    assert all(json.loads(line)["noise"] == [] for line in path.read_text().splitlines())


@pytest.mark.parametrize(("count", "share"), [(0, 0.3), (5, 1.5)])
def test_write_corpus_bad_arguments_raise(tmp_path: Path, count: int, share: float) -> None:
    with pytest.raises(ValueError):
        write_corpus(tmp_path, count=count, seed=1, noise_share=share)


def test_generate_corpus_count_50_writes_letters_truth_and_summary(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    stdout = io.StringIO()
    call_command("generate_corpus", str(out_dir), count=50, seed=3, stdout=stdout)
    letters = sorted(out_dir.glob("*.txt"))
    assert len(letters) == 50
    truth_path = out_dir / "ground_truth.jsonl"
    records = [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 50
    assert [r["source"] for r in records] == [path.name for path in letters]
    assert re.fullmatch(rf"Wrote 50 letters to {re.escape(str(out_dir))} in \d+\.\d s "
                        rf"\(\d+ letters/s\); ground truth: {re.escape(str(truth_path))}\n",
                        stdout.getvalue())


def test_generate_corpus_same_seed_writes_what_write_corpus_writes(tmp_path: Path) -> None:
    call_command("generate_corpus", str(tmp_path / "cmd"), count=50, seed=3,
                 stdout=io.StringIO())
    expected = write_corpus(tmp_path / "api", count=50, seed=3)
    assert (tmp_path / "cmd" / "ground_truth.jsonl").read_bytes() == expected.read_bytes()
    for path in sorted((tmp_path / "api").glob("*.txt")):
        assert (tmp_path / "cmd" / path.name).read_bytes() == path.read_bytes()


def test_generate_corpus_verbosity_0_prints_nothing(tmp_path: Path) -> None:
    stdout = io.StringIO()
    call_command("generate_corpus", str(tmp_path / "out"), count=2, seed=3, verbosity=0,
                 stdout=stdout)
    assert stdout.getvalue() == ""
    assert len(list((tmp_path / "out").glob("*.txt"))) == 2


@pytest.mark.parametrize(("count", "share", "message"), [
    (0, 0.3, "--count must be at least 1"),
    (50, -0.1, "--noise-share must be between 0 and 1"),
    (50, 1.5, "--noise-share must be between 0 and 1"),
])
def test_generate_corpus_bad_arguments_raise_command_error(
    tmp_path: Path, count: int, share: float, message: str
) -> None:
    out_dir = tmp_path / "out"
    with pytest.raises(CommandError, match=message):
        call_command("generate_corpus", str(out_dir), count=count, seed=3, noise_share=share,
                     stdout=io.StringIO())
    assert not out_dir.exists()


def _vocabulary(texts: list[str]) -> tuple[int, float, float]:
    """Distinct word stems in all ``texts``, the share of them in one text only, and the
    median of distinct stems per text (as the index's analyzer reads them)."""
    analyzer = text_analyzer()
    stems = [{t.text for t in analyzer(text) if t.text.isalpha()} for text in texts]
    frequency = Counter(stem for letter in stems for stem in letter)
    once = sum(1 for count in frequency.values() if count == 1)
    return len(frequency), once / len(frequency), median(len(s) for s in stems)


def test_generated_vocabulary_has_the_real_letters_long_tail() -> None:
    """As many letters, generated, hold about as many distinct words as the real ones, with
    a share of words found in one letter only: rare words behave as in the archive (without
    the tail, templates gave a third of the real vocabulary and 7 % in one letter)."""
    real = [p.read_text(errors="replace") for p in sorted(need(REAL_TEXTS).glob("*.txt"))]
    generated = [letter.text for letter in _letters(11, len(real))]
    real_distinct, real_once, real_per_letter = _vocabulary(real)
    distinct, once, per_letter = _vocabulary(generated)
    assert 0.75 * real_distinct <= distinct <= 1.25 * real_distinct
    assert 0.25 <= once <= 0.6 and real_once >= 0.25
    assert 0.8 * real_per_letter <= per_letter <= 1.2 * real_per_letter


def test_tail_words_are_drawn_by_rank_and_spelled_alike_everywhere() -> None:
    """Low ranks are drawn far more often than high ones, and a rank's word is one word."""
    words = tail_words(random.Random(5), 20000)
    counts = Counter(words)
    assert counts[tail_word(0)] > 20 * max(counts[tail_word(r)] for r in range(5000, 5100))
    assert len({tail_word(r) for r in range(100000)}) == 100000
    assert all(w.isalpha() and w.islower() for w in words)


# What the benchmark profile wrote before the sample profile existed (commit 165cffc): its
# corpus is the one the benchmarks' figures were measured on, so it must not change.
BENCHMARK_CORPUS_SHA256 = "82c505d61abd5995df1d4ad39f61857292c5d2446a8913b25be31dd640052f0a"
BENCHMARK_LETTERS_SHA256 = "7430f476340d62153f5c9a8316587f17e28f70919c5b9d6e62b77d724cf05af2"


def test_benchmark_profile_writes_the_corpus_it_always_wrote(tmp_path: Path) -> None:
    write_corpus(tmp_path, count=80, seed=2013, profile=BENCHMARK)
    corpus = hashlib.sha256()
    for path in sorted(tmp_path.iterdir()):
        corpus.update(path.name.encode())
        corpus.update(path.read_bytes())
    assert corpus.hexdigest() == BENCHMARK_CORPUS_SHA256
    rng, letters = random.Random(5), hashlib.sha256()
    for index in range(1, 60):
        letter = generate_letter(rng, index, profile=BENCHMARK)
        letters.update(letter.text.encode())
        letters.update(repr(letter.truth).encode())
    assert letters.hexdigest() == BENCHMARK_LETTERS_SHA256


def test_benchmark_profile_keeps_undated_layouts_and_made_up_tail() -> None:
    letters = _letters(11, 2000)
    layouts = Counter(letter.truth["layout"] for letter in letters)
    undated = sum(1 for letter in letters if letter.truth["case_number"] is None)
    assert undated == layouts["body"] + layouts["prose"]
    assert 0.3 <= undated / len(letters) <= 0.4  # 35 % by the layout weights
    assert all("The records reviewed also name " in _flat(letter.text) for letter in letters
               if not letter.truth["noise"])


def test_generate_corpus_profile_benchmark_writes_what_write_corpus_writes(
        tmp_path: Path) -> None:
    call_command("generate_corpus", str(tmp_path / "cmd"), count=20, seed=3,
                 profile="benchmark", stdout=io.StringIO())
    expected = write_corpus(tmp_path / "api", count=20, seed=3, profile=BENCHMARK)
    assert (tmp_path / "cmd" / "ground_truth.jsonl").read_bytes() == expected.read_bytes()
    for path in sorted((tmp_path / "api").glob("*.txt")):
        assert (tmp_path / "cmd" / path.name).read_bytes() == path.read_bytes()


def test_generate_letter_sample_letters_parse_with_case_number_and_dates() -> None:
    """Every letter of the sample archive (`make run` without real letters) shows its case
    number and decision date: none is an "imr-…" digest with "Decision date not read"."""
    rng = random.Random(2013)
    letters = [generate_letter(rng, i) for i in range(1, 401)]  # 30 % noisy, as `make run`
    assert any(letter.truth["noise"] for letter in letters)
    assert Counter(letter.truth["layout"] for letter in letters).keys() == {"table", "2013"}
    for letter in letters:
        truth, parsed = letter.truth, parse_determination(letter.text).to_dict()
        assert truth["case_number"] and truth["decision_date"], truth["source"]
        for key in ("case_number", "decision_date", "date_of_injury", "date_assigned",
                    "ur_denial_date", "application_received", "patient_age", "patient_sex",
                    "case_outcome"):
            assert parsed[key] == truth[key], (truth["source"], key)
        assert [(i["treatment"], i["decision"]) for i in parsed["items"]] == [
            (i["treatment"], i["decision"]) for i in truth["items"]], truth["source"]


@cache
def _source_words() -> frozenset[str]:
    """Every lower-case word the generator's own source spells, comments included."""
    folder = Path(W.__file__).parent
    return frozenset(word for path in folder.glob("*.py")
                     for word in re.findall(r"[a-z]+", path.read_text().lower()))


def test_generate_letter_sample_letters_are_real_words_only() -> None:
    """The sample's long tail names jobs, illnesses, operations, medications and records in
    real words: its letters hold no word the generator's tables and sentences do not spell
    (a made-up tail word, "bubeast", is spelled nowhere)."""
    letters = [letter for letter in _letters(17, 400, SAMPLE) if not letter.truth["noise"]]
    for letter in letters:
        words = set(re.findall(r"[a-z]+", letter.text.lower()))
        assert words <= _source_words(), (letter.filename, sorted(words - _source_words()))
        assert "The records reviewed also name" not in letter.text
    # The made-up tail is spelled in no source (but by chance: "migraine" is one), so the
    # check above catches it in the benchmark's letters.
    assert {"bubeast", "clubeavir", "bribeax", "mobeide"} <= {tail_word(r) for r in range(10**5)}
    assert not {"bubeast", "clubeavir", "bribeax", "mobeide"} & _source_words()
    assert all(set(re.findall(r"[a-z]+", letter.text.lower())) - _source_words()
               for letter in _letters(17, 40))
    # A long tail still: common entries often, rare ones now and then.
    text = " ".join(letter.text for letter in letters)
    for table in (W.JOBS, W.CONDITIONS, W.MEDICATIONS, W.DOCUMENTS):
        found = [entry for entry in table if entry in text]
        assert len(found) > len(table) // 3
        assert text.count(table[0]) > text.count(table[-1])
