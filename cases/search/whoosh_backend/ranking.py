"""Matching and BM25F scoring of the common query shapes over whole posting arrays.

Whoosh scores a match at a time in Python, which for a common word means tens of thousands
of calls per search. Words, word pairs (phrases), field queries, prefixes and their
AND / OR / NOT combine here as NumPy operations over arrays as long as the index, giving the
same scores as Whoosh's BM25F (the same formula, idf, average field lengths and stored
length bytes). Any other query shape returns None and Whoosh evaluates it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader, SegmentReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from cases.search.whoosh_backend.arrays import Mask, term_postings
from cases.search.whoosh_backend.frequent import FrequentTable

Scores = NDArray[np.float64]
# Stored length byte -> the field length Whoosh scores with (byte 0: no such field).
_LENGTHS = np.array([0.0] + [float(byte_to_length(b)) for b in range(1, 256)])


Lengths = dict[str, NDArray[np.uint8]]


class Ranker:
    """Evaluates queries with one searcher (a searcher reads its files through one position
    each, so a thread needs its own); ``lengths`` holds each field's stored length bytes
    and may be shared by the rankers of one index state, as every searcher of it reads the
    same (a field missing from it is read and added), as may ``kept``, the segments' lists
    of frequent words (``frequent``)."""

    def __init__(self, searcher: Searcher, size: int, lengths: Lengths | None = None,
                 kept: Mapping[str, FrequentTable] | None = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = size
        self._lengths: Lengths = {} if lengths is None else lengths
        self._kept = kept  # the segments' decoded lists of frequent words, by segment id
        # Each pattern with its expansion, by the pattern's id, when the query's check made
        # them (a pattern is used only if it is the very object: an id outlives its object).
        self.expansions: dict[int, tuple[wq.PatternQuery, list[bytes]]] = {}

    def evaluate(self, q: wq.Query) -> tuple[Mask, Scores] | None:
        """(matching documents, their scores), or None for a shape handled by Whoosh; the
        arrays are new, the caller's to change."""
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.PatternQuery):
            return self._pattern(q)
        if isinstance(q, wq.And):
            return self._and(q.subqueries)
        if isinstance(q, wq.AndNot):  # "a -b": a's scores, without b's documents
            return self._and([q.a, wq.Not(q.b)])
        if isinstance(q, wq.AndMaybe):  # "+a b": a's documents, b adding to their scores
            return self._and_maybe(q.a, q.b)
        if isinstance(q, wq.Or) and not any(isinstance(s, wq.Not) for s in q.subqueries):
            return self._or(q.subqueries)
        return None

    def _term(self, fieldname: str, text: str | bytes, boost: float) -> tuple[Mask, Scores]:
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size, dtype=np.float64)
        if fieldname not in self.searcher.schema:
            return mask, scores
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        ids, weights = term_postings(self.reader, fieldname, text, self._kept)
        if not len(ids):
            return mask, scores
        parameters = self._bm25(fieldname, text)
        if parameters is not None:
            idf, avgfl, k1, b = parameters
            # The length part of the formula per length byte (256 of them), then looked up
            # per match: the same operations on the same numbers as per match, so the same
            # scores, without three passes over the matches.
            norms = k1 * ((1.0 - b) + b * _LENGTHS / avgfl)
            norm = norms.take(self._length_codes(fieldname).take(ids))
            values = idf * ((weights * (k1 + 1)) / (weights + norm))
        else:  # a field without lengths: Whoosh scores the weight itself
            values = weights
        if boost != 1:
            values = values * boost
        mask[ids] = True
        scores[ids] = values
        return mask, scores

    def _bm25(self, fieldname: str, text: str) -> tuple[float, float, float, float] | None:
        """The idf, average field length, K1 and B that Whoosh's BM25F scorer of the term
        scores with, read as its scorer reads them; None where it scores the weight alone.
        Not the scorer itself: its setup also looks the term up in every segment, for block
        quality nothing here uses, 17 % of a common word's search at 640,000 letters."""
        weighting, searcher = self.searcher.weighting, self.searcher
        if type(weighting) is not BM25F:  # another weighting: as its own scorer says
            scorer = weighting.scorer(searcher, fieldname, text)
            if not isinstance(scorer, BM25FScorer):
                return None
            return scorer.idf, scorer.avgfl, scorer.K1, scorer.B
        if not searcher.schema[fieldname].scorable:
            return None
        parent = searcher.get_parent()  # the statistics are the whole index's
        return (parent.idf(fieldname, text), parent.avg_field_length(fieldname) or 1,
                weighting.K1, weighting._field_B.get(fieldname, weighting.B))

    def _pattern(self, q: wq.PatternQuery) -> tuple[Mask, Scores] | None:
        """A prefix or wildcard: the OR of its expansions (Whoosh scores each one too)."""
        kept = self.expansions.get(id(q))
        found = kept[1] if kept is not None and kept[0] is q else q._btexts(self.reader)
        expansions = [wq.Term(q.fieldname, btext, boost=q.boost)  # Whoosh's expansion
                      for btext in found]
        return self._or(expansions)

    def _and(self, parts: list[wq.Query]) -> tuple[Mask, Scores] | None:
        wanted = [p for p in parts if not isinstance(p, wq.Not)]
        if not wanted:
            return None
        # The first part's arrays (each evaluation's own) take the others in place: at a
        # million letters each fresh array of scores is 8 MB to fault in and fill.
        first = self.evaluate(wanted[0])
        if first is None:
            return None
        mask, scores = first
        for part in wanted[1:]:
            result = self.evaluate(part)
            if result is None:
                return None
            mask &= result[0]
            scores += result[1]
        for part in parts:
            if isinstance(part, wq.Not):
                result = self.evaluate(part.query)
                if result is None:
                    return None
                mask &= ~result[0]
        scores[~mask] = 0.0
        return mask, scores

    def _and_maybe(self, required: wq.Query, optional: wq.Query) -> tuple[Mask, Scores] | None:
        first, second = self.evaluate(required), self.evaluate(optional)
        if first is None or second is None:
            return None
        return first[0], np.where(first[0], first[1] + second[1], 0.0)

    def _or(self, parts: list[wq.Query]) -> tuple[Mask, Scores] | None:
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size, dtype=np.float64)
        for part in parts:
            result = self.evaluate(part)
            if result is None:
                return None
            mask |= result[0]
            scores += result[1]
        return mask, scores

    def _length_codes(self, fieldname: str) -> NDArray[np.uint8]:
        """Each document's stored length byte of ``fieldname``."""
        if fieldname not in self._lengths:
            # Another thread may store the same array meanwhile: equal, so either will do.
            self._lengths[fieldname] = length_codes(self.reader, fieldname, self.size)
        return self._lengths[fieldname]


def length_codes(reader: IndexReader, fieldname: str, size: int) -> NDArray[np.uint8]:
    """Each document's stored length byte of ``fieldname`` (0: none), which Whoosh decodes
    to the length it scores with (``_LENGTHS``)."""
    codes = np.zeros(size, dtype=np.uint8)
    for leaf, offset in reader.leaf_readers():
        if not isinstance(leaf, SegmentReader):  # an index without segments yet
            continue
        column = leaf._perdoc._cached_reader(  # the lengths column
            _lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            continue
        stored = column._dbfile.get(column._basepos, column._count)
        codes[offset : offset + len(stored)] = np.frombuffer(stored, dtype=np.uint8)
    return codes


def top(scores: Scores, candidates: NDArray[np.int64], start: int, stop: int) -> list[int]:
    """Candidates ``start:stop`` by score, highest first; ties in document order."""
    if stop < len(candidates):
        # Only what can reach the page is sorted: the scores at least a threshold that
        # ``stop`` of them reach, so every score of the page's.
        values = scores[candidates]
        candidates = candidates[values >= page_threshold(values, stop)]
    order = np.argsort(-scores[candidates], kind="stable")
    return candidates[order[start:stop]].tolist()


# Scores the threshold is found among: one in this many. A partition of every score of a
# million matches took 23 ms of a 29 ms top(); the sample's takes 0.04 ms, and about
# ``stop`` times this many scores then pass it to be sorted.
SAMPLE_EVERY = 64


def page_threshold(values: Scores, stop: int) -> float:
    """A score that at least ``stop`` of ``values`` reach (so does every score of the first
    ``stop``), not far below the stop-th highest: the stop-th highest of every
    SAMPLE_EVERY-th value, which the sampled ones reach themselves; of all of them when the
    sample is short."""
    sample = values[::SAMPLE_EVERY]
    if len(sample) < 2 * stop:
        sample = values
    return float(np.partition(sample, len(sample) - stop)[len(sample) - stop])
