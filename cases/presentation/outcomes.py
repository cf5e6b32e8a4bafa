"""The outcome view of a search: item-level overturn rates by group, each with a 95 % Wilson
interval and a link to the search narrowed to that group, plus a specialty × category table.

Everything the template shows is computed here, from the counts
``cases.selectors.outcomes.count_outcomes`` reads; the template only loops and prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cases.parsing.guidelines import SECTION_MARK
from cases.presentation.facets import VALUE_LABELS, url_for
from cases.search.base import FACETS, QUANTITY_BANDS, OutcomeCounts, SearchQuery

Z95 = 1.96
SPARSE_BELOW = 5  # groups with fewer items are shown faded: their interval is wide
GROUPS = ("category", "specialty", "guideline", "year")
ITEM_GROUPS = {"drug": "by_drug", "body_region": "by_body_region"}  # facet -> counts field
TOP_DRUGS = 20  # the drugs with most items; the rest are a search away
QUANTITY_LABELS = {"sessions": "Requested sessions", "count": "Requested count"}


def wilson_interval(overturned: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``overturned``/``n``; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = overturned / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _pct(share: float) -> str:
    return f"{100 * share:.0f}"


def _css_pct(share: float) -> str:
    return f"{100 * share:.1f}%"


@dataclass(frozen=True)
class Rate:
    """Overturned items of ``n``, with the interval and the search that shows them."""

    label: str
    n: int
    overturned: int
    url: str = ""
    contrast: str = ""  # "higher"/"lower": the interval lies wholly above/below the search's rate

    @property
    def upheld(self) -> int:
        return self.n - self.overturned

    @property
    def rate(self) -> float:
        return self.overturned / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.overturned, self.n)

    @property
    def sparse(self) -> bool:
        return self.n < SPARSE_BELOW

    @property
    def rate_pct(self) -> str:
        return _pct(self.rate)

    @property
    def low_pct(self) -> str:
        return _pct(self.interval[0])

    @property
    def high_pct(self) -> str:
        return _pct(self.interval[1])

    @property
    def bar_width(self) -> str:
        return _css_pct(self.rate)

    @property
    def interval_left(self) -> str:
        return _css_pct(self.interval[0])

    @property
    def interval_width(self) -> str:
        low, high = self.interval
        return _css_pct(high - low)


def contrast(overturned: int, n: int, baseline: float) -> str:
    """Whether the 95 % interval of ``overturned``/``n`` lies wholly "higher" or "lower" than
    ``baseline`` (the rate of the whole search); "" when it includes it."""
    if not n:
        return ""
    low, high = wilson_interval(overturned, n)
    return "higher" if low > baseline else "lower" if high < baseline else ""


@dataclass(frozen=True)
class RateGroup:
    """The rates of one grouping (category, specialty, guideline or year)."""

    name: str
    label: str
    rates: tuple[Rate, ...]


@dataclass(frozen=True)
class CrossRow:
    """One specialty of the cross table: its overall rate and one cell per category."""

    total: Rate
    cells: tuple[Rate | None, ...]


@dataclass(frozen=True)
class CrossTable:
    """Overturn rates of the specialties with most items, by treatment category."""

    categories: tuple[str, ...]
    rows: tuple[CrossRow, ...]


@dataclass(frozen=True)
class OutcomeReport:
    """The whole outcome view of one search."""

    overall: Rate
    groups: tuple[RateGroup, ...]
    cross: CrossTable
    scope: str = ""  # what the items are: those matching, or every item of the letters
    more_drugs: int = 0  # drugs left out of the drug table
    reasons: tuple[ReasonShare, ...] = ()


@dataclass(frozen=True)
class ReasonShare:
    """How many items of one decision rest on a reason. A reason against the request is
    read from upheld items only, "criteria met" from overturned ones: an overturn rate by
    reason would be 0 % or 100 % by construction, so the view gives each reason's share of
    the items of its side instead."""

    label: str
    url: str
    items: int
    side: str  # "upheld" or "overturned"
    of: int  # items of that side in the search

    @property
    def share_pct(self) -> str:
        return _pct(self.items / self.of) if self.of else "0"


def narrowed(query: SearchQuery, **selection: str) -> SearchQuery:
    """``query`` with each named facet's selection replaced by the one value given.

    Replaced, not added to: values of one facet are OR'ed, so adding would widen the search
    instead of narrowing it to the group the rate was counted over. The counts agree exactly
    unless the facet already had a selection without the value (a co-specialty of a selected
    specialty): the search then shows every letter with the value.
    """
    filters = {**query.filters, **{facet: (value,) for facet, value in selection.items()}}
    return replace(query, filters=filters, page=1)


def _rate(label: str, pair: tuple[int, int], url: str, baseline: float | None) -> Rate:
    upheld, overturned = pair
    n = upheld + overturned
    # No mark on a sparse group: a handful of items says little, whatever its interval.
    differs = contrast(overturned, n, baseline) if baseline is not None and n >= SPARSE_BELOW \
        else ""
    return Rate(label, n, overturned, url, differs)


def _sorted(name: str, rates: list[Rate]) -> tuple[Rate, ...]:
    if name == "year":
        return tuple(sorted(rates, key=lambda r: r.label))
    return tuple(sorted(rates, key=lambda r: (-r.n, r.label)))


def build_report(query: SearchQuery, counts: OutcomeCounts, *, base_url: str) -> OutcomeReport:
    """The outcome view of ``query`` from its ``counts``; links go to the search at
    ``base_url``."""
    upheld = sum(u for u, _ in counts.by_category.values())
    overturned = sum(o for _, o in counts.by_category.values())
    overall = _rate("All disputed items", (upheld, overturned), url_for(query, base_url), None)
    pairs = {"category": counts.by_category, **counts.groups}

    def facet_group(name: str, found: dict[str, tuple[int, int]]) -> RateGroup:
        labels = VALUE_LABELS.get(name, {})
        return RateGroup(name, FACETS[name], _sorted(name, [
            _rate(labels.get(value, value), pair,
                  url_for(narrowed(query, **{name: value}), base_url), overall.rate)
            for value, pair in found.items()]))

    groups = [facet_group(name, pairs.get(name, {})) for name in GROUPS]
    # Why items were decided, and on which guideline: beside the category, before the rest.
    groups[1:1] = [facet_group(name, counts.by_item.get(name, {}))
                   for name in ("same_guideline", "imr_guideline")]
    labels = VALUE_LABELS["reason"]
    reasons = tuple(sorted(
        (ReasonShare(labels.get(code, code), url_for(narrowed(query, reason=code), base_url),
                     u + o, "overturned" if o else "upheld", overturned if o else upheld)
         for code, (u, o) in counts.by_item.get("reason", {}).items()),
        key=lambda r: (r.side, -r.items, r.label)))
    drugs = facet_group("drug", counts.by_drug)
    groups.append(replace(drugs, rates=drugs.rates[:TOP_DRUGS]))
    groups.append(facet_group("body_region", counts.by_body_region))
    groups.extend(_quantity_group(query, unit, counts.by_quantity.get(unit, {}), overall.rate,
                                  base_url) for unit in QUANTITY_LABELS)
    cross = _cross_table(query, counts, groups[0], overall.rate, base_url)
    scope = ("only the items that match every item condition" if counts.matching_only
             else "every item of the matching determinations, whichever item the words "
                  "matched" if query.text else "")
    return OutcomeReport(overall, tuple(groups), cross, scope,
                         max(0, len(drugs.rates) - TOP_DRUGS), reasons)


def _quantity_group(query: SearchQuery, unit: str, found: dict[str, tuple[int, int]],
                    baseline: float, base_url: str) -> RateGroup:
    """The rates of one unit's bands of requested quantity, in band order, each linking to
    the search for that range on the same item."""
    rates = []
    for low, high, label in QUANTITY_BANDS[unit]:
        if label in found:
            banded = replace(query, quantity_unit=unit, quantity_min=float(low),
                             quantity_max=None if high is None else float(high), page=1)
            rates.append(_rate(f"{label} {unit}", found[label], url_for(banded, base_url),
                               baseline))
    return RateGroup(f"quantity-{unit}", QUANTITY_LABELS[unit], tuple(rates))


def _cross_table(query: SearchQuery, counts: OutcomeCounts, categories: RateGroup,
                 baseline: float, base_url: str) -> CrossTable:
    crossed = counts.specialty_by_category
    # Columns in the order of the category chart; only categories some row has.
    columns = tuple(r.label for r in categories.rates
                    if any(r.label in row for row in crossed.values()))
    specialty_pairs = counts.groups.get("specialty", {})
    rows = []
    for specialty, by_category in crossed.items():
        total_pair = specialty_pairs.get(specialty) or (
            sum(u for u, _ in by_category.values()), sum(o for _, o in by_category.values()))
        total = _rate(specialty, total_pair,
                      url_for(narrowed(query, specialty=specialty), base_url), baseline)
        cells = tuple(
            _rate(f"{specialty} · {category}", by_category[category],
                  url_for(narrowed(query, specialty=specialty, category=category), base_url),
                  baseline)
            if category in by_category else None
            for category in columns)
        rows.append(CrossRow(total, cells))
    rows.sort(key=lambda row: (-row.total.n, row.total.label))
    return CrossTable(columns, tuple(rows))


@dataclass(frozen=True)
class GuidelineRates:
    """One document the reviewers cited, with its sections and pages, each with its rate."""

    document: Rate
    sections: tuple[Rate, ...]
    pages: tuple[Rate, ...]


def guideline_rates(query: SearchQuery, counts: OutcomeCounts, *,
                    base_url: str) -> tuple[Rate, tuple[GuidelineRates, ...]]:
    """The search's overall rate, and each document the reviewers relied on (most items
    first) with its sections and pages: how often the items citing each were overturned,
    each linking to the search narrowed to it (the same item citing it)."""
    upheld = sum(u for u, _ in counts.by_category.values())
    overturned = sum(o for _, o in counts.by_category.values())
    overall = _rate("All disputed items", (upheld, overturned), url_for(query, base_url), None)
    sections: dict[str, list[Rate]] = {}
    for key, pair in counts.by_item.get("guideline_section", {}).items():
        document, _, part = key.partition(SECTION_MARK)
        url = url_for(narrowed(query, guideline_section=key), base_url)
        sections.setdefault(document, []).append(_rate(part, pair, url, overall.rate))
    documents = []
    for document, pair in counts.by_item.get("imr_guideline", {}).items():
        parts = _sorted("guideline_section", sections.get(document, []))
        documents.append(GuidelineRates(
            _rate(document, pair, url_for(narrowed(query, imr_guideline=document), base_url),
                  overall.rate),
            tuple(r for r in parts if not r.label.startswith("p. ")),
            tuple(sorted((r for r in parts if r.label.startswith("p. ")),
                         key=lambda r: _page_order(r.label)))))
    documents.sort(key=lambda g: (-g.document.n, g.document.label))
    return overall, tuple(documents)


def _page_order(label: str) -> tuple[int, str]:
    """Pages in the book's order: "p. 9" before "p. 78-80"."""
    digits = label[3:].split("-")[0].strip()
    return (int(digits) if digits.isdigit() else 10**9, label)
