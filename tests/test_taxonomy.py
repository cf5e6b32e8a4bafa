"""The treatment taxonomy: one row per kind of request the letters make."""

from __future__ import annotations

import time

import pytest

from cases.parsing.taxonomy import RULES, Category, classify_treatment

CASES = [
    ("Norco 10/325mg #120", Category.PHARMACEUTICALS, "opioids"),
    ("Tramadol (Ultram) 50mg #30", Category.PHARMACEUTICALS, "opioids"),
    ("Naproxen 500mg #60", Category.PHARMACEUTICALS, "NSAIDs"),
    ("Voltaren 75mg #60", Category.PHARMACEUTICALS, "NSAIDs"),
    ("Voltaren gel 1% 100 grams", Category.PHARMACEUTICALS, "topicals"),
    ("Lidoderm 5% patch #30", Category.PHARMACEUTICALS, "topicals"),
    ("Flurbiprofen 20%, Baclofen 5% in cream base", Category.PHARMACEUTICALS, "topicals"),
    ("Cyclobenzaprine 7.5mg #60", Category.PHARMACEUTICALS, "muscle relaxants"),
    ("Gabapentin 600mg #90", Category.PHARMACEUTICALS, "anticonvulsants"),
    ("Omeprazole 20mg #60", Category.PHARMACEUTICALS, "GI protection"),
    ("Zolpidem 10mg #30", Category.PHARMACEUTICALS, "sleep aids / hypnotics"),
    ("Synapryn 10mg/1ml oral suspension 500ml", Category.PHARMACEUTICALS,
     "compounded oral suspensions"),
    ("Fioricet #120", Category.PHARMACEUTICALS, "other medications"),
    ("TENS unit", Category.DMEPOS, "TENS / stimulation unit"),
    ("Lumbar support", Category.DMEPOS, "orthosis / brace"),
    ("Associated surgical service: Cryotherapy unit, seven day use", Category.DMEPOS,
     "cold / heat therapy"),
    ("Standard wheelchair for a 2 month rental", Category.DMEPOS, "equipment"),
    ("Physical therapy 2 times a week for 6 weeks low back", Category.REHABILITATION,
     "physical therapy"),
    ("Associated surgical service: Physical Therapy sessions, 12", Category.REHABILITATION,
     "physical therapy"),
    ("Eighteen sessions of massage therapy for the right shoulder", Category.REHABILITATION,
     "massage"),
    ("Chiropractic treatment for the lumbar spine, 12 visits", Category.REHABILITATION,
     "chiropractic"),
    ("Twelve acupuncture visits with Capsaicin patch", Category.REHABILITATION, "acupuncture"),
    ("Ultrasound 1 times 8", Category.REHABILITATION, "therapeutic ultrasound"),
    ("Extracorporeal shockwave therapy (ESWT)", Category.REHABILITATION, "modalities"),
    ("MRI of the lumbar spine without contrast", Category.DIAGNOSTIC, "MRI"),
    ("Retrospective CT scan of the cervical spine", Category.DIAGNOSTIC, "CT scan"),
    ("X-rays of the left shoulder", Category.DIAGNOSTIC, "x-ray"),
    ("EMG/NCV of the bilateral lower extremities", Category.DIAGNOSTIC, "electrodiagnostics"),
    ("Urine drug testing", Category.DIAGNOSTIC, "laboratory"),
    ("Functional capacity evaluation", Category.EVALUATION, "functional capacity evaluation"),
    ("Neurosurgeon evaluation for the low back", Category.EVALUATION, "consultation"),
    ("Follow up office visit times 2", Category.EVALUATION, "office visit"),
    ("Pre-op Clearance", Category.EVALUATION, "pre-operative clearance"),
    ("Left L5-S1 epidural steroid injection", Category.INJECTIONS, "epidural steroid injection"),
    ("Bilateral L4-5 facet injections", Category.INJECTIONS, "facet / medial branch"),
    ("Right knee arthroscopy with medial meniscectomy", Category.SURGERY, "surgery"),
    ("Cognitive behavioral therapy, 6 sessions", Category.PSYCH, "psychotherapy"),
    ("Psychological evaluation", Category.PSYCH, "psychological evaluation"),
    ("Functional restoration program, 80 hours", Category.PROGRAMS, "functional restoration"),
    ("Gym membership", Category.PROGRAMS, "gym membership"),
    ("Home health aide 4 hours a day", Category.HOME_HEALTH, "home health"),
    ("Transportation to and from medical appointments", Category.TRANSPORTATION,
     "transportation"),
    ("Something nobody has asked for", Category.OTHER, "other"),
]


@pytest.mark.parametrize(("treatment", "category", "subcategory"), CASES)
def test_classify_treatment_gives_category(treatment: str, category: Category,
                                           subcategory: str) -> None:
    result = classify_treatment(treatment)
    assert (result.category, result.subcategory) == (category, subcategory)


def test_taxonomy_table_covers_every_category() -> None:
    assert {category for category, _, _ in RULES} == set(Category) - {Category.OTHER}


def test_classify_treatment_long_garbled_word_is_fast() -> None:
    # One "word" of 50,000 characters (a mangled heading) took a minute when the surgery rule
    # retried every position of it; linear in its length, it takes a fraction of a second.
    started = time.perf_counter()
    assert classify_treatment("a" * 50_000 + " laminectomy").category == Category.SURGERY
    assert classify_treatment("7" * 50_000).category == Category.OTHER
    assert time.perf_counter() - started < 5
