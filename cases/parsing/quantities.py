"""The quantity a treatment heading requests: one number and a unit (the spec's ``quantity``).

Units, in the order they win when a heading states several: ``sessions`` (therapy visits,
frequency x duration multiplied out), ``count`` (a number dispensed or supplied), ``hours``,
then ``days`` / ``weeks`` / ``months``. Refills, doses, strengths and dosing frequencies are
never quantities.

Decisions where the spec is silent:
- A range requests its upper bound: "2-3 times a week for 6 weeks" is 18 sessions, "1-2
  visits" 2. A stated total beats its frequency x duration ("Four sessions ... two times a
  week times 2 weeks" is 4); totals stated for different parts add up ("two sessions for the
  back and eight sessions for the wrist" is 10).
- Visits of any kind are ``sessions`` (office, nurse and exam visits too), and so is any
  "N times M" or "NxM"; "times N" alone repeats a service: ``sessions`` for a visit or a
  therapy, ``count`` otherwise ("Electrocardiogram times 3", "MRI times 1").
- A number a heading starts with counts the thing it names ("1 knee scooter", "One (1)
  x-ray"), but for "N refills", "N phase" and units of time; a bare number closing a heading
  after a comma ("NCV of both legs, 2") is a count too. "#N" on a therapy heading counts its
  sessions ("Chiropractic sessions, #2").
- Grams and millilitres (a cream of 120 gm, a suspension of 420 ml) are no unit of the spec:
  null, unless written as "#N" ("#60 grams" is 60, count). X-ray "views" are not a quantity.
- Years become months (12 each): the spec's units stop at months. A frequency per month
  multiplies with months as one per week does with weeks.
- Home help multiplies out into hours: "6 hours per day, 5 times a week for 4 weeks" is 120
  hours; a visit frequency without hours or therapy ("Daily RN for 4 weeks") is its duration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_VALUES = {word: n for n, word in enumerate(_UNITS)} | {
    word: 10 * n for n, word in enumerate(_TENS) if word}
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(t for t in _TENS if t) + r")[\s-]+(" + "|".join(_UNITS[1:10]) + r")\b|\b("
    + "|".join(sorted(_WORD_VALUES, key=len, reverse=True)) + r")\b|\b(once|twice|thrice)\b",
    re.IGNORECASE,
)
_ADVERBS = {"once": "1 times", "twice": "2 times", "thrice": "3 times"}
_NUMBER_WORDS = frozenset(_WORD_VALUES) | frozenset(_ADVERBS)
_WORDS = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Quantity:
    """What an item requests: a number and its unit."""

    value: int | float
    unit: str


def numbers_as_digits(text: str, *, spelled: bool = True) -> str:
    """The text with numbers in words written in digits ("twice" as "2 times"), repeated
    numbers ("8 (8)") once and ranges ("2 to 3") as "2-3"; ``spelled=False`` when the text
    holds no number word."""
    def digits(match: re.Match[str]) -> str:
        if match[1]:
            return str(_WORD_VALUES[match[1].lower()] + _WORD_VALUES[match[2].lower()])
        if match[3]:
            return str(_WORD_VALUES[match[3].lower()])
        return _ADVERBS[match[4].lower()]

    if spelled:
        text = _NUMBER_WORD.sub(digits, text)
    if "(" in text:
        text = re.sub(r"\b(\d+)\s*\(\1\)", r"\1", text)  # "Eight (8)"
    if " to " in text:
        text = re.sub(r"\b(\d+)\s+to\s+(\d+)\b", r"\1-\2", text)  # "two to three"
    return text


_N = r"(\d+(?:\s*-\s*\d+)?)"
_NOISE = re.compile(
    r"\b\d{1,2}([/-])\d{1,2}\1\d{2,4}\b|\bevery\s*\d+(?:\s*-\s*\d+)?\s*(?:hours?|hrs?)\b|"
    r"\btylenol\s*(?:#|no\.?)\s*[34]\b|"
    r"\b\d+(?:/\d+)?\s*(?:hours?|hrs?|min\w*)\s*(?:on|off|before|after|apart|prior)\b|"
    r"\b\d+(?:\.\d+)?\s*tesla\b|\b\d+\s*in\s*1\b|\(\s*\d+\s*min\w*\s*\)",
    re.IGNORECASE,
)
_FREQUENCY_DURATION = re.compile(
    _N + r"\s*(?:times?|x|visits?|sessions?|treatments?)?\s*(?:(?:a|per|each|/)\s*(week|wk|month)"
    r"\b|(weekly|monthly))\s*,?\s*(?:for|over|x|times|during)?\s*(?:the\s*next\s*|a\s*)?"
    + _N + r"\s*[\s-]*(weeks?|wks?|months?)\b",
    re.IGNORECASE,
)
_TIMES = re.compile(r"(?<![\w.])" + _N + r"\s*(?:x|times)\s*" + _N + r"\b(?!\s*(?:%|mg|a\b|per))",
                    re.IGNORECASE)
_TOTAL = re.compile(
    r"(?<![\w.#/])" + _N + r"\s*(?:[a-z/-]+\s+){0,4}?(?:sessions?|visits?|treatments?)\b"
    r"(?!\s*(?:a|per|each|/)\s*week|\s*weekly)|\b(?:sessions?|visits?),\s*" + _N + r"\b",
    re.IGNORECASE,
)
# Words of a therapy (or of visits) anywhere in a heading, tried as plain substrings first.
_THERAPY_WORDS = ("therap", "chiro", "acupunct", "massage", "biofeedback", "manipulat",
                  "stimulation", "stim", "ultrasound", "traction", "infrared", "modalit",
                  "cognitive behav", "counsel", "session", "visit", "exam", "pt", "ot", "cbt")
_THERAPY = re.compile(
    r"therap(?:y|ies)(?!\s*(?:unit|pad|wrap|device|kit|system|machine))|\b(?:PT|OT)\b|chiro|"
    r"acupunct|massage|biofeedback|manipulat|stimulation(?!\s*unit)|e-?stim\b|ultrasound|"
    r"traction|infrared|modalit|\bCBT\b|cognitive behav|counsel|sessions?\b|visits?\b|\bexam\b",
    re.IGNORECASE,
)
_HASH = re.compile(r"#\s*(\d+)\b")
_DISPENSED = re.compile(
    r"(?<!take\s)(?<![\d.])(\d+)\s*(?:tablets?|tabs?|capsules?|caps?|patch(?:es)?|pills?|"
    r"lozenges?|films?|vials?|boxes|bottles?|tubes?)\b(?!\s*(?:orally|by mouth|po\b|daily|"
    r"twice|\d+\s*times|a day|per day|every|at bedtime|q\.?\s?\d|b\.?i\.?d|t\.?i\.?d|q\.?h\.?s"
    r"|prn))|\b(?:qty|quantity)\s*:?\s*(\d+)\b",
    re.IGNORECASE,
)
_REPEAT = re.compile(r"(?<![\d\s])\s*\b(?:times|x)\s*(\d+)\b"
                     r"(?!\s*(?:weeks?|wks?|months?|years?|days?|hours?|a\b|per|%))",
                     re.IGNORECASE)
_LEADING = re.compile(
    r"^\s*(\d+)\s+(?!(?:refills?|phase|times?|x\s*\d|days?|weeks?|months?|hours?|levels?|"
    r"views?|sessions?|visits?|treatments?|of\b)\b)[a-z]",
    re.IGNORECASE,
)
_TRAILING = re.compile(r",\s*(\d+)\s*\.?\s*$")
_HOURS_PER_DAY = re.compile(r"(\d+)\s*(?:hours?|hrs?)\s*(?:a|per|/|each)\s*day", re.IGNORECASE)
_HOURS_PER_WEEK = re.compile(r"(\d+)\s*(?:hours?|hrs?)\s*(?:a|per|/|each)\s*(?:week|wk)",
                             re.IGNORECASE)
_HOURS = re.compile(r"(?<![\d.])(\d+)\s*(?:hours?|hrs?)\b", re.IGNORECASE)
_DAYS_A_WEEK = re.compile(r"(\d+)\s*(?:times|days?|x)\s*(?:a|per|/|each)\s*(?:week|wk)",
                          re.IGNORECASE)
_FOR_WEEKS = re.compile(r"\bfor\s*(?:a\s*)?(\d+)[\s-]*(?:weeks?|wks?)\b", re.IGNORECASE)
_TIME = re.compile(
    r"(?<![\d.])(\d+)[\s-]*(days?|weeks?|wks?|months?|mos?|years?|yrs?)\b(?!\s*(?:a|per)\b)"
    r"|\bday\s*supply\s*:?\s*(\d+)\b",
    re.IGNORECASE,
)
_TIME_UNITS = {"d": "days", "w": "weeks", "m": "months"}


def _upper(number: str) -> int:
    """The upper bound of a number or range ("2-3" is 3)."""
    return max(int(part) for part in re.split(r"\s*-\s*", number))


def find_quantity(heading: str) -> Quantity | None:
    """The one number and unit the heading requests, or None when it states none."""
    lower = heading.lower()
    spelled = not _NUMBER_WORDS.isdisjoint(_WORDS.findall(lower))
    if not spelled and not any(c.isdigit() for c in heading):
        return None  # most headings: no number at all
    text = _NOISE.sub(" ", numbers_as_digits(heading, spelled=spelled))
    therapy = any(word in lower for word in _THERAPY_WORDS) and bool(_THERAPY.search(text))
    sessions, rest = _sessions(text, therapy)
    if sessions:
        return Quantity(sessions, "sessions")
    count = _count(rest)
    if count is not None:
        return Quantity(count, "sessions" if therapy else "count")
    hours = _hours(rest)
    if hours:
        return Quantity(hours, "hours")
    time = _TIME.search(rest)
    if time:
        if time[3]:
            return Quantity(int(time[3]), "days")
        unit = time[2][0].lower()
        if unit == "y":  # the spec has no years: a year is twelve months
            return Quantity(12 * int(time[1]), "months")
        return Quantity(int(time[1]), _TIME_UNITS[unit])
    return None


def _sessions(text: str, therapy: bool) -> tuple[int, str]:
    """Sessions stated or multiplied out, and the text left once those are read."""
    products: list[int] = []

    def frequency_duration(match: re.Match[str]) -> str:
        monthly = (match[2] or match[3]).lower().startswith("month")
        in_months = match[5].lower().startswith("m")
        # A weekly frequency over months counts four weeks a month.
        weeks = _upper(match[4]) * (4 if in_months and not monthly else 1)
        products.append(_upper(match[1]) * weeks)
        return " ; "

    def times(match: re.Match[str]) -> str:
        products.append(_upper(match[1]) * _upper(match[2]))
        return " ; "

    totals: list[int] = []

    def total(match: re.Match[str]) -> str:
        totals.append(_upper(match[1] or match[2]))
        return " ; "

    if therapy:
        text = _FREQUENCY_DURATION.sub(frequency_duration, text)
    text = _TOTAL.sub(total, _TIMES.sub(times, text))
    return (sum(totals), text) if totals else (sum(products), text)


def _count(text: str) -> int | None:
    """A number dispensed, supplied or repeated; for a therapy, its sessions."""
    for pattern in (_HASH, _DISPENSED, _REPEAT, _LEADING, _TRAILING):
        match = pattern.search(text)
        if match:
            return int(next(g for g in match.groups() if g))
    return None


def _hours(text: str) -> int:
    """Hours of help requested, per day and week multiplied out."""
    weeks = _FOR_WEEKS.search(text)
    span = int(weeks[1]) if weeks else 1
    per_day = _HOURS_PER_DAY.search(text)
    if per_day:
        days = _DAYS_A_WEEK.search(text)
        return int(per_day[1]) * (int(days[1]) if days else 1) * span
    per_week = _HOURS_PER_WEEK.search(text)
    if per_week:
        return int(per_week[1]) * span
    hours = _HOURS.search(text)
    return int(hours[1]) if hours else 0
