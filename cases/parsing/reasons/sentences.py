"""Sentences of a rationale, and whose words each holds: the case's, a guideline's or the
reviewer's (see the package docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The longest real sentence is under 1,100 characters; longer ones are read up to this length.
MAX_SENTENCE_CHARS = 2_000


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text and where it is there: ``text[start:end]``."""

    text: str
    start: int
    end: int


# Words whose period never ends a sentence, and words whose period does not before a number
# ("p. 12", "No. 3", "Dec. 5"); a single capital ("J. Smith") is an initial.
_ABBREVIATIONS = frozenset({"dr", "drs", "mr", "mrs", "ms", "prof", "vs", "e.g", "i.e", "cf",
                            "approx", "al", "st", "jr", "sr", "fig", "figs", "ref", "dept",
                            "inc", "ltd"})
_BEFORE_NUMBER = frozenset({"no", "nos", "p", "pp", "pg", "pgs", "vol", "ch", "chap", "sec",
                            "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                            "oct", "nov", "dec", "table", "page", "item", "ver"})
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9]|\s*$)|"
                  r"(?<=[\w)]{2})\.(?=[A-Z][a-z])|\n\s*\n")
_WORD_BEFORE = re.compile(r"(?:^|[^A-Za-z.])([A-Za-z][A-Za-z.]*)$")
# "indications: 1. Tumor, 2. Stress fractures", "the following: 1). Skilled care"
_ENUMERATOR = re.compile(r"(?:^|[,;:(]\s*)\(?\d{1,2}\)?$")


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of ``text``, wary of abbreviations ("Dr.", "e.g.", "vs.", "p. 12")."""
    sentences: list[Sentence] = []
    start = 0
    for end in _END.finditer(text):
        if not (end.group().startswith(".") and _continues(text, end.start(), end.end())):
            _add(sentences, text, start, end.end())
            start = end.end()
    _add(sentences, text, start, len(text))
    return tuple(sentences)


def _continues(text: str, period: int, after: int) -> bool:
    """Whether the period at ``period`` belongs to an abbreviation or an enumerator."""
    before = text[max(0, period - 20) : period]
    word = _WORD_BEFORE.search(before)
    if _ENUMERATOR.search(before) or not word:
        return bool(_ENUMERATOR.search(before))
    name = word.group(1).lower().strip(".")
    if name in _ABBREVIATIONS or len(name) == 1 and word.group(1).isupper():
        return True
    return name in _BEFORE_NUMBER and text[after : after + 40].lstrip()[:1].isdigit()


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    if piece.strip():
        begin = start + len(piece) - len(piece.lstrip())
        sentences.append(Sentence(piece.strip(), begin, begin + len(piece.strip())))


# --- Whose words a sentence holds ---------------------------------------------------------------

CASE, OTHER, GUIDELINE = "case", "other", "guideline"
GUIDELINE_NAMES = (r"(?:guidelines?|MTUS|ACOEM|ODG|CPMTG|Official\sDisability|UpToDate|FDA|"
                   r"Medicare|Chronic\sPain\s(?:Medical\s)?Treatment)")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December")
_STRONG = re.compile(
    r"\b(?:patient(?:'s)?|claimant(?:'s)?|injured\sworker|worker(?:'s)?|applicant(?:'s)?|"
    r"employee|IW|he|she|his|him|her|hers|this\scase|here|request(?:ed|s)?|(?:treating|"
    r"requesting|attending|primary|prescribing)\s(?:physician|provider|doctor|clinician)|"
    r"treater|progress\s(?:note|report)|office\svisit|clinic(?:al)?\s(?:note|visit)|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|(?:" + _MONTHS + r")\s\d{1,2},?\s\d{4})\b", re.IGNORECASE)
_WEAK = re.compile(
    r"\b(?:documentation|documented|documents|records?|submitted|provided|noted|for\sreview|met|"
    r"found|revealed|showed|described|notes|chart|file|"
    r"there\s(?:is|was|are|were)\s(?:no|a\slack|lack|little|insufficient)|medical\snecessity)\b",
    re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"\b" + GUIDELINE_NAMES + r"(?:\s[\w(),/-]+){0,6}?\s(?:states?|stated|recommends?|recommended|"
    r"indicates?|notes?|noted|says?|supports?|stipulate\w*|specif\w+|outline\w*|discuss\w*|"
    r"address\w*|require\w*|allow\w*|clarif\w+|advise\w*|suggest\w*|describe\w*|define\w*|"
    r"consider\w*|refer\w*|list\w*|cite\w*|agree\w*|endorse\w*|report\w*|mention\w*|"
    r"encourage\w*|provide\w*|limit\w*|make\w*|do|does)\b|^(?:per|according\sto|as\sper|"
    r"as\snoted\sin|pursuant\sto|regarding|in|under|based\son)\b[^,]*\b" + GUIDELINE_NAMES +
    r"|^recommended\b", re.IGNORECASE)
# "Regarding the request for X, ODG states ...": the request is the topic, the words ODG's.
_TOPIC = re.compile(r"^\s*(?:regarding|with\sregard\sto|as\sfor|in\sregards?\sto)\s+(?:the\s+)?"
                    r"request(?:ed)?\s+(?:for\s+)?[^,]*,", re.IGNORECASE)
# After the case is named, a guideline sentence opening on a connective is the reviewer's.
_CONNECTIVE = re.compile(r"^(?:in\saddition|additionally|also|moreover|furthermore|further|as|"
                         r"since|because|given|therefore|thus|hence|consequently)\b", re.I)
# A rule in general terms ("Functional improvement should be documented") restates a
# criterion; one opening on a condition ("If the patient fails to ...") does even naming "the
# patient".
_CONDITIONAL = re.compile(r"^(?:if|when|unless|in\s(?:cases|patients))\b", re.IGNORECASE)
_CRITERION = re.compile(r"\b(?:may|should|must|might|will|can)\b", re.IGNORECASE)
# "The guidelines do not support X" is the reviewer's reading of them, wherever it stands:
# guideline text never speaks of itself so.
_READING = re.compile(r"^(?:\w+\s){0,2}?(?:the\s)?(?:[\w-]+\s){0,3}?" + GUIDELINE_NAMES +
                      r"\s(?:\w+\s){0,2}?(?:do|does|did|would)\s(?:not|n't)\s(?:\w+\s)?"
                      r"support\b", re.IGNORECASE)
_QUOTE_MARK = re.compile('["\u201c\u201d]')
_MAX_QUOTE_CHARS = 3000


def sentence_kinds(text: str, sentences: tuple[Sentence, ...]) -> list[str]:
    """Whether each sentence is about the case, quotes a guideline, or is the reviewer's."""
    unquoted = list(text)  # quoted words are the guideline's (or a record's)
    for start, end in _quoted_regions(text):
        unquoted[start : end + 1] = " " * (end + 1 - start)
    kinds = []
    seen_case = False
    for sentence in sentences:
        own = _TOPIC.sub("", "".join(unquoted[sentence.start : sentence.end]))
        own = own[:MAX_SENTENCE_CHARS]
        attributed = bool(_ATTRIBUTION.search(sentence.text[:MAX_SENTENCE_CHARS]))
        conditional = bool(_CONDITIONAL.search(own))
        criterion = conditional or bool(_CRITERION.search(own))
        if not conditional and (_STRONG.search(own) or not (attributed or criterion)
                                and _WEAK.search(own)):
            kind = CASE
        elif _READING.search(own):
            kind = OTHER
        elif not own.strip() or criterion or attributed and not (
                seen_case and _CONNECTIVE.search(sentence.text)):
            kind = GUIDELINE
        else:
            kind = OTHER if seen_case else GUIDELINE
        seen_case = seen_case or kind == CASE
        kinds.append(kind)
    return kinds


def _quoted_regions(text: str) -> list[tuple[int, int]]:
    """The spans inside quotation marks, nested ones too; an unclosed quote marks nothing.

    A straight quote opens after a space or an opening bracket and closes elsewhere; a quote
    opened inside another one nests ("... after a "six-visit clinical trial" to see ...").
    """
    regions = []
    opened: list[int] = []
    for match in _QUOTE_MARK.finditer(text):
        position, mark = match.start(), match.group()
        before = text[position - 1] if position else " "
        after = text[position + 1] if position + 1 < len(text) else " "
        opens = mark == "\u201c" or mark == '"' and (before.isspace() or before in "([{/-:;,")
        if opens and not after.isspace():
            opened.append(position)
        elif (mark == "\u201d" or mark == '"' and not opens) and opened:
            start = opened.pop()
            if position - start <= _MAX_QUOTE_CHARS:
                regions.append((start, position))
    return regions


