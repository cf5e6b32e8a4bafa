"""How an IMR reviewer's guidelines compare with utilization review's, for one disputed item.

Attorneys argue that the reviewer relied on a different guideline than utilization review
did. ``guideline_agreement`` compares the documents the two lines cite (``Citation.document``,
titles normalised by ``citations.DOCUMENTS``): the same set, none in common, or some. The
edition, sections and pages are not compared: two readers of the same chapter who quote
different sections still relied on the same guideline, and a superseded edition is a
question of currency, not of agreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cases.parsing.citations import Citation

SAME, DIFFERENT, PARTLY = "same", "different", "partly"
AGREEMENT_LABELS = {SAME: "Same as UR", DIFFERENT: "Different from UR",
                    PARTLY: "Partly the same as UR"}


def guideline_agreement(claims_administrator: Sequence[Citation],
                        maximus: Sequence[Citation]) -> str | None:
    """``same``, ``different`` or ``partly``; None when either side cites nothing (a party
    that cited no medical evidence cannot be compared)."""
    ours = {c.document for c in maximus}
    theirs = {c.document for c in claims_administrator}
    if not ours or not theirs:
        return None
    if ours == theirs:
        return SAME
    return PARTLY if ours & theirs else DIFFERENT


def describe_citation(citation: Citation | dict[str, object]) -> str:
    """One citation as a reader writes it: "MTUS Chronic Pain Medical Treatment Guidelines
    (2016): Opioids, criteria for use; p. 76-80" (a stored citation is its ``as_dict``)."""
    data = citation.as_dict() if isinstance(citation, Citation) else citation
    text = str(data.get("document") or "")
    if data.get("edition"):
        text += f" ({data['edition']})"
    sections = "; ".join(str(s) for s in data.get("sections") or ())  # type: ignore[union-attr]
    pages = ", ".join(str(p) for p in data.get("pages") or ())  # type: ignore[union-attr]
    details = "; ".join(part for part in (sections, f"p. {pages}" if pages else "") if part)
    return f"{text}: {details}" if details else text


SECTION_MARK = " › "  # between a document and one of its sections or pages


def section_values(citations: Iterable[Citation | Mapping[str, object]]) -> tuple[str, ...]:
    """Each section and page the citations name, with its document ("MTUS Chronic Pain
    Medical Treatment Guidelines › Opioids, criteria for use", "… › p. 98"), once each, in
    order: a section's name alone is ambiguous across documents ("Introduction")."""
    found: dict[str, None] = {}
    for citation in citations:
        data = citation.as_dict() if isinstance(citation, Citation) else citation
        document = str(data.get("document") or "")
        for section in data.get("sections") or ():  # type: ignore[union-attr]
            found[f"{document}{SECTION_MARK}{section}"] = None
        for page in data.get("pages") or ():  # type: ignore[union-attr]
            found[f"{document}{SECTION_MARK}p. {page}"] = None
    return tuple(found)


@dataclass(frozen=True)
class GuidelineChange:
    """A change to the MTUS that made earlier guidelines no longer the standard."""

    effective: date
    name: str
    source: str
    replaced: frozenset[str] = frozenset()  # the documents it replaced (Citation.document)


_ACOEM_2004 = ("General Approaches", "Neck and Upper Back Complaints", "Shoulder Complaints",
               "Elbow Disorders", "Forearm, Wrist, and Hand Complaints", "Low Back Complaints",
               "Knee Complaints", "Ankle and Foot Complaints", "Stress Related Conditions")
# The dates, in one table with their sources. Left out on purpose: the 2016 amendment of the
# Chronic Pain guideline and adoption of the Opioids guideline (8 CCR 9792.24.2, 9792.24.4),
# effective on filing in 2016, a day not recorded here; the 2017 update replaced both anyway.
# The DWC's Acupuncture and Postsurgical guidelines are not marked as replaced.
MTUS_UPDATE = GuidelineChange(
    date(2017, 12, 1), "the MTUS evidence-based update",
    "8 CCR 9792.20-9792.24.4, DWC, Evidence-Based Updates to the MTUS, effective "
    "December 1, 2017: the current ACOEM Practice Guidelines incorporated by reference",
    frozenset({*(f"ACOEM Practice Guidelines, {chapter}" for chapter in _ACOEM_2004),
               "MTUS Chronic Pain Medical Treatment Guidelines",
               "MTUS Opioids Treatment Guidelines"}))
DRUG_FORMULARY = GuidelineChange(
    date(2018, 1, 1), "the MTUS Drug Formulary",
    "8 CCR 9792.27.1-9792.27.23, DWC, MTUS Drug Formulary, effective January 1, 2018")
CHANGES = (MTUS_UPDATE, DRUG_FORMULARY)


def currency_notes(citations: Iterable[Citation | Mapping[str, object]], decided: date | None,
                   *, opioid: bool) -> tuple[str, ...]:
    """What a reader of this decision today should know about the guidelines it rested on:
    an MTUS chapter a later update replaced (or had already replaced when it was decided),
    and an opioid decision made before the MTUS Drug Formulary."""
    notes = []
    for citation in citations:
        data = citation.as_dict() if isinstance(citation, Citation) else citation
        document = str(data.get("document") or "")
        if data.get("family") != "MTUS" or document not in MTUS_UPDATE.replaced:
            continue
        edition = f" ({data['edition']})" if data.get("edition") else ""
        when = ("which the MTUS had already replaced on December 1, 2017"
                if decided and decided >= MTUS_UPDATE.effective else
                "which the MTUS update effective December 1, 2017 has since replaced with "
                "ACOEM's current guideline")
        notes.append(f"The reviewer relied on {document}{edition}, {when}.")
    if opioid and decided and decided < DRUG_FORMULARY.effective:
        notes.append("Decided before the MTUS Drug Formulary (January 1, 2018): opioid "
                     "requests now also fall under its drug list and prospective review.")
    return tuple(dict.fromkeys(notes))
