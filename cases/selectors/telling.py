"""What tells the neighbours of a request apart: the words and phrases that occur much more
often in the rationales of the overturned items than in those of the upheld ones, and the
reverse ("cases like mine", beside the outcome split of ``LikeRequest.query``).

Terms are scored by the weighted log-odds ratio with an informative Dirichlet prior of
Monroe, Colaresi & Quinn, "Fightin' Words" (Political Analysis 16(4), 2008), section 3.5:
a z-score per term that shrinks rare terms towards the common rate, so a word seen in two
letters cannot outrank one seen in forty. A term is counted once per item (in how many
rationales it occurs, not how often): one long rationale that repeats a phrase ten times is
one reviewer saying it once.

``compare_rationales`` is pure (texts in, terms out); ``telling_terms`` reads the items a
search matches; ``term_query`` is the search that shows the items using one term.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain

from cases.models import Decision, DisputedItem
from cases.search.base import SearchQuery
from cases.selectors.export_rows import CHUNK_SIZE, find_items

Z_THRESHOLD = 1.96  # two-sided 5 %: each term is its own test, so read it as a ranking
MIN_ITEMS = 3  # a term fewer items use is one reviewer's habit, not a pattern
TOP = 8  # terms shown on each side
# The newest items whose rationales are read: at 100,000 letters 2,000 took a second and
# more per request; 500 give the common terms' rates within a few points.
LIMIT_ITEMS = 500
# A term in more than this share of the items of *both* sides is the letters' boilerplate:
# it says nothing about either. A term common on one side only is kept: that is the signal.
BOILERPLATE_SHARE = 0.6
# The prior's total weight, as a share of the counts compared. The paper's prior is the
# pooled counts themselves (1); on neighbour sets of tens of items split unevenly it swamps
# the smaller side: a term in 3 of 5 overturned items and none of 77 upheld ones (Fisher's
# exact p = 0.0001) scores 1.8. A fifth ranks terms much as Fisher's test does on such sets,
# without the inversion of lighter priors (a term absent from one side scoring below one
# that is merely rarer there).
PRIOR_WEIGHT = 0.2
# A shorter term is dropped for a longer one containing it when the longer one accounts for
# at least this share of the shorter one's items on that side ("functional improvement"
# carries the signal, not "functional" and "improvement" apart).
PHRASE_COVER = 2 / 3
# A term used by nearly the same items as a stronger one (this share of the items either
# uses) is the same passage again: the overlapping phrases of one sentence, or of one
# guideline the letters quote.
SAME_PASSAGE = 0.8
LONGEST_TERM = 3  # words (and a negation before them): "range of motion", "no urine drug screen"

# A compact English stopword list: never a term alone, never the first or last word of a
# phrase (a phrase may have one inside: "range of motion").
_STOPWORDS = """
    a about above after again against all already also although am an and any are as at be
    because been before being below between both but by can could did do does doing down
    during each either etc even few for from further had has have having he hence her here
    hers him his how however i if in into is it its itself just may me might more most much
    must my neither no nor not now of off on once only or other our out over own per same
    she should since so some still such than that the their theirs them then there
    therefore these they this those though through thus to too under until up upon very
    was we were what when where whether which while who whom why will with within without
    would yet you your
"""
STOPWORDS = frozenset(_STOPWORDS.split())
# … except that a phrase may start with a negation, which does not count towards its length:
# "no documented", "without improvement", "no urine drug screen".
NEGATIONS = frozenset({"no", "not", "without"})

# The letters' own formula: the verdict in its words, the guidelines by name, the ways of
# naming the patient. Each says which side an item is on, or nothing; they are cut out
# before terms are counted, so no phrase runs across them ("the patient has" is no phrase).
FORMULA = tuple(phrase.split() for phrase in (
    "medically necessary", "medical necessity", "medically", "necessary", "necessity",
    "request", "requests", "requested", "requesting",
    "recommended", "recommend", "recommends", "recommendation", "recommendations",
    "certified", "non-certified", "certify", "certification", "approved", "approve",
    "upheld", "uphold", "overturned", "overturn", "denial", "denied", "deny",
    "supported", "indicated", "warranted", "appropriate",
    "guideline", "guidelines", "mtus", "ca mtus", "odg", "acoem",
    "official disability guidelines", "chronic pain medical treatment guidelines",
    "patient", "patients", "injured worker", "injured employee", "worker", "employee",
    "claimant", "applicant", "reviewer",
))
_FORMULA_LENGTHS = sorted({len(words) for words in FORMULA}, reverse=True)
_FORMULA = frozenset(tuple(words) for words in FORMULA)
_FORMULA_FIRST = frozenset(words[0] for words in FORMULA)

# Words as the search index reads them (``whoosh_backend.analysis.WORD``): a compound such
# as "non-operative" stays whole, so a phrase found here is a phrase the search can find.
_WORD = re.compile(r"§?\w+(?:[-./]\w+)*")
_PLAIN = re.compile(r"[a-z]{2,}(?:-[a-z]{2,})*")  # numbers, doses, dates, "e.g": no terms


@dataclass(frozen=True)
class Term:
    """One word or phrase, how strongly it leans to a side, and how many items use it."""

    text: str
    z: float  # above 0: overturned; below 0: upheld
    overturned_items: int
    upheld_items: int


@dataclass(frozen=True)
class TellingTerms:
    """The terms that lean to each side, strongest first, and the items they came from."""

    overturned: tuple[Term, ...] = ()
    upheld: tuple[Term, ...] = ()
    items: tuple[int, int] = (0, 0)  # (overturned, upheld) items compared
    limited: bool = False  # more items matched than were read: the newest were


def _runs(rationale: str) -> Iterator[list[str]]:
    """The runs of words a phrase may span, lowercased: punctuation or a number ends one
    ("improvement. The" is no phrase)."""
    text = rationale.lower()
    plain = _PLAIN.fullmatch
    run: list[str] = []
    end = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        if plain(word):
            if run and start > end and not text[end:start].isspace():
                yield run
                run = []
            run.append(word)
        elif run:
            yield run
            run = []
        end = match.end()
    if run:
        yield run


def _without_formula(run: list[str]) -> Iterator[list[str]]:
    """The parts of a run left when the formula words and phrases are cut out."""
    if _FORMULA_FIRST.isdisjoint(run):
        yield run
        return
    part: list[str] = []
    i = 0
    while i < len(run):
        length = 0
        if run[i] in _FORMULA_FIRST:
            length = next((n for n in _FORMULA_LENGTHS if tuple(run[i:i + n]) in _FORMULA), 0)
        if length:
            if part:
                yield part
            part, i = [], i + length
        else:
            part.append(run[i])
            i += 1
    if part:
        yield part


def item_terms(rationale: str) -> set[str]:
    """The terms of one rationale, each once, lowercased: a word that is not a stopword, or a
    phrase of up to ``LONGEST_TERM`` words that neither starts nor ends with one, save that it
    may start with a negation, which adds one word ("no urine drug screen"); the formula and
    the numbers left out. It runs on every rationale a request's neighbours have, so it
    reads each word's stopword test once rather than once per phrase."""
    terms: set[str] = set()
    add = terms.add
    for run in _runs(rationale):
        for part in _without_formula(run):
            stop = [word in STOPWORDS for word in part]
            opens = [not stopword or word in NEGATIONS
                     for word, stopword in zip(part, stop, strict=True)]
            for end, word in enumerate(part):
                if stop[end]:
                    continue
                add(word)
                for start in range(max(0, end - LONGEST_TERM), end):
                    if (part[start] in NEGATIONS if end - start >= LONGEST_TERM
                            else opens[start]):
                        add(" ".join(part[start:end + 1]))
    return terms


def _prefer_phrases(terms: list[Term], side: Mapping[str, int]) -> list[Term]:
    """The terms less those a longer term of the same side carries the signal of: it
    accounts for ``PHRASE_COVER`` of their items there (``side``: items per term)."""
    texts = {term.text for term in terms}
    carried = set()
    for term in terms:
        words = term.text.split()
        for n in range(1, len(words)):
            for start in range(len(words) - n + 1):
                part = " ".join(words[start:start + n])
                if part in texts and side[term.text] >= PHRASE_COVER * side[part]:
                    carried.add(part)
    return [term for term in terms if term.text not in carried]


def _distinct(terms: list[Term], used: Sequence[set[str]], top: int) -> tuple[Term, ...]:
    """The first ``top`` of ``terms`` (strongest first) that are not used by nearly the same
    items of their side (``used``: the terms of each item) as a term kept before them."""
    users: dict[str, set[int]] = {term.text: set() for term in terms}
    for i, terms_of_item in enumerate(used):
        for text in terms_of_item & users.keys():
            users[text].add(i)
    kept: list[Term] = []
    for term in terms:
        mine = users[term.text]
        if not any(len(mine & users[other.text]) >= SAME_PASSAGE * len(mine | users[other.text])
                   for other in kept):
            kept.append(term)
            if len(kept) == top:
                break
    return tuple(kept)


def compare_rationales(overturned: Sequence[str], upheld: Sequence[str], *,
                       background: Mapping[str, float] | None = None,
                       threshold: float = Z_THRESHOLD, min_items: int = MIN_ITEMS,
                       top: int = TOP, boilerplate: float = BOILERPLATE_SHARE,
                       prior_weight: float = PRIOR_WEIGHT) -> TellingTerms:
    """The terms that tell the overturned rationales from the upheld ones, each way.

    For each term w with y_o and y_u items using it on each side (n_o and n_u the totals
    of those counts over all terms), and a prior a_w = a_0 * share of w (``background``'s
    counts if given, else the pooled y_o + y_u; a_0 = ``prior_weight`` * (n_o + n_u)):

        delta = log((y_o + a_w) / (n_o + a_0 - y_o - a_w))
              - log((y_u + a_w) / (n_u + a_0 - y_u - a_w))
        z = delta / sqrt(1 / (y_o + a_w) + 1 / (y_u + a_w))

    Kept: |z| > ``threshold``, y_o + y_u >= ``min_items``, not in more than
    ``boilerplate`` of the items of both sides; a term a longer one carries is dropped for
    it, and so is one used by nearly the same items as a stronger one; then the ``top`` of
    each side by |z|. Nothing when a side has no items.
    """
    sizes = (len(overturned), len(upheld))
    if not overturned or not upheld:
        return TellingTerms(items=sizes)
    over_items = [item_terms(rationale) for rationale in overturned]
    up_items = [item_terms(rationale) for rationale in upheld]
    over = Counter(chain.from_iterable(over_items))
    up = Counter(chain.from_iterable(up_items))
    pooled = over + up
    n_over, n_up = sum(over.values()), sum(up.values())
    if not n_over or not n_up:
        return TellingTerms(items=sizes)
    prior_total = prior_weight * (n_over + n_up)
    if background:
        # Half a count for a term the background never saw: its prior is small, not zero.
        known = sum(background.values()) + 0.5 * sum(1 for w in pooled if w not in background)
        share = {w: background.get(w, 0.5) / known for w in pooled}
    else:
        share = {w: count / (n_over + n_up) for w, count in pooled.items()}
    leaning: list[Term] = []
    for w, count in pooled.items():
        y_o, y_u = over[w], up[w]
        if count < min_items or (y_o > boilerplate * sizes[0] and y_u > boilerplate * sizes[1]):
            continue
        a = prior_total * share[w]
        delta = (math.log((y_o + a) / (n_over + prior_total - y_o - a))
                 - math.log((y_u + a) / (n_up + prior_total - y_u - a)))
        z = delta / math.sqrt(1 / (y_o + a) + 1 / (y_u + a))
        if abs(z) > threshold:
            leaning.append(Term(w, z, y_o, y_u))
    sides = []
    for counts, items, sign in ((over, over_items, 1), (up, up_items, -1)):
        terms = _prefer_phrases([t for t in leaning if t.z * sign > 0], counts)
        terms.sort(key=lambda t: (-abs(t.z), -t.text.count(" "), t.text))
        sides.append(_distinct(terms, items, top))
    return TellingTerms(overturned=sides[0], upheld=sides[1], items=sizes)


def _matching_rationales(query: SearchQuery, limit_items: int,
                         ) -> tuple[list[str], list[str], bool]:
    """The rationales of the overturned and of the upheld items ``query`` matches, the
    newest letters' first, at most ``limit_items`` in all; and whether more matched."""
    matched = find_items(replace(query, sort="newest"))
    sides: dict[str, list[str]] = {Decision.OVERTURNED.value: [], Decision.UPHELD.value: []}
    read = 0
    for start in range(0, len(matched), CHUNK_SIZE):
        chunk = matched[start:start + CHUNK_SIZE]
        items: dict[str, list[tuple[int, str, str]]] = {}
        for public_id, position, decision, rationale in (
                DisputedItem.objects.filter(determination__public_id__in=[i for i, _ in chunk])
                .values_list("determination__public_id", "position", "decision", "rationale")):
            items.setdefault(public_id, []).append((position, decision, rationale))
        for public_id, positions in chunk:
            for position, decision, rationale in sorted(items.get(public_id, ())):
                if decision not in sides or (positions is not None and position not in positions):
                    continue
                if read == limit_items:
                    return sides[Decision.OVERTURNED.value], sides[Decision.UPHELD.value], True
                sides[decision].append(rationale)
                read += 1
    return sides[Decision.OVERTURNED.value], sides[Decision.UPHELD.value], False


def telling_terms(query: SearchQuery, *, limit_items: int = LIMIT_ITEMS) -> TellingTerms:
    """What tells the overturned items ``query`` matches from its upheld ones (the items
    meeting its item-level conditions, or every item of its letters when it has none); at
    most ``limit_items`` are read, the newest letters' first."""
    overturned, upheld, limited = _matching_rationales(query, limit_items)
    return replace(compare_rationales(overturned, upheld), limited=limited)


def term_query(query: SearchQuery, term: str, decision: str | None = None) -> SearchQuery:
    """``query`` narrowed to the letters whose rationales use ``term`` (a quoted phrase in
    the rationale field, with the query's own text by AND), and to the items of
    ``decision`` when given (it replaces the query's own choice of decisions)."""
    phrase = f'rationale:"{" ".join(term.replace(chr(34), " ").split())}"'
    text = query.text.strip()
    filters = dict(query.filters)
    if decision:
        filters["decision"] = (decision,)
    return replace(query, text=f"({text}) AND {phrase}" if text else phrase,
                   filters=filters, page=1)
