"""The search backend's contract: facet counts checked against counts from the database."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from cases.models import Determination, LicenseState, Specialty
from cases.search.base import (
    FACETS,
    ITEM_FACETS,
    QueryError,
    SearchQuery,
    UnknownFacetError,
    age_band,
)
from cases.search.whoosh_backend import WhooshBackend
from cases.services import import_determinations, rebuild_index
from cases.synthetic import write_corpus
from tests.conftest import REAL_PDFS, SEEDS, need

# The module fixture writes the corpus once; the mark makes pytest-django create the test
# database (it only does for modules that declare they use one).
pytestmark = pytest.mark.django_db


def _case_values(d: Determination) -> dict[str, set[str]]:
    return {
        "specialty": set(d.specialty_names),
        "state": set(d.state_names),
        "outcome": {d.case_outcome},
        "guideline": set(d.guidelines_cited),
        "year": {str(d.decision_date.year)} if d.decision_date else set(),
        "sex": {d.patient_sex} if d.patient_sex else set(),
        "age": {age_band(d.patient_age)} if d.patient_age is not None else set(),
    }


def _items(d: Determination) -> list[dict[str, str]]:
    return [{"category": i.category, "treatment": i.subcategory, "decision": i.decision}
            for i in d.items.all()]


def expected_facets(rows: list[Determination], filters: dict[str, tuple[str, ...]]
                    ) -> tuple[int, dict[str, dict[str, int]]]:
    """Total and facet counts computed straight from the stored rows."""
    case_sel = {k: set(v) for k, v in filters.items() if k not in ITEM_FACETS and v}
    item_sel = {k: set(v) for k, v in filters.items() if k in ITEM_FACETS and v}

    def case_ok(values: dict[str, set[str]], skip: str | None = None) -> bool:
        return all(values[f] & sel for f, sel in case_sel.items() if f != skip)

    def item_ok(items: list[dict[str, str]], sel: dict[str, set[str]]) -> bool:
        return any(all(item[f] in s for f, s in sel.items()) for item in items) if sel else True

    prepared = [(_case_values(d), _items(d)) for d in rows]
    total = sum(1 for values, items in prepared if case_ok(values) and item_ok(items, item_sel))
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        counts: Counter[str] = Counter()
        for values, items in prepared:
            if facet in ITEM_FACETS:
                if not case_ok(values):
                    continue
                others = {k: v for k, v in item_sel.items() if k != facet}
                for value in {item[facet] for item in items}:
                    if item_ok(items, {**others, facet: {value}}):
                        counts[value] += 1
            elif case_ok(values, skip=facet) and item_ok(items, item_sel):
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
                pool[facet].add(item[facet])
    pool["state"].add("Atlantis")
    for _ in range(n):
        chosen = rng.sample(sorted(FACETS), rng.randint(1, 4))
        yield {facet: tuple(rng.sample(sorted(pool[facet]), min(len(pool[facet]),
                                                                rng.randint(1, 2))))
               for facet in chosen}


@pytest.fixture(scope="module", params=["generated+real", "real"])
def generated(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: object,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WhooshBackend, list]]:
    """2,500 generated letters with the real ones, then the 152 real letters alone."""
    paths = [SEEDS, REAL_PDFS]
    if request.param == "real":
        need(REAL_PDFS)
    else:
        corpus = tmp_path_factory.mktemp("corpus")
        write_corpus(corpus, count=2500, seed=404, noise_share=0.2)
        paths = [corpus] + (paths if REAL_PDFS.is_dir() else [])
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        import_determinations(paths=paths, index=False)
        backend = WhooshBackend({"path": str(tmp_path_factory.mktemp("index"))})
        rebuild_index(backend=backend)
        rows = list(Determination.objects.prefetch_related("items"))
        yield backend, rows
        Determination.objects.all().delete()
        Specialty.objects.all().delete()
        LicenseState.objects.all().delete()


def _got(backend: WhooshBackend, filters: dict[str, tuple[str, ...]]
         ) -> tuple[int, dict[str, dict[str, int]]]:
    results = backend.search(SearchQuery(filters=filters))
    assert backend.total(SearchQuery(filters=filters)) == results.total
    facets = {f: {v.value: v.count for v in values} for f, values in results.facets.items()}
    for facet, values in results.facets.items():
        assert [v.value for v in values if v.selected] == sorted(
            set(filters.get(facet, ())), key=[v.value for v in values].index)
    return results.total, facets


def test_facets_without_filters_match_database(generated: tuple) -> None:
    backend, rows = generated
    assert _got(backend, {}) == expected_facets(rows, {})


@pytest.mark.parametrize("seed", range(12))
def test_facets_with_filter_combinations_match_database(generated: tuple, seed: int) -> None:
    backend, rows = generated
    for filters in random_filters(rows, random.Random(seed), 10):
        assert _got(backend, filters) == expected_facets(rows, filters), filters


def test_item_level_rule_massage_overturned(generated: tuple) -> None:
    backend, rows = generated
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


def test_outcome_split_counts_items(generated: tuple) -> None:
    backend, rows = generated
    results = backend.search(SearchQuery(filters={"category": ("Rehabilitation",)}))
    items = [i for d in rows for i in d.items.all() if i.category == "Rehabilitation"]
    assert results.items_upheld == sum(i.decision == "Upheld" for i in items)
    assert results.items_overturned == sum(i.decision == "Overturned" for i in items)


def test_date_ranges_filter_decision_and_injury_dates(generated: tuple) -> None:
    backend, rows = generated
    low, high = date(2016, 1, 1), date(2018, 12, 31)
    results = backend.search(SearchQuery(decided_from=low, decided_to=high))
    assert results.total == sum(1 for d in rows if d.decision_date and low <= d.decision_date
                                <= high)
    injured = backend.search(SearchQuery(injured_to=date(2005, 1, 1)))
    assert injured.total == sum(1 for d in rows if d.date_of_injury
                                and d.date_of_injury <= date(2005, 1, 1))


def test_sort_newest_and_oldest(generated: tuple) -> None:
    backend, rows = generated
    newest = backend.search(SearchQuery(sort="newest", page_size=5)).hits
    dated = sorted((d.decision_date for d in rows if d.decision_date), reverse=True)
    by_id = {d.public_id: d for d in rows}
    assert [by_id[h.id].decision_date for h in newest] == dated[:5]
    oldest = backend.search(SearchQuery(sort="oldest", page_size=len(rows))).hits
    days = [by_id[h.id].decision_date for h in oldest]
    # Undated letters come last in both orders.
    assert days == sorted(dated) + [None] * (len(rows) - len(dated))


def test_text_query_facets_agree_with_hits(generated: tuple) -> None:
    backend, rows = generated
    query = SearchQuery(text="acupuncture", page_size=10000)
    results = backend.search(query)
    matched = [d for d in rows if d.public_id in {h.id for h in results.hits}]
    assert results.total == len(matched) > 0
    assert {f: {v.value: v.count for v in vs} for f, vs in results.facets.items()} == \
        expected_facets(matched, {})[1]


def test_unknown_facet_names_the_fix(generated: tuple) -> None:
    backend, _ = generated
    with pytest.raises(UnknownFacetError, match="use one of: outcome, decision"):
        backend.search(SearchQuery(filters={"colour": ("red",)}))


@pytest.mark.parametrize("text", ["a*", "*x", "x" * 600, "NOT massage", "-massage"])
def test_malformed_queries_raise_query_error_with_advice(generated: tuple, text: str) -> None:
    backend, _ = generated
    with pytest.raises(QueryError):
        backend.search(SearchQuery(text=text))


def test_count_of_a_missing_index_is_zero(tmp_path: Path) -> None:
    assert WhooshBackend({"path": str(tmp_path)}).index.count() == 0


def test_index_without_segments_searches_to_nothing(tmp_path: Path) -> None:
    """An index created but never committed to (an import killed before its first commit)
    opens and finds nothing; it is not taken for a damaged one."""
    backend = WhooshBackend({"path": str(tmp_path)})
    backend._ensure_index()  # what a writer does first
    assert backend.index.count() == 0
    found = backend.search(SearchQuery(text="pain", filters={"state": ("Texas",)}))
    assert found.total == 0 and found.hits == ()
    assert backend.search(SearchQuery(decided_from=date(2015, 1, 1))).total == 0


@pytest.mark.parametrize("text", [
    "pain", "massage therapy", '"physical therapy"', '"functional restoration program"',
    "treatment:massage", "acupunct*", "lumbar OR cervical", "norco", "+massage therapy",
    "(massage OR manipulation) neck", "rationale:opioids", "specialty:orthopedic",
    "case:cm16*"])
def test_array_ranking_equals_whoosh_scoring(generated: tuple, text: str) -> None:
    from cases.services import index_document

    backend, rows = generated
    # Replace a few letters: a second segment, and deleted documents in the first.
    backend.index.add_bulk(index_document(d) for d in rows[:30])
    parsed = backend.queries.parse(text)
    with backend.directory.open().lend() as read:
        assert read.ranker.evaluate(parsed) is not None  # the array path answers this shape
        whoosh = read.searcher.search(parsed, limit=None)
        score_of = {read.searcher.stored_fields(docnum)["id"]: score
                    for score, docnum in whoosh.top_n}
    results = backend.search(SearchQuery(text=text, page_size=20))
    assert results.total == len(score_of)
    expected = sorted(score_of.values(), reverse=True)[:20]
    assert [score_of[hit.id] for hit in results.hits] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("text", "positive", "negative"), [
    ("massage -chiropractic", "massage", "chiropractic"), ("mri NOT knee", "mri", "knee")])
def test_array_exclusion_drops_every_letter_with_the_word(generated: tuple, text: str,
                                                        positive: str, negative: str) -> None:
    from cases.services import index_document

    backend, rows = generated
    backend.index.add_bulk(index_document(d) for d in rows[:30])
    searcher = backend.directory.open().searcher

    def found(word: str) -> dict[str, float]:
        hits = searcher.search(backend.queries.parse(word), limit=None)
        return {searcher.stored_fields(docnum)["id"]: score for score, docnum in hits.top_n}

    # Whoosh's own AndNot kept a letter with the excluded word once the index had two
    # segments; the expected set is built from single-word searches instead.
    expected = {k: v for k, v in found(positive).items() if k not in found(negative)}
    results = backend.search(SearchQuery(text=text, page_size=20))
    assert results.total == len(expected)
    assert [expected[hit.id] for hit in results.hits] == pytest.approx(
        sorted(expected.values(), reverse=True)[:20], rel=1e-9)


def _matches(rows: list[Determination], filters: dict[str, tuple[str, ...]]
             ) -> list[tuple[Determination, list[dict[str, str]]]]:
    """Rows passing every filter, each with its items the item filters allow."""
    case_sel = {k: set(v) for k, v in filters.items() if k not in ITEM_FACETS}
    item_sel = {k: set(v) for k, v in filters.items() if k in ITEM_FACETS}
    found = []
    for row in rows:
        values = _case_values(row)
        items = [i for i in _items(row) if all(i[f] in s for f, s in item_sel.items())]
        if all(values[f] & s for f, s in case_sel.items()) and items:
            found.append((row, items))
    return found


@pytest.mark.parametrize("seed", range(8))
def test_totals_without_each_filter_match_the_database(generated: tuple, seed: int) -> None:
    # A zero-hit page offers each filter dropped; the counts come from one selection's
    # masks and must be what the database says and what a search of each would count.
    backend, rows = generated
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
def test_matching_ids_and_outcome_counts_match_database(generated: tuple, seed: int) -> None:
    backend, rows = generated
    filters = next(random_filters(rows, random.Random(seed), 1)) if seed else {}
    query = SearchQuery(filters=filters, sort="oldest")
    found = _matches(rows, filters)
    ids = backend.matching_ids(query)
    assert backend.total(query) == len(found)
    assert sorted(ids) == sorted(row.public_id for row, _ in found)
    assert ids[:20] == [hit.id for hit in backend.search(query).hits]
    expected: dict[str, Counter] = {g: Counter() for g in ("category", "specialty",
                                                           "guideline", "year")}
    crossed: Counter = Counter()
    for row, items in found:
        values = _case_values(row)
        for item in items:
            key = item["decision"]
            expected["category"][(item["category"], key)] += 1
            for group in ("specialty", "guideline", "year"):
                for value in values[group]:
                    expected[group][(value, key)] += 1
            for specialty in values["specialty"]:
                crossed[(specialty, item["category"], key)] += 1
    got = backend.outcome_counts(query)

    def pairs(counter: Counter) -> dict[str, tuple[int, int]]:
        names = {name for name, _ in counter}
        return {n: (counter[(n, "Upheld")], counter[(n, "Overturned")]) for n in names
                if counter[(n, "Upheld")] + counter[(n, "Overturned")]}

    assert got.by_category == pairs(expected["category"])
    for group in ("specialty", "guideline", "year"):
        assert got.groups[group] == pairs(expected[group]), group
    assert 0 < len(got.specialty_by_category) <= 12 or not found
    for specialty, row in got.specialty_by_category.items():
        assert row == pairs(Counter({(c, d): n for (s, c, d), n in crossed.items()
                                     if s == specialty})), specialty


def test_arrays_read_a_field_per_segment_as_term_by_term(
        generated: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """Facet and date arrays read each segment's terms in one pass; over several segments
    with deleted documents they hold what looking each term up in every segment gives, and
    the counts still match the database."""
    from cases.search.whoosh_backend import writing

    monkeypatch.setattr(writing, "MERGE_AT_LEAST", 100)  # keep the segments apart
    from cases.search.whoosh_backend.arrays import (
        DECIDED_FIELD,
        ITEM_FIELD,
        field_postings,
        read_segment,
        term_postings,
    )
    from cases.search.whoosh_backend.schema import CASE_FACETS
    from cases.services import index_document

    backend, rows = generated
    for chunk in (rows[:40], rows[20:90:3], rows[-25:]):  # segments, deletions in each
        backend.index.add_bulk(index_document(d) for d in chunk)
    reader = backend.directory.open().searcher.reader()
    assert len(reader.leaf_readers()) >= 3
    fields = [*CASE_FACETS.values(), ITEM_FIELD, DECIDED_FIELD]
    segments = [(read_segment(leaf, fields, [DECIDED_FIELD]), offset)
                for leaf, offset in reader.leaf_readers()]
    for fieldname in fields:
        by_field = field_postings(segments, fieldname)
        lexicon = [t.decode() for t in reader.lexicon(fieldname)]
        assert list(by_field) == lexicon, fieldname
        for text in lexicon:
            ids, weights = term_postings(reader, fieldname, text)
            assert by_field[text][0].tolist() == ids.tolist(), (fieldname, text)
            assert by_field[text][1].tolist() == weights.tolist(), (fieldname, text)
            if fieldname == DECIDED_FIELD and text.isdigit():
                days = np.concatenate([arrays[f"{DECIDED_FIELD}.days"]
                                       for arrays, _ in segments])
                assert (days[ids] == int(text)).all()
    assert _got(backend, {}) == expected_facets(rows, {})
    for filters in random_filters(rows, random.Random(7), 5):
        assert _got(backend, filters) == expected_facets(rows, filters)
    decided = [d.public_id for d in rows if d.decision_date and d.decision_date.year == 2015]
    query = SearchQuery(filters={}, decided_from=date(2015, 1, 1), decided_to=date(2015, 12, 31))
    assert sorted(backend.matching_ids(query)) == sorted(decided)


@pytest.mark.parametrize("seed", range(6))
def test_union_of_postings_is_sorted_and_once_each(seed: int) -> None:
    """The documents having any value of a set, as one posting list: few are merged by
    sorting, many by a mask over the index; both give each document once, in order."""
    from cases.search.whoosh_backend.counting import _union

    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 5000))
    for density in (0.0, 0.001, 0.01, 0.3, 1.0):
        parts = [np.flatnonzero(rng.random(size) < density).astype(np.int32)
                 for _ in range(int(rng.integers(1, 6)))]
        union = _union(parts, size)
        expected = sorted(set(np.concatenate(parts).tolist()))
        assert union.tolist() == expected, (size, density)
        assert union.dtype == np.int32
