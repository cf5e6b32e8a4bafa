"""Find each treatment that a pasted utilization-review (UR) denial, request for authorization
(RFA) or progress report asks for, and read it as the IMR letters' own items are read.

``find_requests(text)`` serves "cases like mine": a physician or attorney pastes up to 20,000
characters, often copied out of a PDF, and gets each requested treatment once, with the
category (``taxonomy``) and the drugs, body regions, side and quantity (``treatment``) that
decided items are searched by. It never raises; ``[]`` means "name the treatment".

Where a request is found:
- after a label, on its line or listed under it: "Request:", "Requested treatment(s):",
  "Treatment requested:", "RFA:", "Disputed items:";
- in a decision on it: "The request for X is non-certified / not medically necessary /
  denied / modified to ...", "UR non-certified the request for X on <date>";
- where it is made: "Request authorization for X", "We are requesting X";
- in a conclusion: "Therefore, Norco 10/325mg #120 is not medically necessary";
- in an IMR letter's heading: "X: Upheld";
- else in a short text whose every line is a treatment ("Lyrica 75mg").

Decisions, as a UR nurse reading the letter would take them:
- A modification requests what was asked: "12 sessions ... modified to 6" is the 12 sessions.
- A request the text certifies in full is left out: it cannot go to IMR, so no cases are like
  it. A partial certification or a modification stays.
- "Retrospective" stays in front of the treatment, as IMR headings write it; "Prospective",
  "request for" and articles go, as the headings drop them. Quantity words ("1 prescription
  of", "12 sessions of") stay: the quantity is read from them.
- A treatment named again more vaguely ("Norco" after "Norco 10/325mg #120", "physical
  therapy" after "12 sessions of physical therapy for the lumbar spine") is the same request.
- A progress note plans many things; only what it asks authorization for is a request
  ("Continue home exercises", "Follow up in 4 weeks" are not), and such a sentence, like a
  conclusion, must name a treatment the taxonomy or the drug table knows.
- Only the first 20,000 characters are read: that is the box's limit.

The text is read into logical lines in ``lines``, each passage's treatment is tidied and the
mentions merged in ``mentions``, and the passages that request a treatment are found in
``passages``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.parsing.quantities import Quantity
from cases.parsing.requests.lines import _logical_lines, _looks_like_text, _prepare
from cases.parsing.requests.mentions import MAX_TREATMENT_CHARS, _merged
from cases.parsing.requests.passages import _in_sentences, _labelled, _treatment_lines

__all__ = ["MAX_TEXT_CHARS", "MAX_TREATMENT_CHARS", "PastedRequest", "find_requests"]

MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class PastedRequest:
    """One treatment a pasted text requests, with the fields decided items are searched by."""

    treatment: str
    category: str
    subcategory: str
    drugs: tuple[str, ...]
    body_regions: tuple[str, ...]
    laterality: str | None
    quantity: Quantity | None


def find_requests(text: str, *, limit: int = 10) -> list[PastedRequest]:
    """Each treatment the pasted text requests, in reading order, at most ``limit``."""
    text = text[:MAX_TEXT_CHARS]
    if limit <= 0 or not text.strip():
        return []
    lines = _logical_lines(_prepare(text))
    mentions = _labelled(lines) + _in_sentences(lines)
    if not mentions and _looks_like_text(text):
        mentions = _treatment_lines(lines)
    requests = []
    for mention in _merged(mentions):
        if not mention.approved and len(requests) < limit:
            fields, kind = mention.fields, mention.classification
            requests.append(PastedRequest(mention.treatment, kind.category.value, kind.subcategory,
                                          fields.drugs, fields.body_regions, fields.laterality,
                                          fields.quantity))
    return requests
