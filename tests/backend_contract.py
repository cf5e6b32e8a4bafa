"""The search backend contract, written against ``SearchBackend`` and its ``SearchIndex``.

Every backend runs it by subclassing, as django-modelsearch's backends run its
``BackendTests``: ``class TestMyBackend(SearchBackendContract)`` gives ``make_backend`` (a
backend over an empty directory) and a ``searched`` fixture, ``(backend, rows)``: a backend
holding an imported archive and the stored determinations it was built from. Facet counts,
totals, orders and outcome counts are checked against counts made from those rows.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from whoosh.lang.porter import stem as porter_stem

from cases.models import Determination
from cases.parsing.guidelines import section_values
from cases.parsing.specialties import canonical_specialties
from cases.search.base import (
    FACETS,
    ITEM_FACETS,
    QUANTITY_BANDS,
    UNDATED_YEAR,
    IndexDocument,
    IndexItem,
    ItemRequest,
    QueryError,
    SearchBackend,
    SearchQuery,
    UnknownFacetError,
    age_band,
)


def _case_values(d: Determination) -> dict[str, set[str]]:
    return {
        "specialty": set(canonical_specialties(d.specialty_names)),
        "state": set(d.state_names),
        "outcome": {d.case_outcome},
        "guideline": set(d.guidelines_cited),
        "year": {str(d.decision_date.year) if d.decision_date else UNDATED_YEAR},
        "sex": {d.patient_sex} if d.patient_sex else set(),
        "age": {age_band(d.patient_age)} if d.patient_age is not None else set(),
    }


@dataclass(frozen=True)
class ItemValues:
    """One stored item as the reference counts see it: a set of values per item facet."""

    facets: dict[str, set[str]]
    unit: str
    quantity: float | None
    heading: str
    decision: str


ItemCheck = Callable[[ItemValues], bool]


def _items(d: Determination) -> list[ItemValues]:
    return [ItemValues({"category": {i.category}, "treatment": {i.subcategory},
                        "decision": {i.decision}, "drug": set(i.drugs),
                        "body_region": set(i.body_regions),
                        "imr_guideline": {str(c["document"]) for c in i.maximus_citations},
                        "guideline_section": set(section_values(i.maximus_citations)),
                        "same_guideline": {i.same_guideline} - {""},
                        "reason": {r["code"] for r in i.reasons}},
                       i.quantity_unit, i.quantity_value, i.treatment, i.decision)
            for i in d.items.all()]


def in_range(unit: str, low: float | None, high: float | None) -> ItemCheck:
    """The item check of a quantity range, computed from the stored fields."""
    def check(item: ItemValues) -> bool:
        value = item.quantity
        return (value is not None and (not unit or item.unit == unit)
                and (low is None or value >= low) and (high is None or value <= high))
    return check


def _item_ok(item: ItemValues, sel: dict[str, set[str]], extra: ItemCheck | None) -> bool:
    return all(item.facets[f] & s for f, s in sel.items()) and (extra is None or extra(item))


def expected_facets(rows: list[Determination], filters: dict[str, tuple[str, ...]],
                    extra: ItemCheck | None = None) -> tuple[int, dict[str, dict[str, int]]]:
    """Total and facet counts computed straight from the stored rows; ``extra`` is a further
    item-level condition (a quantity range, typed treatment words) on the same item."""
    case_sel = {k: set(v) for k, v in filters.items() if k not in ITEM_FACETS and v}
    item_sel = {k: set(v) for k, v in filters.items() if k in ITEM_FACETS and v}
    scoped = bool(item_sel) or extra is not None

    def case_ok(values: dict[str, set[str]], skip: str | None = None) -> bool:
        return all(values[f] & sel for f, sel in case_sel.items() if f != skip)

    def items_ok(items: list[ItemValues], sel: dict[str, set[str]]) -> bool:
        return any(_item_ok(i, sel, extra) for i in items) if sel or extra else True

    prepared = [(_case_values(d), _items(d)) for d in rows]
    total = sum(1 for values, items in prepared if case_ok(values) and items_ok(items, item_sel))
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for values, items in prepared:
            if facet in ITEM_FACETS:
                if not case_ok(values):
                    continue
                others = {k: v for k, v in item_sel.items() if k != facet}
                counts.update({value for item in items if _item_ok(item, others, extra)
                               for value in item.facets[facet]})
            elif case_ok(values, skip=facet) and (not scoped or items_ok(items, item_sel)):
                counts.update(values[facet])
        for value in filters.get(facet, ()):
            counts.setdefault(value, 0)
        facets[facet] = dict(counts)
    return total, facets


def random_filters(rows: list[Determination], rng: random.Random, n: int
                   ) -> Iterator[dict[str, tuple[str, ...]]]:
    """Filter combinations drawn from the values the rows really have (plus an unknown one)."""
    pool: dict[str, set[str]] = {facet: set() for facet in FACETS}
    for d in rows:
        for facet, values in _case_values(d).items():
            pool[facet] |= values
        for item in _items(d):
            for facet in ITEM_FACETS:
                pool[facet] |= item.facets[facet]
    pool["state"].add("Atlantis")
    for _ in range(n):
        chosen = rng.sample(sorted(FACETS), rng.randint(1, 4))
        yield {facet: tuple(rng.sample(sorted(pool[facet]), min(len(pool[facet]),
                                                                rng.randint(1, 2))))
               for facet in chosen}


def _got(backend: SearchBackend, filters: dict[str, tuple[str, ...]],
         query: SearchQuery | None = None) -> tuple[int, dict[str, dict[str, int]]]:
    """Total and facet counts of a search (``query``, or one of ``filters`` alone)."""
    query = SearchQuery(filters=filters) if query is None else query
    results = backend.search(query)
    assert backend.total(query) == results.total
    facets = {f: {v.value: v.count for v in values} for f, values in results.facets.items()}
    for facet, values in results.facets.items():
        assert [v.value for v in values if v.selected] == sorted(
            set(filters.get(facet, ())), key=[v.value for v in values].index)
    return results.total, facets


# Typed treatment: clauses and the item check that computes each from an item's heading.
TREATMENT_CLAUSES: dict[str, Callable[[set[str]], bool]] = {
    "": lambda words: True,
    "treatment:massage": lambda words: "massag" in words,
    "treatment:(therapy OR injection)": lambda words: bool({"therapi", "inject"} & words),
    "treatment:lumbar treatment:injection": lambda words: {"lumbar", "inject"} <= words,
    "treatment:physical -treatment:chiropractic": lambda words: "physical" in words,
}


# ... and the letter-level exclusions among them: letters with this stem in a heading go.
TREATMENT_EXCLUDED = {"treatment:physical -treatment:chiropractic": "chiropract"}


def heading_words(heading: str) -> set[str]:
    return {porter_stem(word) for word in re.findall(r"[a-z0-9]+", heading.lower())}


def item_conditions_of(query: SearchQuery) -> ItemCheck | None:
    """The item-level conditions of ``query`` beyond its facets, computed from the stored
    items: its quantity range and its typed treatment: clause (one of ``TREATMENT_CLAUSES``)."""
    if not query.quantity_range and not query.text:
        return None
    quantity = in_range(query.quantity_unit, query.quantity_min, query.quantity_max)
    words = TREATMENT_CLAUSES[query.text]
    return lambda item: ((not query.quantity_range or quantity(item))
                         and words(heading_words(item.heading)))


def _matches(rows: list[Determination], filters: dict[str, tuple[str, ...]],
             extra: ItemCheck | None = None) -> list[tuple[Determination, list[ItemValues]]]:
    """Rows passing every filter, each with its items the item-level conditions allow."""
    case_sel = {k: set(v) for k, v in filters.items() if k not in ITEM_FACETS}
    item_sel = {k: set(v) for k, v in filters.items() if k in ITEM_FACETS}
    found = []
    for row in rows:
        values = _case_values(row)
        items = [i for i in _items(row) if _item_ok(i, item_sel, extra)]
        if all(values[f] & s for f, s in case_sel.items()) and items:
            found.append((row, items))
    return found


def _pairs(counter: Counter) -> dict[str, tuple[int, int]]:
    names = {name for name, _ in counter}
    return {n: (counter[(n, "Upheld")], counter[(n, "Overturned")]) for n in names
            if counter[(n, "Upheld")] + counter[(n, "Overturned")]}


def _band(unit: str, value: float | None) -> str | None:
    for low, high, label in QUANTITY_BANDS.get(unit, ()):
        if value is not None and value >= low and (high is None or value < high + 1):
            return label
    return None


def check_outcomes(backend: SearchBackend, rows: list[Determination], query: SearchQuery,
                   extra: ItemCheck | None = None) -> None:
    """The query's ids, total, outcome split and every outcome-view count against the
    stored items (``extra``: the query's item-level conditions beyond its facets)."""
    found = _matches(rows, dict(query.filters), extra)
    ids = backend.matching_ids(query)
    assert backend.total(query) == len(found)
    assert sorted(ids) == sorted(row.public_id for row, _ in found)
    page = backend.search(replace(query, page_size=20))
    assert ids[:20] == [hit.id for hit in page.hits]
    counted = [(row, item) for row, items in found for item in items]
    assert (page.items_upheld, page.items_overturned) == (
        sum(i.decision == "Upheld" for _, i in counted),
        sum(i.decision == "Overturned" for _, i in counted))
    expected: dict[str, Counter] = {g: Counter() for g in (
        "category", "specialty", "guideline", "year", "drug", "body_region")}
    crossed: Counter = Counter()
    bands: dict[str, Counter] = {unit: Counter() for unit in QUANTITY_BANDS}
    for row, item in counted:
        values = _case_values(row)
        key = item.decision
        for group in ("category", "drug", "body_region"):
            for value in item.facets[group]:
                expected[group][(value, key)] += 1
        for group in ("specialty", "guideline", "year"):
            for value in values[group]:
                expected[group][(value, key)] += 1
        for specialty in values["specialty"]:
            for category in item.facets["category"]:
                crossed[(specialty, category, key)] += 1
        if (band := _band(item.unit, item.quantity)) is not None:
            bands[item.unit][(band, key)] += 1
    got = backend.outcome_counts(query)
    assert got.by_category == _pairs(expected["category"])
    assert got.by_drug == _pairs(expected["drug"])
    assert got.by_body_region == _pairs(expected["body_region"])
    assert got.by_quantity == {unit: _pairs(counter) for unit, counter in bands.items()}
    for group in ("specialty", "guideline", "year"):
        assert got.groups[group] == _pairs(expected[group]), group
    assert 0 < len(got.specialty_by_category) <= 12 or not found
    for specialty, cells in got.specialty_by_category.items():
        assert cells == _pairs(Counter({(c, d): n for (s, c, d), n in crossed.items()
                                        if s == specialty})), specialty


def _doc(doc_id: str, treatment: str, summary: str, rationale: str = "",
         decision: str = "Upheld", category: str = "Rehabilitation",
         subcategory: str = "massage", specialties: tuple[str, ...] = ("Family Practice",),
         states: tuple[str, ...] = ("California",)) -> IndexDocument:
    return IndexDocument(
        id=doc_id, case_number=doc_id if doc_id.startswith("CM") else "",
        decision_date=date(2016, 12, 1), date_of_injury=date(2010, 1, 1),
        specialties=specialties, states=states, outcome=decision,
        guidelines=("MTUS",), sex="female", age=44, summary=summary,
        items=(IndexItem(treatment, category, subcategory, decision, rationale),),
    )


DOCS = [
    _doc("CM16-0000001", "Eighteen sessions of massage therapy", "Chronic neck pain.",
         "Massages are limited to six visits."),
    _doc("CM16-0000002", "Norco 10/325mg #120", "Low back pain after a fall.",
         "Opioids need documented functional improvement.", category="Pharmaceuticals",
         subcategory="opioids", specialties=("Pain Management", "Anesthesiology")),
    _doc("CM16-0000003", "Hydrocodone/APAP 5/325 #60", "Shoulder strain.",
         "Hydrocodone is not indicated.", category="Pharmaceuticals", subcategory="opioids"),
    _doc("CM16-0000004", "Left L5-S1 epidural steroid injection", "Radiculopathy at L5-S1.",
         "Criteria of §9792.24.2 are met.", decision="Overturned", category="Injections",
         subcategory="epidural steroid injection", states=("Texas", "California")),
    _doc("CM16-0000005", "Physical therapy 12 sessions", "Knee sprain; massage helped before.",
         "Physical medicine guidelines allow 10 visits.", subcategory="physical therapy",
         specialties=("Physical Medicine & Rehabilitation",)),
    _doc("imr-0123456789abcdef", "Chiropractic manipulation", "Neck and back pain.",
         "Manual therapy and manipulation time-limited.", subcategory="chiropractic"),
]


def ids(backend: SearchBackend, text: str) -> set[str]:
    return {hit.id for hit in backend.search(SearchQuery(text=text, page_size=50)).hits}



class SearchBackendContract:
    """What every backend must do; subclasses say how to make theirs (see the module)."""

    @staticmethod
    def make_backend(path: Path) -> SearchBackend:
        raise NotImplementedError

    @pytest.fixture
    def backend(self, tmp_path: Path) -> SearchBackend:
        """A backend holding the six small documents of ``DOCS``."""
        backend = self.make_backend(tmp_path / "index")
        backend.index.add_bulk(DOCS)
        return backend

    def test_facets_without_filters_match_database(self, searched: tuple) -> None:
        backend, rows = searched
        assert _got(backend, {}) == expected_facets(rows, {})

    @pytest.mark.parametrize("seed", range(12))
    def test_facets_with_filter_combinations_match_database(self, searched: tuple,
                                                            seed: int) -> None:
        backend, rows = searched
        for filters in random_filters(rows, random.Random(seed), 10):
            assert _got(backend, filters) == expected_facets(rows, filters), filters

    def test_item_level_rule_massage_overturned(self, searched: tuple) -> None:
        backend, rows = searched
        filters = {"treatment": ("massage",), "decision": ("Overturned",)}
        total, facets = _got(backend, filters)
        expected = {d.public_id for d in rows
                    if any(i.subcategory == "massage" and i.decision == "Overturned"
                           for i in d.items.all())}
        mixed = [d for d in rows if d.public_id not in expected
                 and any(i.subcategory == "massage" for i in d.items.all())
                 and any(i.decision == "Overturned" for i in d.items.all())]
        if len(rows) > 1000:  # the generated corpus has both kinds; the real letters have neither
            assert mixed, "expected cases with upheld massage and another item overturned"
            assert expected
        assert total == len(expected)
        hits = backend.search(SearchQuery(filters=filters, page_size=max(1, len(expected))))
        assert {h.id for h in hits.hits} == expected
        assert facets["decision"]["Overturned"] == len(expected)

    @pytest.mark.parametrize("seed", range(10))
    def test_item_level_combinations_match_database(self, searched: tuple, seed: int) -> None:
        """Typed treatment: clauses, drugs, body regions, a quantity range, category and
        decision, with case facets: every item-level condition on the same item; totals,
        facets, the outcome split and the outcome view as the stored items count them."""
        backend, rows = searched
        rng = random.Random(seed)
        pool = {facet: sorted({v for d in rows for i in _items(d) for v in i.facets[facet]})
                for facet in ITEM_FACETS}
        chosen = rng.sample(["drug", "body_region", "category", "decision", "treatment"],
                            rng.randint(0, 2))
        filters = {facet: tuple(rng.sample(pool[facet], min(len(pool[facet]), 2)))
                   for facet in chosen if pool[facet]}
        if rng.random() < 0.3:
            filters["year"] = ("2016", "2017", UNDATED_YEAR)
        unit = rng.choice(["sessions", "count", "", None])
        low = rng.choice([None, 1, 7, 30]) if unit is not None else None
        high = rng.choice([None, 6, 12, 90]) if unit is not None else None
        if low is not None and high is not None and low > high:
            low, high = high, low
        query = SearchQuery(text=rng.choice(list(TREATMENT_CLAUSES)), filters=filters,
                            quantity_unit=unit or "", quantity_min=low, quantity_max=high,
                            sort="oldest")
        extra = item_conditions_of(query)
        if excluded := TREATMENT_EXCLUDED.get(query.text):
            rows = [d for d in rows if not any(excluded in heading_words(i.treatment)
                                               for i in d.items.all())]
        assert _got(backend, filters, query) == expected_facets(rows, filters, extra), query
        check_outcomes(backend, rows, query, extra)

    @pytest.mark.parametrize(("text", "item_level"), [
        ('"physical therapy"', False), ("massage", False), ("rationale:massage", False),
        ('treatment:"physical therapy"', True), ("treatment:massage", True),
        ("treatment:massage -treatment:knee", True), ("massage -treatment:knee", False)])
    def test_only_treatment_clauses_are_item_level(self, backend: SearchBackend, text: str,
                                                   item_level: bool) -> None:
        assert backend.search(SearchQuery(text)).items_matching_only is item_level

    def test_typed_treatment_binds_to_the_item_its_decision_filters(
            self, searched: tuple) -> None:
        """"massage" with Item decision = Overturned means the massage was overturned."""
        backend, rows = searched
        query = SearchQuery("treatment:massage", filters={"decision": ("Overturned",)})
        expected = {d.public_id for d in rows if any(
            "massag" in heading_words(i.treatment) and i.decision == "Overturned"
            for i in d.items.all())}
        assert set(backend.matching_ids(query)) == expected
        loose = {d.public_id for d in rows if any(
            "massag" in heading_words(i.treatment) for i in d.items.all()) and any(
            i.decision == "Overturned" for i in d.items.all())}
        if len(rows) > 1000:  # the generated corpus has letters of both kinds
            assert expected and loose - expected

    def test_outcome_split_counts_items(self, searched: tuple) -> None:
        backend, rows = searched
        results = backend.search(SearchQuery(filters={"category": ("Rehabilitation",)}))
        items = [i for d in rows for i in d.items.all() if i.category == "Rehabilitation"]
        assert results.items_upheld == sum(i.decision == "Upheld" for i in items)
        assert results.items_overturned == sum(i.decision == "Overturned" for i in items)

    def test_date_ranges_filter_decision_and_injury_dates(self, searched: tuple) -> None:
        backend, rows = searched
        low, high = date(2016, 1, 1), date(2018, 12, 31)
        results = backend.search(SearchQuery(decided_from=low, decided_to=high))
        assert results.total == sum(1 for d in rows if d.decision_date and low <= d.decision_date
                                    <= high)
        injured = backend.search(SearchQuery(injured_to=date(2005, 1, 1)))
        assert injured.total == sum(1 for d in rows if d.date_of_injury
                                    and d.date_of_injury <= date(2005, 1, 1))

    def test_sort_newest_and_oldest(self, searched: tuple) -> None:
        backend, rows = searched
        newest = backend.search(SearchQuery(sort="newest", page_size=5)).hits
        dated = sorted((d.decision_date for d in rows if d.decision_date), reverse=True)
        by_id = {d.public_id: d for d in rows}
        assert [by_id[h.id].decision_date for h in newest] == dated[:5]
        oldest = backend.search(SearchQuery(sort="oldest", page_size=len(rows))).hits
        days = [by_id[h.id].decision_date for h in oldest]
        # Undated letters come last in both orders.
        assert days == sorted(dated) + [None] * (len(rows) - len(dated))

    def test_sort_added_and_added_after(self, tmp_path: Path) -> None:
        """Recently added first, the newest decided first among letters added together; and
        only what was added after a moment (what feeds and alerts ask for)."""
        backend = self.make_backend(tmp_path / "added")
        start = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
        docs = [replace(doc, added=start + timedelta(seconds=n % 3),
                        decision_date=date(2016, 12, 1 + n)) for n, doc in enumerate(DOCS)]
        docs[-1] = replace(docs[-1], decision_date=None)
        backend.index.add_bulk(docs)
        by_id = {d.id: d for d in docs}
        hits = backend.search(SearchQuery(sort="added", page_size=len(docs))).hits
        expected = sorted(docs, key=lambda d: (d.added, d.decision_date or date.min),
                          reverse=True)
        assert [h.id for h in hits] == [d.id for d in expected]
        after = start + timedelta(seconds=1)
        newer = backend.search(SearchQuery(added_after=after, page_size=len(docs)))
        assert {h.id for h in newer.hits} == {d.id for d in docs if d.added > after}
        assert newer.total == 2
        # With text and filters too; a naive moment is UTC.
        naive = backend.search(SearchQuery("massage", added_after=start.replace(tzinfo=None),
                                           sort="added", page_size=len(docs)))
        assert [h.id for h in naive.hits] == [
            h.id for h in backend.search(SearchQuery("massage", sort="added",
                                                     page_size=len(docs))).hits
            if by_id[h.id].added > start]

    def test_text_query_facets_agree_with_hits(self, searched: tuple) -> None:
        backend, rows = searched
        query = SearchQuery(text="acupuncture", page_size=10000)
        results = backend.search(query)
        matched = [d for d in rows if d.public_id in {h.id for h in results.hits}]
        assert results.total == len(matched) > 0
        assert {f: {v.value: v.count for v in vs} for f, vs in results.facets.items()} == \
            expected_facets(matched, {})[1]

    def test_unknown_facet_names_the_fix(self, searched: tuple) -> None:
        backend, _ = searched
        with pytest.raises(UnknownFacetError, match="use one of: outcome, decision"):
            backend.search(SearchQuery(filters={"colour": ("red",)}))

    @pytest.mark.parametrize("text", ["a*", "*x", "x" * 600, "NOT massage", "-massage"])
    def test_malformed_queries_raise_query_error_with_advice(self, searched: tuple,
                                                             text: str) -> None:
        backend, _ = searched
        with pytest.raises(QueryError):
            backend.search(SearchQuery(text=text))

    @pytest.mark.parametrize("seed", range(8))
    def test_totals_without_each_filter_match_the_database(self, searched: tuple,
                                                           seed: int) -> None:
        # A zero-hit page offers each filter dropped; the counts come from one selection's
        # masks and must be what the database says and what a search of each would count.
        backend, rows = searched
        rng = random.Random(seed)
        filters = next(random_filters(rows, rng, 1))
        while len(filters) < 2:
            filters = next(random_filters(rows, rng, 1))
        got = backend.totals_without_each_filter(SearchQuery(filters=filters))
        assert list(got) == list(filters)
        for facet in filters:
            kept = {k: v for k, v in filters.items() if k != facet}
            assert got[facet] == len(_matches(rows, kept)), (facet, filters)
        texted = SearchQuery("therapy", filters=filters)
        assert backend.totals_without_each_filter(texted) == {
            facet: backend.total(texted.without(facet=facet)) for facet in filters}

    @pytest.mark.parametrize("seed", range(6))
    def test_matching_ids_and_outcome_counts_match_database(self, searched: tuple,
                                                            seed: int) -> None:
        backend, rows = searched
        filters = next(random_filters(rows, random.Random(seed), 1)) if seed else {}
        check_outcomes(backend, rows, SearchQuery(filters=filters, sort="oldest"))

    @pytest.mark.parametrize(("text", "expected"), [
        ("massage", {"CM16-0000001", "CM16-0000005"}),
        ("MASSAGES", {"CM16-0000001", "CM16-0000005"}),  # case-insensitive, stemmed
        ("massage neck", {"CM16-0000001"}),  # all words must match
        ("massage OR chiropractic", {"CM16-0000001", "CM16-0000005", "imr-0123456789abcdef"}),
        ("massage -knee", {"CM16-0000001"}),
        ("massage NOT knee", {"CM16-0000001"}),
        ('"physical therapy"', {"CM16-0000005"}),
        ('"therapy physical"', set()),
        ('"L5-S1 epidural"', {"CM16-0000004"}),  # a compound inside a phrase stays whole
        ('"epidural steroid injection"', {"CM16-0000004"}),  # three words: both of its pairs
        ('"epidural injection steroid"', set()),
        ('"physical medicine guidelines"', {"CM16-0000005"}),
        ('"physical guidelines"', set()),  # both words are there, not next to each other
        ('"physical guidelines"~3', {"CM16-0000005"}),  # slop: all the words, anywhere
        ('rationale:"documented functional"', {"CM16-0000002"}),
        ('summary:"documented functional"', set()),  # adjacent in the letter, not in the summary
        ('treatment:"physical therapy"', {"CM16-0000005"}),
        ('-"physical therapy" massage', {"CM16-0000001"}),
        ("(massage OR manipulation) neck", {"CM16-0000001", "imr-0123456789abcdef"}),
        ("massage (-knee)", {"CM16-0000001"}),  # a minus inside parentheses excludes too
        ("(massage -knee) OR manipulation", {"CM16-0000001", "imr-0123456789abcdef"}),
        ("massage (neck OR -knee)", {"CM16-0000001"}),
        ("manip*", {"imr-0123456789abcdef"}),
        ("treatment:massage", {"CM16-0000001"}),
        ("TREATMENT:massage", {"CM16-0000001"}),  # a field's name in any case
        ("summary:massage", {"CM16-0000005"}),
        ("rationale:hydrocodone", {"CM16-0000003"}),
        ("specialty:anesthesiology", {"CM16-0000002"}),
        ("state:texas", {"CM16-0000004"}),
        ("case:CM16-0000004", {"CM16-0000004"}),
        ("L5-S1", {"CM16-0000004"}),
        ("10/325", {"CM16-0000002"}),
        ("§9792.24.2", {"CM16-0000004"}),
        ("CM16-0000002", {"CM16-0000002"}),
        ("norco", {"CM16-0000002", "CM16-0000003"}),  # brand name finds the generic
        ("hydrocodone", {"CM16-0000002", "CM16-0000003"}),  # and the generic the brand
        ("treatment:hydrocodone", {"CM16-0000002", "CM16-0000003"}),
        # "APAP" is acetaminophen; a Norco letter is found through hydrocodone, not this.
        ("acetaminophen", {"CM16-0000003"}),
        ("ESI", {"CM16-0000004"}),  # abbreviation finds the spelled-out treatment
        ("PT", {"CM16-0000005"}),
        ("", {d.id for d in DOCS}),
    ])
    def test_query_language_finds_expected_cases(self, backend: SearchBackend, text: str,
                                                 expected: set[str]) -> None:
        assert ids(backend, text) == expected

    @pytest.mark.parametrize(("text", "advice"), [
        ("m*", "at least 2 letters"),
        ("x" * 501, "shorten it to 500"),
        ("-massage", "only excludes"),
        ("NOT massage", "only excludes"),
        ("~!@#$%^&", "no words"),
        ("massage NOT NOT knee", "cannot be read"),  # Whoosh's parser fails on it
        # Wildcards alone are a pattern without letters, as "m*" is (not "everything").
        ("*", "at least 2 letters"), ("***", "at least 2 letters"),
        # A lone operator was searched as the word ("OR": every letter with an "or").
        ("AND", "joins two words"), ("massage AND", "joins two words"),
        ("OR OR", "joins two words"), ("massage NOT", "excludes the word after it"),
        # An unknown field was searched as words, finding nothing, and said nothing.
        ("unknownfield:massage", "no field “unknownfield” to search in; the fields are treatment:"),
        ("id:CM16-0000001", "no field “id”"),
        ("decision:overturned", "“decision” is a filter"),
    ])
    def test_query_errors_say_what_to_fix(self, backend: SearchBackend, text: str,
                                          advice: str) -> None:
        with pytest.raises(QueryError, match=advice):
            backend.search(SearchQuery(text=text))

    @pytest.mark.parametrize("text", ['"unbalanced quote', "((massage", "treatment:",
                                      "time 10:30"])
    def test_odd_queries_still_answer(self, backend: SearchBackend, text: str) -> None:
        results = backend.search(SearchQuery(text=text))
        assert results.total >= 0

    @pytest.mark.parametrize(("text", "words"), [
        ("[neck TO pain]", "neck to pain"), ("{neck TO pain}", "neck to pain"),
        ("[a TO z]", "a to z"), ("[massage TO]", "massage to")])
    def test_query_ranges_are_read_as_words(self, backend: SearchBackend, text: str,
                                            words: str) -> None:
        # A range of stemmed words means nothing to a reader and Whoosh searched it term by
        # term (seconds for a few thousand): its words are searched as words instead.
        assert ids(backend, text) == ids(backend, words)
        assert ids(backend, "[neck TO pain]")

    def test_snippet_marks_terms_and_escapes_letter_text(self, backend: SearchBackend) -> None:
        texts = {"CM16-0000001": "Massage <script>alert(1)</script> helped the neck."}
        results = backend.search(SearchQuery(text="massage neck"),
                                 load_text=lambda wanted: {i: texts.get(i, "") for i in wanted})
        snippet = results.hits[0].snippet
        assert "<script>" not in snippet
        assert "&lt;script&gt;" in snippet
        assert '<mark class="match term0">Massage</mark>' in snippet

    def test_snippet_is_plain_text_too_with_its_marks(self, backend: SearchBackend) -> None:
        texts = {"CM16-0000001": "Massage <b>of</b> the neck: massages are helpful."}
        results = backend.search(SearchQuery(text="massage of neck are"),
                                 load_text=lambda wanted: {i: texts.get(i, "") for i in wanted})
        hit = results.hits[0]
        assert hit.snippet_text == texts["CM16-0000001"]
        # The stop words "of" and "are" are searched ("sessions of massage", "massages are
        # limited"), not marked.
        assert [hit.snippet_text[a:b] for a, b in hit.highlights] == [
            "Massage", "neck", "massages"]

    def test_year_facet_is_newest_first_undated_last(self, tmp_path: Path) -> None:
        # By year, not by count: the most letters are of 2014 here.
        backend = self.make_backend(tmp_path / "years")
        days = [date(2014, 1, 1), date(2014, 2, 1), date(2017, 1, 1), date(2013, 1, 1),
                date(2014, 3, 1), None]
        backend.index.add_bulk([replace(doc, decision_date=day)
                                for doc, day in zip(DOCS, days, strict=True)])
        years = [v.value for v in backend.search(SearchQuery()).facets["year"]]
        assert years == ["2017", "2014", "2013", UNDATED_YEAR]

    def test_facet_values_are_every_value_of_every_facet(self, backend: SearchBackend) -> None:
        # What a backend reads more cheaply is what counting every letter's facets gives.
        assert backend.facet_values() == SearchBackend.facet_values(backend)
        assert backend.facet_values()["decision"] == ("Overturned", "Upheld")

    def test_suggest_offers_a_close_indexed_word(self, backend: SearchBackend) -> None:
        assert backend.suggest("chiropractc") == "chiropractic"
        assert backend.suggest("massage") is None

    def test_nearest_items_rank_the_same_request_first(self, backend: SearchBackend) -> None:
        request = ItemRequest("Pharmaceuticals", "opioids",
                              facts="Shoulder strain; hydrocodone is not indicated.")
        (found,) = backend.nearest_items([request], limit=5, exclude="CM16-0000002")
        assert [(m.id, m.item) for m in found.matches] == [("CM16-0000003", 1)]
        # Its outcome is the same-request search's, the excluded letter counted too.
        assert (found.upheld, found.overturned) == (2, 0)
        (massage,) = backend.nearest_items([ItemRequest("Rehabilitation", "massage")], limit=5)
        # The same treatment first, then the category's others; other categories never.
        assert [m.id for m in massage.matches][:1] == ["CM16-0000001"]
        assert {m.id for m in massage.matches} == {"CM16-0000001", "CM16-0000005",
                                                   "imr-0123456789abcdef"}
        assert massage.matches[0].score > massage.matches[-1].score
        counted = backend.count_items(ItemRequest("Rehabilitation", "massage").query())
        assert (massage.upheld, massage.overturned) == (counted.upheld, counted.overturned)

    def test_an_open_searcher_sees_replaced_and_deleted_documents(
            self, backend: SearchBackend) -> None:
        assert backend.index.count() == len(DOCS)  # this process's searcher is open now
        backend.index.add_bulk(DOCS[:2])  # replaced: still one document each
        assert backend.index.count() == len(DOCS)
        assert ids(backend, "massage") == {"CM16-0000001", "CM16-0000005"}
        backend.index.delete(["CM16-0000001"])
        assert ids(backend, "massage") == {"CM16-0000005"}

    def test_count_of_a_missing_index_is_zero(self, tmp_path: Path) -> None:
        assert self.make_backend(tmp_path).index.count() == 0

    def test_writer_commits_in_steps_and_cancel_drops_only_what_followed(
            self, tmp_path: Path) -> None:
        backend = self.make_backend(tmp_path / "index")
        writer = backend.index.writer()
        writer.add(DOCS[:3])
        assert ids(backend, "") == set()  # nothing is searchable before the commit
        assert writer.commit() == [d.id for d in DOCS[:3]]
        writer.add(DOCS[3:])
        writer.cancel()
        assert ids(backend, "") == {d.id for d in DOCS[:3]}
        assert dict(backend.index.fingerprints()) == {d.id: d.fingerprint() for d in DOCS[:3]}
        backend.index.verify()

    def test_rebuild_swaps_in_its_documents_and_what_caught_up(self, tmp_path: Path) -> None:
        backend = self.make_backend(tmp_path / "index")
        backend.index.add_bulk(DOCS)
        assert backend.index.rebuild(DOCS[:2], catch_up=lambda: DOCS[4:]) == 2
        expected = {d.id for d in DOCS[:2] + DOCS[4:]}
        assert ids(backend, "") == expected
        assert backend.index.count() == len(expected)
        assert {doc_id for doc_id, _ in backend.index.fingerprints()} == expected
