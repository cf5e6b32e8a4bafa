"""The rows of an export: one per disputed item that matches a search, read from the database.

The backend says which determinations match (in the search's order); the rows come from the
database, read a chunk of determinations at a time, so an export of 100,000 items never holds
more than one chunk in memory. With item-level conditions (the item facets, a quantity range,
typed treatment: clauses) only the items the backend says meet all of them are exported,
exactly the items the search counted. How the rows are written out (CSV, JSON) is
``cases.presentation.exports``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import date

from cases.models import Determination, DisputedItem
from cases.parsing.guidelines import describe_citation
from cases.search import get_backend
from cases.search.base import IndexUnavailableError, SearchQuery

CHUNK_SIZE = 500
# (public id, numbers of its matching items; None: all, the query having no item condition)
Matched = list[tuple[str, tuple[int, ...] | None]]

UrlOf = Callable[[str], str]


@dataclass(frozen=True)
class ItemRow:
    """One exported disputed item with the facts of its determination."""

    case_id: str
    url: str
    item: int
    decision_date: str
    date_of_injury: str
    reviewer_specialties: tuple[str, ...]
    states_of_licensure: tuple[str, ...]
    treatment: str
    category: str
    treatment_subcategory: str
    decision: str
    drugs: tuple[str, ...]
    body_regions: tuple[str, ...]
    laterality: str
    quantity_value: int | float | None
    quantity_unit: str
    ur_citations: tuple[str, ...]  # each "document (edition): sections; p. pages"
    imr_citations: tuple[str, ...]
    same_guideline: str  # same / different / partly, or "" when a side cites nothing
    reasons: tuple[str, ...]  # reason codes (cases.parsing.reasons.REASONS)
    # Added after the columns above, so that a script reading columns by position still works.
    case_outcome: str  # of the whole letter: Upheld, Overturned or Partially overturned
    guidelines_cited: tuple[str, ...]  # families named anywhere in the letter
    patient_age: int | None
    patient_sex: str  # male, female, or "" when the summary does not say
    rationale: str  # the reviewer's reasons for this item, as written

    def values(self) -> tuple[object, ...]:
        """The fields in column order (``dataclasses.astuple`` deep-copies, and is slow)."""
        return tuple(getattr(self, name) for name in COLUMNS)


COLUMNS = tuple(f.name for f in fields(ItemRow))
# The families of ``Determination.guidelines_cited``, in its order, and the fields that hold them.
GUIDELINE_FLAGS = {"ACOEM": "cites_acoem", "MTUS": "cites_mtus", "Non-MTUS": "cites_non_mtus",
                   "ODG": "cites_odg"}


def find_items(query: SearchQuery) -> Matched:
    """Every determination matching ``query``, in its order, with the numbers of its items
    that match; none before any import (the index does not exist yet), and
    ``IndexUnavailableError`` otherwise."""
    try:
        return get_backend().matching_items(query)
    except IndexUnavailableError:
        if Determination.objects.exists():
            raise
        return []


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _number(value: float | None) -> int | float | None:
    """A quantity as written: 120, not 120.0."""
    return int(value) if value is not None and value.is_integer() else value


def iter_rows(matched: Matched, *, url_of: UrlOf,
              chunk_size: int | None = None) -> Iterator[list[ItemRow]]:
    """The rows of the matching items of ``matched`` (in that order), one list per chunk of
    determinations (``CHUNK_SIZE`` unless given)."""
    chunk_size = chunk_size or CHUNK_SIZE
    for start in range(0, len(matched), chunk_size):
        chunk = [public_id for public_id, _ in matched[start:start + chunk_size]]
        wanted = dict(matched[start:start + chunk_size])
        # Plain values, not model instances: an export of 100,000 items spends its time here.
        cases = {row[1]: row for row in Determination.objects.filter(public_id__in=chunk)
                 .values_list("pk", "public_id", "decision_date", "date_of_injury",
                              "specialty_names", "state_names", "case_outcome", "patient_age",
                              "patient_sex", *GUIDELINE_FLAGS.values())}
        items: dict[int, list[tuple]] = {}
        for item in (DisputedItem.objects
                     .filter(determination_id__in=[c[0] for c in cases.values()])
                     .order_by("determination_id", "position")
                     .values_list("determination_id", "position", "treatment", "category",
                                  "subcategory", "decision", "drugs", "body_regions",
                                  "laterality", "quantity_value", "quantity_unit",
                                  "claims_administrator_citations", "maximus_citations",
                                  "same_guideline", "reasons", "rationale")):
            items.setdefault(item[0], []).append(item)
        rows = []
        for public_id in chunk:
            if public_id not in cases:  # deleted since the index was read
                continue
            (pk, _, decided, injured, specialties, states, outcome, age, sex,
             *flags) = cases[public_id]
            case = (public_id, url_of(public_id))
            facts = (_iso(decided), _iso(injured), tuple(specialties), tuple(states))
            about = (outcome, tuple(name for name, cited in zip(GUIDELINE_FLAGS, flags,
                                                                 strict=True) if cited),
                     age, sex)
            positions = wanted[public_id]
            rows.extend(ItemRow(*case, position, *facts, treatment, category, subcategory,
                                decision, tuple(drugs), tuple(regions), side, _number(value),
                                unit, tuple(map(describe_citation, ur)),
                                tuple(map(describe_citation, imr)), agreement,
                                tuple(r["code"] for r in reasons), *about, rationale)
                        for (_, position, treatment, category, subcategory, decision, drugs,
                             regions, side, value, unit, ur, imr, agreement, reasons, rationale)
                        in items.get(pk, ())
                        if positions is None or position in positions)
        yield rows
