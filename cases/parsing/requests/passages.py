"""The passages that request a treatment: after a request label or listed under it, in a
sentence that decides on or asks for it, in an IMR heading, or, in a short text that names no
request, a line that is itself a treatment. Each passage's treatment is read by ``mentions``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cases.parsing.requests.lines import _ITEM_START, _LABEL_START
from cases.parsing.requests.mentions import (
    _BE,
    _DECISION,
    _MAX_MENTIONS,
    _VERDICT,
    MAX_TREATMENT_CHARS,
    _approves,
    _Mention,
    _mention,
    _tidy,
)

_MAX_LISTED = 20


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


# --- A text that is only treatments --------------------------------------------------------

_STATEMENT = re.compile(r"\s*\b" + _BE, re.IGNORECASE)


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
