"""Phrases as regular expressions, and where a sentence shows them as negation reads them."""

from __future__ import annotations

import re

from cases.parsing.reasons.sentences import GUIDELINE_NAMES
from cases.parsing.reasons.table import REASONS, STOCK_REMARK, ReasonRule

# "No failure to improve" and "not failed to improve" say that the patient improved, and
# "no lack of" that something is there.
_IMPROVED = r"(?!\s(?:been\s)?fail\w*\sto\s(?:improve|progress|respond|benefit))"
_NOT_DOUBLED = r"(?<!\bnot\s)(?<!\bno\s)(?<!n't\s)"
_NEG = (r"(?:\b(?:no(?!\s(?:lack|absence|doubt|longer)\b)" + _IMPROVED + r"|not(?!\s(?:lack\w*|"
        r"without|only|necessarily)\b)" + _IMPROVED + r"|never|none|neither|nor|cannot|unclear|"
        r"insufficient|inadequate|limited|minimal)\b|" + _NOT_DOUBLED + r"\b(?:without|"
        r"lack(?:s|ing|ed)?(?:\sof)?|absen(?:ce|t)(?:\sof)?|fail(?:s|ed|ure)?\sto|unable\sto)\b|"
        r"n't\b)")
_BREAK = (r"\b(?:but|however|although|though|whereas|yet|except|nonetheless|nevertheless|and\s"
          r"(?:he|she|there|it|the\s(?:patient|claimant|injured\sworker|worker|applicant)))\b")
# A gap stops where the absent thing would justify something: in "no indication of high risk
# that would require urine drug screens" the screens are not what is missing.
_STOP = _BREAK + "|" + _NEG + r"|\b(?:would|requir\w*|justif\w*|need\w*)\b"
_SHORTHANDS = {
    " ... ": r"\s(?:(?!" + _STOP + r")[^.;!?]){0,200}?\b",
    " ~ ": r",?\s(?:(?:(?!" + _BREAK + r")[^\s.;!?])+\s){0,5}?",
    "{NEG}": _NEG,
    "{W}": r"(?!(?:no|not|never|without|lack\w*|neither|nor|none)\b)\w+",
}
_CUE = re.compile(_NEG, re.IGNORECASE)
_CUE_WORD = re.compile(r"\b(?:no|not|never|neither|nor|without|cannot|lack\w*|absen\w*)\b|"
                       r"n't\b", re.IGNORECASE)
_HYPOTHETICAL = re.compile(r"\b(?:if|unless|whether)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[,;:(]|" + _BREAK, re.IGNORECASE)
# Where a clause ends, to tell apart the reasons of one sentence: a comma or semicolon, but not
# one before a cause or a relative clause ("no note of surgery, as bracing is otherwise to be
# avoided", "no measures, that show progress"), or a conjunction opening a new negation or a
# new question ("... and no discussion of surgery", "... or whether the visits helped").
_CLAUSE_END = re.compile(
    r"[,;:](?!\s+(?:as|since|because|that|which)\b)|\b(?:and|or|nor|but)\b(?=\s+(?:no|not|"
    r"lack\w*|there|has|have|had|if|whether|how|what|why|indicate|show|document|describe|"
    r"mention|reveal|suggest|demonstrate)\b)|\bnor\b", re.IGNORECASE)
# The conclusion restates the decision and guidelines "not addressing" a request send the
# reviewer elsewhere: neither explains anything.
_CONCLUSION = re.compile(
    r"(?:medical\s+necessity|necessity|the\s+request|this\s+request|it)(?:\s+\w+){0,4}?\s+"
    r"(?:(?:has|have|is|was|were|been|be|can)\s+)*(?:not|n't)\s+(?:been\s+|be\s+)?(?:\w+\s+)?"
    r"(?:established|supported|met|medically|substantiated|necessary|indicated|appropriate)|"
    r"medical\s+necessity(?:\s+\w+){0,4}?\s+(?:is|was|has|have)\s+not\s+(?:been\s+)?\w+|"
    r"not\s+medically\s+(?:necessary|appropriate|indicated)|(?:is|are|was|were)\s+not\s+"
    r"(?:\w+\s+)?indicated|(?:would|is|are|was|were|be)\s+not\s+(?:be\s+)?(?:supported|"
    r"warranted)\b(?!\s+by)|(?:do|does|did)\s+not\s+support\b|" + GUIDELINE_NAMES +
    r"(?:\s+\w+){0,3}?\s+(?:do|does|did)\s+not\s+(?:\w+\s+)?address", re.IGNORECASE)
_STOCK = re.compile(STOCK_REMARK.replace(" ", r"\s+"), re.IGNORECASE)
# The provider's missing reason for the request: a gap of its own beside most reasons.
_RATIONALE = re.compile(r"(?:\S+\s+){0,4}?(?:rationale|explanation|justification)\b",
                        re.IGNORECASE)


def _compile(phrase: str) -> re.Pattern[str]:
    """The phrase as a regular expression, its shorthands expanded."""
    body = phrase
    for shorthand, expansion in _SHORTHANDS.items():
        body = body.replace(shorthand, expansion)
    body = re.sub(r"\[[^\]]*\]| ", lambda m: r"\s+" if m.group() == " " else m.group(), body)
    if phrase[:1].isalpha():
        body = r"\b" + body
    if not phrase.endswith(("*", "+", "\\b")):
        body += r"(?!\w)"
    return re.compile(body, re.IGNORECASE)


def _words_before(sentence: str, start: int, words: re.Pattern[str]) -> bool:
    """Whether one of ``words`` stands among the four words before ``start`` in its clause."""
    before = sentence[max(0, start - 120) : start]
    starts = list(_CLAUSE_START.finditer(before))
    if starts:
        before = before[starts[-1].end() :]
    return bool(words.search(" ".join(before.split()[-4:])))


def matches(sentence: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the phrases are found, as the rules of negation read them (module docstring)."""
    found = []
    for phrase in phrases:
        tail = TAILS.get(phrase)
        if tail is not None and not tail.search(sentence):
            continue
        for match in PATTERNS[phrase].finditer(sentence):
            if _CUE.search(match.group()):
                if not _words_before(sentence, match.start(), _HYPOTHETICAL):
                    found.append(match.span())
            elif not _words_before(sentence, match.start(), _CUE_WORD):
                found.append(match.span())
    return found


def phrase_spans(sentence: str, rules: list[ReasonRule]) -> dict[str, list[tuple[int, int]]]:
    """Each rule's phrase spans in the sentence; a generic rule keeps only unexplained ones.

    A specific phrase in its clause explains a generic one ("no documentation explaining why
    therapy exceeding the guidelines is needed" is about the excess alone), and so does the
    stock remark on exceptional factors. A missing rationale is explained only by a reason
    that covers it (``covers_rationale``). A phrase that overlaps one of a reason it yields to
    is read as that reason alone.
    """
    spans = {rule.code: matches(sentence, rule.phrases) for rule in rules}
    for rule in rules:
        narrower = [span for code in rule.yields_to for span in spans.get(code, [])]
        spans[rule.code] = [span for span in spans[rule.code] if not _overlaps(*span, narrower)]
    stock = [match.span() for match in _STOCK.finditer(sentence)]
    specific = [span for rule in rules if not rule.generic for span in spans[rule.code]] + stock
    covering = [span for rule in rules if rule.covers_rationale
                for span in spans[rule.code]] + stock
    conclusions = [match.span() for match in _CONCLUSION.finditer(sentence)]
    bounds = [0, *(match.start() for match in _CLAUSE_END.finditer(sentence)), len(sentence)]
    for rule in rules:
        if rule.generic:
            spans[rule.code] = [
                (start, end) for start, end in spans[rule.code]
                if not _explained(start, end, bounds,
                                  covering if _RATIONALE.match(sentence, start) else specific)
                and not _overlaps(start, end, conclusions)]
    return spans


def _explained(start: int, end: int, bounds: list[int], spans: list[tuple[int, int]]) -> bool:
    """Whether a span ends in the clause where the generic span at ``start:end`` ends.

    Where a phrase ends is what it is about: the missing thing, the excess.
    """
    first = max(b for b in bounds if b < end) if end else 0
    last = min(b for b in bounds if b >= end)
    return any(first < other_end <= last for _, other_end in spans)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


# Every phrase compiled once, at import: a malformed one fails the first test, not a request.
PATTERNS = {phrase: _compile(phrase) for rule in REASONS
            for phrase in (*rule.phrases, *rule.verdicts, *(p for a in rule.applied for p in a))}
# A phrase "{NEG} ... X" tries the gap at every negation cue, which costs the most; it cannot
# match where X alone does not (after a word boundary, as the gap ends), and one search for X
# rules most sentences out.
TAILS = {phrase: _compile(r"\b" + phrase[len(lead):]) for phrase in PATTERNS
         for lead in ("{NEG} ... ", "{NEG} ~ ") if phrase.startswith(lead)}
