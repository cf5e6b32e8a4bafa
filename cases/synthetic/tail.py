"""The long tail of a synthetic letter's vocabulary: the rare words that make an archive's
index what it is. The benchmark's letters draw made-up words by a power law over a million
ranks (``tail_words``), which gives the index a large archive's statistics; the sample
letters name the worker's job, history, medications and records in real words (``real_words``,
from ``words``), each list drawn by rank.
"""

from __future__ import annotations

import random
from itertools import accumulate

from cases.synthetic import vocab as V
from cases.synthetic import words as W

# The long tail, fitted to the 147 real letters' stem counts (the numbers only): a real
# letter holds about 270 distinct word stems, of the 2,857 those letters hold in all; 38 %
# of these occur in one letter only. Templates alone give 215 of 1,001, and 7 % in one.
TAIL_WORDS = 70  # tail words drawn per letter
TAIL_EXPONENT = 1.3  # of the power law over ranks: higher means fewer distinct words
TAIL_RANKS = 10**6


def tail_word(rank: int) -> str:
    """The made-up word of ``rank``: syllables (at least two) spelled from its digits."""
    syllables, n = [], rank + len(V.TAIL_ONSETS) * len(V.TAIL_VOWELS)
    while n:
        n, digit = divmod(n, len(V.TAIL_ONSETS) * len(V.TAIL_VOWELS))
        onset, vowel = divmod(digit, len(V.TAIL_VOWELS))
        syllables.append(V.TAIL_ONSETS[onset] + V.TAIL_VOWELS[vowel])
    return "".join(syllables) + V.TAIL_ENDINGS[rank % len(V.TAIL_ENDINGS)]


def tail_words(rng: random.Random, count: int) -> list[str]:
    """``count`` tail words, rank r drawn with probability about r ** -TAIL_EXPONENT."""
    shape = 1 - TAIL_EXPONENT
    top = TAIL_RANKS**shape - 1
    return [tail_word(int((1 + rng.random() * top) ** (1 / shape)) - 1) for _ in range(count)]


# Each list of real words with its weights by rank (the first is the most common).
_REAL_WORDS = {name: (words, tuple(accumulate(1 / rank for rank in range(1, len(words) + 1))))
               for name, words in (("job", W.JOBS), ("conditions", W.CONDITIONS),
                                   ("surgeries", W.SURGERIES), ("medications", W.MEDICATIONS),
                                   ("documents", W.DOCUMENTS))}
_REAL_WORDS_MOST = {"job": 1, "conditions": 3, "surgeries": 2, "medications": 4, "documents": 4}


def real_words(rng: random.Random, named: set[str]) -> dict[str, list[str]]:
    """The sample summary's job, history, medications and records: one to a few entries of
    each list, the first ranks drawn far more often than the last (about 1/rank), none of
    those the summary ``named`` already (a diagnosis of hypertension is no past history)."""
    slots: dict[str, list[str]] = {}
    for name, (words, cum) in _REAL_WORDS.items():
        drawn = rng.choices(words, cum_weights=cum, k=rng.randint(1, _REAL_WORDS_MOST[name]))
        kept = [word for word in dict.fromkeys(drawn) if word not in named]
        slots[name] = kept or [words[-1]]  # all named already: the rarest instead
    return slots
