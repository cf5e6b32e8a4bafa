"""Reads for following a search: a saved search's query, how many letters are new to its
owner, and the new matches an alert has not yet sent.

The index keeps when each letter was added in whole seconds: "added after t" is asked of it
a second early, and the database, which keeps the moment exactly, leaves out what was stored
before t. A letter becomes searchable when its import commits the index (every 20,000
letters), which can be minutes after it was stored: so the moments kept as "seen up to" and
"alert from" are never later than the oldest letter still waiting for the index, and no
letter is skipped because it was stored before them and found after."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from django.db.models import F, Min
from django.http import QueryDict

from cases.forms import SearchForm, query_string
from cases.models import AlertDelivery, Determination, SavedSearch
from cases.search import get_backend
from cases.search.base import IndexUnavailableError, QueryError, SearchError, SearchQuery

# The index's added times are whole seconds: ask for a second more than the moment.
INDEX_RESOLUTION = timedelta(seconds=1)
# A letter stored but never indexed (an import run with --no-index, say) must not hold every
# later "seen up to" back for ever: after this it is no longer waited for.
LONGEST_INDEX_WAIT = timedelta(days=1)
# A letter's two times are set by the same save when it is first stored.
NEVER_CHANGED = timedelta(minutes=1)
# Up to this many matches "new" is counted exactly, in the database; past it, by the index.
EXACT_UP_TO = 200
CHUNK = 500  # ids per SQL "IN (…)": within every database's limit on parameters
T = TypeVar("T")


def parse_state(state: str) -> tuple[SearchForm, SearchQuery]:
    """The search page's form and query for a URL state (``q=…&outcome=…``), as the page
    reads it; invalid parameters fall back to their defaults, as on the page."""
    form = SearchForm(QueryDict(state))
    form.is_valid()
    return form, form.search_query()


def canonical_state(state: str) -> str:
    """A URL state as the site's own links write it, without the page number."""
    return query_string(parse_state(state)[1], page=False)


def saved_query(saved: SavedSearch) -> SearchQuery:
    """The query a saved search asks, on its first page."""
    return parse_state(saved.query_string)[1]


def searchable_until(now: datetime) -> datetime:
    """The moment up to which every stored letter is in the index: ``now``, or just before
    the oldest new letter still waiting for the index was stored (if within a day). Letters
    changed since they were stored (re-parsed, re-imported) were searchable before: they
    are not waited for."""
    waiting = Determination.objects.filter(
        indexed=False, updated_at__lt=F("imported_at") + NEVER_CHANGED,
    ).aggregate(first=Min("imported_at"))["first"]
    if waiting is None or waiting < now - LONGEST_INDEX_WAIT:
        return now
    return min(now, waiting - timedelta(microseconds=1))


def _stored_after(moment: datetime, public_ids: Sequence[str]) -> dict[str, int]:
    """The primary keys of those of the letters stored after ``moment``, by public id."""
    found: dict[str, int] = {}
    for chunk in _chunks(public_ids):
        found.update(Determination.objects.filter(public_id__in=chunk, imported_at__gt=moment)
                     .values_list("public_id", "pk"))
    return found


def query_problem(query: SearchQuery) -> str | None:
    """Why a query cannot run (the search page's message), or None: the index being
    unavailable is not the query's problem."""
    try:
        get_backend().total(query)
    except IndexUnavailableError:
        return None
    except QueryError as exc:
        return str(exc)
    return None


def count_new(saved: SavedSearch) -> int | None:
    """How many letters matching the search were added since its owner last opened it;
    None when the search cannot run (the index is being rebuilt, say). Exact up to
    ``EXACT_UP_TO``; past it, a letter added in the second they looked may be counted."""
    query = replace(saved_query(saved), added_after=saved.last_seen_at - INDEX_RESOLUTION)
    backend = get_backend()
    try:
        total = backend.total(query)
        if total == 0 or total > EXACT_UP_TO:
            return total
        return len(_stored_after(saved.last_seen_at, backend.matching_ids(query)))
    except IndexUnavailableError:
        # Nothing imported yet: an empty archive, not a broken index.
        return None if Determination.objects.exists() else 0
    except SearchError:
        return None


@dataclass(frozen=True)
class NewMatch:
    """A letter an alert has not yet sent for a saved search, and its matching items."""

    determination_id: int
    public_id: str
    items: tuple[int, ...] | None  # the numbers of its matching items; None: all of them


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def unsent_matches(saved: SavedSearch) -> list[NewMatch]:
    """The letters matching the search added since ``saved.alert_from`` that no alert has
    sent for it, latest added first. Raises ``SearchError`` when the search cannot run."""
    query = replace(saved_query(saved), sort="added",
                    added_after=saved.alert_from - INDEX_RESOLUTION)
    try:
        found = get_backend().matching_items(query)
    except IndexUnavailableError:
        if Determination.objects.exists():
            raise
        return []  # nothing imported yet: an empty archive, not a broken index
    pks = _stored_after(saved.alert_from, [public_id for public_id, _ in found])
    sent: set[int] = set()
    for chunk in _chunks(list(pks.values())):
        sent.update(AlertDelivery.objects.filter(saved_search=saved, determination__in=chunk)
                    .values_list("determination", flat=True))
    return [NewMatch(pks[public_id], public_id, items) for public_id, items in found
            if public_id in pks and pks[public_id] not in sent]
