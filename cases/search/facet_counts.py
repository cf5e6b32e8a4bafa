"""Facet counting over all matching documents with NumPy masks cached per searcher.

Whoosh's ``groupedby`` visits every hit in Python; here each facet term's postings become a
document-number array once per opened index, and a count is one vectorised AND and sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

from cases.search.base import ITEM_FACETS

Mask = NDArray[np.bool_]
ITEM_FIELD = "item"
SEP = "|"


class FacetArrays:
    """Postings of every facet term of one index reader, as arrays."""

    def __init__(self, reader: object, facet_fields: Mapping[str, str]) -> None:
        self.size = reader.doc_count_all()  # type: ignore[attr-defined]
        self.live = np.zeros(self.size, dtype=bool)
        self.live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True  # type: ignore[attr-defined]
        self.postings: dict[str, dict[str, NDArray[np.int64]]] = {}
        for facet, fieldname in facet_fields.items():
            self.postings[facet] = self._read(reader, fieldname)
        # Items: "category|treatment|decision" -> (docnums, how many such items per doc).
        self.items: dict[tuple[str, str, str], tuple[NDArray[np.int64], NDArray[np.int64]]] = {}
        for term in reader.lexicon(ITEM_FIELD):  # type: ignore[attr-defined]
            text = term.decode("utf-8")
            category, treatment, decision = text.split(SEP)
            matcher = reader.postings(ITEM_FIELD, text)  # type: ignore[attr-defined]
            docs, weights = [], []
            while matcher.is_active():
                docs.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            self.items[(category, treatment, decision)] = (
                np.array(docs, dtype=np.int64), np.array(weights, dtype=np.int64))
        self.decided = np.zeros(self.size, dtype=np.int64)
        self.injured = np.zeros(self.size, dtype=np.int64)
        for name, array in (("decided", self.decided), ("injured", self.injured)):
            column = reader.column_reader(name)  # type: ignore[attr-defined]
            array[:] = np.fromiter((column[n] for n in range(self.size)), dtype=np.int64,
                                   count=self.size)

    @staticmethod
    def _read(reader: object, fieldname: str) -> dict[str, NDArray[np.int64]]:
        result = {}
        for term in reader.lexicon(fieldname):  # type: ignore[attr-defined]
            text = term.decode("utf-8")
            ids = reader.postings(fieldname, text).all_ids()  # type: ignore[attr-defined]
            result[text] = np.fromiter(ids, dtype=np.int64)
        return result

    def mask_of(self, docs: Iterable[int]) -> Mask:
        """A mask with the given document numbers set."""
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docs, dtype=np.int64)] = True
        return mask

    def values_mask(self, facet: str, values: Iterable[str]) -> Mask:
        """Documents having any of the values (OR within a facet)."""
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            docs = self.postings[facet].get(value)
            if docs is not None:
                mask[docs] = True
        return mask

    def item_triples(self, selection: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
        """The (category, treatment, decision) triples allowed by the item-facet selections."""
        wanted = [set(selection.get(facet, ())) for facet in ITEM_FACETS]
        return [triple for triple in self.items
                if all(not allowed or part in allowed for part, allowed in zip(triple, wanted,
                                                                            strict=True))]

    def items_mask(self, triples: Iterable[tuple[str, str, str]]) -> Mask:
        """Documents with at least one item among ``triples``."""
        mask = np.zeros(self.size, dtype=bool)
        for triple in triples:
            mask[self.items[triple][0]] = True
        return mask

    def item_decisions(self, mask: Mask, triples: Iterable[tuple[str, str, str]]) -> dict[str, int]:
        """How many items of the masked documents, among ``triples``, have each decision."""
        totals: dict[str, int] = {}
        for triple in triples:
            docs, weights = self.items[triple]
            totals[triple[2]] = totals.get(triple[2], 0) + int(weights[mask[docs]].sum())
        return totals

    def count(self, mask: Mask, facet: str, value: str) -> int:
        """Documents of ``mask`` having ``value``."""
        docs = self.postings[facet].get(value)
        return 0 if docs is None else int(mask[docs].sum())
