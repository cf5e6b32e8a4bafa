"""Requests found in a pasted UR denial, RFA or progress note (``cases.parsing.requests``):
twenty small synthetic texts read field by field against ``data/denials/expected.json``, and
the pastes that must neither break it nor slow it down."""

from __future__ import annotations

import json
import random
import time
from dataclasses import FrozenInstanceError, asdict

import pytest

from cases.parsing import parse_file
from cases.parsing.requests import MAX_TEXT_CHARS, MAX_TREATMENT_CHARS, find_requests
from tests.conftest import DATA, REAL_TEXTS, SEEDS, need

DENIALS = DATA / "denials"
EXPECTED: dict[str, list[dict[str, object]]] = json.loads(
    (DENIALS / "expected.json").read_text(encoding="utf-8"))
FIELDS = ("treatment", "category", "subcategory", "drugs", "body_regions", "laterality",
          "quantity")
# The brief's budget is 50 ms for 20,000 characters; the bound is loose for busy CI machines.
SLOW = 0.5


def _found(name: str) -> list[dict[str, object]]:
    """The requests found in one fixture, as JSON-ready dicts (tuples as lists)."""
    requests = find_requests((DENIALS / name).read_text(encoding="utf-8"))
    return [json.loads(json.dumps(asdict(request))) for request in requests]


def _timed(text: str) -> tuple[list[str], float]:
    """The treatments found in ``text`` and the seconds it took."""
    start = time.perf_counter()
    requests = find_requests(text)
    return [request.treatment for request in requests], time.perf_counter() - start


def test_denial_fixtures_twenty_texts_each_with_expectations() -> None:
    names = sorted(path.name for path in DENIALS.glob("*.txt"))
    assert len(names) == 20
    assert names == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_find_requests_fixture_finds_each_request_once(name: str) -> None:
    found = [request["treatment"] for request in _found(name)]
    expected = [request["treatment"] for request in EXPECTED[name]]
    assert found == expected, f"{name}: found {found}, expected {expected}"


@pytest.mark.parametrize(("name", "number", "field"), [
    pytest.param(name, number, field, id=f"{name}#{number}-{field}")
    for name, requests in sorted(EXPECTED.items())
    for number in range(1, len(requests) + 1) for field in FIELDS
])
def test_find_requests_fixture_request_field_reads_as_expected(name: str, number: int,
                                                               field: str) -> None:
    found = _found(name)
    assert len(found) >= number, f"{name}: request {number} not found ({len(found)} found)"
    expected = EXPECTED[name][number - 1][field]
    actual = found[number - 1][field]
    assert actual == expected, (f"{name}, request {number} "
                                f"({EXPECTED[name][number - 1]['treatment']!r}), {field}: "
                                f"got {actual!r}, expected {expected!r}")


@pytest.mark.parametrize("text", ["", " ", "\n\t \r\n", "\x00\x00\x00", "\f\f"])
def test_find_requests_empty_or_blank_text_finds_nothing(text: str) -> None:
    assert find_requests(text) == []


@pytest.mark.parametrize("text", [
    (DENIALS / "08_no_treatment.txt").read_text(encoding="utf-8"),
    "Please call our office.",
    "Thank you",
    "Sincerely,\nClaims Intake Unit",
    "Opioids are not recommended for long-term use.",
    "If you disagree, you may request an Independent Medical Review.",
    "Request: additional information",
])
def test_find_requests_text_naming_no_treatment_finds_nothing(text: str) -> None:
    assert find_requests(text) == []


def test_find_requests_text_over_the_limit_reads_its_first_20000_characters() -> None:
    filler = "The claimant was seen again and the findings were unchanged. "
    text = "Request: MRI of the left knee\n" + filler * 400
    text = text[: MAX_TEXT_CHARS + 1]
    assert len(text) == 20_001
    treatments, seconds = _timed(text)
    assert treatments == ["MRI of the left knee"]
    assert seconds < SLOW
    assert find_requests(filler * 400 + "\nRequest: MRI of the left knee") == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_find_requests_binary_junk_finds_nothing_quickly(seed: int) -> None:
    junk = random.Random(seed).randbytes(MAX_TEXT_CHARS).decode("utf-8", errors="replace")
    treatments, seconds = _timed(junk)
    assert treatments == []
    assert seconds < SLOW


PATHOLOGICAL = {
    "an anchor repeated": "request for " * 1700,
    "an anchor then no end": "The request for " + "a " * 10_000,
    "a label and one long word": "Request: " + "x" * 20_000,
    "a verb anchor repeated": "denied the request for MRI " * 740,
    "an asking anchor repeated": "we are requesting " * 1100,
    "a verdict repeated": "Norco is not " * 1500,
    "an IMR heading too long": ("x" * 250 + ": Upheld\n") * 70,
    "one character": "#" * 20_000,
    "open parentheses": "(" * 20_000,
    "bullets": "- " * 10_000,
    "full stops": ". " * 10_000,
    "page footers": "Page 1 of 2\n" * 1600,
    "distinct labelled lines": "".join(f"Request: Norco 10/325mg #{n}\n" for n in range(800)),
    "a long list": "Requested Treatment(s):\n" + "".join(f"{n % 99}. MRI of the knee {n}\n"
                                                          for n in range(900)),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_find_requests_pathological_text_is_read_quickly(name: str) -> None:
    text = PATHOLOGICAL[name][:MAX_TEXT_CHARS]
    treatments, seconds = _timed(text)
    assert seconds < SLOW, f"{name}: {seconds * 1000:.0f} ms"
    assert len(treatments) <= 10
    assert all(len(treatment) <= MAX_TREATMENT_CHARS for treatment in treatments)


def test_find_requests_full_box_of_letters_is_read_quickly() -> None:
    letters = "\n\n".join(path.read_text(encoding="utf-8")
                          for path in sorted(DENIALS.glob("*.txt")))
    text = (letters * (MAX_TEXT_CHARS // len(letters) + 1))[:MAX_TEXT_CHARS]
    treatments, seconds = _timed(text)
    assert seconds < SLOW
    assert len(treatments) == 10  # the default limit; the letters name more


def test_find_requests_same_treatment_again_is_one_request() -> None:
    text = ("The request for Norco 10/325mg #120 is denied.\n"
            "Therefore, the request for NORCO 10/325MG #120. is not medically necessary.\n"
            "Continued use of Norco is not medically necessary.")
    assert [request.treatment for request in find_requests(text)] == ["Norco 10/325mg #120"]


def test_find_requests_modification_requests_what_was_asked() -> None:
    [request] = find_requests("The request for physical therapy 2x6 for the right knee is "
                              "modified to 2x3.")
    assert request.treatment == "physical therapy 2x6 for the right knee"
    assert request.quantity is not None and request.quantity.value == 12


def test_find_requests_request_certified_in_full_is_left_out() -> None:
    text = ("The request for Norco 10/325mg #60 is certified.\n"
            "The request for Soma 350mg #60 is not certified.")
    assert [request.treatment for request in find_requests(text)] == ["Soma 350mg #60"]


def test_find_requests_limit_keeps_the_first_requests() -> None:
    text = (DENIALS / "19_four_requests.txt").read_text(encoding="utf-8")
    expected = [request["treatment"] for request in EXPECTED["19_four_requests.txt"]]
    assert [request.treatment for request in find_requests(text, limit=2)] == expected[:2]
    assert find_requests(text, limit=0) == []


def test_find_requests_treatment_is_cut_to_its_limit_at_a_word() -> None:
    ingredients = "flurbiprofen/cyclobenzaprine/lidocaine/baclofen/gabapentin"
    [request] = find_requests("Request: compounded cream " + f"{ingredients} " * 8)
    assert len(request.treatment) <= MAX_TREATMENT_CHARS
    assert request.treatment.endswith(ingredients)
    assert request.subcategory == "topicals"


def test_find_requests_real_heading_alone_reads_as_the_letter_parser_reads_it() -> None:
    """A disputed item's heading typed alone (the page's edited request lines) is one request
    with the item's own fields: the two readers never disagree on a treatment."""
    paths = sorted(need(REAL_TEXTS).glob("*.txt")) + sorted(need(SEEDS).glob("*.txt"))
    disagreements, headings = [], 0
    for path in paths:
        for item in parse_file(path).items:
            headings += 1
            found = find_requests(item.treatment, limit=1)
            expected = (item.category, item.subcategory, item.drugs, item.body_regions,
                        item.laterality, item.quantity)
            read = [(r.category, r.subcategory, r.drugs, r.body_regions, r.laterality,
                     r.quantity) for r in found]
            if read != [expected]:
                disagreements.append(f"{path.name}: {item.treatment!r} read as {read}")
    assert headings >= 280
    assert not disagreements, "\n".join(disagreements)


def test_pasted_request_is_frozen() -> None:
    [request] = find_requests("Lyrica 75mg")
    field = "treatment"
    with pytest.raises(FrozenInstanceError):
        setattr(request, field, "Norco")
