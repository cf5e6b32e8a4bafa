"""The search contract: what any backend takes and returns.

A backend has two sides. Its ``index`` (a ``SearchIndex``) is written with ``IndexDocument``
values, built from the database, which stays the source of truth. The backend itself (a
``SearchBackend``) answers a ``SearchQuery`` with ``SearchResults``: the page of hits, the
total, and facet counts over *all* matching determinations. Facets follow datasette's shape
(``FacetValue(value, label, count, selected)``).

Facet semantics, which every backend must keep:
- several values of one facet combine with OR, different facets with AND;
- each facet's counts are computed with that facet's own selection removed;
- the item-level conditions (the facets ``category``, ``treatment``, ``decision``, ``drug``,
  ``body_region``; the quantity range; the typed ``treatment:`` clauses) must hold for one
  and the same disputed item: treatment=massage with decision=Overturned matches a case only
  if one of its items is a massage request that was overturned;
- when any item-level condition is given, item counts (the outcome split, the outcome view)
  count only the items that satisfy all of them; otherwise every item of the matching
  letters.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from cases.search.neighbours import ItemMatch as ItemMatch
from cases.search.neighbours import ItemRequest as ItemRequest
from cases.search.neighbours import Neighbours as Neighbours
from cases.search.queries import QUANTITY_BANDS as QUANTITY_BANDS
from cases.search.queries import STOP_WORDS as STOP_WORDS
from cases.search.queries import SearchQuery as SearchQuery

# Facet name -> human label, in the order the page shows them.
FACETS: dict[str, str] = {
    "outcome": "Case outcome",
    "decision": "Item decision",
    "category": "Treatment category",
    "treatment": "Treatment",
    "drug": "Drug",
    "body_region": "Body region",
    "imr_guideline": "Reviewer's guideline",
    "guideline_section": "Guideline section",
    "same_guideline": "Reviewer's guideline vs UR's",
    "reason": "Reason for the decision",
    "specialty": "Reviewer specialty",
    "state": "State of licensure",
    "guideline": "Guidelines cited",
    "year": "Decision year",
    "sex": "Patient sex",
    "age": "Patient age",
}
# The fields a query may name ("treatment:norco"); the facets are filters, not fields.
QUERY_FIELDS = ("treatment", "rationale", "summary", "specialty", "state", "case")
ITEM_FACETS = ("category", "treatment", "decision", "drug", "body_region", "imr_guideline",
               "guideline_section", "same_guideline", "reason")
# An item has any number of these (same_guideline: one, or none when a side cited nothing).
MULTI_VALUED = frozenset({"drug", "body_region", "imr_guideline", "guideline_section",
                          "same_guideline", "reason"})
# The item facets the outcome view also groups by (besides category, drug, body region).
OUTCOME_ITEM_GROUPS = ("reason", "imr_guideline", "guideline_section", "same_guideline")
QUANTITY_UNITS = ("sessions", "count", "hours", "days", "weeks", "months")
SORTS = ("relevance", "newest", "oldest", "added")  # added: latest added to the archive first
UNDATED_YEAR = "Undated"  # the year facet's value for letters whose decision date was not read
AGE_BANDS = ((0, 29, "under 30"), (30, 39, "30-39"), (40, 49, "40-49"), (50, 59, "50-59"),
             (60, 69, "60-69"), (70, 200, "70 and over"))


def age_band(age: int | None) -> str | None:
    """The facet value for a patient age."""
    if age is None:
        return None
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


class SearchError(Exception):
    """The search cannot be run; the message tells the user what to change."""


class QueryError(SearchError):
    """The query text cannot be understood; the message says what to fix."""


class UnknownFacetError(SearchError):
    """A filter names a facet that does not exist."""


class IndexUnavailableError(SearchError):
    """The index is missing or unreadable (for example while it is being rebuilt)."""


class IndexBusyError(SearchError):
    """Another process holds the index's write lock for longer than a writer waits."""


@dataclass(frozen=True)
class IndexItem:
    """One disputed item as the index sees it."""

    treatment: str
    category: str
    subcategory: str
    decision: str
    rationale: str = ""
    drugs: tuple[str, ...] = ()
    body_regions: tuple[str, ...] = ()
    quantity_value: float | None = None
    quantity_unit: str = ""
    imr_guidelines: tuple[str, ...] = ()  # the documents the reviewer cited
    guideline_sections: tuple[str, ...] = ()  # "document › section" (or "› p. N")
    same_guideline: str = ""  # same / different / partly; "": a side cited nothing
    reasons: tuple[str, ...] = ()  # reason codes


@dataclass(frozen=True)
class IndexDocument:
    """One determination as the index sees it; built from the database."""

    id: str
    case_number: str
    decision_date: date | None
    date_of_injury: date | None
    specialties: tuple[str, ...]
    states: tuple[str, ...]
    outcome: str
    guidelines: tuple[str, ...]
    sex: str
    age: int | None
    summary: str
    items: tuple[IndexItem, ...]
    body: str = ""
    added: datetime | None = None  # when the archive first stored the letter

    def fingerprint(self) -> str:
        """A digest of everything the index is given: the index stores it, so a check can
        tell an indexed document that no longer matches the database."""
        return hashlib.blake2b(repr(self).encode(), digest_size=12).hexdigest()


class FacetValue(NamedTuple):
    """One value of a facet with its count over all matching determinations.

    A named tuple, not a frozen dataclass: a search builds one per value of every facet,
    and a frozen dataclass's ``__init__`` (an ``object.__setattr__`` per field) made that 8 %
    of a rare word's search at 100,000 letters; a tuple is built in about 60 % of the time.
    """

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    """One matching determination on the current page."""

    id: str
    score: float
    snippet: str = ""  # HTML: escaped letter text with the query terms in <mark>
    # The numbers (from 1) of the items meeting the query's item-level conditions; empty
    # when it has none (its words then match the whole letter).
    items: tuple[int, ...] = ()
    snippet_text: str = ""  # the snippet as plain text
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) of its marked words in it


@dataclass(frozen=True)
class SearchResults:
    """A page of hits with totals and facet counts over all matches."""

    hits: tuple[Hit, ...]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    items_upheld: int = 0
    items_overturned: int = 0
    suggestion: str | None = None
    items_matching_only: bool = False  # the item counts are of matching items, not all


@dataclass(frozen=True)
class ItemCount:
    """Matching determinations and the decisions of the items a search counts."""

    letters: int
    upheld: int
    overturned: int
    matching_only: bool  # the items meeting the item-level conditions, not every item

    @property
    def items(self) -> int:
        return self.upheld + self.overturned


@dataclass(frozen=True)
class IndexCheck:
    """How the index differs from the database, as public ids."""

    missing: list[str]  # stored, not in the index
    stale: list[str]  # in the index with content the database no longer has
    orphaned: list[str]  # in the index, not stored
    duplicated: list[str]  # in the index more than once

    @property
    def drift(self) -> int:
        """How many documents are wrong in any way."""
        return len(self.missing) + len(self.stale) + len(self.orphaned) + len(self.duplicated)


@dataclass(frozen=True)
class OutcomeCounts:
    """Decisions of the disputed items of the matching determinations, grouped.

    Each pair is (upheld, overturned). Only items the item facets allow are counted. A
    letter with two specialties (or guidelines) counts its items under each.
    """

    by_category: dict[str, tuple[int, int]]
    groups: dict[str, dict[str, tuple[int, int]]]  # case facet -> value -> pair
    specialty_by_category: dict[str, dict[str, tuple[int, int]]]
    by_drug: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_body_region: dict[str, tuple[int, int]] = field(default_factory=dict)
    # unit -> band label (``QUANTITY_BANDS``) -> pair, the bands in their order
    by_quantity: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    matching_only: bool = False  # the items meeting the item-level conditions, not every item
    # item facet (reason, imr_guideline, guideline_section, same_guideline) -> value -> pair;
    # an item with two reasons counts under each
    by_item: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)


TextLoader = Callable[[Sequence[str]], Mapping[str, str]]


class IndexWriter(ABC):
    """Documents written in large steps: ``add`` any number, ``commit`` makes them searchable.

    Until ``commit`` nothing added is visible, and ``cancel`` (or a crash) loses only that.
    """

    @abstractmethod
    def add(self, documents: Iterable[IndexDocument]) -> None:
        """Add or replace documents (by id)."""

    @abstractmethod
    def commit(self) -> list[str]:
        """Make everything added searchable; return the ids committed."""

    @abstractmethod
    def cancel(self) -> None:
        """Drop everything added since the last commit."""


class SearchIndex(ABC):
    """The maintenance side of a backend: what imports, rebuilds and checks use.

    Kept apart from the query side (``SearchBackend``), as wagtail's django-modelsearch keeps
    an index apart from its backend: views only query, commands and services only maintain.
    """

    @abstractmethod
    def writer(self, *, procs: int = 1) -> IndexWriter:
        """A writer for a large import; ``procs`` processes analyze documents."""

    def add_bulk(self, documents: Iterable[IndexDocument]) -> int:
        """Add or replace documents (by id) and commit; return how many were written."""
        writer = self.writer()
        try:
            writer.add(documents)
        except BaseException:
            writer.cancel()
            raise
        return len(writer.commit())

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id; return how many were asked for."""

    @abstractmethod
    def rebuild(self, documents: Iterable[IndexDocument], *, procs: int = 1,
                catch_up: Callable[[], Iterable[IndexDocument]] | None = None) -> int:
        """Build a fresh index from ``documents`` (``procs`` processes analyzing them) and
        swap it in atomically. ``catch_up`` is called once no writer can commit to the old
        index any more: its documents (what changed while ``documents`` were read) go into
        the new index before the swap."""

    @abstractmethod
    def count(self) -> int:
        """How many documents the index holds: 0 when there is no index (never built, or its
        files were removed); raises ``IndexUnavailableError`` when one exists but cannot be
        read."""

    @abstractmethod
    def verify(self) -> None:
        """Check that the index files hold everything the index refers to; raises
        ``IndexUnavailableError`` saying what is damaged."""

    @abstractmethod
    def fingerprints(self) -> Iterator[tuple[str, str]]:
        """(id, fingerprint) of every indexed document; raises ``IndexUnavailableError``
        when the index cannot be read."""


class SearchBackend(ABC):
    """The query side: a full-text index of determinations with faceted search. Its
    ``index`` is the maintenance side of the same index."""

    index: SearchIndex

    def __init__(self, options: Mapping[str, object]) -> None:
        self.options = options

    def check_filters(self, query: SearchQuery) -> None:
        """Raise ``UnknownFacetError``, naming the facets there are, for a filter on none."""
        for facet in query.filters:
            if facet not in FACETS:
                raise UnknownFacetError(
                    f"Unknown facet {facet!r}; use one of: {', '.join(FACETS)}.")

    @abstractmethod
    def search(self, query: SearchQuery, *, load_text: TextLoader | None = None) -> SearchResults:
        """Run a query; ``load_text`` gives letter text by id for snippets of the page's hits."""

    @abstractmethod
    def total(self, query: SearchQuery) -> int:
        """How many determinations match (what ``search`` counts, without facets or hits)."""

    def totals_without_each_filter(self, query: SearchQuery) -> dict[str, int]:
        """For each facet ``query`` selects values of: how many determinations match with
        that facet's selection dropped (what ``total(query.without(facet=...))`` counts).
        A backend may share the work between them; this one runs a count each."""
        return {facet: self.total(query.without(facet=facet))
                for facet, values in query.filters.items() if values}

    @abstractmethod
    def count_items(self, query: SearchQuery) -> ItemCount:
        """How many determinations match and how their counted items were decided (the
        outcome split of ``search``, without facets or hits)."""

    @abstractmethod
    def nearest_items(self, requests: Sequence[ItemRequest], *, limit: int = 10,
                      exclude: str | None = None) -> list[Neighbours]:
        """For each request, the decided items nearest it: the same treatment first
        (category and subcategory, then drug and body region), then the closest quantity,
        then the letters whose summary and rationale are most like its facts; ``exclude`` is
        a letter left out (the one a case page shows). Requests of one text share their
        facts, which are compared once."""

    @abstractmethod
    def matching_ids(self, query: SearchQuery) -> list[str]:
        """Ids of every matching determination, in the query's order (for exports)."""

    @abstractmethod
    def matching_items(self, query: SearchQuery) -> list[tuple[str, tuple[int, ...] | None]]:
        """(id, numbers of its matching items) of every matching determination, in the
        query's order: the items meeting every item-level condition, None (all of them) when
        the query has none (for exports)."""

    @abstractmethod
    def item_positions(self, query: SearchQuery, doc_id: str) -> tuple[int, ...] | None:
        """The numbers of one determination's items meeting the query's item-level
        conditions (empty if it does not match); None when the query has none."""

    @abstractmethod
    def outcome_counts(self, query: SearchQuery) -> OutcomeCounts:
        """Item decisions of the matching determinations by category, by the case facets
        specialty, guideline and year, and by category for the specialties with most items."""

    def facet_values(self) -> dict[str, tuple[str, ...]]:
        """Every value each facet has in the index, sorted: what a filter can select
        (``IndexUnavailableError`` when the index cannot be read). This one counts every
        letter's facets; a backend may read them more cheaply."""
        facets = self.search(SearchQuery(sort="newest", page_size=1)).facets
        return {name: tuple(sorted(value.value for value in values))
                for name, values in facets.items()}

    @abstractmethod
    def suggest(self, word: str) -> str | None:
        """A close term the index knows, for a word that matched nothing."""
