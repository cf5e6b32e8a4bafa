"""The facts of a synthetic letter besides its disputed items: the case, who reviewed it and
how its summary tells it.

``draw_case`` draws the layout, dates, patient and body region every section reads;
``draw_credentials`` the expert reviewer's specialties and states of licensure, written the
way the layout writes them; ``write_summary`` the clinical case summary with its long tail.
The layouts themselves (the lines and the noise) are ``layout``'s.
"""

from __future__ import annotations

import random
from datetime import date
from itertools import accumulate

from cases.synthetic import prose as P
from cases.synthetic import vocab as V
from cases.synthetic.items import lower_first
from cases.synthetic.layout import Case, Item
from cases.synthetic.tail import TAIL_WORDS, real_words, tail_words

__all__ = ["LAYOUTS", "draw_case", "draw_credentials", "write_summary"]

LAYOUTS = ("table", "body", "prose", "2013")
_LAYOUT_CUM = (55, 80, 90, 100)
# The layouts that print a case number and dates ("table", "2013"), in the same proportion.
_DATED_LAYOUTS = (LAYOUTS[0], LAYOUTS[3])
_DATED_CUM = (55, 65)
_SPEC_NAMES = tuple(s for s, _ in V.SPECIALTY_WEIGHTS)
_SPEC_CUM = tuple(accumulate(w for _, w in V.SPECIALTY_WEIGHTS))
_DAY0_OTHER = date(2014, 1, 1).toordinal()
_DAYS_OTHER = date(2024, 12, 31).toordinal() - _DAY0_OTHER
_DAY0_2013 = date(2013, 7, 1).toordinal()


def _join(words: list[str]) -> str:
    """Join words as "a", "a and b" or "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _spoken_date(d: date, style: int) -> str:
    """Spell a date the way clinical summaries do; style picks one of seven spellings."""
    m, dd, y = d.month, d.day, d.year
    return (f"{m:02d}/{dd:02d}/{y}", f"{m}-{dd}-{y % 100:02d}", f"{m}-{dd}-{y}",
            f"{V.MONTHS[m]} {dd}, {y}", f"{m}/{dd}/{y % 100:02d}", f"{m:02d}-{dd:02d}-{y}",
            f"{m}/{dd}/{y}")[style]


def draw_case(rng: random.Random, undated: bool) -> Case:
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


def write_summary(rng: random.Random, case: Case, items: list[Item], made_up_tail: bool) -> str:
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
             "reqs": _join([lower_first(i.original or i.treatment) for i in items[:4]])}
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


def draw_credentials(rng: random.Random, layout: str) -> tuple[list[str], list[str], str]:
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
