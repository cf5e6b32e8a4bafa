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
