"""The Tantivy reference agrees with ours on every total and facet count of the benchmark's
query mix, on a small archive (generated letters, and the real ones when they are there)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.runner import query_mix, stored_documents
from benchmarks.tantivy_reference import TantivyReference
from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend

pytestmark = pytest.mark.django_db
ARCHIVE = (300, 29)  # the archive other modules use: indexed once a session


@pytest.fixture(scope="module")
def references(archive: Path, tmp_path_factory: pytest.TempPathFactory,
               django_db_blocker: object) -> tuple[WhooshBackend, TantivyReference]:
    """Ours over the archive, and the Tantivy reference built from the same documents."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        tantivy = TantivyReference.build(tmp_path_factory.mktemp("tantivy"), stored_documents())
    return WhooshBackend({"path": str(archive)}), tantivy


def _ours(backend: WhooshBackend, query: SearchQuery) -> tuple[int, dict[str, dict[str, int]]]:
    results = backend.search(query)
    return results.total, {f: {v.value: v.count for v in vs} for f, vs in results.facets.items()}


def test_tantivy_reference_query_mix_agrees_with_ours(
        references: tuple[WhooshBackend, TantivyReference]) -> None:
    backend, tantivy = references
    queries = query_mix(backend, random.Random(2024))
    assert len(queries) == 28
    for key, query in queries.items():
        total, facets, page = tantivy.search(query)
        assert (total, facets) == _ours(backend, query), key
        assert len(page) == min(total, query.page_size)
    # The mix is about something: most classes find letters with the item-level filters,
    # and the facets have values to count.
    item_totals = [tantivy.search(q)[0] for k, q in queries.items() if k.endswith("item filters")]
    assert sum(n > 0 for n in item_totals) >= 4
    assert all(tantivy.search(SearchQuery())[1][f] for f in ("specialty", "drug", "reason"))


@pytest.mark.parametrize("query", [
    SearchQuery(text="treatment:massage", filters={"decision": ("Overturned",)}),
    SearchQuery(text='summary:"low back"', filters={"category": ("Pharmaceuticals",),
                                                    "drug": ("hydrocodone",)}),
    SearchQuery(text="tramad*", quantity_unit="count", quantity_min=30, quantity_max=120),
    SearchQuery(filters={"body_region": ("Lumbar spine", "Knee"), "decision": ("Upheld",),
                         "sex": ("female",)}),
    SearchQuery(text="massage", sort="oldest"),
], ids=["field and decision", "phrase in a field, two item facets", "prefix and quantity",
        "multi-valued item facet with case facet", "oldest first"])
def test_tantivy_reference_item_level_conditions_agree_with_ours(
        references: tuple[WhooshBackend, TantivyReference], query: SearchQuery) -> None:
    """Several item-level conditions at once hold for one and the same item, as in ours."""
    backend, tantivy = references
    total, facets, _ = tantivy.search(query)
    assert (total, facets) == _ours(backend, query)


def test_tantivy_reference_counts_a_letter_once_per_value(
        references: tuple[WhooshBackend, TantivyReference]) -> None:
    """A letter with two upheld items of one category counts once for that category."""
    backend, tantivy = references
    query = SearchQuery(filters={"decision": ("Upheld",)})
    _, facets, _ = tantivy.search(query)
    upheld = tantivy._query("item", [], query, {"decision": ("Upheld",)}, [], None, (None,))
    answer = tantivy.searcher.aggregate(upheld, {
        field: {"terms": {"field": f"{field}_category", "size": 1000}}
        for field in ("once", "again")})
    items = Counter({b["key"]: b["doc_count"] for b in answer["once"]["buckets"]})
    items.update({b["key"]: b["doc_count"] for b in answer["again"]["buckets"]})
    assert any(n > facets["category"][value] for value, n in items.items())
    assert facets == _ours(backend, query)[1]
