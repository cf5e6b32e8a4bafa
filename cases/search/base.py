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
from dataclasses import dataclass, field, replace
from datetime import date

# Facet name -> human label, in the order the page shows them.
FACETS: dict[str, str] = {
    "outcome": "Case outcome",
    "decision": "Item decision",
    "category": "Treatment category",
    "treatment": "Treatment",
    "drug": "Drug",
    "body_region": "Body region",
    "specialty": "Reviewer specialty",
    "state": "State of licensure",
    "guideline": "Guidelines cited",
    "year": "Decision year",
    "sex": "Patient sex",
    "age": "Patient age",
}
ITEM_FACETS = ("category", "treatment", "decision", "drug", "body_region")
MULTI_VALUED = frozenset({"drug", "body_region"})  # an item names any number of these
QUANTITY_UNITS = ("sessions", "count", "hours", "days", "weeks", "months")
# The outcome view's bands of requested quantity, per unit: (low, high, label), high None
# for "and over". Sessions in the six-visit steps the guidelines count in; counts in the
# 30-day supplies prescriptions come in.
QUANTITY_BANDS: dict[str, tuple[tuple[float, float | None, str], ...]] = {
    "sessions": ((1, 6, "1–6"), (7, 12, "7–12"), (13, 18, "13–18"), (19, 24, "19–24"),
                 (25, None, "over 24")),
    "count": ((1, 30, "1–30"), (31, 60, "31–60"), (61, 90, "61–90"), (91, 120, "91–120"),
              (121, None, "over 120")),
}
SORTS = ("relevance", "newest", "oldest")
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

    def fingerprint(self) -> str:
        """A digest of everything the index is given: the index stores it, so a check can
        tell an indexed document that no longer matches the database."""
        return hashlib.blake2b(repr(self).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class SearchQuery:
    """What the user asked: text, facet selections, dates, sort and page."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    decided_from: date | None = None
    decided_to: date | None = None
    injured_from: date | None = None
    injured_to: date | None = None
    # The quantity one disputed item requests: its unit (any unit if empty) and a range
    # (inclusive; None: open). Item-level: it holds for the item the other item filters pick.
    quantity_unit: str = ""
    quantity_min: float | None = None
    quantity_max: float | None = None

    @property
    def quantity_range(self) -> bool:
        """Whether the query asks for a requested quantity."""
        return bool(self.quantity_unit) or self.quantity_min is not None \
            or self.quantity_max is not None

    def without(self, facet: str | None = None, word: str | None = None, *,
                quantity: bool = False) -> SearchQuery:
        """The same query, on its first page, with one facet's selection, one word or the
        quantity range dropped."""
        filters = {k: v for k, v in self.filters.items() if k != facet}
        text = self.text
        if word is not None:
            text = " ".join(w for w in text.split() if w != word)
        dropped = replace(self, filters=filters, text=text, page=1)
        if quantity:
            dropped = replace(dropped, quantity_unit="", quantity_min=None, quantity_max=None)
        return dropped


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with its count over all matching determinations."""

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
class ItemRequest:
    """One requested treatment to find the nearest decided items for ("cases like mine"):
    its normalised fields, and the facts around it (a pasted text) to compare letters by."""

    category: str
    subcategory: str
    drugs: tuple[str, ...] = ()  # principal drugs, generic names
    body_regions: tuple[str, ...] = ()
    quantity_value: float | None = None
    quantity_unit: str = ""
    facts: str = ""

    def query(self) -> SearchQuery:
        """The search of the same request: same treatment, drug and body region, and the
        requested quantity's band (``QUANTITY_BANDS``), all on one item."""
        filters = {"category": (self.category,), "treatment": (self.subcategory,)}
        if self.drugs:
            filters["drug"] = self.drugs
        if self.body_regions:
            filters["body_region"] = self.body_regions
        low = high = None
        for band_low, band_high, _label in QUANTITY_BANDS.get(self.quantity_unit, ()):
            value = self.quantity_value
            if value is not None and value >= band_low and (band_high is None
                                                            or value < band_high + 1):
                low, high = float(band_low), None if band_high is None else float(band_high)
        if low is None:
            return SearchQuery(filters=filters, sort="newest")
        return SearchQuery(filters=filters, sort="newest", quantity_unit=self.quantity_unit,
                           quantity_min=low, quantity_max=high)


@dataclass(frozen=True)
class ItemMatch:
    """A decided item near a request: its letter, its number there, how near."""

    id: str
    item: int
    score: float


@dataclass(frozen=True)
class Neighbours:
    """The items nearest a request, best first, and the decisions of every item of the
    request's own search (``ItemRequest.query``)."""

    matches: tuple[ItemMatch, ...]
    upheld: int
    overturned: int


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

    @abstractmethod
    def suggest(self, word: str) -> str | None:
        """A close term the index knows, for a word that matched nothing."""
