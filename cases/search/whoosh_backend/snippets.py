"""Snippets: the places of a letter where the query's words appear, with the words marked.

A window of text around the first few places where a query stem begins a word is cut
first (a cheap regular expression over the whole text); the window's words are then
analyzed like the index analyzes them, and the ones whose terms the query asked for are
marked. A snippet is plain text with the places of its marked words (``Cut``), and as HTML
those words wrapped in ``<mark>``, everything else escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape

from cases.search.whoosh_backend.analysis import WORD, word_terms

MAX_CHARS = 240  # of one fragment
SURROUND = 70  # characters of context before the first and after the last marked word
FRAGMENTS = 2
BETWEEN = " … "


@dataclass(frozen=True)
class Cut:
    """A snippet as plain text, with where its marked words are."""

    text: str
    marks: tuple[tuple[int, int, int], ...] = ()  # (start, end, the word's class number)

    @property
    def highlights(self) -> tuple[tuple[int, int], ...]:
        """(start, end) of each marked word in ``text``, in order."""
        return tuple((start, end) for start, end, _ in self.marks)

    def html(self) -> str:
        """The text escaped, each marked word in ``<mark class="match termN">``."""
        parts, at = [], 0
        for start, end, number in self.marks:
            parts.append(escape(self.text[at:start]))
            parts.append(f'<mark class="match term{number}">{escape(self.text[start:end])}</mark>')
            at = end
        parts.append(escape(self.text[at:]))
        return "".join(parts)


def cut(text: str, terms: frozenset[str]) -> Cut:
    """Up to two fragments of ``text`` with the words of ``terms`` marked, or the text's
    beginning when none appears."""
    if not text:
        return Cut("")
    if terms:
        window = _windows(text, terms)
        found = _marked(window, terms) if window else None
        if found is not None:
            return found
    return Cut(text[:MAX_CHARS] + ("…" if len(text) > MAX_CHARS else ""))


def snippet(text: str, terms: frozenset[str]) -> str:
    """HTML: ``cut(text, terms)`` escaped, with its words marked."""
    return cut(text, terms).html()


@lru_cache(maxsize=256)
def _roots(terms: frozenset[str]) -> re.Pattern[str] | None:
    """A pattern finding where a word might begin with one of the query's stems."""
    roots = sorted({t[:-1] if len(t) > 4 else t for t in terms if t.isalnum()}, key=len,
                   reverse=True)
    if not roots:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, roots[:30])) + ")", re.IGNORECASE)


def _windows(text: str, terms: frozenset[str], *, count: int = 3, radius: int = 200) -> str:
    """The parts of ``text`` around the first places where a term's stem begins a word."""
    pattern = _roots(terms)
    if pattern is None:
        return text[: 2 * radius]
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, stop = max(0, match.start() - radius), match.end() + radius
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], stop)
        elif len(spans) == count:
            break
        else:
            spans.append((start, stop))
    return BETWEEN.join(text[a:b] for a, b in spans)


def _marked(text: str, terms: frozenset[str]) -> Cut | None:
    """The best fragments of ``text`` (most marked words), in text order, marked; a
    passage the letter repeats is shown once, and fragments that would overlap are one."""
    hits = list(_hits(text, terms))
    if not hits:
        return None
    fragments: list[list[tuple[int, int, str]]] = []
    for hit in hits:
        if fragments and hit[1] - max(0, fragments[-1][0][0] - SURROUND) <= MAX_CHARS:
            fragments[-1].append(hit)
        else:
            fragments.append([hit])
    chosen: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    seen: list[frozenset[tuple[str, ...]]] = []
    for fragment in sorted(fragments, key=len, reverse=True):
        start, stop = _span(text, fragment)
        # What the fragment says where its words are marked: its context alone may be the
        # same as another's (a letter's boilerplate) without repeating it.
        shingles = _shingles(text[max(0, fragment[0][0] - CORE):fragment[-1][1] + CORE])
        if any(_repeats(shingles, other) for other in seen):
            continue  # the summary and a rationale often say the same sentences
        seen.append(shingles)
        chosen.append((start, stop, fragment))
        if len(chosen) == FRAGMENTS:
            break
    merged: list[tuple[int, int, list[tuple[int, int, str]]]] = []
    for start, stop, fragment in sorted(chosen, key=lambda c: c[0]):
        if merged and start <= merged[-1][1]:  # the second would repeat the first's end
            first_start, first_stop, first = merged[-1]
            merged[-1] = (first_start, max(first_stop, stop),
                          first + [hit for hit in fragment if hit[0] >= first[-1][1]])
        else:
            merged.append((start, stop, fragment))
    classes: dict[str, int] = {}
    parts: list[str] = []
    marks: list[tuple[int, int, int]] = []
    offset = 0
    for start, stop, fragment in merged:
        if parts:
            offset += len(BETWEEN)
        passage = text[start:stop]
        lead = len(passage) - len(passage.lstrip())
        passage = passage.strip()
        for begin, end, term in fragment:
            number = classes.setdefault(term, len(classes))
            marks.append((offset + begin - start - lead, offset + end - start - lead, number))
        parts.append(passage)
        offset += len(passage)
    return Cut(BETWEEN.join(parts), tuple(marks))


def _span(text: str, hits: list[tuple[int, int, str]]) -> tuple[int, int]:
    """Where the fragment of ``hits`` begins and ends: context around them, whole words."""
    start = _word_edge(text, max(0, hits[0][0] - SURROUND), forward=True)
    stop = _word_edge(text, min(len(text), hits[-1][1] + SURROUND), forward=False)
    return start, stop


SHINGLE = 4  # words: a passage is its runs of this many words
CORE = 40  # characters around a fragment's marked words that two repeats both have
REPEATED = 0.5  # the share of a passage's runs another has that makes it a repeat


def _shingles(passage: str) -> frozenset[tuple[str, ...]]:
    words = WORD.findall(passage.casefold())
    return frozenset(tuple(words[n:n + SHINGLE]) for n in range(max(1, len(words) - SHINGLE + 1)))


def _repeats(one: frozenset[tuple[str, ...]], other: frozenset[tuple[str, ...]]) -> bool:
    """Whether two passages say mostly the same: a letter repeats its sentences with another
    date or a word changed ("since November of 2016", "since 11-15-2016")."""
    return bool(one and other) and len(one & other) >= REPEATED * min(len(one), len(other))


def _hits(text: str, terms: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, term) of the words of ``text`` that the query asked for. Only words
    where a stem pattern matched are analyzed, not every word of the text."""
    pattern = _roots(terms)
    if pattern is None:
        candidates: Iterable[re.Match[str]] = WORD.finditer(text)
    else:
        candidates = (word for found in pattern.finditer(text)
                      if (word := WORD.match(text, found.start())))
    covered = 0  # a compound's part ("S1" of "L5-S1") is not a word of its own
    for word in candidates:
        if word.start() < covered:
            continue
        for term in word_terms(word[0]):
            if term in terms:
                yield word.start(), word.end(), term
                covered = word.end()
                break


def _word_edge(text: str, at: int, *, forward: bool) -> int:
    """``at`` moved to the nearest space (forward for a start, back for an end) so a
    fragment does not begin or end inside a word; unchanged at the text's ends."""
    if at <= 0 or at >= len(text):
        return max(0, min(at, len(text)))
    found = text.find(" ", at, at + 20) if forward else text.rfind(" ", max(0, at - 20), at)
    return at if found < 0 else found
