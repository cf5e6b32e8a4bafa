"""Generate synthetic California IMR final determination letters with exact ground truth.

Pure Python (no Django). ``generate_letter`` builds one letter from a ``random.Random``;
``write_corpus`` writes many letters plus ``ground_truth.jsonl``. Layouts: "table" (page-1 case
table), "body" (no table), "prose" (credentials inside the first paragraph) and "2013" (the
early notice layout). Optional noise imitates PDF-extraction damage without touching the truth.
This module assembles a letter and its truth from the parts: the case, the reviewer and the
summary in ``case``, the disputed items in ``items``, lines and noise in ``layout``. A
``Profile`` says what the letters are for: ``SAMPLE`` (the default) reads like a real archive,
``BENCHMARK`` keeps what the benchmark measures with.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from cases.synthetic import prose as P
from cases.synthetic.case import draw_case, draw_credentials, write_summary
from cases.synthetic.items import pick_items
from cases.synthetic.layout import (
    Case,
    Hyphenator,
    Item,
    lines_2013,
    modern_lines,
    render_text,
    table_top,
    wrap,
)

__all__ = [
    "BENCHMARK", "NOISE_KINDS", "PROFILES", "SAMPLE", "Profile", "SyntheticLetter",
    "generate_letter", "write_corpus",
]

NOISE_KINDS = ("doubled", "hyphenation", "formfeed_headers", "stray_spaces", "runtogether", "crlf")
GUIDELINES = ("ACOEM", "MTUS", "Non-MTUS", "ODG")
_COUNTS = tuple(range(1, 21))
_COUNT_CUM = tuple(accumulate((45, 25, 12, 6, *(2.25,) * 4, *(0.25,) * 12)))
_PROTECTED = frozenset({"synthetic", "medically", "necessary", "notmedically", "appropriate"})
_MTUS = re.compile(r"(?<!Non-)MTUS")


@dataclass(frozen=True)
class Profile:
    """What the letters are for.

    ``undated``: a third of the letters are in the layouts that print no case number and no
    dates ("body", "prose"), as some real letters' extracted text does; otherwise every
    letter has its case table or its notice header. ``made_up_tail``: the summary ends on
    about 70 made-up words drawn by a power law over a million ranks (``tail``), which
    gives the index the statistics of a large archive; otherwise it names the worker's job,
    past illnesses, operations, medications and records in real words (``words``).
    """

    undated: bool = False
    made_up_tail: bool = False


# The sample archive of `make run`, which a new user reads first: the default.
SAMPLE = Profile()
# The corpus the benchmarks, load tests and the tests' archives were measured on: kept as it
# was, so that their figures stay comparable and the parser's paths for letters without a
# case number or dates stay exercised.
BENCHMARK = Profile(undated=True, made_up_tail=True)
PROFILES = {"sample": SAMPLE, "benchmark": BENCHMARK}


@dataclass(frozen=True)
class SyntheticLetter:
    """One generated letter: file name, text and JSON-serialisable ground truth."""

    filename: str
    text: str
    truth: dict[str, object]



def _guidelines_cited(text: str) -> list[str]:
    """List the guideline families named anywhere in the letter text."""
    found = {"ACOEM": "ACOEM" in text, "MTUS": bool(_MTUS.search(text)),
             "Non-MTUS": "Non-MTUS" in text,
             "ODG": "ODG" in text or "Official Disability Guidelines" in text}
    return [name for name in GUIDELINES if found[name]]


def _truth(case: Case, filename: str, case_number: str | None, priority: str,
           specialties: list[str], states: list[str], items: list[Item], cited: list[str],
           noise: list[str]) -> dict[str, object]:
    """Assemble the ground-truth record of one letter."""
    dated = case.layout in ("table", "2013")
    iso = {k: (v.isoformat() if dated else None) for k, v in case.dates.items()}
    upheld = sum(1 for i in items if i.upheld)
    return {
        "source": filename, "case_number": case_number, "decision_date": iso["decision"],
        "date_of_injury": case.dates["injury"].isoformat(), "date_assigned": iso["assigned"],
        "ur_denial_date": iso["ur"], "application_received": iso["application"],
        "priority": priority if dated else None, "states_of_licensure": states,
        "specialties": specialties, "patient_age": case.age, "patient_sex": case.sex,
        "items": [{"treatment": " ".join(i.treatment.split()),
                   "decision": "Upheld" if i.upheld else "Overturned", "category": i.category,
                   "claims_administrator_guideline": " ".join(i.ca.split()),
                   "maximus_guideline": " ".join(i.mx.split()),
                   "rationale": " ".join(i.rationale.split()),
                   "original_request": i.original, "authorized": i.authorized, **i.fields}
                  for i in items],
        "case_outcome": "Upheld" if upheld == len(items)
        else "Overturned" if not upheld else "Partially overturned",
        "guidelines_cited": cited, "layout": case.layout, "noise": noise}


def generate_letter(
    rng: random.Random, index: int, *, noise: bool | None = None, profile: Profile = SAMPLE
) -> SyntheticLetter:
    """Generate one letter for ``profile``; ``noise`` forces extraction damage on or off
    (None: 30 % chance)."""
    case = draw_case(rng, profile.undated)
    if noise is None:
        noise = rng.random() < 0.3
    kinds = set(rng.sample(NOISE_KINDS, rng.randint(1, 3))) if noise else set()
    items = pick_items(rng, case, rng.choices(_COUNTS, cum_weights=_COUNT_CUM)[0],
                        "runtogether" in kinds)
    if "runtogether" in kinds and all(i.shown == i.rationale for i in items):
        kinds.discard("runtogether")
        kinds.add("stray_spaces")
    names = " ".join(f"{i.treatment} {i.original or ''} {i.authorized or ''}" for i in items)
    protected = _PROTECTED | {w.strip(",.:;()").lower() for w in names.split()}
    hyph = Hyphenator(rng.randint(2, 5), protected) if "hyphenation" in kinds else None
    summary = write_summary(rng, case, items, profile.made_up_tail)
    specialties, states, written = draw_credentials(rng, case.layout)
    # Digits from the letter's index keep case numbers unique within a corpus (real ones
    # never start with 9); past a million letters they grow to eight digits.
    digits = f"9{index:06d}" if index < 10**6 else f"9{index:07d}"
    case_number = (f"CM{case.dates['decision'].year % 100:02d}-{digits}"
                   if case.layout in ("table", "2013") else None)
    priority = "Expedited" if rng.random() < 0.03 else "Standard"
    width = rng.randint(90, 97)
    if case.late:
        lines = lines_2013(rng, case, width, hyph, str(case_number), priority, written, summary,
                            items)
    else:
        top = (table_top(case, str(case_number), priority, rng.choice((22, 23)))
               if case.layout == "table" else [])
        creds = [] if case.layout == "prose" else [
            "The Expert Reviewer has the following credentials:",
            *wrap(f"State(s) of Licensure: {written}", width),
            *wrap(f"Certification(s)/Specialty: {', '.join(specialties)}", width), ""]
        boiler = rng.choice(P.BOILERPLATES).format(cred=written if case.layout == "prose" else "")
        lines = modern_lines(rng, case, width, hyph, top, boiler, creds, summary, items)
    paginate = case.layout in ("table", "2013") or rng.random() < 0.4
    text = render_text(rng, lines, kinds, case_number or "Independent Medical Review", paginate)
    if hyph is not None and not hyph.used:
        kinds.discard("hyphenation")
        if not kinds:  # nothing else was drawn: make sure a noisy letter carries some noise
            kinds.add("crlf")
            text = text.replace("\n", "\r\n")
    filename = f"synthetic-{index:06d}.txt"
    truth = _truth(case, filename, case_number, priority, specialties, states, items,
                   _guidelines_cited(" ".join(lines)), [k for k in NOISE_KINDS if k in kinds])
    return SyntheticLetter(filename=filename, text=text, truth=truth)


def write_corpus(out_dir: Path, *, count: int, seed: int, noise_share: float = 0.3,
                 profile: Profile = SAMPLE) -> Path:
    """Write ``count`` letters for ``profile`` and ``ground_truth.jsonl`` to ``out_dir``;
    return the jsonl path."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if not 0.0 <= noise_share <= 1.0:
        raise ValueError("noise_share must be between 0 and 1")
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    truth_path = out_dir / "ground_truth.jsonl"
    with truth_path.open("w", encoding="utf-8", newline="\n") as truth_file:
        for index in range(1, count + 1):
            letter = generate_letter(rng, index, noise=rng.random() < noise_share,
                                     profile=profile)
            (out_dir / letter.filename).write_bytes(letter.text.encode("utf-8"))
            truth_file.write(json.dumps(letter.truth, ensure_ascii=False) + "\n")
    return truth_path
