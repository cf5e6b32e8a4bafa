"""Generated letters parse back to the fields the generator put in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.parsing import parse_determination, parse_file
from cases.synthetic import BENCHMARK, generate_letter, write_corpus

TOP_FIELDS = ("case_number", "decision_date", "date_of_injury", "date_assigned",
              "ur_denial_date", "application_received", "priority", "states_of_licensure",
              "specialties", "patient_age", "patient_sex", "case_outcome", "guidelines_cited",
              "layout")
ITEM_FIELDS = ("treatment", "decision", "category", "claims_administrator_guideline",
               "maximus_guideline", "rationale", "original_request", "authorized")


def _compare(parsed: dict[str, object], truth: dict[str, object]) -> tuple[int, list[str]]:
    """Count matching fields; name the ones that differ."""
    matched, wrong = 0, []
    for key in TOP_FIELDS:
        value = parsed[key]
        if (list(value) if isinstance(value, tuple) else value) == truth[key]:
            matched += 1
        else:
            wrong.append(key)
    items = parsed["items"]
    assert isinstance(items, tuple)
    for n, expected in enumerate(truth["items"]):  # type: ignore[arg-type]
        for key in ITEM_FIELDS:
            if n < len(items) and items[n][key] == expected.get(key):
                matched += 1
            else:
                wrong.append(f"items[{n}].{key}")
    return matched, wrong


@pytest.fixture(scope="module", params=[0.0, 1.0], ids=["clean", "noisy"])
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, count=2000, seed=20131, noise_share=request.param, profile=BENCHMARK)
    return out


def test_generated_letters_parse_back_to_ground_truth(corpus: Path) -> None:
    truths = [json.loads(line) for line in (corpus / "ground_truth.jsonl").open()]
    assert len(truths) == 2000
    matched = total = 0
    failures: dict[str, list[str]] = {}
    for truth in truths:
        parsed = parse_file(corpus / truth["source"])
        assert parsed.error is None, truth["source"]
        ok, wrong = _compare(parsed.to_dict(), truth)
        matched += ok
        total += ok + len(wrong)
        if wrong:
            failures[truth["source"]] = wrong
    assert matched / total >= 0.995, list(failures.items())[:10]
    assert {t["layout"] for t in truths} == {"table", "body", "prose", "2013"}


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), noisy=st.booleans())
def test_any_generated_letter_parses_with_its_items(seed: int, noisy: bool) -> None:
    import random

    letter = generate_letter(random.Random(seed), seed % 1000, noise=noisy, profile=BENCHMARK)
    parsed = parse_determination(letter.text).to_dict()
    truth = letter.truth
    assert [i["decision"] for i in parsed["items"]] == [i["decision"] for i in truth["items"]]
    assert [i["treatment"] for i in parsed["items"]] == [i["treatment"] for i in truth["items"]]
    assert parsed["case_number"] == truth["case_number"]
