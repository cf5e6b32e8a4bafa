"""The parser on the 147 real letters in ../shared/imr-real: invariants, exact fields, PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from cases.parsing import ParsedDetermination, parse_file
from tests.conftest import REAL_PDFS, REAL_TEXTS, need, real_text_paths


@cache
def parsed_text(name: str) -> ParsedDetermination:
    return parse_file(need(REAL_TEXTS) / f"{name}.txt")


def test_real_letters_are_all_there() -> None:
    assert len(list(need(REAL_TEXTS).glob("*.txt"))) == 147
    assert len(list(need(REAL_PDFS).glob("*.pdf"))) == 147


@pytest.mark.parametrize("path", real_text_paths(), ids=lambda p: p.stem)
def test_real_letter_invariants_hold(path: Path) -> None:
    parsed = parsed_text(path.stem)
    text = path.read_text()
    assert parsed.error is None
    assert parsed.warnings == ()
    assert parsed.case_number == path.stem
    assert parsed.public_id == path.stem
    assert parsed.layout == "table"
    assert len(parsed.items) >= 1
    assert len(parsed.items) == len(re.findall(r"Decision rationale:", text))
    assert all(item.decision in ("Upheld", "Overturned") for item in parsed.items)
    assert all(
        item.treatment and item.rationale and item.maximus_guideline for item in parsed.items
    )
    assert parsed.states_of_licensure and all(parsed.states_of_licensure)
    assert parsed.specialties and all(parsed.specialties)
    injury, received, decided = (
        date.fromisoformat(getattr(parsed, key))
        for key in ("date_of_injury", "application_received", "decision_date")
    )
    assert date.fromisoformat(parsed.ur_denial_date) <= decided
    assert date.fromisoformat(parsed.date_assigned) <= decided
    assert injury <= received <= decided
    assert date(2016, 12, 1) <= decided <= date(2017, 3, 31)
    assert parsed.priority in ("Standard", "Expedited")
    assert parsed.patient_sex in ("male", "female")
    assert parsed.patient_age is not None and 16 <= parsed.patient_age <= 90
    decisions = {item.decision for item in parsed.items}
    assert parsed.case_outcome == (
        "Upheld"
        if decisions == {"Upheld"}
        else "Overturned"
        if decisions == {"Overturned"}
        else "Partially overturned"
    )


@dataclass(frozen=True)
class Expected:
    """Fields of one real letter, checked by hand against the letter."""

    case: str
    decision_date: str
    date_of_injury: str
    date_assigned: str
    ur_denial_date: str
    application_received: str
    states: tuple[str, ...]
    specialties: tuple[str, ...]
    age: int
    sex: str
    outcome: str
    guidelines: tuple[str, ...]
    items: tuple[tuple[str, str, str], ...]
    priority: str = "Standard"


REAL_EXPECTATIONS = (
    Expected(
        "CM16-0213037",
        decision_date="2016-12-09",
        date_of_injury="2016-10-13",
        date_assigned="2016-11-09",
        ur_denial_date="2016-11-03",
        application_received="2016-11-03",
        priority="Standard",
        states=("California", "North Carolina"),
        specialties=("Family Practice",),
        age=48,
        sex="male",
        outcome="Upheld",
        guidelines=("ACOEM", "MTUS"),
        items=(
            ("MRI of the right shoulder without contrast", "Upheld", "Diagnostic testing"),
            ("MRI of the cervical spine without contrast", "Upheld", "Diagnostic testing"),
        ),
    ),
    Expected(
        "CM16-0231706",
        decision_date="2017-01-05",
        date_of_injury="2016-10-23",
        date_assigned="2016-12-07",
        ur_denial_date="2016-11-29",
        application_received="2016-12-01",
        priority="Standard",
        states=("California", "Arizona"),
        specialties=("Physical Medicine & Rehabilitation",),
        age=43,
        sex="female",
        outcome="Upheld",
        guidelines=("ACOEM", "MTUS", "Non-MTUS", "ODG"),
        items=(("Chiropractic physiotherapy treatment 6 visits", "Upheld", "Rehabilitation"),),
    ),
    Expected(
        "CM16-0232543",
        decision_date="2017-01-12",
        date_of_injury="2016-10-25",
        date_assigned="2016-12-08",
        ur_denial_date="2016-11-29",
        application_received="2016-12-02",
        priority="Standard",
        states=("Texas", "Ohio"),
        specialties=("Physical Medicine & Rehabilitation", "Pain Management"),
        age=58,
        sex="female",
        outcome="Upheld",
        guidelines=("ACOEM", "MTUS", "Non-MTUS", "ODG"),
        items=(
            ("Norflex 100mg #60", "Upheld", "Pharmaceuticals"),
            ("Pepcid 20mg", "Upheld", "Pharmaceuticals"),
            ("X-ray of the pelvis", "Upheld", "Diagnostic testing"),
            ("X-rays of the lumbar spine", "Upheld", "Diagnostic testing"),
            ("X-rays of the left shoulder", "Upheld", "Diagnostic testing"),
            ("Physical therapy 2-3 times a week for 6 weeks", "Upheld", "Rehabilitation"),
        ),
    ),
    Expected(
        "CM16-0233904",
        decision_date="2017-01-06",
        date_of_injury="2016-10-26",
        date_assigned="2016-12-09",
        ur_denial_date="2016-11-09",
        application_received="2016-12-05",
        priority="Standard",
        states=("New Jersey", "New York"),
        specialties=("Family Practice",),
        age=37,
        sex="female",
        outcome="Upheld",
        guidelines=("MTUS",),
        items=(("Baclofen 100mg #3", "Upheld", "Pharmaceuticals"),),
    ),
    Expected(
        "CM16-0239190",
        decision_date="2017-01-12",
        date_of_injury="2016-10-25",
        date_assigned="2016-12-15",
        ur_denial_date="2016-11-28",
        application_received="2016-12-13",
        priority="Standard",
        states=("North Carolina",),
        specialties=("Family Practice",),
        age=60,
        sex="female",
        outcome="Upheld",
        guidelines=("MTUS", "Non-MTUS", "ODG"),
        items=(("Occupational therapy for six sessions", "Upheld", "Rehabilitation"),),
    ),
    Expected(
        "CM16-0243394",
        decision_date="2017-01-20",
        date_of_injury="2016-10-26",
        date_assigned="2016-12-22",
        ur_denial_date="2016-11-22",
        application_received="2016-12-19",
        priority="Standard",
        states=("California",),
        specialties=("Preventive Medicine", "Occupational Medicine"),
        age=28,
        sex="male",
        outcome="Upheld",
        guidelines=("MTUS", "Non-MTUS", "ODG"),
        items=(
            (
                "Voltaren gel apply to affected area 4 times a day, #60 grams with 1 refill, DOS: 11/11/2016",
                "Upheld",
                "Pharmaceuticals",
            ),
            (
                "Lidoderm patch, 12 hours on 12 hours off to affected area, #1 box with 1 refill, DOS: 11/11/2016",
                "Upheld",
                "Pharmaceuticals",
            ),
        ),
    ),
    Expected(
        "CM16-0245466",
        decision_date="2017-02-03",
        date_of_injury="2016-11-02",
        date_assigned="2016-12-28",
        ur_denial_date="2016-11-23",
        application_received="2016-12-22",
        priority="Standard",
        states=("California",),
        specialties=("Physical Medicine & Rehabilitation", "Pain Management"),
        age=55,
        sex="female",
        outcome="Upheld",
        guidelines=("ACOEM", "MTUS", "Non-MTUS", "ODG"),
        items=(
            ("Etodolac", "Upheld", "Pharmaceuticals"),
            ("Lidocaine patch", "Upheld", "Pharmaceuticals"),
            ("Omeprazole", "Upheld", "Pharmaceuticals"),
            ("Cyclobenzaprine", "Upheld", "Pharmaceuticals"),
            ("Flector 1.3% transdermal patch", "Upheld", "Pharmaceuticals"),
            ("Back support", "Upheld", "DMEPOS"),
            ("Custom touch back heat therapy pad", "Upheld", "DMEPOS"),
            ("Hot/cold therapy wrap", "Upheld", "DMEPOS"),
        ),
    ),
    Expected(
        "CM16-0249536",
        decision_date="2017-02-07",
        date_of_injury="2016-10-18",
        date_assigned="2017-01-10",
        ur_denial_date="2016-12-01",
        application_received="2016-12-29",
        priority="Standard",
        states=("California", "Washington"),
        specialties=("Physical Medicine & Rehabilitation", "Pain Management"),
        age=39,
        sex="male",
        outcome="Upheld",
        guidelines=("ACOEM", "MTUS", "Non-MTUS", "ODG"),
        items=(
            ("EMG/NCV of the hip, lumbar", "Upheld", "Diagnostic testing"),
            (
                "Flurbiprofen 20%, Baclofen 5%, Dexamethasone 2%, Menthol 2%, Capsaicin 0.025% in cream base",
                "Upheld",
                "Pharmaceuticals",
            ),
            (
                "Gabapentin 10%, Cyclobenzaprine 6%, Bupivacaine 5% in cream base",
                "Upheld",
                "Pharmaceuticals",
            ),
            ("Urine Test", "Upheld", "Diagnostic testing"),
            ("Unknown shockwave treatments", "Upheld", "Rehabilitation"),
            ("Acupuncture treatments (unspecified quantity)", "Upheld", "Rehabilitation"),
        ),
    ),
    Expected(
        "CM16-0249724",
        decision_date="2017-02-07",
        date_of_injury="2016-10-25",
        date_assigned="2017-01-05",
        ur_denial_date="2016-12-07",
        application_received="2016-12-29",
        priority="Standard",
        states=("California", "Washington"),
        specialties=("Physical Medicine & Rehabilitation", "Pain Management"),
        age=43,
        sex="male",
        outcome="Upheld",
        guidelines=("ACOEM", "MTUS", "Non-MTUS", "ODG"),
        items=(
            ("standard wheelchair for a 2 month rental", "Upheld", "DMEPOS"),
            ("purchase of a bedside 3 in 1 commode", "Upheld", "DMEPOS"),
            ("purchase of a bath/shower chair", "Upheld", "DMEPOS"),
        ),
    ),
    Expected(
        "CM16-0240259",
        decision_date="2017-01-18",
        date_of_injury="2016-10-11",
        date_assigned="2016-12-19",
        ur_denial_date="2016-12-06",
        application_received="2016-12-14",
        priority="Standard",
        states=("Texas", "New York", "California"),
        specialties=("Preventive Medicine", "Occupational Medicine"),
        age=40,
        sex="female",
        outcome="Overturned",
        guidelines=("ACOEM", "MTUS", "Non-MTUS", "ODG"),
        items=(("EMG/NCS of the bilateral hand", "Overturned", "Diagnostic testing"),),
    ),
    Expected(
        "CM17-0002198",
        decision_date="2017-01-31",
        date_of_injury="2016-10-11",
        date_assigned="2017-01-09",
        ur_denial_date="2016-12-27",
        application_received="2017-01-03",
        priority="Standard",
        states=("New Jersey", "New York"),
        specialties=("Family Practice",),
        age=41,
        sex="male",
        outcome="Upheld",
        guidelines=("MTUS", "Non-MTUS", "ODG"),
        items=(
            (
                "two physical therapy sessions for the lumbar spine, left shoulder and left knee and eight physical therapy sessions for the left wrist",
                "Upheld",
                "Rehabilitation",
            ),
            (
                "two occupational therapy sessions for the left wrist and eight occupational therapy sessions for the lumbar spine, left shoulder and left knee",
                "Upheld",
                "Rehabilitation",
            ),
        ),
    ),
    Expected(
        "CM17-0003619",
        decision_date="2017-02-09",
        date_of_injury="2016-10-25",
        date_assigned="2017-01-10",
        ur_denial_date="2016-12-13",
        application_received="2017-01-05",
        priority="Standard",
        states=("California", "Florida"),
        specialties=("Physical Medicine & Rehabilitation", "Pain Management"),
        age=40,
        sex="female",
        outcome="Upheld",
        guidelines=("MTUS",),
        items=(
            ("EMG of the left upper extremity", "Upheld", "Diagnostic testing"),
            (
                "Nerve Conduction Studies of the left upper extremity",
                "Upheld",
                "Diagnostic testing",
            ),
            ("EMG of the right upper extremity", "Upheld", "Diagnostic testing"),
            ("Nerve Conduction Study of the right upper extremity", "Upheld", "Diagnostic testing"),
        ),
    ),
    Expected(
        "CM17-0008551",
        decision_date="2017-02-16",
        date_of_injury="2016-11-10",
        date_assigned="2017-01-17",
        ur_denial_date="2016-12-15",
        application_received="2017-01-12",
        priority="Standard",
        states=("California",),
        specialties=(
            "Physical Medicine & Rehabilitation",
            "Pain Management",
            "Occupational Medicine",
        ),
        age=62,
        sex="male",
        outcome="Overturned",
        guidelines=("ACOEM", "MTUS"),
        items=(("Right shoulder MRI", "Overturned", "Diagnostic testing"),),
    ),
    Expected(
        "CM17-0011703",
        decision_date="2017-02-17",
        date_of_injury="2016-11-04",
        date_assigned="2017-01-23",
        ur_denial_date="2016-12-22",
        application_received="2017-01-17",
        priority="Standard",
        states=("California",),
        specialties=("Physical Medicine & Rehabilitation",),
        age=53,
        sex="male",
        outcome="Upheld",
        guidelines=("MTUS", "Non-MTUS", "ODG"),
        items=(
            ("MRI of the lumbar spine", "Upheld", "Diagnostic testing"),
            ("Cervical spine x-rays", "Upheld", "Diagnostic testing"),
            ("Lumbar spine x-rays", "Upheld", "Diagnostic testing"),
            ("CT scan of the cervical spine", "Upheld", "Diagnostic testing"),
            ("Acupuncture of the lumbar and cervical for two sessions", "Upheld", "Rehabilitation"),
        ),
    ),
    Expected(
        "CM17-0012517",
        decision_date="2017-02-17",
        date_of_injury="2016-10-21",
        date_assigned="2017-01-24",
        ur_denial_date="2016-12-19",
        application_received="2017-01-18",
        priority="Standard",
        states=("Iowa", "Montana", "California"),
        specialties=(
            "Preventive Medicine",
            "Occupational Medicine",
            "Public Health & General Preventive Medicine",
        ),
        age=33,
        sex="female",
        outcome="Upheld",
        guidelines=("MTUS", "Non-MTUS", "ODG"),
        items=(
            (
                "Twelve sessions of physical therapy for the right shoulder, right wrist and right hand, three times a week for four weeks",
                "Upheld",
                "Rehabilitation",
            ),
        ),
    ),
    Expected(
        "CM17-0014438",
        decision_date="2017-02-27",
        date_of_injury="2016-11-14",
        date_assigned="2017-01-27",
        ur_denial_date="2016-12-29",
        application_received="2017-01-23",
        priority="Standard",
        states=("California",),
        specialties=("Physical Medicine & Rehabilitation", "Pain Management"),
        age=40,
        sex="female",
        outcome="Upheld",
        guidelines=("MTUS",),
        items=(
            ("Synapryn (10mg/1ml oral suspension) 500ml", "Upheld", "Pharmaceuticals"),
            ("Cyclophene 5% cream 111.2 grams", "Upheld", "Pharmaceuticals"),
            ("Ketophene 20% cream, 167 grams", "Upheld", "Pharmaceuticals"),
            ("Compound Cyclobenzaprine 5%, 240 grams", "Upheld", "Pharmaceuticals"),
            ("Compound Ketoprofen 20%, 240 grams", "Upheld", "Pharmaceuticals"),
            ("Pantoprazole sod DR 20mg #60", "Upheld", "Pharmaceuticals"),
            ("Prilosec 20mg #90", "Upheld", "Pharmaceuticals"),
        ),
    ),
    Expected(
        "CM17-0019011",
        decision_date="2017-02-28",
        date_of_injury="2016-11-02",
        date_assigned="2017-02-03",
        ur_denial_date="2017-01-20",
        application_received="2017-01-30",
        priority="Standard",
        states=("Texas", "New York", "California"),
        specialties=("Preventive Medicine", "Occupational Medicine"),
        age=45,
        sex="female",
        outcome="Overturned",
        guidelines=("ACOEM", "MTUS"),
        items=(("Naproxen 500mg #60", "Overturned", "Pharmaceuticals"),),
    ),
)

# Partly authorized requests: (case, item index, original request, authorized portion).
PARTIAL_REQUESTS = (
    (
        "CM16-0231706",
        0,
        "Chiropractic physiotherapy treatment 12 visits for the cervical spine and back followed by "
        "re-examination",
        "Chiropractic physiotherapy treatment 6 visits",
    ),
    ("CM16-0233904", 0, "Baclofen 100mg #30", "Baclofen 100mg #27"),
    (
        "CM16-0249536",
        5,
        "Acupuncture treatments (unspecified quantity)",
        "Acupuncture treatments, 6 sessions",
    ),
    (
        "CM16-0249724",
        1,
        "Purchase of a bedside 3 in 1 commode",
        "a bedside 3 in 1 commode for 1 month",
    ),
)


@pytest.mark.parametrize("expected", REAL_EXPECTATIONS, ids=lambda e: e.case)
def test_real_letter_gives_exact_fields(expected: Expected) -> None:
    parsed = parsed_text(expected.case)
    assert parsed.case_number == expected.case
    assert (
        parsed.decision_date,
        parsed.date_of_injury,
        parsed.date_assigned,
        parsed.ur_denial_date,
        parsed.application_received,
    ) == (
        expected.decision_date,
        expected.date_of_injury,
        expected.date_assigned,
        expected.ur_denial_date,
        expected.application_received,
    )
    assert parsed.priority == expected.priority
    assert parsed.states_of_licensure == expected.states
    assert parsed.specialties == expected.specialties
    assert (parsed.patient_age, parsed.patient_sex) == (expected.age, expected.sex)
    assert parsed.case_outcome == expected.outcome
    assert parsed.guidelines_cited == expected.guidelines
    assert tuple((i.treatment, i.decision, i.category) for i in parsed.items) == expected.items


@pytest.mark.parametrize(("case", "index", "original", "authorized"), PARTIAL_REQUESTS)
def test_real_partial_request_keeps_original_and_authorized(
    case: str, index: int, original: str, authorized: str
) -> None:
    item = parsed_text(case).items[index]
    assert (item.original_request, item.authorized) == (original, authorized)


def _comparable(parsed: ParsedDetermination) -> dict[str, object]:
    """All fields; prose fields without spaces and hyphens, which the two extractions place
    differently at line breaks ("x- ray" from pdftotext, "xray" from pdfium)."""
    data = parsed.to_dict()
    for key in ("source", "content_hash"):
        data.pop(key)
    prose = ("claims_administrator_guideline", "maximus_guideline", "rationale")
    data["items"] = tuple(
        {k: re.sub(r"[\s-]+", "", v) if k in prose else v for k, v in item.items()}
        for item in data["items"]
    )
    return data


@pytest.mark.parametrize("path", real_text_paths(), ids=lambda p: p.stem)
def test_real_letter_from_pdf_agrees_with_text(path: Path) -> None:
    from_pdf = parse_file(need(REAL_PDFS) / f"{path.stem}.pdf")
    assert from_pdf.error is None
    assert _comparable(from_pdf) == _comparable(parsed_text(path.stem))
    assert from_pdf.public_id == path.stem
