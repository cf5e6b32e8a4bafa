"""The decided items nearest one request ("cases like mine"), scored over the item table.

Every item of the index gets one score, in tiers a reader can follow: the same treatment
(subcategory) above the same category only; then a shared drug and a shared body region;
then how close its requested quantity is (same unit, by ratio); last, how much its letter's
summary and rationale are like the request's facts (their key terms, BM25 over the letters,
scaled to at most one tier step). Only items of the request's category are candidates.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from whoosh import query as wq

from cases.search.base import ItemMatch, ItemRequest
from cases.search.whoosh_backend.items import ItemTable
from cases.search.whoosh_backend.opened import Lent

SAME_TREATMENT = 100.0
SAME_CATEGORY = 50.0
SHARED_DRUG = 20.0
SHARED_REGION = 10.0
CLOSE_QUANTITY = 5.0  # the same quantity; half of it at twice or half as much
LIKE_FACTS = 4.0  # the letter most like the facts; others by their share of its score
KEY_TERMS = 20
MIN_KEY_LETTERS = 3
COMMON_SHARE = 0.05
FACT_FIELDS = ("summary", "rationale")


def item_scores(table: ItemTable, request: ItemRequest, facts: np.ndarray | None) -> np.ndarray:
    """Each item's nearness to ``request`` (0 for items of other categories); ``facts`` is
    each document's likeness to the request's facts, from 0 to 1 (None: not compared)."""
    same_category = table.having("category", [request.category])
    same_treatment = same_category & table.having("treatment", [request.subcategory])
    scores = np.where(same_treatment, SAME_TREATMENT, np.where(same_category, SAME_CATEGORY, 0.0))
    if request.drugs:
        scores += SHARED_DRUG * table.having("drug", request.drugs)
    if request.body_regions:
        scores += SHARED_REGION * table.having("body_region", request.body_regions)
    if request.quantity_value and request.quantity_unit:
        same_unit = table.having("unit", [request.quantity_unit]) & (table.quantity > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = np.abs(np.log2(table.quantity / request.quantity_value))
        scores += np.where(same_unit, CLOSE_QUANTITY / (1.0 + distance), 0.0)
    if facts is not None:
        scores += LIKE_FACTS * facts[table.doc]
    return np.where(same_category, scores, 0.0)


def key_terms(read: Lent, facts: str) -> list[str]:
    """The ``KEY_TERMS`` words of ``facts`` that say most about them against the archive:
    frequent in the text and rare in the summaries and rationales (the Bo1 model Whoosh's
    ``key_terms_from_text`` uses, with the two fields' statistics together). Left out:
    numbers and dates, words under three letters, and words in more than ``COMMON_SHARE`` of
    the letters' summaries or rationales -- common words and the letters' boilerplate, which
    say least and whose postings are the longest to read."""
    field = read.searcher.schema[FACT_FIELDS[0]]  # both fields read words alike
    in_text: dict[str, float] = {}
    for btext, _frequency, weight, _value in field.index(facts):
        word = btext.decode("utf-8")
        if len(word) >= MIN_KEY_LETTERS and word.isalpha():
            in_text[word] = weight
    size = max(read.arrays.size, 1)
    statistics = read.opened.term_statistics(read.searcher, FACT_FIELDS, in_text)
    scored = []
    for word, weight in in_text.items():
        docs, occurrences = statistics[word]
        if not occurrences or docs > COMMON_SHARE * size:
            continue
        share = occurrences / size
        scored.append((weight * math.log2((1.0 + share) / share) + math.log2(1.0 + share),
                       word))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [word for _score, word in scored[:KEY_TERMS]]


def fact_likeness(read: Lent, facts: str) -> np.ndarray | None:
    """Each document's likeness to ``facts`` from 0 to 1: BM25 of the facts' key terms
    (``key_terms``) over the summaries and rationales; None without facts."""
    terms = key_terms(read, facts) if facts.strip() else []
    if not terms:
        return None
    query = wq.Or([wq.Term(field, term) for field in FACT_FIELDS for term in sorted(terms)])
    evaluated = read.ranker.evaluate(query)
    if evaluated is None:  # the ranker answers an OR of terms; kept for safety
        return None
    scores = evaluated[1] * read.arrays.live
    best = float(scores.max()) if len(scores) else 0.0
    return scores / best if best > 0 and math.isfinite(best) else None


def nearest(read: Lent, request: ItemRequest, facts: np.ndarray | None, limit: int,
            exclude: str | None) -> list[ItemMatch]:
    """The ``limit`` items nearest ``request``, best first (ties: newest letter first);
    ``facts``: each document's likeness to its facts (``fact_likeness``)."""
    table = read.arrays.items
    scores = item_scores(table, request, facts)
    scores = np.where(read.arrays.live[table.doc], scores, 0.0)
    if exclude is not None:
        docnum = read.searcher.document_number(id=exclude)
        if docnum is not None:
            scores = np.where(table.doc == docnum, 0.0, scores)
    candidates = np.flatnonzero(scores > 0)
    if not len(candidates):
        return []
    ids = read.opened.ids(read.searcher)
    chosen = _best(candidates, scores[candidates], read.arrays.decided[table.doc[candidates]],
                   lambda i: (ids[int(table.doc[i])], int(i - table.starts[table.doc[i]])),
                   limit)
    return [ItemMatch(ids[int(table.doc[i])], int(i - table.starts[table.doc[i]]) + 1,
                      round(float(scores[i]), 3)) for i in chosen]


def _best(candidates: np.ndarray, scores: np.ndarray, days: np.ndarray,
          key: Callable[[int], tuple[str, int]], limit: int) -> list[int]:
    """The ``limit`` best candidates: highest score, then the most recent decision, then by
    letter id and item. Ties are not left in document order, which a commit that rewrites
    segments changes: the same index content gives the same neighbours."""
    order = np.lexsort((-days, -scores))
    if len(order) > limit:  # everything at least as good as the limit-th, ties included
        last = order[limit - 1]
        order = np.flatnonzero((scores > scores[last])
                               | ((scores == scores[last]) & (days >= days[last])))
    groups: dict[tuple[float, int], list[int]] = {}
    for i in order:
        groups.setdefault((float(scores[i]), int(days[i])), []).append(int(candidates[i]))
    ranked: list[int] = []
    for group in sorted(groups, key=lambda g: (-g[0], -g[1])):
        ranked.extend(sorted(groups[group], key=key))
        if len(ranked) >= limit:
            break
    return ranked[:limit]
