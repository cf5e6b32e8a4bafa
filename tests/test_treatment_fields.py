"""Treatment fields of a disputed item read from its heading (``cases.parsing.treatment``):
the spec's examples, small synthetic headings, the hand-labelled real letters and the
generator's ground truth."""

from __future__ import annotations

import io
import json
from dataclasses import asdict

import pytest
from django.core.management import call_command

from benchmarks.treatment_accuracy import FIELDS, measure_generated, measure_real
from cases.parsing import parse_determination, parse_file
from cases.parsing.drugs import DRUG_NAMES, find_drugs
from cases.parsing.quantities import numbers_as_digits
from cases.parsing.treatment import BODY_REGIONS, QUANTITY_UNITS, treatment_fields
from tests.conftest import DATA, REAL_TEXTS, SEEDS, need

LABELS = DATA / "treatment_labels.json"
TARGET = 0.97


def _fields(heading: str) -> dict[str, object]:
    return json.loads(json.dumps(asdict(treatment_fields(heading))))


def _q(value: int, unit: str) -> dict[str, object]:
    return {"value": value, "unit": unit}


# Every row of the spec's table of examples.
SPEC_EXAMPLES = [
    ("Eighteen sessions of massage therapy for the right shoulder and hip",
     [], ["hip", "shoulder"], "right", _q(18, "sessions")),
    ("Norco 10/325mg #120", ["acetaminophen", "hydrocodone"], [], None, _q(120, "count")),
    ("Additional physical therapy lumbar spine two times a week for three weeks",
     [], ["lumbar spine"], None, _q(6, "sessions")),
    ("EMG/NCV bilateral upper extremities", [], ["upper extremity"], "bilateral", None),
    ("Lumbar epidural steroid injection L4-5", [], ["lumbar spine"], None, None),
    ("TENS unit 30 day rental", [], [], None, _q(30, "days")),
]


@pytest.mark.parametrize(("heading", "drugs", "regions", "side", "quantity"), SPEC_EXAMPLES)
def test_treatment_fields_spec_example_reads_as_the_spec_says(
        heading: str, drugs: list[str], regions: list[str], side: str | None,
        quantity: dict[str, object] | None) -> None:
    assert _fields(heading) == {"drugs": drugs, "body_regions": regions, "laterality": side,
                                "quantity": quantity}


@pytest.mark.parametrize(("heading", "drugs"), [
    ("Hydrocodone bitartrate 10mg", ["hydrocodone"]),
    ("tramadol ER 150mg", ["tramadol"]),
    ("Lidoderm 5% patch #30", ["lidocaine"]),
    ("Percocet 5/325", ["acetaminophen", "oxycodone"]),
    ("Ultram 50mg, Soma 350mg", ["carisoprodol", "tramadol"]),
    ("Flexeril then Neurontin then Lyrica", ["cyclobenzaprine", "gabapentin", "pregabalin"]),
    ("Celebrex, Prilosec and Ambien", ["celecoxib", "omeprazole", "zolpidem"]),
    ("Hydrocodone/APAP 5/325", ["acetaminophen", "hydrocodone"]),
    ("Paracetamol 500mg", ["acetaminophen"]),
    ("Flurbiprofen 20%/Lidocaine 5% cream", ["flurbiprofen", "lidocaine"]),
    ("Theramine #90", ["theramine"]),
    ("Toradol injection", ["ketorolac"]),
    ("Epidural steroid injection", []),
    ("MS-Contin 30mg", ["morphine"]),
    ("Tylenol with codeine No. 3", ["acetaminophen", "codeine"]),
    ("Medrox patches #30", ["capsaicin", "menthol", "methyl salicylate"]),
    ("Hydrocodone 10/325", ["hydrocodone"]),
    ("Physical therapy for the lumbar spine", []),
])
def test_find_drugs_heading_gives_generic_names(heading: str, drugs: list[str]) -> None:
    assert list(find_drugs(heading)) == drugs


def test_drug_table_every_name_lowercase_and_resolves() -> None:
    for name, ingredients in DRUG_NAMES.items():
        assert name == name.lower() and ingredients
        assert all(i == i.lower() for i in ingredients)
        assert find_drugs(name.upper()) == tuple(sorted(set(ingredients))), name


@pytest.mark.parametrize(("heading", "regions", "side"), [
    ("MRI of the neck", ["cervical spine"], None),
    ("C5-6 anterior discectomy", ["cervical spine"], None),
    ("T-spine x-ray, T7 level", ["thoracic spine"], None),
    ("Low back brace", ["lumbar spine"], None),
    ("Right SI joint injection", ["lumbar spine"], "right"),
    ("L5-S1 fusion", ["lumbar spine"], None),
    ("CT of the brain", ["head"], None),
    ("Left thumb splint", ["hand"], "left"),
    ("Heel cups for both feet", ["foot"], "bilateral"),
    ("X-rays of the left and right knees", ["knee"], "bilateral"),
    ("EMG of the lower extremity and knee", ["knee"], None),
    ("NCS RUE", ["upper extremity"], "right"),
    ("Knee scooter rental", [], None),
    ("Urine drug screen", [], None),
    ("Rt knee brace", ["knee"], "right"),
    ("Lt. shoulder MRI", ["shoulder"], "left"),
    ("Bilat knee x-rays", ["knee"], "bilateral"),
    ("Upper back massage", ["thoracic spine"], None),
    ("De Quervain's release", ["wrist"], None),
    ("Both PT and chiropractic", [], None),
])
def test_regions_and_side_synthetic_heading_read(heading: str, regions: list[str],
                                                  side: str | None) -> None:
    fields = _fields(heading)
    assert (fields["body_regions"], fields["laterality"]) == (regions, side)


@pytest.mark.parametrize(("heading", "quantity"), [
    ("Chiropractic 3x4", _q(12, "sessions")),
    ("Chiropractic 3 x 4", _q(12, "sessions")),
    ("Physical therapy 12 (2x6)", _q(12, "sessions")),
    ("Acupuncture twice a week for four weeks", _q(8, "sessions")),
    ("Twenty-four sessions of aquatic therapy", _q(24, "sessions")),
    ("Physical therapy 2-3 times a week for 6 weeks", _q(18, "sessions")),
    ("Oxycodone 10mg #60 for 30 days", _q(60, "count")),
    ("Gabapentin 300mg 90 capsules", _q(90, "count")),
    ("Meloxicam 15mg qty 30", _q(30, "count")),
    ("Naproxen 550mg 1 tab twice daily", None),
    ("Norco 10/325mg with 2 refills", None),
    ("3-month gym membership", _q(3, "months")),
    ("Functional restoration program, 4-week program", _q(4, "weeks")),
    ("Home health 20 hours of care", _q(20, "hours")),
    ("Home health aide 4 hours per day, 5 days a week for 2 weeks", _q(40, "hours")),
    ("Ketoprofen 20% cream 120gm", None),
    ("X-rays of the wrist, 3 views", None),
    ("Hydrocodone 10/325 mg 1 PO q 6 hours #120", _q(120, "count")),
    ("Tramadol 50mg, one tablet every 8 hours as needed, #90", _q(90, "count")),
    ("Oxycontin 20mg 1 tab q12h, 60 tabs", _q(60, "count")),
    ("Tylenol #3 #60", _q(60, "count")),
    ("Norco 10/325mg #120, DOS: 01-15-2015", _q(120, "count")),
    ("Physical therapy x 12 visits", _q(12, "sessions")),
    ("Acupuncture x6", _q(6, "sessions")),
    ("PT 3x/wk x 4 wks", _q(12, "sessions")),
    ("Physical therapy 6 visits per month for 2 months", _q(12, "sessions")),
    ("Physical therapy sessions #12", _q(12, "sessions")),
    ("Interferential unit x 30 days", _q(30, "days")),
    ("Gym membership for 1 year", _q(12, "months")),
    ("Home health care 4 hours a day, 7 days a week", _q(28, "hours")),
    ("Urine drug screen x 4 per year", None),
])
def test_quantity_synthetic_heading_read(heading: str, quantity: dict[str, object] | None) -> None:
    assert _fields(heading)["quantity"] == quantity


def test_numbers_as_digits_words_and_ranges_become_digits() -> None:
    assert numbers_as_digits("Twenty-four visits, twice a week, two to three weeks") == \
        "24 visits, 2 times a week, 2-3 weeks"
    assert numbers_as_digits("Eight (8) sessions") == "8 sessions"


def test_treatment_fields_vocabulary_only() -> None:
    fields = _fields("PT 2x6 left shoulder, right hip, neck, low back, thigh, RUE, head")
    assert set(fields["body_regions"]) <= set(BODY_REGIONS)
    assert fields["quantity"]["unit"] in QUANTITY_UNITS


def test_parse_determination_items_carry_the_four_keys() -> None:
    parsed = parse_determination((DATA / "layout_2013.txt").read_text())
    for item in parsed.to_dict()["items"]:
        assert set(FIELDS) <= set(item)
        assert isinstance(item["drugs"], tuple) and isinstance(item["body_regions"], tuple)


def test_partly_authorized_item_reads_the_portion_decided() -> None:
    heading = ("Physical therapy 12 sessions for the left knee was the original request. "
               "Physical therapy 6 sessions for the left knee was authorized by the Claims "
               "Administrator. The remaining IMR eligible portion of the original request, "
               "Physical therapy 6 sessions for the left knee is: Upheld")
    text = ("IMR ISSUES, DECISIONS AND RATIONALES\nThe Final Determination was based on "
            "decisions for the disputed items/services set forth below:\n\n" + heading
            + "\n\nClaims Administrator guideline: MTUS.\n\nMAXIMUS guideline: MTUS.\n\n"
            "Decision rationale: Not medically necessary.\n")
    item = parse_determination(text).items[0]
    assert item.original_request and item.quantity
    assert (item.quantity.value, item.quantity.unit) == (6, "sessions")
    assert (item.body_regions, item.laterality) == (("knee",), "left")


def test_real_letters_labelled_fields_meet_the_target() -> None:
    accuracy = measure_real(need(REAL_TEXTS), LABELS)
    labelled = json.loads(LABELS.read_text())
    assert len(labelled) >= 60
    assert accuracy.items == sum(len(items) for items in labelled.values())
    for name in FIELDS:
        assert accuracy.share(name) >= TARGET, (name, accuracy.misses)


# The seed letters' items, labelled by hand after the parser was written (held out).
SEED_LABELS = {
    "000": ([], ["hip", "shoulder"], "right", _q(18, "sessions")),
    "001": ([], ["knee"], "bilateral", _q(6, "sessions")),
    "002": ([], ["cervical spine"], None, _q(6, "sessions")),
    "003": ([], ["lumbar spine"], None, _q(8, "sessions")),
    "004": ([], ["hand", "wrist"], "right", _q(12, "sessions")),
}


@pytest.mark.parametrize("prefix", sorted(SEED_LABELS))
def test_seed_letter_item_fields_equal_the_labels(prefix: str) -> None:
    (path,) = need(SEEDS).glob(f"{prefix}_*.txt")
    (item,) = parse_file(path).to_dict()["items"]
    got = json.loads(json.dumps({name: item[name] for name in FIELDS}))
    assert tuple(got.values()) == SEED_LABELS[prefix]


def test_labels_hold_only_the_four_fields_in_spec_form() -> None:
    for items in json.loads(LABELS.read_text()).values():
        for fields in items.values():
            assert list(fields) == list(FIELDS)
            assert fields["drugs"] == sorted(set(fields["drugs"]))
            assert fields["body_regions"] == sorted(set(fields["body_regions"]))
            assert set(fields["body_regions"]) <= set(BODY_REGIONS)
            assert fields["laterality"] in (None, "left", "right", "bilateral")
            quantity = fields["quantity"]
            assert quantity is None or (set(quantity) == {"value", "unit"}
                                        and quantity["unit"] in QUANTITY_UNITS)


def test_generated_letters_fields_meet_the_target() -> None:
    accuracy = measure_generated(2000, 2013)
    for name in FIELDS:
        assert accuracy.share(name) >= TARGET, (name, accuracy.misses)


def test_bench_parse_fields_only_prints_per_field_accuracy() -> None:
    out = io.StringIO()
    call_command("bench_parse", "--fields-only", "--generated", "20", stdout=out)
    report = out.getvalue()
    assert "hand-labelled real letters: 285 items" in report
    assert "20 generated letters (seed 2013)" in report
    assert report.count("quantity") == 2


def test_parse_determination_command_prints_the_four_keys_per_item() -> None:
    out = io.StringIO()
    call_command("parse_determination", str(DATA / "prose_mixed.txt"), stdout=out)
    (letter,) = json.loads(out.getvalue())
    assert letter["items"]
    for item in letter["items"]:
        fields = {name: item[name] for name in FIELDS}
        assert fields == _fields(item["treatment"])
