"""Why a disputed item was decided: reasons read by rule from the reviewer's rationale.

``classify_reasons(rationale, decision)`` splits the rationale into sentences and reads them
against the ``REASONS`` table. Pure: no Django; it never raises. The rules a careful reader
follows, and so do these:

* Quotes are not findings. A *guideline* sentence lies inside quotation marks, has a
  guideline as its speaker ("The MTUS states ...", "Per ODG, ...") without naming this
  patient or request, states a rule ("... should be documented", "If there is ..."), or
  comes before the rationale's first sentence about the case (the quoted preamble). A
  criterion the guideline sets ("recommended with documented functional improvement") is no
  reason; the reviewer's sentence applying it ("there is no documentation of functional
  improvement") is. Phrases are read in *case* sentences (naming the patient, the request,
  the records or the provider) first, then in the reviewer's other sentences; each reason is
  marked on the first sentence of the first of these that gives it.
* Verdicts stand in only when nothing else does. A guideline's flat verdict on a treatment
  ("X is not recommended." with no condition, "there is insufficient evidence ...") gives
  ``not_recommended`` only when no sentence gives any other reason against the request:
  quotes also declare *other* treatments not recommended (a rationale on chiropractic care
  may quote the verdict on manipulation under anaesthesia). The reviewer's own "X is not
  recommended" or "not supported by the guidelines" always counts, except in the closing
  sentence, which sums up. Likewise "is medically necessary" gives ``criteria_met`` only
  when no sentence says which criterion was met.
* Sentences end at ". ", "? " or "! " before a capital or a digit, not after an abbreviation
  ("Dr.", "e.g.", "vs.", "p. 12", "No. 3") or an enumerator ("1. Tumor, 2. Fracture"). The
  parser has already joined the PDF's wrapped lines, so a line end is no sentence end.
* Negation. A phrase with its own negation cue ("no", "lack of", "without", "not
  documented") counts when the cue governs it: in its clause ("but", "however", "although"
  end the scope), with no nearer cue between, and not supposed ("if there is no ...").
  Double negations are read as such: "no failure to improve" is improvement. A phrase with
  no cue of its own ("exceeds the guideline", "improvement is documented") is dropped when a
  negation stands among the four words before it in its clause. So "there is documentation
  of functional improvement" is no reason against, and "the guidelines recommend X" is not
  ``not_recommended``.
* Gating. Reasons against the request count only for an upheld item, ``criteria_met`` only
  for an overturned one; any other decision gets no reason. An overturned item's sentence
  recounting the earlier denial ("the prior request was denied because there was no
  documented improvement, but now improvement is documented") is read for what it affirms:
  ``criteria_met``, from "improvement is documented"; the recounted absence is history. An
  upheld item's recounted denial reasons do count: upholding, the reviewer adopts them.
* Specific before generic: ``insufficient_documentation`` counts only for a phrase that no
  more specific reason in its clause explains ("no documentation of functional improvement"
  is ``no_functional_improvement`` alone), and never for the conclusion ("the medical
  necessity is not shown").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPHELD = "Upheld"
OVERTURNED = "Overturned"
# The longest real rationale is under 6,000 characters and its longest sentence under 1,100;
# longer input is read up to these lengths, which bounds the time any input takes.
MAX_RATIONALE_CHARS = 50_000
MAX_SENTENCE_CHARS = 2_000


@dataclass(frozen=True)
class Reason:
    """One reason for an item's decision, with the rationale sentence that gave it."""

    code: str
    label: str
    sentence: str
    start: int  # rationale[start:end] == sentence
    end: int


@dataclass(frozen=True)
class ReasonRule:
    """A reason, the decision it explains and the phrases that show it (see ``REASONS``)."""

    code: str
    label: str
    decision: str
    phrases: tuple[str, ...]
    verdicts: tuple[str, ...] = ()
    generic: bool = False


# Phrases are case-insensitive regular expressions; a space stands for any whitespace (outside
# [brackets]), and four shorthands keep them readable:
#   {NEG}   a negation cue: "no", "not", "lack of", "without", "failed to", "unclear", ...
#   " ... " a gap of up to 200 characters in the clause, with no nearer negation cue
#   " ~ "   a gap of up to five words in the clause
#   {W}     any word but a negation
# What prior treatment should have brought. "Benefit" after "to" or "would" is a hope, not an
# outcome; bare "efficacy" is as often the literature's ("no evidence of efficacy").
_FI_TARGET = (
    r"(?:(?:objective|functional|significant|measurable|meaningful|sustained|clinical|"
    r"quantif\w+|subjective|documented|any) )*(?:(?<!medical\s)improve\w*|(?<!to\s)(?<!would\s)"
    r"(?<!will\s)benefit\w*|gains?|pain relief|relief (?:with|from)|increased? (?:in )?"
    r"function\w*|(?:decrease|reduction|decreased) in pain|response to (?:the )?(?:prior|"
    r"previous|past|earlier|initial|recent|ongoing|current|therapy|treatment|medications?|"
    r"sessions|visits|injections?|acupuncture|chiropractic|PT)|(?:medication|treatment|drug) "
    r"efficacy|efficacy (?:of|with|from) (?:the )?(?:\w+ )?(?:medication|treatment|therapy|"
    r"prior|previous))")
_NOT_SHOWN = (
    r"(?:(?:is|are|was|were|has|have|had|could|can|did|does|do)(?: been)? (?:not|n't)|cannot) "
    r"(?:be |been )?(?:clearly )?(?:documented|provided|established|noted|indicated|"
    r"demonstrated|reported|evident|quantified|objectified|shown|described|apparent|included|"
    r"specified|stated|submitted|given|mentioned|addressed|outlined|identified|detailed|"
    r"explained|clarified|substantiated|available)")
_EVIDENCE = (
    r"(?:insufficient|little|limited|inconclusive|conflicting|weak|no|lack of|absence of) "
    r"(?:\w+ ){0,2}(?:evidence|literature|data|studies|trials) (?:exists )?(?:to support "
    r"(?:the |its |their )?(?:routine )?use|supporting (?:the |its )?use|for (?:the |its )?"
    r"(?:use|efficacy|effectiveness|benefit)|to (?:determine|establish) (?:the |its )?"
    r"(?:efficacy|effectiveness)|of (?:its )?(?:efficacy|effectiveness)|(?:that|showing) "
    r"(?:\w+ ){0,8}(?:effective|efficacious|superior|beneficial))",
    r"evidence (?:\w+ ){0,2}(?:does|do) not support (?:the )?(?:effectiveness|efficacy|use)",
    r"(?:no|insufficient|little) (?:\w+ )?evidence to recommend",
    r"insufficient evidence exists",
    r"lack of (?:sufficient )?(?:literature|scientific|published) evidence",
    r"(?:is|are|remains?|considered|largely) (?:\w+ )?(?:experimental|investigational|"
    r"questionable)",
    r"not FDA[- ]approved",
)
# A non-recommendation with a condition ("not recommended for longer than 3 weeks", "... as a
# primary treatment", "routine use is not recommended") is a criterion, not a verdict; "if",
# "but" and their kind make one only after it.
_FLAT = (r"^(?!.*\b(?:beyond|longer|more than|routine\w*|primary|first[- ]line|prior to|before|"
         r"after|absence|in patients|for patients|over|sole|alone|initial|long[- ]?term|"
         r"longterm|prolonged|chronic use|extended|ongoing|continued)\b)(?!.*\bnot (?:\w+ )?"
         r"recommend\w*\b.*\b(?:unless|except|until|if|when|without|but)\b).*\b")
_CLOSING = (r"^(?!(?:therefore|thus|hence|as such|consequently|accordingly|under these "
            r"circumstances|based on|for these reasons|in summary)\b).*?\b")

REASONS: tuple[ReasonRule, ...] = (
    ReasonRule("no_functional_improvement", "No documented functional improvement", UPHELD, (
        r"{NEG} ... " + _FI_TARGET,
        r"(?:" + _FI_TARGET + r"|efficacy|effectiveness) ~ " + _NOT_SHOWN,
        r"(?:has|have|had|did|does|do|is|was|were) (?:not|n't) (?:yet )?(?:\w+ )?(?:improved|"
        r"improving|helped|alleviated|relieved|changed)",
        r"(?:which|that) (?:were|was|have|has|had) not (?:been )?(?:beneficial|helpful|"
        r"effective)",
        r"argu\w+ against ... improvement",
    )),
    ReasonRule("exceeds_guideline_quantity",
               "Exceeds the guideline's quantity, frequency or duration", UPHELD, (
        r"exceed\w*",
        r"in excess of",
        r"(?:is|are|was|were|be|being|seems?|appears?) (?:{W} )?excessive",
        r"excessive (?:number|quantity|amount|duration|frequency|supply|refills?|sessions?|"
        r"visits?)",
        r"beyond (?:the )?(?:recommended|guideline|initial|maximum|allowed)",
        r"more than (?:the )?(?:recommended|guideline|allowed|maximum)",
        r"for longer than",
        r"(?:long[- ]?term|longterm|prolonged|chronic|ongoing|continued|extended|further) "
        r"(?:use|usage) (?:\w+ ){0,3}?(?:is|are|was|were|would|will|be|been) (?:not|n't) "
        r"(?:be )?(?:recommended|supported|indicated|warranted|appropriate)",
        r"limits? (?:the )?(?:use|usage|duration|treatment) to",
    )),
    ReasonRule("not_recommended",
               "Not recommended by the guideline for this condition (or insufficient evidence)",
               UPHELD, (
        _CLOSING + r"not (?:\w+ )?(?:recommended|supported|endorsed|indicated) (?:by|per|in|"
        r"under) (?:the )?(?:\w+ ){0,3}(?:guidelines?|MTUS|ODG|ACOEM)",
        r"(?:guidelines?|MTUS|ODG|ACOEM)(?: \w+){0,2} (?:do|does|did) (?:not|n't) (?:\w+ )?"
        r"(?:recommend|support|endorse)",
        r"not (?:in accordance|consistent|compliant) with",
        # "Nothing on file justifies going outside the guidelines" is one reason, not two.
        r"(?:{NEG} ... )?outside (?:of )?(?:the )?(?:\w+ )?guidelines?",
        r"(?:non|not)[- ](?:guideline|evidence)[- ](?:supported|recommended|based)",
        r"(?:its|their) (?:use|usage) (?:is|was|would) not (?:be )?(?:supported|recommended)",
        r"contains (?:\w+ ){0,8}?(?:that|which) (?:is|are) not recommended",
        # The reviewer's flat "X is not recommended", when X is what was asked for ...
        _FLAT + r"(?:request\w*|it|its use|in question|(?:this|the) (?:\w+ )?(?:medication|"
        r"treatment|procedure|modality|device|therapy|study|service|product)),? (?:\w+ ){0,3}?"
        r"(?:is|are|was|were|be)(?: also| generally| currently| deemed| considered)? "
        r"[\"\u201c]?not (?:\w+ )?recommended\b",
        # ... or a guideline's, brought in as the reviewer's argument.
        _FLAT + r"(?:in addition|additionally|also|further(?:more)?|moreover)\b.*\bnot "
        r"(?:\w+ )?recommended\b",
        *_EVIDENCE,
    ), verdicts=(
        _FLAT + r"(?:not (?:\w+ )?recommended|(?:do|does) not recommend)\b",
        *_EVIDENCE,
    )),
    ReasonRule("conservative_care", "Conservative care not tried or its failure not documented",
               UPHELD, (
        r"{NEG} ... (?:conservative|first[- ]line|less invasive|non-?operative|non-?surgical)",
        r"{NEG} ... (?:failure|failed|fail|trial|tried|attempt\w*|exhaust\w*|unresponsive) "
        r"(?:[\w-]+ ){0,4}(?:therap\w*|treatments?|care|medications?|PT|NSAIDs?|injections?|"
        r"antidepressants?|anticonvulsants?|muscle relaxants?|exercises?|modalities|measures)",
        r"{NEG} ... (?:intoleran\w*|unable to (?:take|tolerate|use|swallow)|contraindicat\w*) "
        r"(?:\w+ ){0,3}(?:oral|first[- ]line|NSAIDs?|medications?)",
        r"not (?:yet )?(?:failed|exhausted|tried|completed) ... (?:conservative|therap\w*|"
        r"treatments?|care)",
        r"(?:prior to|before) (?:the )?(?:completion|completing|a trial|trying|exhausting)",
        r"yet to be (?:completed|tried|attempted)",
    )),
    ReasonRule("monitoring_missing",
               "Required monitoring missing (urine drug screen, CURES, opioid agreement, "
               "pain assessment)", UPHELD, (
        r"{NEG} ... (?:urine (?:drug |toxicology )?(?:screen|test)\w*|UDS|UDT|drug (?:screen|"
        r"test)\w*|toxicology|CURES|PDMP|prescription (?:drug )?monitoring|(?:opioid|pain|"
        r"narcotic|medication) (?:agreement|contract)|pain assessment|(?:abuse|addiction|misuse|"
        r"opioid) risk assessment|(?:four|4) A'?s|aberrant|side effects|monitor\w* (?:for|of) "
        r"(?:\w+ ){0,3}(?:adverse|aberrant|side|compliance|misuse|abuse|diversion))",
    )),
    ReasonRule("insufficient_documentation", "Objective findings or documentation insufficient",
               UPHELD, (
        r"{NEG} ~ (?:documentation|documented|evidence|indication|mention|discussion|findings?|"
        r"signs?|symptoms?|complaints?|rationale|explanation|information|details?|"
        r"justification|specif\w*|clarif\w*|deficits?|red[- ]?flags?|radiculopathy|radicular|"
        r"neurolog\w*|nerve|instability|abnormal\w*|objective|exam\w*|candidate|diagnos\w*|"
        r"indicates?|indicating|studies|imaging|MRI|tests?|testing|x-?rays?|document\w*|"
        r"reveal\w*|show\w*|stat\w*|suggest\w*|establish\w*|substantiat\w*|clear(?:ly)?|"
        r"outlined?|address\w*|describ\w*|detail\w*|reasons?|meet|satisfy)",
        _NOT_SHOWN,
        r"(?:not|un)clear(?:ly)? (?:\w+ )?(?:what|why|how|if|whether|as to|of|when)",
        r"vague|ambiguous|open to interpretation",
        r"criteria ~ (?:not|n't) (?:been |having been )?(?:met|satisfied)",
    ), generic=True),
    ReasonRule("criteria_met", "Criteria met", OVERTURNED, (
        r"criteria ~ (?:are|is|have been|has been|were|was|being) (?:{W} )?(?:met|satisfied|"
        r"fulfilled)",
        r"(?:meets?|met|satisf(?:y|ies|ied)|fulfill?s?) (?:{W} ){0,4}(?:criteria|guidelines?|"
        r"recommendations?|requirements?)",
        r"(?:supported|recommended|indicated) (?:by|per|under) (?:the )?(?:{W} ){0,3}"
        r"(?:guidelines?|MTUS|ODG|ACOEM)",
        r"(?:guidelines?|MTUS|ODG|ACOEM) (?:{W} )?(?:supports?|recommends?|allows?)",
        r"documented (?:objective )?(?:functional )?improvement",
        r"improvement (?:{W} ){0,3}(?:is|was|has been|have been|had been) (?:{W} )?documented",
        r"(?:reported|showed|shown|demonstrated|noted|documented|has had|had|with|from) "
        r"(?:{W} ){0,3}(?:benefit|improvement|relief|progress)",
        r"(?:evidence|indication|documentation|findings?|signs?) of (?:{W} ){0,4}"
        r"(?:radiculopathy|neurologic\w*|nerve|red[- ]flags?|instability|fracture|tear|"
        r"deficits?|dysfunction|pathology)",
        r"(?:is|are|was|were|be|been) (?:also |therefore |thus |now |clearly |considered |"
        r"deemed |felt |found )?(?:indicated|supported|warranted|reasonable|appropriate|"
        r"justified)",
    ), verdicts=(
        r"medically (?:necessary|appropriate|reasonable|indicated)",
        r"medical necessity (?:{W} ){0,3}established",
        r"revers\w+ the (?:prior|previous|UR|utilization)",
        r"^yes\b",
    )),
)


def classify_reasons(rationale: str, decision: str) -> tuple[Reason, ...]:
    """The reasons the rationale gives for the decision, in ``REASONS`` order, each once."""
    side = UPHELD if _starts(decision, "upheld") else OVERTURNED if _starts(
        decision, "overturned") else None
    if side is None or not isinstance(rationale, str):
        return ()
    text = rationale[:MAX_RATIONALE_CHARS]
    sentences = split_sentences(text)
    rules = [rule for rule in REASONS if rule.decision == side]
    kinds = _kinds(text, sentences)
    read = [n for n, kind in enumerate(kinds) if kind == _CASE] + [
        n for n, kind in enumerate(kinds) if kind == _OTHER]
    spans = {n: _phrase_spans(sentences[n].text[:MAX_SENTENCE_CHARS], rules) for n in read}
    chosen = {rule.code: found for rule in rules
              if (found := next((n for n in read if spans[n][rule.code]), None)) is not None}
    if not chosen:  # a bare verdict stands in only when no sentence says more
        chosen = {rule.code: found for rule in rules if (found := next(
            (n for n, sentence in enumerate(sentences) if any(
                _PATTERNS[verdict].search(sentence.text[:MAX_SENTENCE_CHARS])
                for verdict in rule.verdicts)), None)) is not None}
    return tuple(Reason(rule.code, rule.label, sentences[n].text, sentences[n].start,
                        sentences[n].end)
                 for rule in rules if (n := chosen.get(rule.code)) is not None)


def _starts(value: object, word: str) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(word)


# --- Phrases ------------------------------------------------------------------------------------

_GUIDELINE = (r"(?:guidelines?|MTUS|ACOEM|ODG|CPMTG|Official\sDisability|UpToDate|FDA|Medicare|"
              r"Chronic\sPain\s(?:Medical\s)?Treatment)")
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
# Where a clause ends, to tell apart the reasons of one sentence: a comma or semicolon, or a
# conjunction opening a new negation ("... and no discussion of surgery").
_CLAUSE_END = re.compile(r"[,;:]|\b(?:and|or|nor|but)\b(?=\s+(?:no|not|lack\w*|there|has|have|"
                         r"had)\b)|\bnor\b", re.IGNORECASE)
# The conclusion restates the decision and guidelines "not addressing" a request send the
# reviewer elsewhere: neither explains anything.
_CONCLUSION = re.compile(
    r"(?:medical\s+necessity|necessity|the\s+request|this\s+request|it)(?:\s+\w+){0,4}?\s+"
    r"(?:(?:has|have|is|was|were|been|be|can)\s+)*(?:not|n't)\s+(?:been\s+|be\s+)?(?:\w+\s+)?"
    r"(?:established|supported|met|medically|substantiated|necessary|indicated|appropriate)|"
    r"medical\s+necessity(?:\s+\w+){0,4}?\s+(?:is|was|has|have)\s+not\s+(?:been\s+)?\w+|"
    r"not\s+medically\s+(?:necessary|appropriate|indicated)|(?:is|are|was|were)\s+not\s+"
    r"(?:\w+\s+)?indicated|(?:would|is|are|was|were|be)\s+not\s+(?:be\s+)?(?:supported|"
    r"warranted)\b(?!\s+by)|(?:do|does|did)\s+not\s+support\b|" + _GUIDELINE +
    r"(?:\s+\w+){0,3}?\s+(?:do|does|did)\s+not\s+(?:\w+\s+)?address", re.IGNORECASE)


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


def _matches(sentence: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the phrases are found, as the rules of negation read them (module docstring)."""
    found = []
    for phrase in phrases:
        for match in _PATTERNS[phrase].finditer(sentence):
            if _CUE.search(match.group()):
                if not _words_before(sentence, match.start(), _HYPOTHETICAL):
                    found.append(match.span())
            elif not _words_before(sentence, match.start(), _CUE_WORD):
                found.append(match.span())
    return found


def _phrase_spans(sentence: str, rules: list[ReasonRule]) -> dict[str, list[tuple[int, int]]]:
    """Each rule's phrase spans in the sentence; a generic rule keeps only unexplained ones.

    A specific phrase in its clause explains a generic one ("no documentation explaining why
    therapy exceeding the guidelines is needed" is about the excess alone).
    """
    spans = {rule.code: _matches(sentence, rule.phrases) for rule in rules}
    specific = [span for rule in rules if not rule.generic for span in spans[rule.code]]
    conclusions = [match.span() for match in _CONCLUSION.finditer(sentence)]
    bounds = [0, *(match.start() for match in _CLAUSE_END.finditer(sentence)), len(sentence)]
    for rule in rules:
        if rule.generic:
            spans[rule.code] = [
                (start, end) for start, end in spans[rule.code]
                if not _overlaps(max(b for b in bounds if b <= start),
                                 min(b for b in bounds if b >= end), specific)
                and not _overlaps(start, end, conclusions)]
    return spans


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


# --- Sentences ----------------------------------------------------------------------------------

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

_CASE, _OTHER, _GUIDELINE_KIND = "case", "other", "guideline"
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
    r"\b" + _GUIDELINE + r"(?:\s[\w(),/-]+){0,6}?\s(?:states?|stated|recommends?|recommended|"
    r"indicates?|notes?|noted|says?|supports?|stipulate\w*|specif\w+|outline\w*|discuss\w*|"
    r"address\w*|require\w*|allow\w*|clarif\w+|advise\w*|suggest\w*|describe\w*|define\w*|"
    r"consider\w*|refer\w*|list\w*|cite\w*|agree\w*|endorse\w*|report\w*|mention\w*|"
    r"encourage\w*|provide\w*|limit\w*|make\w*|do|does)\b|^(?:per|according\sto|as\sper|"
    r"as\snoted\sin|pursuant\sto|regarding|in|under|based\son)\b[^,]*\b" + _GUIDELINE +
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
_QUOTE_MARK = re.compile('["\u201c\u201d]')
_MAX_QUOTE_CHARS = 3000


def _kinds(text: str, sentences: tuple[Sentence, ...]) -> list[str]:
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
            kind = _CASE
        elif not own.strip() or criterion or attributed and not (
                seen_case and _CONNECTIVE.search(sentence.text)):
            kind = _GUIDELINE_KIND
        else:
            kind = _OTHER if seen_case else _GUIDELINE_KIND
        seen_case = seen_case or kind == _CASE
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


# Every phrase compiled once, at import: a malformed one fails the first test, not a request.
_PATTERNS = {phrase: _compile(phrase) for rule in REASONS
             for phrase in (*rule.phrases, *rule.verdicts)}
