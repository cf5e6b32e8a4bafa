"""The letter analyzer: the same terms as Whoosh's own filter chain, from a faster loop."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, Token

from cases.search.whoosh_backend.analysis import (
    _TOKEN,
    SYNONYMS,
    UNSTEMMED,
    WORD,
    drug_synonyms,
    pair_analyzer,
    text_analyzer,
    word_terms,
)
from tests.conftest import REAL_TEXTS, need

_SPLIT = re.compile(r"[-./§]+")
_UNIT = re.compile(r"^(\d+(?:[./]\d+)*)[a-z]+$", re.IGNORECASE)


class _Parts(Filter):
    """The reference: a compound's parts (and a dose without its unit) at its position."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            yield token
            parts = [p for p in _SPLIT.split(text) if p] if _SPLIT.search(text) else []
            parts += [m[1] for v in ([text, *parts] if parts else []) if (m := _UNIT.match(v))]
            for part in dict.fromkeys(parts):
                if part != text:
                    token.text = part
                    yield token
            token.text = text


REFERENCE = (RegexTokenizer(_TOKEN) | _Parts() | LowercaseFilter()
             | StemFilter(ignore=UNSTEMMED))


def _tokens(analyzer: object, text: str, **options: object) -> list[tuple]:
    return [(t.text, getattr(t, "pos", None), getattr(t, "startchar", None),
             getattr(t, "endchar", None)) for t in analyzer(text, **options)]  # type: ignore[operator]


SAMPLES = [
    "Norco 10/325mg #120 for L5-S1 radiculopathy; see §9792.24.2.",
    "Physical therapy, 12 sessions (CM16-0247255) – not medically necessary.",
    "Hydrocodone/APAP 5/325 and anti-inflammatory medications were TRIED.",
    "",
]


@pytest.mark.parametrize("options", [
    {"positions": True}, {"chars": True}, {"positions": True, "chars": True, "start_pos": 3,
                                           "start_char": 11}, {"no_morph": True}])
def test_same_terms_as_the_whoosh_filter_chain(options: dict) -> None:
    texts = SAMPLES + [p.read_text(errors="replace")
                       for p in sorted(need(REAL_TEXTS).glob("*.txt"))[:40]]
    for text in texts:
        assert _tokens(text_analyzer(), text, **options) == _tokens(REFERENCE, text, **options)


def test_untokenized_value_is_one_word() -> None:
    assert [t.text for t in text_analyzer()("Massages", tokenize=False)] == ["massag"]


def test_pairs_join_neighbouring_whole_words() -> None:
    tokens = _tokens(pair_analyzer(), "Left L5-S1 epidural injections", positions=True)
    assert [(text, pos) for text, pos, _s, _e in tokens] == [
        ("left l5-s1", 0), ("l5-s1 epidur", 1), ("epidur inject", 2)]
    assert word_terms("10/325mg") == ("10/325mg", "10", "325mg", "10/325", "325")


def test_synonym_keys_find_only_themselves_in_the_real_letters() -> None:
    """A key (and a drug name) is searched by its index term: each word of the real letters
    with that term must be the key or its plural ("NSAIDs" finds "NSAID"), never another
    word ("TENS" stemmed to "ten" found every "ten sessions")."""
    words = {word.lower() for path in need(REAL_TEXTS).glob("*.txt")
             for word in re.findall(r"[A-Za-z]+", path.read_text(errors="replace"))}
    for key in [*SYNONYMS, *(name for name in drug_synonyms() if len(WORD.findall(name)) == 1)]:
        term = word_terms(key)[0]
        same = {word for word in words if word_terms(word)[0] == term}
        assert same <= {key, f"{key}s", f"{key}es", key.removesuffix("s")}, (key, same)
    assert word_terms("TENS") == ("tens",) and word_terms("ten") == ("ten",)
