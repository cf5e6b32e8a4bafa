"""Find the disputed items of a letter: their treatment, decision, guidelines and rationale.

Pure helpers for ``cases.parsing``. Two layouts are known: the 2014-and-later letters with
"<treatment>: Upheld" headings, and the 2013 "Notice of Independent Medical Review
Determination" letters with numbered "has determined the request for ..." sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPHELD = "Upheld"
OVERTURNED = "Overturned"


def loose(phrase: str) -> str:
    """A regex for ``phrase`` that tolerates missing or extra spaces between its words."""
    return r"\s*".join(re.escape(word) for word in phrase.split())


@dataclass(frozen=True)
class RawItem:
    """One disputed item as found in the letter, before classification."""

    treatment: str
    decision: str
    claims_administrator_guideline: str
    maximus_guideline: str
    rationale: str
    original_request: str | None = None
    authorized: str | None = None


def squash(text: str) -> str:
    """Collapse all whitespace runs to single spaces."""
    return " ".join(text.split())


_DECISION_WORD = r"(U\s?p\s?h\s?e\s?l\s?d|O\s?v\s?e\s?r\s?t\s?u\s?r\s?n\s?e\s?d)"
_HEADING_END = re.compile(r":\s*" + _DECISION_WORD + r"\.?$", re.IGNORECASE)
_DECISION_ALONE = re.compile(r"^" + _DECISION_WORD + r"\.?$", re.IGNORECASE)
_CA_LABEL = re.compile(loose("Claims Administrator guideline") + r"\s*:?", re.IGNORECASE)
_MAX_LABEL = re.compile(loose("MAXIMUS guideline") + r"\s*:?", re.IGNORECASE)
_RATIONALE_LABEL = re.compile(loose("Decision rationale") + r"\s*:?", re.IGNORECASE)
_BODY_START = re.compile(
    "|".join(p.pattern for p in (_CA_LABEL, _MAX_LABEL, _RATIONALE_LABEL)), re.IGNORECASE
)
_INTRO = re.compile(loose("set forth below") + r"\s*:?\s*$", re.IGNORECASE)
# A sentence ending inside a partly-authorized heading does not end the heading.
_PARTIAL_CONTINUES = re.compile(
    r"(original\s*request|Claims\s*Administrator|IMR\s*eligible|authorized)\.$", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
_MAX_HEADING_LINES = 12


def _decision(word: str) -> str:
    return UPHELD if word.replace(" ", "").lower() == "upheld" else OVERTURNED


def _is_marker(lines: list[str], i: int) -> str | None:
    """The decision of an item heading ending on line ``i``, if the line ends one."""
    line = lines[i]
    match = _HEADING_END.search(line)
    if not match:
        match = _DECISION_ALONE.match(line)
        if not match or i == 0 or not lines[i - 1].endswith(":"):
            return None
    following = next((lines[j] for j in range(i + 1, len(lines)) if lines[j]), "")
    if not _BODY_START.match(following):
        return None
    return _decision(match.group(1))


def _heading_start(lines: list[str], end: int, floor: int) -> int:
    """Walk back from a heading's last line to its first one."""
    start = end
    if _DECISION_ALONE.match(lines[end]) and end - 1 >= floor:
        start = end - 1
    while start - 1 >= floor and end - start < _MAX_HEADING_LINES:
        previous = lines[start - 1]
        if not previous or _INTRO.search(previous):
            break
        current = lines[start]
        ends_sentence = _SENTENCE_END.search(previous) and not _PARTIAL_CONTINUES.search(previous)
        if ends_sentence and current[:1].isupper() or ends_sentence and current[:1].isdigit():
            break
        start -= 1
    return start


def find_items_current(issues: str) -> tuple[list[RawItem], list[str]]:
    """Items of a letter in the current layout, from its IMR ISSUES section."""
    lines = issues.split("\n")
    markers = [(i, d) for i in range(len(lines)) if (d := _is_marker(lines, i))]
    warnings: list[str] = []
    spans: list[tuple[int, int, str]] = []
    floor = 0
    for end, decision in markers:
        start = _heading_start(lines, end, floor)
        spans.append((start, end, decision))
        floor = end + 1
    items = []
    for n, (start, end, decision) in enumerate(spans):
        body_end = spans[n + 1][0] if n + 1 < len(spans) else len(lines)
        heading = squash(" ".join(lines[start : end + 1]))
        body = "\n".join(lines[end + 1 : body_end])
        item, item_warnings = _build_item(heading, body, decision, n + 1)
        items.append(item)
        warnings.extend(item_warnings)
    return items, warnings


def split_labelled(body: str, labels: tuple[re.Pattern[str], ...]) -> list[str]:
    """The text after each label up to the next label found later ("" for a missing one)."""
    found = [label.search(body) for label in labels]
    parts = []
    for n, match in enumerate(found):
        if match is None:
            parts.append("")
            continue
        later = [m.start() for m in found[n + 1 :] if m is not None and m.start() > match.end()]
        parts.append(squash(body[match.end() : min(later) if later else len(body)]))
    return parts


_HEADING_TAIL = re.compile(r"\s*(\bis\s*)?:\s*" + _DECISION_WORD + r"\.?$", re.IGNORECASE)
_PARTIAL_REMAINING = re.compile(
    r"^(?P<original>.+?)\s*was\s*the\s*original\s*request\.\s*(?P<authorized>.+?)\s*was\s*"
    r"authorized\s*by\s*the\s*Claims\s*Administrator\.\s*The\s*remaining\s*IMR\s*eligible\s*"
    r"portion\s*of\s*the\s*original\s*request,?\s*(?P<treatment>.+?)$",
    re.IGNORECASE,
)
_PARTIAL_WHOLE = re.compile(
    r"^(?P<original>.+?)\s*was\s*the\s*original\s*request\.\s*The\s*Claims\s*Administrator\s*"
    r"authorized\s*(?P<authorized>.+?),?\s*leaving\s*the\s*original\s*request\s*IMR\s*"
    r"eligible\.\s*The\s*original\s*request,?\s*(?P<treatment>.+?)$",
    re.IGNORECASE,
)


# Real headings, partly authorized ones included, stay under 200 characters; a longer one is
# a garbled line run into the heading, and only its end names the request.
MAX_HEADING_CHARS = 2000


def _bounded(heading: str, number: int, warnings: list[str]) -> str:
    """The heading, or when it is implausibly long its last words up to the limit."""
    if len(heading) <= MAX_HEADING_CHARS:
        return heading
    warnings.append(f"item {number}: heading of {len(heading):,} characters cut to its last "
                    f"{MAX_HEADING_CHARS:,}")
    tail = heading[-MAX_HEADING_CHARS:]
    space = tail.find(" ")
    return tail[space + 1 :] if 0 <= space < len(tail) // 2 else tail


def _build_item(heading: str, body: str, decision: str, number: int) -> tuple[RawItem, list[str]]:
    cut: list[str] = []
    treatment = _HEADING_TAIL.sub("", _bounded(heading, number, cut)).strip()
    original = authorized = None
    for pattern in (_PARTIAL_REMAINING, _PARTIAL_WHOLE):
        match = pattern.match(treatment)
        if match:
            original = match["original"].strip()
            authorized = match["authorized"].strip().rstrip(",")
            treatment = match["treatment"].strip().rstrip(",")
            break
    ca, maximus, rationale = split_labelled(body, (_CA_LABEL, _MAX_LABEL, _RATIONALE_LABEL))
    warnings = cut + [
        f"item {number}: no {name}"
        for name, value in (("treatment", treatment), ("Claims Administrator guideline", ca),
                            ("MAXIMUS guideline", maximus), ("decision rationale", rationale))
        if not value
    ]
    return RawItem(treatment, decision, ca, maximus, rationale, original, authorized), warnings


_DETERMINED_2013 = re.compile(
    r"(?:^|\s)(\d{1,2})\s?\)\s*MAXIMUS\s*Federal\s*Services,?\s*Inc\.?\s*has\s*determined\s*"
    r"the\s*request\s*for\s*(?P<treatment>.+?)\s*(?P<verdict>is\s*not|isnot|is)\s*"
    r"(?P<not>not\s*)?medically\s*necessary\s*and\s*appropriate\.",
    re.IGNORECASE | re.DOTALL,
)
_REGARDING_2013 = re.compile(
    r"(?:^|\n)\s*(\d{1,2})\s?\)\s*Regarding\s*the\s*request\s*for\s*(.+?):\s*\n",
    re.IGNORECASE | re.DOTALL,
)
_CA_2013 = re.compile(
    loose("Medical Treatment Guideline(s) Used by the Claims Administrator") + r"\s*(\(UR\))?:?",
    re.IGNORECASE,
)
_MAX_2013 = re.compile(
    loose("Medical Treatment Guideline(s) Used by the Expert Reviewer") + r"\s*:?", re.IGNORECASE
)
_RATIONALE_2013 = re.compile(loose("Rationale for the Decision") + r"\s*:?", re.IGNORECASE)


def find_items_2013(text: str) -> tuple[list[RawItem], list[str]]:
    """Items of a 2013-layout letter: decisions from the numbered list, reasons per item.

    Some letters give the numbered list twice, in the notice and again under the decision
    and rationale heading, with the same numbers and words: a number already read is that
    item again, not another one.
    """
    decisions = []
    warnings: list[str] = []
    numbers: dict[int, str] = {}  # item number -> its squashed treatment, as first read
    for match in _DETERMINED_2013.finditer(text):
        treatment = squash(match["treatment"])
        number = int(match[1])
        if number in numbers:
            if numbers[number].lower() != treatment.lower():
                warnings.append(f"item {number} is listed again as another treatment; "
                                "the first listing is kept")
            continue
        numbers[number] = treatment
        negative = "not" in match["verdict"].lower() or match["not"]
        treatment = _bounded(treatment, len(decisions) + 1, warnings)
        decisions.append((treatment, UPHELD if negative else OVERTURNED))
    sections = list(_REGARDING_2013.finditer(text))
    items = []
    for n, (treatment, decision) in enumerate(decisions):
        ca = maximus = rationale = ""
        if n < len(sections):
            end = sections[n + 1].start() if n + 1 < len(sections) else len(text)
            body = text[sections[n].end() : end]
            ca, maximus, rationale = split_labelled(body, (_CA_2013, _MAX_2013, _RATIONALE_2013))
        else:
            warnings.append(f"item {n + 1}: no 'Regarding the request' section")
        items.append(RawItem(treatment, decision, ca, maximus, rationale))
    if sections and len(sections) != len(decisions):
        warnings.append(f"{len(decisions)} decisions but {len(sections)} item sections")
    return items, warnings
