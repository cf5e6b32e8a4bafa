"""A listing by date is the same page whether its matches are sorted or met in the order
the index state keeps (``counting.listing_orders``, ``selection.first_in``): every sort,
every page, few matches or most of the archive, ties and undated letters included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cases.models import Determination
from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.search.whoosh_backend import selection as selection_module
from cases.search.whoosh_backend.counting import listing_orders
from cases.search.whoosh_backend.selection import first_in

pytestmark = pytest.mark.django_db

SORTS = ("newest", "oldest", "added")


def _expected(sort: str, docs: np.ndarray, decided: np.ndarray, added: np.ndarray) -> list[int]:
    """The matches in ``sort``'s order, written out as the sort keys read (the reference)."""
    keys = {
        "newest": lambda d: (-decided[d], -d),
        "oldest": lambda d: (decided[d] == 0, decided[d], d),
        "added": lambda d: (-added[d], -decided[d], -d),
    }[sort]
    return sorted(docs.tolist(), key=keys)


@pytest.mark.parametrize("sort", SORTS)
def test_the_kept_order_pages_through_matches_as_their_sort_does(sort: str) -> None:
    rng = np.random.default_rng(5)
    size = 5000
    # Few distinct days and seconds: many ties; a fifth undated.
    decided = rng.choice([0, 20190105, 20190106, 20200301, 20211231], size).astype(np.int32)
    added = rng.choice([10, 11, 12], size).astype(np.int32)
    listing = listing_orders(decided, added)[f"order.{sort}"]
    assert sorted(listing.tolist()) == list(range(size))
    for count in (0, 1, 7, 300, 2600, size):
        mask = np.zeros(size, dtype=bool)
        mask[rng.choice(size, count, replace=False)] = True
        expected = _expected(sort, np.flatnonzero(mask), decided, added)
        for start, stop in ((0, 20), (20, 40), (0, 1), (count - 3, count + 5), (0, count),
                            (size, size + 20)):
            start = max(start, 0)
            assert first_in(listing, mask, start, stop, count) == expected[start:stop], (
                count, start, stop)


@pytest.mark.parametrize("sort", SORTS)
def test_searches_list_alike_sorted_or_in_the_kept_order(
        archive: Path, sort: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = WhooshBackend({"path": str(archive)})
    searches = [SearchQuery(sort=sort, page_size=25),
                SearchQuery(sort=sort, page=3, page_size=25),
                SearchQuery(sort=sort, filters={"decision": ("Upheld",)}, page_size=40),
                SearchQuery(text="therapy", sort=sort, page_size=30),
                SearchQuery(text="acupuncture", sort=sort, page_size=10)]
    answers = []
    # Never the kept order, always it, and each search the cheaper way.
    for scan in (0, 10**12, selection_module.SCAN_OVER_SORT):
        monkeypatch.setattr(selection_module, "SCAN_OVER_SORT", scan)
        answers.append([[hit.id for hit in backend.search(q).hits] for q in searches])
        answers[-1].append(backend.matching_ids(SearchQuery(sort=sort)))
    assert answers[0] == answers[1] == answers[2]
    # And it is the order the stored letters give (the whole archive, listed whole).
    letters = {d.public_id: d for d in Determination.objects.all()}
    listed = answers[0][-1]
    assert sorted(listed) == sorted(letters)
    days = [letters[public_id].decision_date for public_id in listed]
    dated = [day for day in days if day]
    if sort == "oldest":
        assert dated == sorted(dated) and days[:len(dated)] == dated
    elif sort == "newest":
        assert dated == sorted(dated, reverse=True)
    assert all(len(page) for page in answers[0][:4])
