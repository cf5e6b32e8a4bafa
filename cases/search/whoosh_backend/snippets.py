"""Snippets: the places of a letter where the query's words appear, with the words marked.

A window of text around the first few places where a query stem begins a word is cut
first (a cheap regular expression over the whole text); the window's words are then
analyzed like the index analyzes them, and the ones whose terms the query asked for are
wrapped in ``<mark>``. Everything else is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from django.utils.html import escape

from cases.search.whoosh_backend.analysis import WORD, word_terms

MAX_CHARS = 240  # of one fragment
SURROUND = 70  # characters of context before the first and after the last marked word
FRAGMENTS = 2
BETWEEN = " … "


def snippet(text: str, terms: frozenset[str]) -> str:
    """HTML: up to two fragments of ``text`` with the words of ``terms`` marked, or the
    text's beginning when none appears."""
    if not text:
        return ""
    if terms:
        window = _windows(text, terms)
        marked = _marked(window, terms) if window else ""
        if marked:
            return marked
    return escape(text[:MAX_CHARS] + ("…" if len(text) > MAX_CHARS else ""))


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


def _marked(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` (most marked words), in text order, marked."""
    hits = list(_hits(text, terms))
    if not hits:
        return ""
    fragments: list[list[tuple[int, int, str]]] = []
    for hit in hits:
        if fragments and hit[1] - max(0, fragments[-1][0][0] - SURROUND) <= MAX_CHARS:
            fragments[-1].append(hit)
        else:
            fragments.append([hit])
    best = sorted(fragments, key=len, reverse=True)[:FRAGMENTS]
    classes: dict[str, int] = {}
    return BETWEEN.join(_render(text, fragment, classes)
                        for fragment in sorted(best, key=lambda f: f[0][0]))


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


def _render(text: str, hits: list[tuple[int, int, str]], classes: dict[str, int]) -> str:
    start = _word_edge(text, max(0, hits[0][0] - SURROUND), forward=True)
    stop = _word_edge(text, min(len(text), hits[-1][1] + SURROUND), forward=False)
    parts, at = [], start
    for begin, end, term in hits:
        number = classes.setdefault(term, len(classes))
        parts.append(escape(text[at:begin]))
        parts.append(f'<mark class="match term{number}">{escape(text[begin:end])}</mark>')
        at = end
    parts.append(escape(text[at:stop]))
    return "".join(parts).strip()


def _word_edge(text: str, at: int, *, forward: bool) -> int:
    """``at`` moved to the nearest space (forward for a start, back for an end) so a
    fragment does not begin or end inside a word; unchanged at the text's ends."""
    if at <= 0 or at >= len(text):
        return max(0, min(at, len(text)))
    found = text.find(" ", at, at + 20) if forward else text.rfind(" ", max(0, at - 20), at)
    return at if found < 0 else found
