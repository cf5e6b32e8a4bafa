"""Counting a few documents by their own values gives the counts of the pass over every
posting (``whoosh_backend.sparse``), for every case and item facet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cases.search.base import ITEM_FACETS
from cases.search.whoosh_backend import WhooshBackend
from cases.search.whoosh_backend.counting import FacetArrays
from cases.search.whoosh_backend.sparse import few

pytestmark = pytest.mark.django_db

DENSITIES = [1, 2, 5, 20, 60, None]  # documents selected; None: every other one


@pytest.fixture(scope="module")
def arrays(archive: Path) -> FacetArrays:
    return WhooshBackend({"path": str(archive)}).directory.open().arrays


def _masks(arrays: FacetArrays) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    live = np.flatnonzero(arrays.live)
    masks = []
    for chosen in DENSITIES:
        mask = np.zeros(arrays.size, dtype=bool)
        picked = live[::2] if chosen is None else rng.choice(live, chosen, replace=False)
        mask[picked] = True
        masks.append(mask)
    return masks


def test_case_facets_count_alike_few_or_many(arrays: FacetArrays) -> None:
    paths = set()
    for mask in _masks(arrays):
        for facet, postings in arrays.postings.items():
            expected = {value: int(mask[docs].sum()) for value, docs in postings.items()}
            assert arrays.counts(mask, facet) == expected, facet
            paths.add(few(int(mask.sum()), sum(len(d) for d in postings.values())))
    assert paths == {True, False}  # both ways were taken


def test_item_facets_count_letters_alike_few_or_many(arrays: FacetArrays) -> None:
    table = arrays.items
    paths = set()
    for mask in _masks(arrays):
        for name in ITEM_FACETS:
            expected = {value: int((table.letters(table.having(name, [value])) & mask).sum())
                        for value in table.values[name]}
            assert table.letter_counts(name, mask, None) == expected, name
            paths.add(few(int(mask.sum()), len(table._value_letters(name)[0])))
    assert paths == {True, False}
