"""Generate synthetic California IMR final determination letters with exact ground truth.

Pure Python (no Django). ``generate_letter`` builds one letter from a ``random.Random``;
``write_corpus`` writes many letters plus ``ground_truth.jsonl``. Layouts: "table" (page-1 case
table), "body" (no table), "prose" (credentials inside the first paragraph) and "2013" (the
early notice layout). Optional noise imitates PDF-extraction damage without touching the truth.
Word tables live in ``vocab``, sentences in ``prose``, layout and noise in ``layout``, the
long tail of the vocabulary in ``tail`` (real words in ``words``). A ``Profile`` says what
the letters are for: ``SAMPLE`` (the default) reads like a real archive, ``BENCHMARK`` keeps
what the benchmark measures with.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path

from cases.parsing.taxonomy import Category
from cases.synthetic import prose as P
from cases.synthetic import vocab as V
from cases.synthetic.layout import (
    SYNTHETIC_LINE,
    Case,
    Hyphenator,
    Item,
    lines_2013,
    mdy,
    modern_lines,
    render_text,
    table_top,
    wrap,
)
from cases.synthetic.tail import TAIL_WORDS, real_words, tail_words

__all__ = [
    "BENCHMARK", "LAYOUTS", "NOISE_KINDS", "PROFILES", "SAMPLE", "SYNTHETIC_LINE", "Profile",
    "SyntheticLetter", "generate_letter", "wrap", "write_corpus",
]

LAYOUTS = ("table", "body", "prose", "2013")
NOISE_KINDS = ("doubled", "hyphenation", "formfeed_headers", "stray_spaces", "runtogether", "crlf")
GUIDELINES = ("ACOEM", "MTUS", "Non-MTUS", "ODG")
_LAYOUT_CUM = (55, 80, 90, 100)
# The layouts that print a case number and dates ("table", "2013"), in the same proportion.
_DATED_LAYOUTS = (LAYOUTS[0], LAYOUTS[3])
_DATED_CUM = (55, 65)
_COUNTS = tuple(range(1, 21))
_COUNT_CUM = tuple(accumulate((45, 25, 12, 6, *(2.25,) * 4, *(0.25,) * 12)))
_SPEC_NAMES = tuple(s for s, _ in V.SPECIALTY_WEIGHTS)
_SPEC_CUM = tuple(accumulate(w for _, w in V.SPECIALTY_WEIGHTS))
_CATS = tuple(c for c, _ in V.CATEGORY_WEIGHTS)
_CAT_CUM = tuple(accumulate(w for _, w in V.CATEGORY_WEIGHTS))
_CANDIDATES = {
    (cat, i): tuple(t for t in V.TREATMENTS if t[1] is cat and t[4] in ("", r.kind, r.phrase))
    for cat in _CATS for i, r in enumerate(V.REGIONS)
}
_DAY0_OTHER = date(2014, 1, 1).toordinal()
_DAYS_OTHER = date(2024, 12, 31).toordinal() - _DAY0_OTHER
_DAY0_2013 = date(2013, 7, 1).toordinal()
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


def _join(words: list[str]) -> str:
    """Join words as "a", "a and b" or "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _spoken_date(d: date, style: int) -> str:
    """Spell a date the way clinical summaries do; style picks one of seven spellings."""
    m, dd, y = d.month, d.day, d.year
    return (f"{m:02d}/{dd:02d}/{y}", f"{m}-{dd}-{y % 100:02d}", f"{m}-{dd}-{y}",
            f"{V.MONTHS[m]} {dd}, {y}", f"{m}/{dd}/{y % 100:02d}", f"{m:02d}-{dd:02d}-{y}",
            f"{m}/{dd}/{y}")[style]


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _number_word(n: int) -> str:
    """Spell small counts as words, larger ones as digits."""
    return V.NUMBER_WORDS[n] if n < len(V.NUMBER_WORDS) else str(n)


def _render(template: str, slots: dict[str, object], n: int) -> str:
    """Fill a treatment template, with ``n`` as its count."""
    word = _number_word(n)
    return template.format_map({**slots, "n": n, "nw": word, "Nw": word.capitalize()})


def _draw_case(rng: random.Random, undated: bool) -> Case:
    """Draw layout (of all of them if ``undated``, else of those printing a case number and
    dates), dates, patient and body region."""
    layout = (rng.choices(LAYOUTS, cum_weights=_LAYOUT_CUM)[0] if undated
              else rng.choices(_DATED_LAYOUTS, cum_weights=_DATED_CUM)[0])
    late = layout == "2013"
    start = _DAY0_2013 + rng.randrange(184) if late else _DAY0_OTHER + rng.randrange(_DAYS_OTHER)
    assigned = start - rng.randint(14, 45)
    application = assigned - rng.randint(1, 14)
    ur = application - rng.randint(0, 30)
    injury = start - rng.randint(365, 15 * 365)
    dates = {"decision": start, "assigned": assigned, "application": application, "ur": ur,
             "dos": ur - rng.randint(5, 60), "injury": injury}
    years = (start - injury) // 365
    index = rng.randrange(len(V.REGIONS))
    region = V.REGIONS[index]
    side = (rng.choices(("right", "left", "bilateral"), cum_weights=(57, 95, 100))[0]
            if region.kind == "limb" else rng.choice(("right", "left")))
    lower = region.phrase in ("lumbar spine", "{side} knee", "{side} ankle")
    slots: dict[str, object] = {
        "side": side, "Side": side.capitalize(), "lr": rng.choice(("left", "right")),
        "reg": region.phrase.format(side=side), "Spine": region.phrase.split()[0].capitalize(),
        "lvl": rng.choice(region.levels or V.LUMBAR_LEVELS),
        "ext": "lower extremities" if lower else "upper extremities",
        "ext1": "lower extremity" if lower else "upper extremity"}
    return Case(layout, {k: date.fromordinal(v) for k, v in dates.items()},
                 "male" if rng.random() < 0.55 else "female",
                 rng.randint(max(22, years + 19), min(79, years + 64)), index, slots)


def _pick_items(rng: random.Random, case: Case, count: int, runtogether: bool) -> list[Item]:
    """Choose up to ``count`` distinct disputed items and decide them."""
    items: list[Item] = []
    seen: set[str] = set()
    for _ in range(count * 6):
        if len(items) == count:
            break
        cands = _CANDIDATES[(rng.choices(_CATS, cum_weights=_CAT_CUM)[0], case.region_index)]
        if not cands:
            continue
        kind = rng.choice(cands)
        template, category, topic, counts = kind[:4]
        x, w = rng.choice((2, 3)), rng.choice((3, 4, 6))
        slots = {**case.slots, "x": x, "w": w, "xw": x * w, "ww": _number_word(w),
                 "xs": "twice" if x == 2 else "three times"}
        n = shown_n = rng.choice(counts) if counts else 0
        treatment = _render(template, slots, n)
        if case.late:
            treatment = _lower_first(treatment)
        elif category is Category.PHARMACEUTICALS and rng.random() < 0.04:
            treatment += ", DOS: " + mdy(case.dates["dos"])
        if treatment in seen:
            continue
        seen.add(treatment)
        original = authorized = None
        heading = treatment
        partial = counts and n >= 6 and not case.late and "DOS:" not in treatment
        if partial and rng.random() < 0.11:
            y = rng.choice([k for k in (n // 2, n - n // 5, n // 3) if 0 < k < n] or [n - 1])
            original, authorized = treatment, _render(template, slots, y)
            if rng.random() < 0.6:
                shown_n = n - y
                treatment = _render(template, slots, shown_n)
                heading = (f"{original} was the original request. {authorized} was authorized "
                           "by the Claims Administrator. The remaining IMR eligible portion of "
                           f"the original request, {treatment} is")
            else:
                heading = (f"{original} was the original request. The Claims Administrator "
                           f"authorized {authorized}, leaving the original request IMR eligible. "
                           f"The original request, {original} is")
        upheld = rng.random() < 0.89
        ca = _citation(rng, P.TOPICS[topic], case, "ca")
        mx = _citation(rng, P.TOPICS[topic], case, "mx")
        rationale = _rationale(rng, P.TOPICS[topic], treatment, upheld, slots, case.late)
        shown = _run_together(rng, rationale) if runtogether and upheld else rationale
        items.append(Item(treatment, heading, original, authorized, category.value, upheld,
                           ca, mx, rationale, shown, _fields(kind, case, slots, shown_n)))
    return items


_LEVEL_SPINES = {"C": "cervical spine", "T": "thoracic spine", "L": "lumbar spine"}


def _fields(kind: V.Treatment, case: Case, slots: dict[str, object], n: int) -> dict[str, object]:
    """The drugs, body regions, side and quantity written into an item's heading."""
    template = kind.template
    regions, sides = set(kind.regions), {kind.side} - {""}
    if "{reg}" in template:
        regions.add(case.region.phrase.format(side="").strip())
        if case.region.kind == "limb":
            sides.add(str(slots["side"]))
    if "{Spine}" in template:
        regions.add(case.region.phrase)
    if "{lvl}" in template:
        regions.add(_LEVEL_SPINES[str(slots["lvl"])[0]])
    if "{ext" in template:
        regions.add(str(slots["ext1"]))
    if "{side}" in template or "{Side}" in template:
        sides.add(str(slots["side"]))
    if "{lr}" in template:
        sides.add(str(slots["lr"]))
    quantity = None
    if kind.quantity:
        source, unit = kind.quantity.split()
        x, w = int(str(slots["x"])), int(str(slots["w"]))
        quantity = {"value": {"n": n, "xw": x * w, "nw": n * w}[source], "unit": unit}
    return {"drugs": sorted(set(kind.drugs)), "body_regions": sorted(regions),
            "laterality": ("bilateral" if "bilateral" in sides or len(sides) > 1
                           else next(iter(sides), None)),
            "quantity": quantity}


def _citation(rng: random.Random, topic: P.Topic, case: Case, who: str) -> str:
    """Write the guideline line of the Claims Administrator ("ca") or the reviewer ("mx")."""
    party = "Claims Administrator" if who == "ca" else "Expert Reviewer"
    if rng.random() < (0.22 if who == "ca" else 0.04):
        return f"The {party} did not cite any medical evidence for its decision."
    by_region = not topic.book and bool(topic.section)
    book = case.region.mtus if by_region else topic.book
    odg = (f"Official Disability Guidelines (ODG), "
           f"{case.region.odg if by_region else 'Pain (Chronic)'}, {topic.odg}.")
    if case.late:
        if topic.book == P.CPMT and rng.random() < 0.6:
            return (f"MTUS Chronic Pain Medical Treatment Guidelines (2009), {topic.section}, "
                    f"page(s) {topic.pages}.")
        if by_region and rng.random() < 0.6:
            return (f"ACOEM Practice Guidelines, 2nd Edition (2004), {book[:-5]}, "
                    "part of the MTUS.")
        return odg
    if not book or rng.random() < 0.08:
        return (f"The {party} based their decision on recommendation(s) outside of the MTUS "
                f"Guidelines. Decision based on Non-MTUS Citation {odg}")
    r = rng.random()
    if topic.book == P.CPMT and r < 0.25:
        return (f"Decision based on MTUS Chronic Pain Treatment Guidelines {topic.section} "
                f"Page(s): {topic.pages}.")
    text = f"Decision based on MTUS {book}" + (f", Section(s): {topic.section}."
                                                if topic.section else ".")
    return text + f" Decision based on Non-MTUS Citation {odg}" if r > 0.8 else text


def _rationale(rng: random.Random, topic: P.Topic, treatment: str, upheld: bool,
               slots: dict[str, object], late: bool) -> str:
    """Write a decision rationale ending in the "(not) medically necessary" sentence."""
    parts = [rng.choice(P.OPENERS)] if rng.random() < 0.5 else []
    parts += rng.sample(topic.rules, rng.randint(1, min(2, len(topic.rules))))
    if rng.random() < 0.6:
        parts.append(rng.choice(P.FACTS))
    pool = topic.gaps if upheld else topic.met
    parts += rng.sample(pool, rng.randint(1, len(pool)))
    if rng.random() < 0.5:
        parts.append(rng.choice(P.EXTRA_UPHELD if upheld else P.EXTRA_OVERTURNED))
    if late:
        parts.append("The request for {t} is " + ("not " if upheld else "")
                     + "medically necessary and appropriate.")
    else:
        parts.append(rng.choice(P.CLOSERS[0 if upheld else 1]))
    return " ".join(parts).format_map({
        **slots, "t": treatment, "tl": _lower_first(treatment), "pain": rng.randint(4, 9),
        "prior": rng.choice((6, 8, 12, 18, 24))})


def _run_together(rng: random.Random, rationale: str) -> str:
    """Drop the space of the last "is not medically" / "not medically necessary"."""
    old, new = (("is not medically", "isnot medically") if rng.random() < 0.5
                else ("not medically necessary", "notmedically necessary"))
    at = rationale.rfind(old)
    return rationale if at < 0 else rationale[:at] + new + rationale[at + len(old):]


def _summary(rng: random.Random, case: Case, items: list[Item], made_up_tail: bool) -> str:
    """Write the clinical case summary, always naming age, sex and date of injury, and its
    long tail (made-up words, or real ones in sentences of their own)."""
    style, region, male = rng.randrange(7), case.region, case.sex == "male"
    diags = rng.sample(region.diagnoses, rng.randint(1, 3))
    if rng.random() < 0.4:
        diags += rng.sample(V.EXTRA_DIAGNOSES, rng.randint(1, 2))
    slots = {**case.slots, "age": case.age, "sex": case.sex, "pron": "he" if male else "she",
             "Pron": "He" if male else "She", "mech": rng.choice(V.MECHANISMS),
             "doi": _spoken_date(case.dates["injury"], style),
             "note": _spoken_date(case.dates["dos"], style),
             "ur": _spoken_date(case.dates["ur"], style), "pain": rng.randint(4, 9),
             "complaint": region.complaint.format_map(case.slots),
             "diags": _join(diags).format_map(case.slots),
             "findings": _join(rng.sample(region.findings, rng.randint(1, 3))).format_map(
                 case.slots),
             "priors": _join(rng.sample(V.PRIOR_TREATMENTS, rng.randint(2, 4))),
             "work": rng.choice(V.WORK_STATUS),
             "reqs": _join([_lower_first(i.original or i.treatment) for i in items[:4]])}
    if not made_up_tail:
        slots.update((name, _join(words)) for name, words in real_words(rng, set(diags)).items())
    parts = [rng.choice(P.KEY_SENTENCES_2013 if case.late else P.KEY_SENTENCES)]
    parts += [rng.choice(options)
              for prob, options in (P.SUMMARY_PARTS if made_up_tail else P.SAMPLE_SUMMARY_PARTS)
              if prob >= 1.0 or rng.random() < prob]
    summary = " ".join(parts).format_map(slots)
    if not made_up_tail:
        return summary
    tail = _join(list(dict.fromkeys(tail_words(rng, TAIL_WORDS))))
    return summary + f" The records reviewed also name {tail}."


def _credentials(rng: random.Random, layout: str) -> tuple[list[str], list[str], str]:
    """Pick specialties and states; return them and their written form for the layout."""
    states: list[str] = ["California"]
    if rng.random() >= 0.35:
        k = rng.choices((1, 2, 3), cum_weights=(45, 80, 100))[0]
        states = list(dict.fromkeys(rng.choices(V.STATES, k=k)))
    if layout in ("table", "body"):
        specs = rng.choices(_SPEC_NAMES, cum_weights=_SPEC_CUM)[0]
        return specs.split(", "), states, ("," if rng.random() < 0.6 else ", ").join(states)
    if layout == "prose":
        k = rng.choices((1, 2, 3), cum_weights=(60, 95, 100))[0]
        specialties = list(dict.fromkeys(rng.sample(V.PROSE_SPECIALTIES, k)))
        return specialties, states, (f"The expert reviewer is Board Certified in "
                                     f"{_join(specialties)} and is licensed to practice in "
                                     f"{_join(states)}. ")
    main = rng.choice(V.SPECIALTIES_2013)
    sub = rng.choice(V.SUBSPECIALTIES_2013) if rng.random() < 0.5 else main
    clause = f", has a subspecialty in {sub}" if sub != main else ""
    return [main] if sub == main else [main, sub], states, (
        "The independent Physician Reviewer who reviewed this file is a licensed Physician, "
        f"board certified in {main}{clause} and is licensed to practice in {_join(states)}. "
        + " ".join(rng.sample(P.QUALIFICATION_EXTRAS_2013, rng.randint(1, 2))))


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
    case = _draw_case(rng, profile.undated)
    if noise is None:
        noise = rng.random() < 0.3
    kinds = set(rng.sample(NOISE_KINDS, rng.randint(1, 3))) if noise else set()
    items = _pick_items(rng, case, rng.choices(_COUNTS, cum_weights=_COUNT_CUM)[0],
                        "runtogether" in kinds)
    if "runtogether" in kinds and all(i.shown == i.rationale for i in items):
        kinds.discard("runtogether")
        kinds.add("stray_spaces")
    names = " ".join(f"{i.treatment} {i.original or ''} {i.authorized or ''}" for i in items)
    protected = _PROTECTED | {w.strip(",.:;()").lower() for w in names.split()}
    hyph = Hyphenator(rng.randint(2, 5), protected) if "hyphenation" in kinds else None
    summary = _summary(rng, case, items, profile.made_up_tail)
    specialties, states, written = _credentials(rng, case.layout)
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
