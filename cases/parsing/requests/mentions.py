"""A treatment told from the words around it: the passage tidied to the treatment it names,
read as the IMR letters' items are read, with whether the passage certifies it in full; then
each treatment once, a vaguer naming merged into the fullest (``_merged``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from cases.parsing.requests.lines import _ITEM_START
from cases.parsing.taxonomy import OTHER, Classification, classify_treatment
from cases.parsing.treatment import TreatmentFields, treatment_fields

# Real IMR headings stay under 200 characters; more is a sentence run on.
MAX_TREATMENT_CHARS = 300
# A pathological paste (one phrase a thousand times) stops being read here; a UR letter names
# each of its few requests three or four times.
_MAX_MENTIONS = 100


@dataclass(frozen=True)
class _Mention:
    """A treatment as one passage names it, and whether that passage certifies it in full."""

    position: tuple[int, int]  # (logical line, offset): the order a reader meets it in
    treatment: str
    approved: bool
    classification: Classification
    fields: TreatmentFields

    @property
    def key(self) -> str:
        """The treatment compared case-insensitively, without trailing punctuation."""
        return " ".join(self.treatment.lower().split()).rstrip(" .,;:!?")


# --- A treatment told from the words around it ---------------------------------------------

# UR's own verdicts, then a guideline's words, which only decide when a request is named.
_VERDICT = (r"(?:(?:not\s+)?medically\s+necessary|non-?\s?certified|certified|denied|modified|"
            r"approved|authori[sz]ed|upheld|overturned|partially\s+\w+)")
_DECISION = (r"(?:" + _VERDICT + r"|non-?\s?certif\w*|certif\w*|denial|(?:not\s+)?(?:recommended|"
             r"supported|indicated|warranted|established|substantiated))")
_BE = (r"(?:is|are|was|were|remains?|(?:has|have|had)(?:\s+not)?\s+been|(?:will|would|should|"
       r"shall|cannot|can\s*not|may)(?:\s+not)?\s+be|(?:is|are)\s+being)\s+"
       r"(?:(?:not|therefore|thus|hereby|also|currently|still|respectfully|retrospectively|"
       r"prospectively)\s+)*")
# Where a request's words stop and its decision begins: "is non-certified", "- Denied",
# "(not certified)", "Decision: ...".
_TAIL = re.compile(r"\s*(?:\b" + _BE + _DECISION + r"|[-\u2013:(\[,|]\s*" + _DECISION
                   + r"|\b(?:non-?\s?certif\w*|not\s+certified|not\s+medically\s+necessary|"
                   r"denied|upheld|overturned)\b|\b(?:UR\s+)?(?:decision|determination|outcome|"
                   r"recommendation|status|result)\s*:)", re.IGNORECASE)
_APPROVES = re.compile(r"\b(?:certif|approv|authori[sz]|medically\s+necessary|recommended|"
                       r"supported|indicated|warranted|established|substantiated)", re.IGNORECASE)
_REFUSES = re.compile(r"\b(?:not|non|noncertif\w*|unable|cannot|partial\w*|modif\w*|denied|"
                      r"denial|deny|upheld|overturned|adverse)", re.IGNORECASE)
# What comes before a treatment's name: a bullet, a quote, a label, "the decision for", "the
# request for", an article.
_ARTICLE = r"(?:(?:the|a|an)\s+)?[\"'\u201c\u2018]?"
_LEAD = re.compile(r"^(?:" + _ITEM_START.pattern + r")?" + _ARTICLE + r"(?:(?:decision\s+)?(?:"
                   r"rationale|summary|plan|assessment|comments?|note|subject|re|associated\s+"
                   r"surgical\s+services?)\s*:\s+)?" + _ARTICLE + r"(?:(?:UR\s+)?(?:decision|"
                   r"determination)\s+(?:for|on|of)\s+)?(?:requests?\s+(?:for|of)\s+|requested\s+)?"
                   + _ARTICLE, re.IGNORECASE)
_CLAUSE = re.compile(r",?\s+(?:which|who|since|because|given\s+that|in\s+place\s+of|instead\s+of|"
                     r"rather\s+than|but|as\s+(?:it|they|there|this|these|per|such)|at\s+this\s+"
                     r"time|to\s+(?:assist|help|address|improve|reduce|decrease|treat|manage|"
                     r"control|facilitate|allow))\b.*$|,\s+(?:that|as)\b.*$", re.IGNORECASE)
_DANGLING = frozenset({"", "and", "or", "which", "that", "but", "as", "is", "are", "was", "were",
                       "with", "for", "of", "to", "the", "a", "an"})
_TRAILING = " .,;:-\u2013([\"'\u201d\u2019"
_NOT_A_TREATMENT = re.compile(
    r"^(?:authori[sz]ation|independent\s+medical\s+review|IMR\b|reconsideration|(?:an\s+)?"
    r"appeal|review|(?:additional\s+|further\s+|medical\s+)?(?:information|records|"
    r"documentation)|extension|(?:in|on|at|by|for|from|to|under|per|via|with|within|during|as)\s|"
    r"(?:dear|sincerely|regards|respectfully|thank|cc|attn|attention)\b|re\s*:)|\brequest|[A-Za-z]{40}",
    re.IGNORECASE)
_PROSE = re.compile(r"\b(?:is|are|was|were|has|have|had|been|does|did|reports?|complains?|"
                    r"states?|underwent|noted|he|she|they|you|it|its)\b", re.IGNORECASE)
_FILLER = frozenset({"this", "that", "these", "those", "the", "said", "above", "above-mentioned",
                     "following", "requested", "proposed", "current", "further", "additional",
                     "such", "same", "it", "them", "its"})
_GENERIC = frozenset({"treatment", "treatments", "service", "services", "item", "items",
                      "procedure", "procedures", "medication", "medications", "therapy", "care",
                      "one", "intervention", "interventions", "ancillary", "surgical", "study",
                      "studies", "imaging", "test", "tests", "testing", "diagnostic",
                      "diagnostics"})


def _tidy(value: str) -> tuple[str, str]:
    """The treatment a passage names, and the words after it that decide on it."""
    value = " ".join(value.split())[: 4 * MAX_TREATMENT_CHARS]
    tail = _TAIL.search(value)
    end = tail.start() if tail else len(value)
    words = _CLAUSE.sub("", _LEAD.sub("", value[:end])).split(" ")
    while words and words[-1].lower().rstrip(_TRAILING) in _DANGLING:
        words.pop()
    treatment = " ".join(words).rstrip(_TRAILING)
    if len(treatment) > MAX_TREATMENT_CHARS:
        treatment = treatment[:MAX_TREATMENT_CHARS].rsplit(" ", 1)[0]
    return treatment, value[end:]


def _mention(value: str, position: tuple[int, int], *, decision: str = "",
             strict: bool = False, retrospective: bool = False) -> _Mention | None:
    """A mention of the treatment ``value`` names, or None when it names none.

    ``strict`` passages (a conclusion, a progress note, a bare line) carry no sign of being a
    request but their words, so the taxonomy or the drug table must know the treatment.
    """
    treatment, tail = _tidy(value)
    if re.match(r"\W*modif", decision, re.IGNORECASE) and treatment:
        # "modified the request for PT x12 to PT x6": the request stops where it is restated.
        first = re.escape(treatment.split(" ", 1)[0])
        treatment = re.split(rf"\s+to\s+(?:an?\s+)?{first}\b", treatment, maxsplit=1,
                             flags=re.IGNORECASE)[0]
    words = {word for word in re.findall(r"[a-z-]+", treatment.lower()) if word not in _FILLER}
    if (words <= _GENERIC or _NOT_A_TREATMENT.search(treatment) or _PROSE.search(treatment)
            or len(treatment.split()) > 40 or not re.search(r"[A-Za-z]{2}", treatment)):
        return None
    if retrospective:
        treatment = f"Retrospective {treatment}"
    classification, fields = classify_treatment(treatment), treatment_fields(treatment)
    if strict and classification == OTHER and not fields.drugs:
        return None
    return _Mention(position, treatment, _approves(f"{decision} {tail}"), classification, fields)


def _approves(decision: str) -> bool:
    """Whether the words deciding on a request certify it in full."""
    return bool(_APPROVES.search(decision)) and not _REFUSES.search(decision)


# --- Each treatment once -------------------------------------------------------------------

_VAGUE_WORDS = frozenset({"additional", "continued", "continue", "further", "repeat", "more",
                          "ongoing", "use", "of", "the", "a", "an", "for", "with", "and", "to",
                          "session", "sessions", "visits", "treatment", "treatments"})


def _merged(mentions: list[_Mention]) -> list[_Mention]:
    """Each treatment once: at its first mention, in its fullest wording, certified only if
    every mention of it certifies it."""
    groups: dict[str, list[_Mention]] = {}
    for mention in sorted(mentions, key=lambda mention: mention.position)[:_MAX_MENTIONS]:
        groups.setdefault(mention.key, []).append(mention)
    for vague in sorted(groups, key=len):
        fuller = next((key for key in groups
                       if key != vague and _covers(groups[key][0], groups[vague][0])), None)
        if fuller:
            groups[fuller] += groups.pop(vague)
    merged = [replace(group[0], position=min(mention.position for mention in group),
                      approved=all(mention.approved for mention in group))
              for group in groups.values()]
    return sorted(merged, key=lambda mention: mention.position)


def _covers(fuller: _Mention, vague: _Mention) -> bool:
    """Whether ``vague`` names ``fuller``'s treatment again with less said ("Norco" after
    "Norco 10/325mg #120", "additional physical therapy" after "12 sessions of physical
    therapy for the lumbar spine")."""
    if vague.key in fuller.key and re.search(rf"(?<!\w){re.escape(vague.key)}(?!\w)", fuller.key):
        return True
    if vague.fields.quantity is not None or vague.classification != fuller.classification:
        return False
    if vague.fields.drugs:
        return vague.fields.drugs == fuller.fields.drugs
    words = set(re.findall(r"[a-z]+", vague.key)) - _VAGUE_WORDS
    return (words <= set(re.findall(r"[a-z]+", fuller.key))
            and set(vague.fields.body_regions) <= set(fuller.fields.body_regions)
            and vague.fields.laterality in (None, fuller.fields.laterality))
