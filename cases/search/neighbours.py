"""The contract of "cases like mine": a requested treatment (``ItemRequest``), the decided
items near it (``ItemMatch``) and the outcome of its same-request search (``Neighbours``).
Re-exported by ``cases.search.base``; the scoring is each backend's."""

from __future__ import annotations

from dataclasses import dataclass

from cases.search.queries import QUANTITY_BANDS, SearchQuery


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
