"""The naive way to facet with Whoosh: one ``groupedby`` search per facet.

It is timed beside ours, never checked for agreement, and does what Whoosh's grouping can
do over the indexed fields. The case facets are keyword fields; an item's category,
treatment and decision are one ``category|treatment|decision`` keyword, so those three item
facets keep the rule that their conditions hold for one and the same item. An item's drugs,
body regions and requested quantity are in no field that ``groupedby`` or a term can read
(only in the stored ``items`` column, one JSON value per letter), so the naive way has no
counts for the drug and body region facets and leaves out selections of them and the
quantity range; a typed ``treatment:`` word holds for the whole letter only. Its times for
searches with those conditions are therefore of less work than ours.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh import index, sorting
from whoosh import query as wq
from whoosh.searching import Searcher

from cases.search.base import FACETS, ITEM_FACETS, SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.search.whoosh_backend.schema import CASE_FACETS, ITEM_FIELD, SEP

TRIPLE_FACETS = ("category", "treatment", "decision")  # the item keyword's parts, in order


class NaiveGroupedBy:
    """Facet counts from Whoosh's own grouping over the same index as ours."""

    def __init__(self, backend: WhooshBackend) -> None:
        self.backend = backend
        self.searcher: Searcher = index.open_dir(
            str((backend.path / "current").resolve())).searcher()
        self.triples = [tuple(t.decode().split(SEP)) for t in
                        self.searcher.reader().lexicon(ITEM_FIELD)]

    def _filter(self, selections: dict[str, tuple[str, ...]], skip: str | None,
                items: bool = True) -> list[wq.Query]:
        parts: list[wq.Query] = []
        for facet, values in selections.items():
            if facet in ITEM_FACETS or facet == skip:
                continue
            parts.append(wq.Or([wq.Term(CASE_FACETS[facet], v) for v in values]))
        item_sel = {k: set(v) for k, v in selections.items() if k in TRIPLE_FACETS and k != skip}
        if items and item_sel:
            parts.append(wq.Or([wq.Term(ITEM_FIELD, SEP.join(t)) for t in self._triples(item_sel)]
                               or [wq.NullQuery]))
        return parts

    def _triples(self, sel: dict[str, set[str]]) -> list[tuple[str, ...]]:
        return [t for t in self.triples
                if all(not sel.get(f) or t[n] in sel[f] for n, f in enumerate(TRIPLE_FACETS))]

    def search(self, query: SearchQuery) -> tuple[int, dict[str, dict[str, int]], list[str]]:
        """Total, facet counts (none for drug and body region) and the first page, the slow
        and simple way."""
        text = self.backend.queries.parse(query.text) or wq.Every()
        selections = {k: tuple(v) for k, v in query.filters.items() if v}
        results = self.searcher.search(wq.And([text, *self._filter(selections, None)]),
                                       limit=query.page_size, sortedby="decided",
                                       reverse=query.sort != "oldest")
        page = [hit["id"] for hit in results]
        facets: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            if facet in TRIPLE_FACETS:
                facets[facet] = self._item_counts(text, selections, facet)
            elif facet in CASE_FACETS:
                grouped = self.searcher.search(
                    wq.And([text, *self._filter(selections, facet)]), limit=1,
                    groupedby=sorting.FieldFacet(CASE_FACETS[facet], allow_overlap=True),
                    maptype=sorting.Count)
                counts = {k: v for k, v in grouped.groups(CASE_FACETS[facet]).items() if k}
                facets[facet] = self._with_selected(counts, selections, facet)
        return len(results), facets, page

    def _item_counts(self, text: wq.Query, selections: dict[str, tuple[str, ...]],
                     facet: str) -> dict[str, int]:
        grouped = self.searcher.search(
            wq.And([text, *self._filter(selections, facet, items=False)]), limit=1,
            groupedby=sorting.FieldFacet(ITEM_FIELD, allow_overlap=True),
            maptype=sorting.UnorderedList)
        others = {k: set(v) for k, v in selections.items() if k in TRIPLE_FACETS and k != facet}
        docs: dict[str, set[int]] = defaultdict(set)
        position = TRIPLE_FACETS.index(facet)
        for key, docnums in grouped.groups(ITEM_FIELD).items():
            triple = key.split(SEP)
            if all(not others.get(f) or triple[n] in others[f]
                   for n, f in enumerate(TRIPLE_FACETS)):
                docs[triple[position]].update(docnums)
        return self._with_selected({k: len(v) for k, v in docs.items()}, selections, facet)

    @staticmethod
    def _with_selected(counts: dict[str, int], selections: dict[str, tuple[str, ...]],
                       facet: str) -> dict[str, int]:
        for value in selections.get(facet, ()):
            counts.setdefault(value, 0)
        return counts
