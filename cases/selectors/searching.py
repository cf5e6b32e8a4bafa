"""Searching stored determinations: the page of hits with their rows, what to offer when
nothing matches, the case number typed as a whole query, and the values filters can take.
Views call these; only ``cases.search`` talks to the index."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cases.models import Determination
from cases.search import get_backend
from cases.search.base import (
    FACETS,
    FacetValue,
    Hit,
    IndexUnavailableError,
    ItemCount,
    SearchBackend,
    SearchError,
    SearchQuery,
    SearchResults,
)
from cases.selectors.result_letters import ResultLetter, result_letters


@dataclass(frozen=True)
class SearchPage:
    """A page of search results with the stored letter of each hit."""

    results: SearchResults
    rows: list[tuple[Hit, ResultLetter]]


def search_determinations(query: SearchQuery) -> SearchPage:
    """Run a search; the hits come back with their letters, in order."""
    backend = get_backend()
    found: dict[str, ResultLetter] = {}

    def load_page(ids: Sequence[str]) -> dict[str, str]:
        # The page's rows are read once: for the snippets now and for the hits below.
        found.update(result_letters(ids))
        return {public_id: letter.snippet_text for public_id, letter in found.items()}

    try:
        results = backend.search(query, load_text=load_page)
    except IndexUnavailableError:
        if Determination.objects.exists():
            raise
        # Nothing imported yet: an empty archive, not a broken index.
        return SearchPage(SearchResults((), 0, 1, 1, {}), [])
    if results.total == 0 and query.text:
        corrected = _corrected(backend, query.text)
        if corrected:
            results = replace(results, suggestion=corrected)
    rows = [(hit, found[hit.id]) for hit in results.hits if hit.id in found]
    return SearchPage(results, rows)


# A zero-hit search offers at most this many respellings and "without …" alternatives:
# each costs a search, and a 250-word query must not cost 250.
MAX_SUGGESTED_WORDS = 8
MAX_ALTERNATIVES = 8
LONGEST_WORD = 30  # longer "words" are pasted codes or noise: no suggestion


def _corrected(backend: SearchBackend, text: str) -> str | None:
    if text.count('"') % 2:
        # An unclosed quote searched its words one by one: the phrase closed is the fix,
        # not a respelling of the words.
        return text.rstrip() + '"'
    words = text.split()
    changed = False
    asked = 0
    for n, word in enumerate(words):
        if word.isalpha() and 3 < len(word) <= LONGEST_WORD and asked < MAX_SUGGESTED_WORDS:
            asked += 1
            suggestion = backend.suggest(word)
            if suggestion:
                words[n], changed = suggestion, True
    return " ".join(words) if changed else None


# A case number or a letter's own id, alone or as the case: field ("case:CM16-0247255").
_CASE = r"^\s*(?:case\s*:\s*)?\"?\s*{}\s*\"?\s*$"
_CASE_NUMBER = re.compile(_CASE.format(r"CM\s?(\d{2})\s?-?\s?(\d{5,8})"), re.IGNORECASE)
_LETTER_ID = re.compile(_CASE.format(r"(imr-[0-9a-f]{16})"), re.IGNORECASE)


def find_case_number(text: str) -> str | None:
    """The public id of the determination the whole query names, if stored: its case
    number or, for a letter without one, its own id ("imr-…"), in any case, alone or as
    ``case:``."""
    if match := _CASE_NUMBER.match(text):
        number = f"CM{match[1]}-{match[2]}"
        found = Determination.objects.filter(case_number=number)
    elif match := _LETTER_ID.match(text):
        found = Determination.objects.filter(public_id=match[1].lower())
    else:
        return None
    return found.values_list("public_id", flat=True).first()


def facet_values() -> dict[str, tuple[str, ...]] | None:
    """Every value each facet has in the index (what a filter can select); None when the
    index cannot be read, so that the search itself says so."""
    try:
        return get_backend().facet_values()
    except IndexUnavailableError:
        return None


def offered_query(query: SearchQuery) -> SearchQuery | None:
    """For typed words that match whole letters (their rates count every item of each): the
    same words asked of the items' treatments; None when the text names fields already."""
    text = query.text.strip()
    if not text or ":" in text:
        return None
    return replace(query, text=f"treatment:({text})", page=1)


def facet_counts(query: SearchQuery) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts for ``query``, without reading its page."""
    return get_backend().search(replace(query, page=1, page_size=1)).facets


def count_offer(offered: SearchQuery) -> ItemCount | None:
    """The letters and items of an offered item-level search; None if it cannot run."""
    try:
        return get_backend().count_items(offered)
    except SearchError:
        return None


def item_positions(determination: Determination, query: SearchQuery) -> tuple[int, ...] | None:
    """The numbers of the determination's items meeting the query's item-level conditions;
    None when it has none, or when it cannot be asked (a bad query: the page still shows)."""
    if not query.text and not query.filters and not query.quantity_range:
        return None
    try:
        return get_backend().item_positions(query, determination.public_id)
    except SearchError:
        return None


def count_alternatives(query: SearchQuery) -> list[tuple[str, SearchQuery, int]]:
    """For a search without results: the searches that drop one filter or one word."""
    backend = get_backend()
    counted = []
    try:  # the dropped filters, counted together
        without_filter = backend.totals_without_each_filter(query)
    except SearchError:
        without_filter = {}
    for facet, total in list(without_filter.items())[:MAX_ALTERNATIVES]:
        if total:
            counted.append((f"without {FACETS.get(facet, facet).lower()}: "
                            f"{', '.join(query.filters[facet])}", query.without(facet=facet),
                            total))
    words = list(dict.fromkeys(query.text.split()))
    if len(words) > 1:
        dropped_filters = sum(1 for values in query.filters.values() if values)
        for word in words[:max(0, MAX_ALTERNATIVES - dropped_filters)]:
            alternative = query.without(word=word)
            try:
                total = backend.total(alternative)
            except SearchError:
                continue
            if total:
                counted.append((f"without “{word}”", alternative, total))
    return counted
