"""Each segment's lists of frequent words, decoded once into a file beside it and mapped by
every worker (``whoosh_backend.frequent``): the same postings as the segment's, the same
answers as reading the postings, and a damaged file decoded again."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend, frequent, opened
from cases.search.whoosh_backend.arrays import segment_field

pytestmark = pytest.mark.django_db

QUERIES = [SearchQuery(text="therapy"), SearchQuery(text="pain medication"),
           SearchQuery(text='"physical therapy"'), SearchQuery(text="therap*"),
           SearchQuery(text="treatment:massage"), SearchQuery(text="pain -opioid"),
           SearchQuery(text="pain OR injection"),
           SearchQuery(text="pain", filters={"decision": ("Upheld",)}),
           SearchQuery(text="medical necessity", page=2)]


def _answers(backend: WhooshBackend) -> list[tuple[object, ...]]:
    """Each query's total, facets and hits in their order (their scores decide it)."""
    return [(r.total, r.facets, [hit.id for hit in r.hits])
            for r in map(backend.search, QUERIES)]


def test_kept_lists_hold_every_frequent_word_with_its_postings(archive: Path) -> None:
    backend = WhooshBackend({"path": str(archive)})
    state = backend.directory.open()
    assert state.frequent, "no segment kept its frequent words"
    with state.lend() as read:
        reader = read.searcher.reader()
        fields = reader.schema.scorable_names()
        for leaf, _ in reader.leaf_readers():
            table = state.frequent[leaf.segment().segment_id()]
            least = max(2, -(-leaf.doc_count_all() // frequent.FREQUENT_SHARE))
            for fieldname in fields:
                every = {t.decode(): (ids, weights) for t, ids, weights
                         in segment_field(leaf, fieldname)}
                kept = {word for word in every if table.postings(fieldname, word) is not None}
                assert kept == {word for word, (ids, _) in every.items() if len(ids) >= least}
                for word in kept:
                    ids, weights = table.postings(fieldname, word)
                    assert np.array_equal(ids, every[word][0])
                    assert np.array_equal(weights.astype(np.float64), every[word][1])
            assert table.postings("content", "zzzz-not-a-word") is None


def test_searches_answer_alike_from_kept_lists_or_postings(
        archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = WhooshBackend({"path": str(archive)})
    with_lists = _answers(kept)
    assert sum(total > 0 for total, _, _ in with_lists) >= len(QUERIES) - 1
    # The words searched are kept: the answers above came from the lists.
    state = kept.directory.open()
    table = next(iter(state.frequent.values()))
    assert table.postings("content", "therapi") is not None  # "therapy", as indexed
    monkeypatch.setattr(opened, "map_frequent", lambda reader, directory: {})
    read_from_postings = WhooshBackend({"path": str(archive)})
    assert not read_from_postings.directory.open().frequent
    assert _answers(read_from_postings) == with_lists


@pytest.mark.parametrize("damage", ["cut under the mapping", "garbled", "removed"])
def test_a_damaged_kept_file_is_decoded_again(archive: Path, tmp_path: Path,
                                              damage: str) -> None:
    copy = tmp_path / "index"
    shutil.copytree(archive, copy, symlinks=True)
    backend = WhooshBackend({"path": str(copy)})
    before = _answers(backend)
    path = sorted(backend.directory.current().resolve().glob(f"*{frequent.FREQUENT_SUFFIX}"))[0]
    whole = path.read_bytes()
    if damage == "cut under the mapping":
        with path.open("r+b") as file:
            file.truncate(len(whole) // 2)
        assert not backend.directory.opened.arrays_intact()
        after = _answers(backend)  # this process saw it cut before touching a lost page
    else:
        if damage == "garbled":
            path.write_bytes(whole[:12] + b"\xff" * 40 + whole[52:])
        else:
            path.unlink()
        after = _answers(WhooshBackend({"path": str(copy)}))  # another worker opens it
    assert after == before
    if damage == "removed":  # a segment without a file is read from its postings
        assert not path.exists()
    else:
        assert path.read_bytes() == whole
