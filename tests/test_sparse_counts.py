"""Counting a few documents by their own values, or many by the common values' bitsets,
gives the counts of every posting (``whoosh_backend.sparse``), for every case and item
facet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cases.search.base import ITEM_FACETS, SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.search.whoosh_backend import items as items_module
from cases.search.whoosh_backend import sparse as sparse_module
from cases.search.whoosh_backend.counting import FacetArrays
from cases.search.whoosh_backend.sparse import (
    DENSE,
    Selected,
    ValueBits,
    few,
    runs,
    starts_of,
    value_bits,
)

pytestmark = pytest.mark.django_db

# Documents selected: a number of them at random; "half": every other one; "most": all the
# live ones but three, and "all" (counted as the whole's counts less the rest's).
DENSITIES: list[int | str] = [1, 2, 5, 20, 60, "half", "most", "all"]


@pytest.fixture(scope="module")
def arrays(archive: Path) -> FacetArrays:
    return WhooshBackend({"path": str(archive)}).directory.open().arrays


def _masks(arrays: FacetArrays) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    live = np.flatnonzero(arrays.live)
    masks = []
    for chosen in DENSITIES:
        mask = np.zeros(arrays.size, dtype=bool)
        picked = {"half": live[::2], "most": live[3:], "all": live}.get(chosen) if isinstance(
            chosen, str) else rng.choice(live, chosen, replace=False)
        mask[picked] = True
        masks.append(mask)
    return masks


def test_case_facets_count_alike_few_or_many(arrays: FacetArrays) -> None:
    paths = set()
    for mask in _masks(arrays):
        for facet, postings in arrays.postings.items():
            expected = {value: int(mask[docs].sum()) for value, docs in postings.items()
                        if mask[docs].any()}
            assert arrays.counts(Selected(mask, arrays.everything), facet) == expected, facet
            paths.add(arrays._bits[facet].by_runs(int(mask.sum())))
    assert paths == {True, False}  # both ways were taken: by the runs, by the bitsets


def test_item_facets_count_letters_alike_few_or_many(arrays: FacetArrays) -> None:
    table = arrays.items
    paths = set()
    for mask in _masks(arrays):
        for name in ITEM_FACETS:
            expected = {value: count for value in table.values[name] if (count := int(
                (table.letters(table.having(name, [value])) & mask).sum()))}
            assert table.letter_counts(name, Selected(mask, table.everything), None) == expected
            paths.add(table._letters_bits[name].by_runs(int(mask.sum())))
    assert paths == {True, False}


def test_letters_with_a_value_and_their_decisions_are_those_of_their_items(
        arrays: FacetArrays) -> None:
    # The letters having a facet's values on an item, from the letters' bitsets and pairs;
    # the decisions of chosen letters' items, from each letter's own numbers.
    table = arrays.items
    for name in ITEM_FACETS:
        counts = np.bincount(table.codes[name], minlength=len(table.values[name]))
        common, rare = (table.values[name][int(code)] for code in (counts.argmax(),
                                                                   counts.argmin()))
        for values in ([common], [rare], [common, rare], ["no such value"], []):
            expected = table.letters(table.having(name, values))
            assert table.letters_having(name, values).tolist() == expected.tolist()
    for mask in _masks(arrays):
        decided = table.codes["decision"][mask[table.doc]]
        expected = {value: count for value, count in zip(
            table.values["decision"], np.bincount(decided, minlength=len(
                table.values["decision"])).tolist(), strict=True) if count}
        assert table._decisions_of(Selected(mask)) == expected


def test_item_facets_under_an_outcome_filter_alone_count_as_their_letters_do(
        arrays: FacetArrays, monkeypatch: pytest.MonkeyPatch) -> None:
    # Under one decision alone, many letters count each other item facet from its values on
    # items so decided (kept per decision): the letters with the value on such an item.
    monkeypatch.setattr(sparse_module, "RUN_PAIR_NS", 1e12)  # many: never by runs
    table = arrays.items
    used = []
    counted = sparse_module.ValueBits.counted
    monkeypatch.setattr(sparse_module.ValueBits, "counted", lambda self, chosen: (
        used.append(self) or counted(self, chosen)))
    for decision in table.values["decision"]:
        items = table.having("decision", [decision])
        key = frozenset({("decision", (decision,))})
        for mask in _masks(arrays):
            for name in ITEM_FACETS:
                if name == "decision":
                    continue
                expected = {value: count for value in table.values[name] if (count := int(
                    (table.letters(table.having(name, [value]) & items) & mask).sum()))}
                used.clear()
                assert table.letter_counts(name, Selected(mask), items, key) == expected
                code = table.index["decision"][decision]
                assert used == [table._decided_bits[name, code]]


def test_decisions_of_items_under_conditions_are_those_of_the_items(
        arrays: FacetArrays) -> None:
    # The decisions of chosen letters' items meeting conditions: for an outcome filter
    # alone, from each letter's own numbers; for most letters, from those of all kept for
    # the state less the rest's; otherwise from the items themselves.
    table = arrays.items
    rng = np.random.default_rng(3)
    conditions = [(("Upheld",), None), (("Overturned", "Upheld"), None),
                  ((), rng.random(table.count) < 0.4)]
    for values, random_items in conditions:
        items = table.having("decision", values) if random_items is None else random_items
        key = frozenset({("decision", values)} if random_items is None else {("random", 1)})
        for mask in _masks(arrays):
            decided = table.codes["decision"][items & mask[table.doc]]
            expected = {value: count for value, count in zip(
                table.values["decision"], np.bincount(decided, minlength=len(
                    table.values["decision"])).tolist(), strict=True) if count}
            for chosen in (Selected(mask), Selected(mask, table.everything)):
                assert table.decisions_under(chosen, items, key) == expected
                assert table.decisions_under(chosen, items, None) == expected


@pytest.mark.parametrize("sparse", [0, 10**9], ids=["own pairs", "every pair"])
@pytest.mark.parametrize("mark", [0, 10**9], ids=["sorted", "marked"])
@pytest.mark.parametrize("bits", [False, True], ids=["runs", "bitsets"])
def test_item_facets_count_letters_alike_under_item_conditions(
        arrays: FacetArrays, sparse: int, mark: int, bits: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # With an item-level condition a letter counts for a value only through its items that
    # meet the condition: by its own items' pairs, or by the pass over every item (each
    # forced here: the fixture's archive is too small to reach the pass otherwise); its
    # letter pairs told apart by a sort or by a mask over them all (each forced too). Where
    # most items meet it, as the letters with the value on any item less those with it on
    # failing items alone.
    monkeypatch.setattr(sparse_module, "SPARSE", sparse)
    monkeypatch.setattr(items_module, "MARK_OVER_SORT", mark)
    monkeypatch.setattr(sparse_module, "RUN_PAIR_NS", 1e12 if bits else 0.0)
    subtracted = []
    failing_only = items_module.ItemTable._failing_only
    monkeypatch.setattr(items_module.ItemTable, "_failing_only", lambda self, *args: (
        subtracted.append(args[0]) or failing_only(self, *args)))
    table = arrays.items
    # Whether items were counted from the items' bitsets (those alone in their letter).
    by_items = []
    counted = sparse_module.ValueBits.counted
    monkeypatch.setattr(sparse_module.ValueBits, "counted", lambda self, chosen: (
        by_items.append(len(chosen.mask) == table.count) or counted(self, chosen)))
    rng = np.random.default_rng(5)
    conditions = [table.having("decision", ["Upheld"]), rng.random(table.count) < 0.3]
    for mask in _masks(arrays):
        assert few(int(mask.sum()), table.count) is (sparse == 0)
        for items in conditions:
            for name in ITEM_FACETS:
                expected = {value: count for value in table.values[name] if (count := int(
                    (table.letters(table.having(name, [value]) & items) & mask).sum()))}
                assert table.letter_counts(name, Selected(mask), items) == expected, name
    # Most items meet the first condition, so their letters were counted as those with the
    # value on any item less those with it on failing items alone; few meet the second.
    whole = Selected(arrays.live)
    shares = [[len(whole.rows_in(items, table.starts, table.doc, held=held))
               for held in (True, False)] for items in conditions]
    assert shares[0][0] > shares[0][1] and shares[1][0] < shares[1][1]
    assert subtracted
    # Few meet the second: the letters of those alone in theirs from the items' bitsets,
    # the letters with several from their letter pairs.
    assert any(by_items) is bits
    alone, shared = whole.rows_apart(conditions[1], table.starts, table.doc)
    assert alone.count and len(shared)


def test_runs_gather_each_wanted_documents_pairs_in_order() -> None:
    # Pairs in document order: document 0 has none, 1 has three, 2 none, 3 one, 5 two.
    documents = np.array([1, 1, 1, 3, 5, 5])
    starts = starts_of(documents, 7)
    assert starts.tolist() == [0, 0, 3, 3, 4, 4, 6, 6]
    assert runs(starts, np.array([1, 5])).tolist() == [0, 1, 2, 4, 5]
    assert runs(starts, np.array([0, 2, 6])).tolist() == []
    assert runs(starts, np.array([3])).tolist() == [3]
    assert runs(starts, np.zeros(0, dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("chosen_share", [0.01, 0.5, 1.0])
@pytest.mark.parametrize("rows_share", [0.0, 0.02, 0.6])
def test_rows_of_chosen_documents_are_found_alike_each_way(chosen_share: float,
                                                             rows_share: float) -> None:
    # A table of rows in document order (0-2 each): the rows a mask holds of the chosen
    # documents, found from the documents' own rows (few documents), from the held rows
    # (few of them), or by a pass over every row; and those alone among them in their
    # document told from those sharing it.
    rng = np.random.default_rng(int(chosen_share * 100 + rows_share * 10))
    size = 2000
    owners = np.repeat(np.arange(size), rng.integers(0, 3, size)).astype(np.int32)
    starts = starts_of(owners, size)
    documents = rng.random(size) < chosen_share
    rows = rng.random(len(owners)) < rows_share
    chosen = Selected(documents)
    expected = np.flatnonzero(rows & documents[owners])
    assert chosen.rows_in(rows, starts, owners).tolist() == expected.tolist()
    # The same from the held rows' places, given.
    assert Selected(documents).rows_in(rows, starts, owners, places=np.flatnonzero(
        rows)).tolist() == expected.tolist()
    assert chosen.rows_in(rows, starts, owners, held=False).tolist() == np.flatnonzero(
        ~rows & documents[owners]).tolist()
    # How many rows the chosen documents have: their own runs, or all less the rest's.
    everything = Selected(np.ones(size, dtype=bool))
    for among in (None, everything):
        assert Selected(documents, among).rows_count(starts) == int(
            documents[owners].sum())
    alone, shared = chosen.rows_apart(rows, starts, owners)
    per_document = np.bincount(owners[expected], minlength=size)
    assert alone.numbers.tolist() == expected[per_document[owners[expected]] == 1].tolist()
    assert alone.count == int(alone.mask.sum()) == len(alone.numbers)
    assert shared.tolist() == expected[per_document[owners[expected]] > 1].tolist()
    # Which way was taken: by the held rows (few, and fewer than the chosen documents
    # have), by the documents' own rows (few documents), or by the pass.
    held = int(rows.sum())
    by_rows = few(held, len(owners)) and held * size < chosen.count * len(owners)
    by_documents = not by_rows and few(chosen.count, len(owners))
    assert by_rows is (rows_share == 0.0 or (rows_share == 0.02 and chosen_share > 0.01))
    assert by_documents is (chosen_share == 0.01 and rows_share > 0.0)


@pytest.mark.parametrize("size", [1, 63, 64, 65, 1000])
@pytest.mark.parametrize("dense", [10**9, DENSE, 0])  # every value, the common ones, none
def test_value_bitsets_count_as_the_pairs_do(size: int, dense: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Common values counted from bitsets and the others from their pairs: the counts of
    every pair, for documents at the ends of a word and past the last full word."""
    monkeypatch.setattr(sparse_module, "DENSE", dense)
    rng = np.random.default_rng(size)
    values = 40  # a long tail: a few common values, many uncommon ones
    docs = rng.integers(0, size, 2 * size).astype(np.int32)
    codes = np.minimum(rng.geometric(0.25, len(docs)) - 1, values - 1).astype(np.int32)
    docs, codes = np.unique(np.stack([docs, codes]), axis=1)  # a document has a value once
    counter = ValueBits({f"v.{name}": array for name, array in
                         value_bits(docs, codes, values, size).items()}, "v", values,
                        len(docs), size)
    held = len(set(codes.tolist()))
    if dense == 10**9:
        assert len(counter.dense) == held
    elif dense == 0:
        assert len(counter.dense) == 0
    elif size == 1000:  # the common values in bitsets, the others counted from their pairs
        assert 0 < len(counter.dense) < held and len(counter.docs)
    for mask in (np.ones(size, bool), np.zeros(size, bool), rng.random(size) < 0.3,
                 np.arange(size) % 64 == 63, np.arange(size) == size - 1):
        expected = np.bincount(codes[mask[docs]], minlength=values)
        assert counter.counted(Selected(mask)).tolist() == expected.tolist()
    # The documents holding any of some values: common, uncommon, both, none, unheld.
    for wanted in ([0], [values - 1], [0, 1, values - 1], [], list(range(values))):
        holding = np.zeros(size, dtype=bool)
        holding[docs[np.isin(codes, wanted)]] = True
        assert counter.holding(wanted).tolist() == holding.tolist()


SEARCHES = [SearchQuery(), SearchQuery(text="therapy"), SearchQuery(text="acupuncture massage"),
            SearchQuery(filters={"decision": ("Overturned",)}),
            SearchQuery(text="therapy", quantity_unit="sessions", quantity_min=7),
            SearchQuery(text="pain", filters={"body_region": ("lumbar spine",)})]


def test_searches_answer_alike_by_their_own_letters_by_every_posting_or_by_the_rest(
        archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Totals, every facet's counts, the decisions of the counted items and the matching
    # items of each hit: the same whichever way each count was taken (by the documents'
    # own pairs, by every posting, or, for most of the archive, as the whole's less the
    # rest's, which the last way turns off).
    backend = WhooshBackend({"path": str(archive)})
    answers = []
    measured = sparse_module.RUN_PAIR_NS
    for sparse, by_rest in ((0, True), (10**9, True), (4, False)):
        monkeypatch.setattr(sparse_module, "SPARSE", sparse)
        # Every facet by its bitsets, by its runs, or each the cheaper way.
        monkeypatch.setattr(sparse_module, "RUN_PAIR_NS",
                            {0: 1e12, 10**9: 0.0}.get(sparse, measured))
        if not by_rest:
            monkeypatch.setattr(sparse_module.Selected, "rest", property(lambda self: None))
        answers.append([(r.total, r.facets, r.items_upheld, r.items_overturned,
                         [hit.items for hit in r.hits]) for r in map(backend.search, SEARCHES)])
    assert answers[0] == answers[1] == answers[2]
    assert all(total and upheld + overturned for total, _, upheld, overturned, _ in answers[0])
    # The whole archive and a common word are most of it: counted by the rest.
    opened = backend.directory.open()
    with opened.lend() as read:
        assert read.arrays.everything.count == answers[0][0][0]


def test_counts_under_item_conditions_are_kept_per_state_and_answer_alike(
        archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A search of most letters under item-level conditions counts the letters without it,
    # less from the counts of every letter under those conditions, kept by the state for
    # the next search asking them: the same answers as counting its own letters.
    backend = WhooshBackend({"path": str(archive)})
    category = backend.search(SearchQuery()).facets["category"][0].value  # the commonest
    queries = [SearchQuery(filters={"decision": ("Overturned",)}),
               SearchQuery(text="therapy", filters={"decision": ("Overturned",)}),
               SearchQuery(quantity_unit="sessions", quantity_min=7),
               SearchQuery(filters={"decision": ("Upheld",), "category": (category,)}),
               SearchQuery(text="treatment:massage")]

    def answers() -> list[tuple]:
        return [(r.total, r.facets, r.items_upheld, r.items_overturned,
                 [hit.items for hit in r.hits]) for r in map(backend.search, queries)]

    first = answers()
    with backend.directory.open().lend() as read:
        table = read.arrays.items
    kept = dict(table._under)
    # Each query's conditions: each item facet's counts, with the facet's own selection
    # left out (kept under the other conditions), and the decisions.
    assert {key[0] for key in kept} == {"letters", "decisions"}
    # One set of conditions for the first two (a common word asks the kept ones); the
    # letters of a typed treatment are few, counted themselves.
    assert {key[1] for key in kept if key[0] == "decisions"} == {
        frozenset({("decision", ("Overturned",))}),
        frozenset({("quantity", ("sessions", 7, None))}),
        frozenset({("decision", ("Upheld",)), ("category", (category,))})}
    assert answers() == first and table._under.keys() == kept.keys()  # kept, not counted
    monkeypatch.setattr(sparse_module.Selected, "rest", property(lambda self: None))
    assert answers() == first  # every count taken from the letters themselves
    assert all(total and upheld + overturned for total, _, upheld, overturned, _ in first)


def test_a_single_valued_filters_items_are_read_from_their_kept_places(
        archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One single-valued item facet's values (a category, a treatment, an outcome): their
    # items' places come from the state's items by value, not a scan of the mask; the
    # answers are those of the scan.
    backend = WhooshBackend({"path": str(archive)})
    facets = backend.search(SearchQuery()).facets
    queries = [SearchQuery(text="therapy", filters={"treatment": (facets["treatment"][0].value,)}),
               SearchQuery(filters={"category": tuple(v.value for v in facets["category"][:2])}),
               SearchQuery(text="pain", filters={"decision": ("Overturned",)}),
               SearchQuery(text="therapy", filters={"drug": (facets["drug"][0].value,)})]

    def answers() -> list[tuple]:
        return [(r.total, r.facets, r.items_upheld, r.items_overturned,
                 [hit.items for hit in r.hits]) for r in map(backend.search, queries)]

    with backend.directory.open().lend() as read:
        table = read.arrays.items
    for name, values in (("treatment", facets["treatment"][0].value),
                         ("category", facets["category"][1].value), ("decision", "Upheld")):
        places = table.places_having(name, [values])
        assert places.tolist() == np.flatnonzero(table.having(name, [values])).tolist()
    found = table.places_having("category", [v.value for v in facets["category"]] + ["none"])
    assert found.tolist() == np.flatnonzero(table.having(
        "category", [v.value for v in facets["category"]])).tolist()
    assert table.places_having("drug", [facets["drug"][0].value]) is None  # multi-valued
    kept = answers()
    monkeypatch.setattr(type(table), "places_having", lambda self, name, values: None)
    monkeypatch.setattr(sparse_module.Selected, "rest", property(lambda self: None))
    assert answers() == kept and all(total for total, *_ in kept)
