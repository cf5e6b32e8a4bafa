"""The page of a ranked search: ``ranking.top`` against a full sort, with the threshold found
from a sample of the scores, from all of them when the sample's misleads, and with ties."""

from __future__ import annotations

import numpy as np
import pytest

from cases.search.whoosh_backend.ranking import SAMPLE_EVERY, page_threshold, top


def reference(scores: np.ndarray, candidates: np.ndarray, start: int, stop: int) -> list[int]:
    """Every candidate sorted by score, highest first, ties in document order."""
    return sorted(candidates.tolist(), key=lambda doc: (-scores[doc], doc))[start:stop]


def _scores(rng: np.random.Generator, size: int, distinct: int) -> np.ndarray:
    """Scores of ``size`` documents drawn from ``distinct`` values (few: many ties)."""
    return rng.integers(0, distinct, size).astype(np.float64) / 7


@pytest.mark.parametrize("distinct", [3, 50, 1_000_000])
@pytest.mark.parametrize("size", [10, 500, 5_000, 40_000])
def test_every_page_is_the_full_sorts(size: int, distinct: int) -> None:
    rng = np.random.default_rng(size * 31 + distinct)
    scores = _scores(rng, size, distinct)
    candidates = np.flatnonzero(rng.random(size) < 0.8)
    for start, stop in [(0, 1), (0, 20), (20, 40), (980, 1000), (0, size), (size, size + 20)]:
        assert top(scores, candidates, start, stop) == reference(scores, candidates, start,
                                                                 stop), (start, stop)


@pytest.mark.parametrize("sampled", [True, False])
def test_the_page_is_the_full_sorts_wherever_the_highest_scores_sit(sampled: bool) -> None:
    """The highest scores all where the sample reads (its threshold is the stop-th highest
    itself) or all where it does not (a threshold below them, reached by many)."""
    size = SAMPLE_EVERY * 1000
    scores = np.linspace(0.0, 1.0, size)  # every score distinct, rising with the number
    offset = 0 if sampled else 1
    scores[offset::SAMPLE_EVERY][:100] = 5.0 + np.arange(100) % 7  # the highest, some tied
    candidates = np.arange(size)
    for stop in (1, 20, 60, 200):
        threshold = page_threshold(scores, stop)
        assert np.count_nonzero(scores >= threshold) >= stop
        assert top(scores, candidates, 0, stop) == reference(scores, candidates, 0, stop)
        assert top(scores, candidates, stop - 1, stop + 20) == reference(
            scores, candidates, stop - 1, stop + 20)


def test_the_threshold_is_reached_by_the_page_and_not_far_below_it() -> None:
    rng = np.random.default_rng(7)
    values = rng.gamma(2.0, 1.0, 1_000_000)
    threshold = page_threshold(values, 20)
    passing = np.count_nonzero(values >= threshold)
    assert 20 <= passing < 20 * SAMPLE_EVERY * 4  # a few thousand to sort, not a million
    assert threshold <= np.sort(values)[-20]
