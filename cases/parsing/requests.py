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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from cases.parsing.quantities import Quantity
from cases.parsing.taxonomy import OTHER, Classification, classify_treatment
from cases.parsing.text import clean_text
from cases.parsing.treatment import TreatmentFields, treatment_fields

__all__ = ["MAX_TEXT_CHARS", "MAX_TREATMENT_CHARS", "PastedRequest", "find_requests"]

MAX_TEXT_CHARS = 20_000
# Real IMR headings stay under 200 characters; more is a sentence run on.
MAX_TREATMENT_CHARS = 300
# A pathological paste (one phrase a thousand times) stops being read here; a UR letter names
# each of its few requests three or four times.
_MAX_MENTIONS = 100
_MAX_LISTED = 20


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


# --- The text: page furniture out, broken lines joined ------------------------------------

# Lines a PDF repeats on every page ("Page 2 of 4", "- 3 -", "ACME Review ... Page 2 of 4").
_FURNITURE = re.compile(r"(?:.{0,60}\bpage\s*\d+\s*(?:of|/)\s*\d+\b.{0,60}|page\s*\d+|"
                        r"-\s*\d{1,3}\s*-|\d{1,3}\s*(?:of|/)\s*\d{1,3})", re.IGNORECASE)
_BULLET = r"[-*\u2022\u00b7\u25aa\u25e6\u25cf\u25a0\u27a2>]+"
_ITEM_START = re.compile(_BULLET + r"\s+|\(?\d{1,2}[.)]\s+|\(?[a-hA-H][.)]\s+")
_LABEL_START = re.compile(r"[A-Z][A-Za-z/()' ]{0,40}:(?!\d)")
_CONNECTOR_END = re.compile(r"(?:\b(?:of|for|the|a|an|and|or|to|with|x|per|in|on|at|by|from|"
                            r"including|plus|times|is|are|was|were|be|been|not|non)|[,/&+#-])$",
                            re.IGNORECASE)


def _prepare(text: str) -> str:
    """The text without page headers and footers, then cleaned by ``clean_text`` (hyphenated
    line ends, odd spaces, a blank line after every line)."""
    lines = text.replace("\ufffd", " ").splitlines()
    return clean_text("\n".join(line for line in lines if len(line) > 120
                                or not _FURNITURE.fullmatch(line.strip())))


def _logical_lines(text: str) -> list[str]:
    """Lines as written, hard line breaks inside a sentence joined; "" marks a paragraph.

    A footer dropped in mid-sentence leaves a paragraph break that is none: a line that
    plainly goes on ("... the request for" + "omeprazole ...") is joined across it.
    """
    lines: list[list[str]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if lines and lines[-1]:
                lines.append([])
        elif lines and lines[-1] and _continues(lines[-1][-1], line):
            lines[-1].append(line)
        elif len(lines) > 1 and not lines[-1] and _continues(lines[-2][-1], line, broken=True):
            lines.pop()
            lines[-1].append(line)
        else:
            lines.append([line])
    return [" ".join(parts) for parts in lines]


def _continues(previous: str, line: str, *, broken: bool = False) -> bool:
    """Whether ``line`` goes on with ``previous`` rather than starting an item or a label;
    across a paragraph break (``broken``), only if it plainly does."""
    if _ITEM_START.match(line) or _LABEL_START.match(line) or previous.endswith(":"):
        return False
    if line[0].islower() or _CONNECTOR_END.search(previous):
        return True
    # PDF lines wrap near the page's width; a short line without a full stop ends a list item.
    return not broken and (line[0] in "#(/&%+,)" or len(previous) >= 60
                           and previous[-1] not in ".!?;")


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


# --- Labelled requests, and lists under a label --------------------------------------------

_TIMING = r"(?:(?P<timing>retrospective|retro|prospective|concurrent)\s+)?"
_KINDS = r"(?:treatments?|services?|items?|procedures?|medications?)(?:\s*\(s\))?"
_LABEL = re.compile(
    r"(?:" + _ITEM_START.pattern + r")?" + _TIMING + r"(?:request(?:ed|s)?(?:\s*\(s\))?(?:\s+"
    r"(?:for\s+authori[sz]ation|" + _KINDS + r"))?|" + _KINDS + r"\s+(?:being\s+)?requested|RFA|"
    r"disputed\s+" + _KINDS + r"|items?\s+in\s+dispute|(?:request|item)\s*#?\s*\d{1,2})(?:\s+"
    r"(?:dated|of|on|received)?\s*\d{1,2}/\d{1,2}/\d{2,4})?\s*[:\-\u2013]\s*(?P<value>.*)",
    re.IGNORECASE)
_DECISION_LABEL = re.compile(r"(?:UR\s+)?(?:decision|determination|outcome|recommendation|"
                             r"status|result)\s*:\s*(?P<decision>.*)", re.IGNORECASE)


def _labelled(lines: list[str]) -> list[_Mention]:
    """Treatments after a request label, on its line or listed under it."""
    found: list[_Mention | None] = []
    for number, line in enumerate(lines):
        label = _LABEL.fullmatch(line)
        if not label or len(found) >= _MAX_MENTIONS:
            continue
        retrospective = (label["timing"] or "").lower().startswith("retro")
        if not label["value"].strip():
            found += _listed(lines, number, retrospective)
            continue
        # A UR form states the decision on the next line ("Determination: Non-certified").
        below = _DECISION_LABEL.match(lines[number + 1] if number + 1 < len(lines) else "")
        found += [_mention(part, (number, offset), retrospective=retrospective,
                           decision=below["decision"] if below else "")
                  for offset, part in enumerate(label["value"].split(";"))]
    return [mention for mention in found if mention]


def _listed(lines: list[str], header: int, retrospective: bool) -> list[_Mention]:
    """The items listed under a label that ends its line ("Requested Treatment(s):")."""
    found: list[_Mention] = []
    for number in range(header + 1, min(len(lines), header + 4 * _MAX_LISTED)):
        line = lines[number]
        if not line:
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if found and not _ITEM_START.match(following):
                break
        elif _DECISION_LABEL.match(line) and found:
            found[-1] = replace(found[-1], approved=_approves(line))
        elif _LABEL_START.match(line) and not _ITEM_START.match(line):
            break
        else:
            mention = _mention(line, (number, 0), retrospective=retrospective)
            if mention is None and not _ITEM_START.match(line):
                break  # prose after the list
            found += [mention] if mention else []
    return found[:_MAX_LISTED]


# --- Requests in sentences ------------------------------------------------------------------

_SENTENCE_BREAK = re.compile(r";\s*|(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)"
                             r"(?<!\bNo\.)(?<!\bvs\.)(?<!\bSt\.)\s+(?=[\"'(\[]?[A-Z0-9#])")
# A sentence's treatment is looked for no further than real headings run.
_X = r"(?P<x>.{1,200}?)"
_THEN = r"(?:\s+to\s+[^.;]{1,80})?"  # "modified to 6 sessions"
# Where a treatment named after a verb ("denied the request for X ...") stops.
_ENDS = (r"(?=\s*(?:$|;|:(?!\s*\d)|\.(?!\w)|,?\s+(?:(?:to|on)\s+#?\d|to\s+(?:an?\s+)?(?:initial|"
         r"trial)|on\s+(?:the\s+basis|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
         r"\.?\s+\d)|(?:to\s+(?:one|two|three|four|five|six|eight|ten|twelve|a\s+total|allow|"
         r"certify|approve|authori[sz]e|include|cover|address|help|improve|reduce|decrease|treat|"
         r"assist|manage|control|facilitate|evaluate|assess|rule\s+out|determine)|dated|due\s+to|"
         r"because|based\s+on|as\s+(?:it|the|there|this|per|medically|not|guidelines?|such)|since|"
         r"given|citing|noting|per\s+(?:the\s+)?(?:MTUS|ACOEM|ODG|guidelines?|UR)|in\s+(?:"
         r"accordance|light|view|order|the\s+absence)|and\s+(?:modified|denied|certified|"
         r"non-?\s?certified|approved|authori[sz]ed|the\s+request)|but|which|however|while|"
         r"pending|until|at\s+this\s+time|for\s+(?:lack|the\s+reason)|was|is|are|were|has|have|"
         r"had|by\s+(?:the\s+)?(?:UR|utilization|reviewer|claims|physician\s+reviewer))\b)))")
_AUTHORIZATION = r"(?:(?:an?\s+)?(?:authori[sz]ation|approval|certification)\s+(?:for|of)\s+)?"
_SENTENCE_PATTERNS = tuple((re.compile(pattern, re.IGNORECASE), strict, at_start)
                           for pattern, strict, at_start in (
    # "The request for X is non-certified", "The requested X are not medically necessary".
    (r"\b" + _TIMING + r"(?:requests?\s+(?:for|of)|requested)\s+" + _AUTHORIZATION + _X
     + r",?\s+(?P<decision>" + _BE + _DECISION + _THEN + ")", False, False),
    # "UR non-certified the request for X on 2/3/2016", "unable to certify the request for X".
    (r"\b(?P<decision>(?:(?:unable|not\s+able)\s+to\s+|cannot\s+|can\s*not\s+|(?:did|does|do)\s+"
     r"not\s+)?(?:non-?\s?certif(?:y|ied|ies|ying)|den(?:y|ied|ies|ying)|modif(?:y|ied|ies|ying)"
     r"|certif(?:y|ied|ies|ying)|approv(?:e|ed|es|ing)|authori[sz](?:e|ed|es|ing)|uph[eo]ld|"
     r"overturn(?:ed)?)|(?:non-?\s?certification|denial|modification|approval|certification|"
     r"adverse\s+determination)\s+(?:of|for|on|regarding))\s+(?:(?:the|this|a|an|your|their)"
     r"\s+)?" + _TIMING + r"requests?\s+(?:for|of)\s+" + _AUTHORIZATION + _X + _ENDS,
     False, False),
    # "Request authorization for X", "We are requesting X", "Dr. Lee requested X".
    (r"(?:^(?:[A-Z][A-Za-z ]{0,30}:\s*)?(?:(?:please|kindly)\s+)?" + _TIMING + r"request(?:s|"
     r"ing)?(?:\s+for)?|\b(?:I\s+am|I'm|we\s+are|we're|(?:I|we)\s+will\s+be|will\s+be|am|is|are)"
     r"\s+(?:also\s+)?requesting|\b(?:I|we|will|would\s+like\s+to|plan\s+to|hereby)\s+(?:also\s+)?"
     r"request|\b(?:provider|physician|doctor|treater|surgeon|PTP|practitioner|Dr\.?\s+[A-Z]"
     r"[a-z]+)\s+(?:has\s+|had\s+)?(?:also\s+)?requested|\brequest(?:s|ing|ed)?(?=\s+(?:an?\s+)?"
     r"(?:authori[sz]ation|approval|certification)\b))\s+" + _AUTHORIZATION
     + r"(?:to\s+proceed\s+with\s+)?" + _X + _ENDS, True, False),
    # "Therefore, Norco 10/325mg #120 is not medically necessary": UR's verdicts only, not a
    # guideline's words ("Opioids are not recommended ...").
    (r"(?:(?:therefore|thus|hence|accordingly|consequently|as\s+such|in\s+summary|in\s+"
     r"conclusion|at\s+this\s+time|based\s+on\s+[^,]{1,60}),?\s+)?(?P<x>[^,;]{2,200}?),?\s+"
     r"(?P<decision>" + _BE + _VERDICT + _THEN + ")", True, True),
))
_IMR_HEADING = re.compile(rf"(?P<x>.{{2,{MAX_TREATMENT_CHARS}}}?)\s*(?:\bis\s*)?:\s*"
                          r"(?P<decision>upheld|overturned)\.?", re.IGNORECASE)


def _in_sentences(lines: list[str]) -> list[_Mention]:
    """Treatments that sentences decide on or ask for, and IMR headings."""
    found: list[_Mention | None] = []
    for number, line in enumerate(lines):
        if len(found) >= _MAX_MENTIONS:
            break
        heading = _IMR_HEADING.fullmatch(line) if line.rstrip(". ").lower().endswith(
            ("upheld", "overturned")) else None
        if heading:  # a partly authorized heading ends with the portion decided
            portion = re.sub(r".*\boriginal\s*request,\s*", "", heading["x"])
            found.append(_mention(portion, (number, 0), decision=heading["decision"]))
        item = _ITEM_START.match(line)
        for offset, sentence in _sentences(line[item.end() :] if item else line):
            for pattern, strict, at_start in _SENTENCE_PATTERNS:
                for match in _matches(pattern, sentence, at_start):
                    found.append(_mention(
                        match["x"], (number, offset + match.start("x")), strict=strict,
                        decision=match.groupdict().get("decision") or "",
                        retrospective=(match.groupdict().get("timing") or "").lower()
                        .startswith("retro")))
    return [mention for mention in found if mention]


def _sentences(line: str) -> list[tuple[int, str]]:
    """The sentences of a logical line, each with its offset in the line."""
    breaks = list(_SENTENCE_BREAK.finditer(line))
    starts = [0] + [found.end() for found in breaks]
    ends = [found.start() for found in breaks] + [len(line)]
    return [(start, line[start:end]) for start, end in zip(starts, ends, strict=True)
            if end > start]


def _matches(pattern: re.Pattern[str], sentence: str, at_start: bool) -> list[re.Match[str]]:
    """The pattern's matches in a sentence; each next one is looked for from the treatment's
    start, so an anchor inside a rejected treatment ("requested and the request for X is
    denied") is still tried."""
    if at_start:
        return [match] if (match := pattern.match(sentence)) else []
    matches, position = [], 0
    while match := pattern.search(sentence, position):
        matches.append(match)
        position = max(match.start("x"), position + 1)
    return matches


# --- A text that is only treatments, and each treatment once -------------------------------

_STATEMENT = re.compile(r"\s*\b" + _BE, re.IGNORECASE)
_TEXT_CHARS = re.compile(r"[\w\s.,;:!?'\"()/#%&+\-\u2013\u2014\u2018\u2019\u201c\u201d]")
_VAGUE_WORDS = frozenset({"additional", "continued", "continue", "further", "repeat", "more",
                          "ongoing", "use", "of", "the", "a", "an", "for", "with", "and", "to",
                          "session", "sessions", "visits", "treatment", "treatments"})


def _looks_like_text(text: str) -> bool:
    """Whether the text is words someone wrote, not bytes decoded into replacement marks."""
    return len(_TEXT_CHARS.findall(text)) >= 0.9 * len(text)


def _treatment_lines(lines: list[str]) -> list[_Mention]:
    """A short text that names no request: its lines, when each is itself a known treatment.

    A line that is not one, or that says something of one ("Opioids are not recommended"),
    makes the text a letter or a note, not a list of treatments.
    """
    written = [(number, line) for number, line in enumerate(lines) if line]
    if len(written) > _MAX_LISTED or sum(len(line) for _, line in written) > 2_000:
        return []
    found = [None if _STATEMENT.match(_tidy(line)[1]) else _mention(line, (number, 0), strict=True)
             for number, line in written]
    return [mention for mention in found if mention] if all(found) else []


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
