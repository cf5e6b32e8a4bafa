"""Lay out a synthetic letter as text lines and apply PDF-extraction noise to them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from cases.synthetic import prose as P
from cases.synthetic import vocab as V

SYNTHETIC_LINE = "SYNTHETIC LETTER generated for software testing; not a real determination."


@dataclass(frozen=True)
class Case:
    """The facts of one letter that every section draws on."""

    layout: str
    dates: dict[str, date]
    sex: str
    age: int
    region_index: int
    slots: dict[str, object]

    @property
    def late(self) -> bool:
        """True for the 2013 notice layout."""
        return self.layout == "2013"

    @property
    def region(self) -> V.Region:
        """The body region the letter is about."""
        return V.REGIONS[self.region_index]


@dataclass(frozen=True)
class Item:
    """One disputed item as decided and as printed."""

    treatment: str
    heading: str  # text before ": Upheld" (longer than treatment for partly authorized items)
    original: str | None
    authorized: str | None
    category: str
    upheld: bool
    ca: str
    mx: str
    rationale: str
    shown: str  # the rationale as printed, possibly with run-together noise
    # drugs, body_regions, laterality, quantity: what the heading (treatment) names
    fields: dict[str, object] = field(default_factory=dict)


def mdy(d: date) -> str:
    """Format a date as MM/DD/YYYY."""
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


class Hyphenator:
    """Breaks a few long lowercase prose words across lines, as hyphenating PDFs do."""

    def __init__(self, budget: int, protected: frozenset[str]) -> None:
        self.budget = budget
        self.protected = protected
        self.used = 0

    def split(self, word: str, room: int) -> tuple[str, str] | None:
        """Return (head-, tail) fitting ``room`` characters, or None if the word must stay whole."""
        if (self.used >= self.budget or len(word) < 7 or not word.isalpha()
                or not word.islower() or word in self.protected or room < 4):
            return None
        cut = min(room - 1, len(word) - 3)
        if cut < 3:
            return None
        self.used += 1
        return word[:cut] + "-", word[cut:]


def wrap(text: str, width: int, hyph: Hyphenator | None = None) -> list[str]:
    """Greedy-wrap text at ``width`` characters, splitting only at spaces (or hyphenating)."""
    if hyph is None:  # fast path: one C-level search per line instead of a loop over words
        lines = []
        start, end = 0, len(text)
        while end - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start and (cut := text.find(" ", start + width)) < 0:
                break
            lines.append(text[start:cut])
            start = cut + 1
        lines.append(text[start:])
        return lines
    lines = []
    cur: list[str] = []
    size = -1
    for word in text.split(" "):
        if size + 1 + len(word) > width and cur:
            parts = hyph.split(word, width - size - 1)
            if parts:
                cur.append(parts[0])
                word = parts[1]
            lines.append(" ".join(cur))
            cur, size = [word], len(word)
        else:
            cur.append(word)
            size += 1 + len(word)
    if cur:
        lines.append(" ".join(cur))
    return lines


def table_top(case: Case, case_number: str, priority: str, indent: int) -> list[str]:
    """The page-1 case table of the "table" layout, spaced like ``pdftotext -layout``."""
    d = {k: mdy(v) for k, v in case.dates.items()}
    return [f"{'Case Number:':<{indent}}{case_number}",
            f"{'Date Assigned:':<{indent}}{d['assigned']:<32}{'Date of Injury:':<21}{d['injury']}",
            f"{'Decision Date:':<{indent}}{d['decision']:<32}{'UR Denial Date:':<21}{d['ur']}",
            f"{'Priority:':<{indent}}{priority:<32}{'Application':<21}{d['application']}",
            " " * (indent + 32) + "Received:", ""]


def modern_lines(rng: random.Random, case: Case, width: int, hyph: Hyphenator | None,
                  top: list[str], boiler: str, creds: list[str], summary: str,
                  items: list[Item]) -> list[str]:
    """Lay out a table, body or prose letter as lines."""
    out = [SYNTHETIC_LINE, *top]
    lead = " " if rng.random() < 0.5 else ""

    def heading(title: str, indent: int) -> None:
        out.extend([" " * indent + title] if case.layout == "table" else ["", lead + title, ""])

    heading("HOW THE IMR FINAL DETERMINATION WAS MADE", 17)
    out.extend((*wrap(boiler, width), "", *creds))
    heading("CLINICAL CASE SUMMARY", 32)
    out.extend((*wrap(rng.choice(P.SUMMARY_INTROS), width), "", *wrap(summary, width, hyph), ""))
    heading("IMR ISSUES, DECISIONS AND RATIONALES", 22)
    out.extend(("The Final Determination was based on decisions for the disputed items/services "
                "set forth below:", ""))
    for item in items:
        decision = "Upheld" if item.upheld else "Overturned"
        r = rng.random()
        if r < 0.08:
            out.extend((*wrap(f"{item.heading}:", width), decision))
        else:
            out.extend(wrap(f"{item.heading}:{'  ' if r > 0.92 else ' '}{decision}", width))
        out.extend(("", *wrap(f"Claims Administrator guideline: {item.ca}", width), "",
                    *wrap(f"MAXIMUS guideline: {item.mx}", width), "",
                    *wrap(f"Decision rationale: {item.shown}", width, hyph), ""))
    return out


def lines_2013(rng: random.Random, case: Case, width: int, hyph: Hyphenator | None,
                case_number: str, priority: str, qualification: str, summary: str,
                items: list[Item]) -> list[str]:
    """Lay out a letter in the 2013 notice layout as lines."""
    d = {k: mdy(v) for k, v in case.dates.items()}
    upheld = sum(1 for i in items if i.upheld)
    final = "UPHOLD" if upheld == len(items) else "OVERTURN" if not upheld else "PARTIAL OVERTURN"
    out = [SYNTHETIC_LINE, "Notice of Independent Medical Review Determination", "",
           f"Dated: {d['decision']}", "",
           f"{'IMR Case Number:':<25}{case_number:<24}{'Date of Injury:':<25}{d['injury']}",
           f"{'UR Denial Date:':<25}{d['ur']:<24}{'Priority:':<25}{priority}",
           f"{'Application Received:':<25}{d['application']:<24}{'Date Assigned:':<25}"
           f"{d['assigned']}", "", *wrap(rng.choice(P.NOTICE_2013), width), "",
           f"Final Determination: {final}", ""]
    for k, item in enumerate(items, 1):
        verdict = "is not medically" if item.upheld else "is medically"
        out.extend((*wrap(f"{k}) MAXIMUS Federal Services, Inc. has determined the request for "
                          f"{item.treatment} {verdict} necessary and appropriate.", width), ""))
    out.extend(("Medical Qualifications of the Expert Reviewer:", *wrap(qualification, width), "",
                "Expert Reviewer Case Summary:", rng.choice(P.INTROS_2013),
                *wrap(summary, width, hyph), ""))
    for k, item in enumerate(items, 1):
        out.extend((*wrap(f"{k}) Regarding the request for {item.treatment}:", width),
                    "Medical Treatment Guideline(s) Used by the Claims Administrator (UR):",
                    *wrap(item.ca, width),
                    "Medical Treatment Guideline(s) Used by the Expert Reviewer:",
                    *wrap(item.mx, width), "Rationale for the Decision:",
                    *wrap(item.shown, width, hyph), ""))
    return out


def _stray_spaces(rng: random.Random, lines: list[str]) -> list[str]:
    """Add doubled spaces (past the labels), trailing spaces and leading spaces to some lines."""
    out = []
    for line in lines:
        r = rng.random()
        if r < 0.05 and (i := line.find(" ", 36)) > 0:
            line = line[:i] + " " + line[i:]
        elif r < 0.09 and line and not line.endswith("-"):
            line += "  "
        elif r < 0.12 and line:
            line = " " + line
        out.append(line)
    if out == lines:  # guarantee the noise the truth records
        out[0] += "  "
    return out


def _paginate(rng: random.Random, lines: list[str], header: str | None) -> list[list[str]]:
    """Cut lines into pages of 44-50 lines; with a header, add it and a "Page k of n" footer."""
    size = rng.randint(44, 50)
    pages = [lines[:size]]
    for start in range(size, len(lines), size):
        page = lines[start:start + size]
        while page and not page[0].strip():
            page = page[1:]
        if page:
            pages.append(page)
    if header is None:
        return pages
    return [[header, "", *page, "", f"Page {k} of {len(pages)}"]
            for k, page in enumerate(pages, 1)]


def render_text(rng: random.Random, lines: list[str], kinds: set[str], header: str,
                 paginate: bool) -> str:
    """Join lines into the letter text, applying the line-level noise in ``kinds``."""
    if "stray_spaces" in kinds:
        lines = _stray_spaces(rng, lines)
    paginate = paginate or "formfeed_headers" in kinds
    pages = [lines]
    if paginate:
        pages = _paginate(rng, lines, header if "formfeed_headers" in kinds else None)
    if "doubled" in kinds:
        blank = " " if rng.random() < 0.5 else ""
        pages = [[x for line in page for x in (line, blank)] for page in pages]
    text = "\f".join("\n".join(page) + "\n" for page in pages) + ("\f" if paginate else "")
    return text.replace("\n", "\r\n") if "crlf" in kinds else text
