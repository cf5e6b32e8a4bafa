"""Why a disputed item was decided: reasons read by rule from the reviewer's rationale.

``classify_reasons(rationale, decision)`` splits the rationale into sentences and reads them
against the ``REASONS`` table. Pure: no Django; it never raises. The rules a careful reader
follows, and so do these:

* Quotes are not findings. A *guideline* sentence lies inside quotation marks, has a
  guideline as its speaker ("The MTUS states ...", "Per ODG, ...") without naming this
  patient or request, states a rule ("... should be documented", "If there is ..."), or
  comes before the rationale's first sentence about the case (the quoted preamble); but
  "the guidelines do not support X" is the reviewer's reading wherever it stands. A
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
  more specific reason ending in its clause explains ("no documentation of functional
  improvement" is ``no_functional_improvement`` alone), nor the stock remark that no
  exceptional factors justify going past the guideline, and never for the conclusion ("the
  medical necessity is not shown"). The provider's missing rationale is a gap of its own
  beside any reason but the excess over the guideline ("no rationale for visits beyond the
  guideline" is the excess alone).
* Narrower readings. Where a drug is asked for before the first-line drugs were tried or
  shown not to be tolerated, the gap is ``not_recommended`` (the drug is not first-line), not
  ``conservative_care``, which is care without drugs tried before a test, an injection,
  surgery or a device. "Continued treatment outside the guidelines" is the excess
  (``exceeds_guideline_quantity``), not a treatment the guidelines reject. A drug for a
  condition the patient is not shown to have, one with the weakest evidence of its class or
  "no benefit over" a first-line drug, and an imaging method asked for over the one the
  guideline prefers are ``not_recommended``; "no benefit over NSAIDs" compares drugs and
  says nothing of the patient's own benefit.
* Limits applied. A guideline's limit on a drug's duration ("short-term use", "not for longer
  than 3 weeks") recited anywhere is the excess when a case sentence shows the patient's use
  already past it ("has been on it for six months"); recited alone, it is no reason.

The split of the work: ``table`` holds the reasons and their phrases, ``phrases`` reads the
phrases in a sentence as negation and clauses allow, ``sentences`` splits the rationale and
tells whose words each sentence holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from cases.parsing.reasons.phrases import PATTERNS, matches, phrase_spans
from cases.parsing.reasons.sentences import (
    CASE,
    MAX_SENTENCE_CHARS,
    OTHER,
    Sentence,
    sentence_kinds,
    split_sentences,
)
from cases.parsing.reasons.table import OVERTURNED, REASONS, UPHELD, Reason, ReasonRule

__all__ = ["OVERTURNED", "REASONS", "UPHELD", "Reason", "ReasonRule", "Sentence",
           "classify_reasons", "split_sentences"]

# The longest real rationale is under 6,000 characters; longer input is read up to this
# length, which bounds the time any input takes.
MAX_RATIONALE_CHARS = 50_000
# A sentence's phrases do not depend on the letter around it, and reviewers quote the same
# guideline passages in letter after letter: a quarter of the real letters' sentence text
# repeats within 147 letters, more in an archive. The spans of this many sentences are kept.
SENTENCES_KEPT = 20_000


def classify_reasons(rationale: str, decision: str) -> tuple[Reason, ...]:
    """The reasons the rationale gives for the decision, in ``REASONS`` order, each once."""
    side = UPHELD if _starts(decision, "upheld") else OVERTURNED if _starts(
        decision, "overturned") else None
    if side is None or not isinstance(rationale, str):
        return ()
    text = rationale[:MAX_RATIONALE_CHARS]
    sentences = split_sentences(text)
    rules = [rule for rule in REASONS if rule.decision == side]
    kinds = sentence_kinds(text, sentences)
    read = [n for n, kind in enumerate(kinds) if kind == CASE] + [
        n for n, kind in enumerate(kinds) if kind == OTHER]
    spans = {n: _sentence_spans(sentences[n].text[:MAX_SENTENCE_CHARS], side) for n in read}
    chosen = {rule.code: found for rule in rules
              if (found := next((n for n in read if spans[n][rule.code]), None)) is not None}
    for rule in rules:
        if rule.code not in chosen and (found := _applied(rule, sentences, kinds)) is not None:
            chosen[rule.code] = found
    if not chosen:  # a bare verdict stands in only when no sentence says more
        chosen = {rule.code: found for rule in rules if (found := next(
            (n for n, sentence in enumerate(sentences) if any(
                PATTERNS[verdict].search(sentence.text[:MAX_SENTENCE_CHARS])
                for verdict in rule.verdicts)), None)) is not None}
    return tuple(Reason(rule.code, rule.label, sentences[n].text, sentences[n].start,
                        sentences[n].end)
                 for rule in rules if (n := chosen.get(rule.code)) is not None)


@lru_cache(maxsize=SENTENCES_KEPT)
def _sentence_spans(sentence: str, side: str) -> Mapping[str, list[tuple[int, int]]]:
    """The phrase spans of one side's rules in a sentence (read only: it is shared)."""
    return MappingProxyType(phrase_spans(sentence, [r for r in REASONS if r.decision == side]))


def _applied(rule: ReasonRule, sentences: tuple[Sentence, ...], kinds: list[str]) -> int | None:
    """The case sentence that shows the patient past a limit another sentence recites."""
    for limit, use in rule.applied:
        if any(matches(sentence.text[:MAX_SENTENCE_CHARS], (limit,)) for sentence in sentences):
            return next((n for n, sentence in enumerate(sentences) if kinds[n] == CASE
                         and matches(sentence.text[:MAX_SENTENCE_CHARS], (use,))), None)
    return None


def _starts(value: object, word: str) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(word)


