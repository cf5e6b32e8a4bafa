"""Parse the text of an IMR final determination letter into a frozen, typed value.

Pure: no ORM. ``parse_determination(text, source=...)`` raises ``ParseError`` when the text
holds no disputed item; ``parse_file(path)`` never raises and reports the reason in ``error``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from cases.parsing import items as it
from cases.parsing.citations import Citation, parse_citations
from cases.parsing.dates import DATE_PATTERN, date_from_match, parse_date
from cases.parsing.guidelines import guideline_agreement
from cases.parsing.reasons import Reason, classify_reasons
from cases.parsing.taxonomy import classify_treatment
from cases.parsing.text import UnreadableLetter, clean_text, read_letter
from cases.parsing.treatment import Quantity, treatment_fields

# Stored with each letter: an import re-reads the letters an older parser stored.
# 2: a 2013 letter listing its decisions twice has each item once.
# 3: items carry treatment fields (drugs, body regions, laterality, quantity).
# 4: items carry their guideline citations and decision reasons.
PARSER_VERSION = 4
# The real letters list at most 8 disputed items.
MAX_ITEMS = 100
loose = it.loose


class ParseError(Exception):
    """The text is not a readable IMR determination; the message says why."""


@dataclass(frozen=True)
class DisputedItem:
    """One disputed treatment and the reviewer's decision on it."""

    treatment: str
    decision: str
    category: str
    subcategory: str
    claims_administrator_guideline: str
    maximus_guideline: str
    rationale: str
    original_request: str | None = None
    authorized: str | None = None

    # The treatment fields are read from ``treatment`` (for a partly authorized request, the
    # portion decided) when asked for, not stored: they can never disagree with it.
    @property
    def drugs(self) -> tuple[str, ...]:
        """Generic names of the drugs the heading names, sorted."""
        return treatment_fields(self.treatment).drugs

    @property
    def body_regions(self) -> tuple[str, ...]:
        """Body regions the heading names, from the spec's vocabulary, sorted."""
        return treatment_fields(self.treatment).body_regions

    @property
    def laterality(self) -> str | None:
        """``left``, ``right``, ``bilateral`` or None."""
        return treatment_fields(self.treatment).laterality

    @property
    def quantity(self) -> Quantity | None:
        """What the heading requests, as a value and a unit, or None."""
        return treatment_fields(self.treatment).quantity

    # Read from the guideline lines and the rationale, like the treatment fields.
    @property
    def claims_administrator_citations(self) -> tuple[Citation, ...]:
        """The documents utilization review's line cites."""
        return parse_citations(self.claims_administrator_guideline)

    @property
    def maximus_citations(self) -> tuple[Citation, ...]:
        """The documents the IMR reviewer's line cites."""
        return parse_citations(self.maximus_guideline)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the reviewer decided as they did, each with the sentence that says so."""
        return classify_reasons(self.rationale, self.decision)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict: the item's fields, its treatment fields, its citations (with
        whether the reviewer relied on utilization review's documents) and reasons."""
        fields = treatment_fields(self.treatment)
        ca, imr = self.claims_administrator_citations, self.maximus_citations
        return {**asdict(self), "drugs": fields.drugs, "body_regions": fields.body_regions,
                "laterality": fields.laterality,
                "quantity": asdict(fields.quantity) if fields.quantity else None,
                "claims_administrator_citations": [c.as_dict() for c in ca],
                "maximus_citations": [c.as_dict() for c in imr],
                "same_guideline": guideline_agreement(ca, imr),
                "reasons": [{"code": r.code, "label": r.label, "sentence": r.sentence}
                            for r in self.reasons]}


@dataclass(frozen=True)
class Sections:
    """The letter's main sections as plain text."""

    how_made: str = ""
    credentials: str = ""
    summary: str = ""
    issues: str = ""


@dataclass(frozen=True)
class ParsedDetermination:
    """Everything read from one letter. Dates are ISO strings; lists are tuples."""

    source: str
    case_number: str | None = None
    decision_date: str | None = None
    date_of_injury: str | None = None
    date_assigned: str | None = None
    ur_denial_date: str | None = None
    application_received: str | None = None
    priority: str | None = None
    states_of_licensure: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    patient_age: int | None = None
    patient_sex: str | None = None
    items: tuple[DisputedItem, ...] = ()
    case_outcome: str | None = None
    guidelines_cited: tuple[str, ...] = ()
    layout: str | None = None
    sections: Sections = field(default_factory=Sections)
    text: str = ""
    content_hash: str = ""
    warnings: tuple[str, ...] = ()
    error: str | None = None

    @property
    def public_id(self) -> str:
        """The permalink id: the case number, else a digest of the letter's clinical summary.

        The summary identifies the case; a letter re-issued with a corrected decision keeps
        its id, and spacing or extraction differences never change it.
        """
        if self.case_number:
            return self.case_number
        basis = self.sections.summary if len(self.sections.summary) >= 60 else self.text
        return "imr-" + identity_digest(basis)[:16]

    def to_dict(self, *, include_text: bool = False) -> dict[str, object]:
        """A JSON-ready dict with the documented keys."""
        data = asdict(self)
        data["items"] = tuple(item.to_dict() for item in self.items)
        if not include_text:
            data.pop("text")
            data.pop("sections")
        return data


def identity_digest(text: str) -> str:
    """A digest of a letter's letters and digits only, so spacing and extraction don't matter."""
    return hashlib.sha256(re.sub(r"[\W_]+", "", text.lower()).encode()).hexdigest()


def parse_file(path: Path) -> ParsedDetermination:
    """Read and parse one letter file; failures come back in ``error``, never raised."""
    try:
        return parse_determination(read_letter(path), source=path.name)
    except (UnreadableLetter, ParseError) as exc:
        return ParsedDetermination(source=path.name, error=str(exc))


_HEADINGS = {
    "how_made": re.compile(loose("HOW THE IMR FINAL DETERMINATION WAS MADE"), re.IGNORECASE),
    "summary": re.compile(loose("CLINICAL CASE SUMMARY"), re.IGNORECASE),
    "issues": re.compile(loose("IMR ISSUES, DECISIONS AND RATIONALES"), re.IGNORECASE),
}
_HEADINGS_2013 = {
    "how_made": re.compile(loose("Medical Qualifications of the Expert Reviewer") + ":?", re.I),
    "summary": re.compile(loose("Expert Reviewer Case Summary") + ":?", re.IGNORECASE),
    "issues": re.compile(r"(?:^|\n)\s*1\s?\)\s*" + loose("Regarding the request for"), re.I),
    # Some letters repeat the numbered decisions under this heading: it ends the summary.
    "decisions": re.compile(r"(?:^|\n)\s*" + loose("DECISION AND RATIONALE") + r"\s*:?\s*\n",
                            re.IGNORECASE),
}
_IS_2013 = re.compile(
    loose("Notice of Independent Medical Review Determination") + "|"
    + loose("has determined the request for"), re.IGNORECASE
)
_CASE_NUMBER = re.compile(r"\bCM\s?(\d{2})\s?-\s?(\d{5,8})\b")


def parse_determination(raw_text: str, *, source: str = "") -> ParsedDetermination:
    """Parse a letter's text; raise ``ParseError`` when it holds no disputed item."""
    text = clean_text(raw_text)
    if not text:
        raise ParseError("no text")
    layout_2013 = bool(_IS_2013.search(text)) and not _HEADINGS["issues"].search(text)
    sections = _split_sections(text, _HEADINGS_2013 if layout_2013 else _HEADINGS)
    if layout_2013:
        raw_items, warnings = it.find_items_2013(text)
    else:
        raw_items, warnings = it.find_items_current(sections.issues or text)
    if not raw_items:
        raise ParseError("no disputed item with an Upheld/Overturned decision found")
    if len(raw_items) > MAX_ITEMS:
        # Repeated sections, not a letter: storing them would skew every overturn rate.
        raise ParseError(f"{len(raw_items):,} disputed items found, and no letter holds more "
                         f"than {MAX_ITEMS}: the text looks garbled (repeated sections?)")
    header = _header_fields(text)
    if not header.get("date_of_injury"):
        header["date_of_injury"] = _injury_date_from_summary(sections.summary or text)
    states, specialties, labelled = _credentials(
        sections.credentials or sections.how_made or text)
    states = _plausible(states, "state", warnings)
    specialties = _plausible(specialties, "specialty", warnings)
    layout = ("2013" if layout_2013 else "table" if header.get("case_number")
              else "body" if labelled else "prose")
    age, sex = _patient(sections.summary or text)
    items = tuple(_classified(item) for item in raw_items)
    warnings += _missing(header, layout, states, specialties, age, sex)
    rationales = len(re.findall(loose("Decision rationale"), sections.issues or text, re.I))
    if not layout_2013 and rationales != len(items):
        warnings.append(f"{len(items)} items found but {rationales} 'Decision rationale' sections")
    return ParsedDetermination(
        source=source,
        **header,
        states_of_licensure=states,
        specialties=specialties,
        patient_age=age,
        patient_sex=sex,
        items=items,
        case_outcome=_case_outcome(items),
        guidelines_cited=_guidelines(text),
        layout=layout,
        sections=sections,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        warnings=tuple(warnings),
    )


def _split_sections(text: str, headings: dict[str, re.Pattern[str]]) -> Sections:
    found = sorted(
        (match.start(), match.end(), name)
        for name, pattern in headings.items()
        if (match := pattern.search(text))
    )
    parts: dict[str, str] = {}
    for n, (start, end, name) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(text)
        # The 2013 issues "heading" is the first item's own line: keep it.
        begin = start if headings is _HEADINGS_2013 and name == "issues" else end
        parts[name] = text[begin:stop].strip()
    how_made = parts.get("how_made", "")
    credentials = _CREDENTIALS_BLOCK.search(how_made)
    return Sections(
        how_made=how_made,
        credentials=how_made[credentials.start() :] if credentials else "",
        summary=parts.get("summary", ""),
        issues=parts.get("issues", ""),
    )


_LABELS = {
    "date_assigned": "Date Assigned",
    "date_of_injury": "Date of Injury",
    "decision_date": "Decision Date",
    "ur_denial_date": "UR Denial Date",
    "application_received": "Application Received",
}
_LABEL_PATTERNS = {
    key: re.compile(loose(label) + r"\s*:?\s*(?:Received:?\s*)?(" + DATE_PATTERN + ")",
                    re.IGNORECASE)
    for key, label in _LABELS.items()
}
_LABEL_PATTERNS["decision_date_2013"] = re.compile(r"\bDated\s*:\s*(" + DATE_PATTERN + ")", re.I)
_PRIORITY = re.compile(r"\bPriority\s*:\s*(Standard|Expedited|Urgent)", re.IGNORECASE)
# "Application" and "Received:" are split across lines in the page-1 table.
_APPLICATION = re.compile(r"Application\s*(?:Received\s*:?)?\s*(" + DATE_PATTERN + ")", re.I)


def _header_fields(text: str) -> dict[str, str | None]:
    head = text[:3000]
    fields: dict[str, str | None] = {}
    number = _CASE_NUMBER.search(head)
    fields["case_number"] = f"CM{number[1]}-{number[2]}" if number else None
    for key in _LABELS:
        match = _LABEL_PATTERNS[key].search(head)
        if key == "application_received" and not match:
            match = _APPLICATION.search(head)
        found = _iso(match) if match else None
        fields[key] = found
    if not fields["decision_date"]:
        match = _LABEL_PATTERNS["decision_date_2013"].search(head)
        fields["decision_date"] = _iso(match) if match else None
    priority = _PRIORITY.search(head)
    fields["priority"] = priority[1].capitalize() if priority else None
    return fields


def _iso(match: re.Match[str]) -> str | None:
    found = date_from_match(match)
    return found.isoformat() if found else None


_INJURY = re.compile(
    r"injur(?:y|ies|ed)\s*(?:on|dated|of|occurring\s*on|date\s*of)\s*(?:or\s*about\s*)?:?\s*("
    + DATE_PATTERN + ")",
    re.IGNORECASE,
)


def _injury_date_from_summary(summary: str) -> str | None:
    match = _INJURY.search(summary)
    if not match:
        return None
    found: date | None = parse_date(match.group(1))
    return found.isoformat() if found else None


_CREDENTIALS_BLOCK = re.compile(loose("The Expert Reviewer has the following credentials"), re.I)
_STATES_LINE = re.compile(r"State\s*\(s\)\s*of\s*Licensure\s*:\s*(.+)", re.IGNORECASE)
_SPECIALTY_LINE = re.compile(
    r"Certification\s*\(s\)\s*/\s*Specialty\s*:\s*(.+(?:\n(?!\s*$).+)*)", re.IGNORECASE
)
_PROSE_SPECIALTY = re.compile(
    r"board[\s-]*certified\s*in\s*(.+?)(?=,?\s*(?:and\s*)?(?:is|who\s*is)\s*licensed|,?\s*"
    r"(?:and\s*)?has\s*a\s*sub-?specialty|\.\s|\.$)",
    re.IGNORECASE | re.DOTALL,
)
_PROSE_SUBSPECIALTY = re.compile(
    r"sub-?specialt(?:y|ies)\s*in\s*(.+?)(?=,?\s*(?:and\s*)?(?:is|who\s*is)\s*licensed|\.\s|\.$)",
    re.IGNORECASE | re.DOTALL,
)
_PROSE_STATES = re.compile(
    r"licensed\s*to\s*practice\s*(?:medicine\s*)?in\s*(?:the\s*states?\s*of\s*)?(.+?)"
    r"(?=\.\s|\.$|,?\s*(?:and\s*)?(?:has|he|she|is)\b)",
    re.IGNORECASE | re.DOTALL,
)
# Specialty names that contain "and", protected before splitting a prose list on "and".
_AND_NAMES = ("Physical Medicine and Rehabilitation", "Hospice and Palliative Medicine",
              "Public Health and General Preventive Medicine", "Obstetrics and Gynecology",
              "Allergy and Immunology", "Plastic and Reconstructive Surgery")


def _split_list(text: str, *, prose: bool) -> tuple[str, ...]:
    text = it.squash(text).rstrip(".;, ")
    if prose:
        for name in _AND_NAMES:
            text = re.sub(re.escape(name), name.replace(" and ", " \x00 "), text, flags=re.I)
        text = re.sub(r",?\s+and\s+", ",", text)
    parts = [p.replace("\x00", "and").strip(" .;") for p in text.split(",")]
    return tuple(p for p in parts if p)


def _credentials(block: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """States and specialties, and whether they came from labelled lines (not prose)."""
    states_line = _STATES_LINE.search(block)
    specialty_line = _SPECIALTY_LINE.search(block)
    if states_line or specialty_line:
        states = _split_list(states_line[1], prose=False) if states_line else ()
        specialties = _split_list(_specialty_text(specialty_line[1]), prose=False) \
            if specialty_line else ()
        return states, specialties, True
    prose = it.squash(block)
    states_match = _PROSE_STATES.search(prose)
    specialties: tuple[str, ...] = ()
    for pattern in (_PROSE_SPECIALTY, _PROSE_SUBSPECIALTY):
        match = pattern.search(prose)
        if match:
            specialties += _split_list(match[1], prose=True)
    states = _split_list(states_match[1], prose=True) if states_match else ()
    return states, specialties, False


# Real letters name a few states and specialties of a few words each. More, or longer, is a
# garbled line read as a list (and too long for the database's name columns).
MAX_NAME_CHARS = 100
MAX_NAMES = 20


def _plausible(names: tuple[str, ...], kind: str, warnings: list[str]) -> tuple[str, ...]:
    """The names once each, without implausibly long ones, at most ``MAX_NAMES``."""
    unique = tuple(dict.fromkeys(names))
    kept = tuple(name for name in unique if len(name) <= MAX_NAME_CHARS)[:MAX_NAMES]
    if len(kept) < len(unique):
        warnings.append(f"dropped {len(unique) - len(kept):,} implausible {kind} name(s)")
    return kept


def _specialty_text(text: str) -> str:
    """The specialty line, with wrapped continuation lines but no following heading."""
    lines = []
    for line in text.split("\n"):
        if lines and (_HEADINGS["summary"].search(line) or ":" in line):
            break
        lines.append(line)
    return " ".join(lines)


_AGE_SEX = re.compile(
    r"\b(\d{1,3})\s*-?\s*(?:year|yr)s?\s*-?\s*old\s*,?\s*(?:[a-z]+\s+){0,3}?"
    r"(male|female|man|woman|gentleman|lady|men|women|boy|girl)\b",
    re.IGNORECASE,
)
_AGE = re.compile(r"\b(\d{1,3})\s*-?\s*(?:year|yr)s?\s*-?\s*old\b", re.IGNORECASE)
_SEX_WORDS = {"male": "male", "man": "male", "gentleman": "male", "men": "male", "boy": "male",
              "female": "female", "woman": "female", "lady": "female", "women": "female",
              "girl": "female"}


def _patient(summary: str) -> tuple[int | None, str | None]:
    match = _AGE_SEX.search(summary)
    if match:
        age = int(match[1])
        return (age if 10 <= age <= 110 else None), _SEX_WORDS[match[2].lower()]
    age_match = _AGE.search(summary)
    age = int(age_match[1]) if age_match and 10 <= int(age_match[1]) <= 110 else None
    body = re.sub(r"\bhe\s*/\s*she\b|\bhis\s*/\s*her\b", "", summary, flags=re.IGNORECASE)
    he = len(re.findall(r"\b(he|his|him)\b", body, re.IGNORECASE))
    she = len(re.findall(r"\b(she|her|hers)\b", body, re.IGNORECASE))
    sex = "male" if he > she else "female" if she > he else None
    return age, sex


def _classified(raw: it.RawItem) -> DisputedItem:
    kind = classify_treatment(raw.treatment)
    return DisputedItem(category=kind.category.value, subcategory=kind.subcategory, **vars(raw))


def _case_outcome(items: tuple[DisputedItem, ...]) -> str:
    decisions = {item.decision for item in items}
    if decisions == {it.UPHELD}:
        return "Upheld"
    if decisions == {it.OVERTURNED}:
        return "Overturned"
    return "Partially overturned"


# One pass over the letter finds every family; "Non-MTUS" is tried before plain "MTUS".
_GUIDELINE_FAMILIES = re.compile(
    r"\b(?:(?P<NonMTUS>[Nn][Oo][Nn]\s?-?\s?MTUS)|(?P<ACOEM>ACOEM)|(?P<MTUS>MTUS)"
    r"|(?P<ODG>ODG|[Oo]fficial\s*[Dd]isability\s*[Gg]uidelines))"
)
_FAMILY_NAMES = {"ACOEM": "ACOEM", "MTUS": "MTUS", "NonMTUS": "Non-MTUS", "ODG": "ODG"}


def _guidelines(text: str) -> tuple[str, ...]:
    found: set[str] = set()
    for match in _GUIDELINE_FAMILIES.finditer(text):
        found.add(_FAMILY_NAMES[match.lastgroup or ""])
        if len(found) == len(_FAMILY_NAMES):
            break
    return tuple(sorted(found))


def _missing(header: dict[str, str | None], layout: str, states: tuple[str, ...],
             specialties: tuple[str, ...], age: int | None, sex: str | None) -> list[str]:
    expected = ["date_of_injury"]
    if layout in ("table", "2013"):  # only these carry a case header
        expected += ["case_number", "decision_date", "ur_denial_date", "application_received"]
    if layout == "table":
        expected += ["date_assigned", "priority"]
    missing = [f"no {key.replace('_', ' ')}" for key in expected if not header.get(key)]
    for name, value in (("state of licensure", states), ("specialty", specialties),
                        ("patient age", age), ("patient sex", sex)):
        if not value:
            missing.append(f"no {name}")
    return missing
