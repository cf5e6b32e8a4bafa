"""Find dates in letter text, in every spelling the letters use."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# One pattern for every spelling; named groups tell which matched.
DATE_PATTERN = (
    r"(?:(?P<m>\d{1,2})\s?[/-]\s?(?P<d>\d{1,2})\s?[/-]\s?(?P<y>\d{4}|\d{2})(?!\d)"
    r"|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
    rf"|(?P<mn>{_MONTH_NAMES})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>\d{{4}})"
    rf"|(?P<dd>\d{{1,2}})\s+(?P<dmn>{_MONTH_NAMES})\.?,?\s+(?P<dy>\d{{4}}))"
)
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years: injuries reach back decades, decisions start in 2013.
        year += 2000 if year <= 40 else 1900
    return year


def date_from_match(match: re.Match[str]) -> date | None:
    """Turn a match of ``DATE_PATTERN`` into a date, or None when it is no real day."""
    groups = match.groupdict()
    try:
        if groups.get("m"):
            return date(_year(groups["y"]), int(groups["m"]), int(groups["d"]))
        if groups.get("iy"):
            return date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
        if groups.get("mn"):
            return date(int(groups["my"]), MONTHS[groups["mn"].lower()], int(groups["md"]))
        if groups.get("dmn"):
            return date(int(groups["dy"]), MONTHS[groups["dmn"].lower()], int(groups["dd"]))
    except ValueError:
        return None
    return None


def parse_date(text: str) -> date | None:
    """Return the first valid date found in ``text``."""
    for match in _DATE.finditer(text):
        found = date_from_match(match)
        if found is not None and 1900 <= found.year <= 2100:
            return found
    return None
