"""The Whoosh backend's own ways with queries and segments, on the contract's tiny index
(the query language every backend keeps is in ``tests/backend_contract.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from whoosh import query as wq

from cases.search.base import QueryError, SearchQuery
from cases.search.whoosh_backend import WhooshBackend, analysis
from tests.backend_contract import DOCS, ids


@pytest.fixture
def backend(tmp_path: Path) -> WhooshBackend:
    backend = WhooshBackend({"path": str(tmp_path / "index")})
    backend.index.add_bulk(DOCS)
    return backend


def test_query_expansion_limit_counts_every_pattern_of_the_query(
        backend: WhooshBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    # The patterns of a query are searched together: they share one limit (3 here, for
    # this tiny index), or many prefixes each under it would still search everything.
    monkeypatch.setattr(analysis, "MAX_PREFIX_TERMS", 3)
    assert backend.search(SearchQuery(text="ma*")).total  # one pattern within the limit
    with pytest.raises(QueryError, match=re.escape(
            "'ma*' and the query's other patterns match more than 3 different words")):
        backend.search(SearchQuery(text="ne* OR ma*"))


def test_a_pattern_is_expanded_once_per_index_state_and_answers_as_expanded_again(
        backend: WhooshBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    # The check of the limit expands each pattern; the ranking uses that expansion, and the
    # state remembers it for the next search of the pattern (paging, a facet click).
    queries = [SearchQuery(text=text) for text in ("ma*", "ne* OR ma*", "ma* therapy",
                                                   "mas?age")]
    expanded = []
    for kind in (wq.Prefix, wq.Wildcard):  # each has an expansion of its own
        monkeypatch.setattr(kind, "_btexts", lambda self, reader, btexts=kind._btexts: (
            expanded.append(self.text) or btexts(self, reader)))

    def answers() -> list[tuple]:
        return [(r.total, r.facets, [hit.id for hit in r.hits])
                for r in map(backend.search, queries)]

    once = answers()
    assert sorted(expanded) == ["ma", "mas?ag", "ne"]  # each pattern once
    expanded.clear()
    assert answers() == once and expanded == []  # remembered
    # A commit opens another state, which expands them again.
    backend.index.add_bulk(DOCS[:1])
    assert answers() == once and sorted(expanded) == ["ma", "mas?ag", "ne"]
    # Without the check's expansions the ranking expands again, to the same answers.
    monkeypatch.setattr(analysis.QueryBuilder, "check_expansion",
                        staticmethod(lambda q, reader, expand=None: {}))
    expanded.clear()
    assert answers() == once and all(total for total, _, _ in once)
    assert len(expanded) == 5  # each pattern of each query


def test_an_index_of_an_older_schema_asks_for_a_rebuild(tmp_path: Path) -> None:
    from whoosh import fields, index

    from cases.search.base import IndexUnavailableError

    old = tmp_path / "index" / "gen-1"
    old.mkdir(parents=True)
    index.create_in(str(old), fields.Schema(id=fields.ID(stored=True, unique=True),
                                            content=fields.TEXT(phrase=True)))
    (tmp_path / "index" / "current").symlink_to("gen-1")
    backend = WhooshBackend({"path": str(tmp_path / "index")})
    for attempt in (lambda: backend.search(SearchQuery(text="massage")),
                    lambda: backend.index.add_bulk(DOCS)):
        with pytest.raises(IndexUnavailableError, match="rebuild_index"):
            attempt()
    backend.index.rebuild(DOCS)
    assert ids(backend, '"physical therapy"') == {"CM16-0000005"}


def test_block_postings_equal_whoosh_postings_across_segments_and_deletions(
        backend: WhooshBackend) -> None:
    from cases.search.whoosh_backend.arrays import term_postings

    backend.index.add_bulk(DOCS[3:])  # a second segment; the first now has deleted documents
    reader = backend.directory.open().searcher.reader()
    assert len(reader.leaf_readers()) == 2 and reader.has_deletions()
    checked = 0
    for fieldname in ("content", "item", "f_specialty", "decided"):
        for term in reader.lexicon(fieldname):
            text = term.decode()
            ids, weights = term_postings(reader, fieldname, text)
            live = [(i, w) for i, w in zip(ids.tolist(), weights.tolist(), strict=True)
                    if not reader.is_deleted(i)]
            matcher = reader.postings(fieldname, text)
            expected = []
            while matcher.is_active():
                expected.append((matcher.id(), matcher.weight()))
                matcher.next()
            assert live == expected, (fieldname, text)
            checked += 1
    assert checked > 50


def test_segments_are_separate_files_that_readers_map_not_copy(tmp_path: Path) -> None:
    from whoosh import index

    backend = WhooshBackend({"path": str(tmp_path / "index")})
    backend.index.rebuild(DOCS, procs=2)
    backend.index.add_bulk(DOCS[:2])
    backend.index.delete(["CM16-0000003"])
    segments = index.open_dir(str(tmp_path / "index" / "current")).reader().leaf_readers()
    assert len(segments) >= 2
    assert not any(reader.segment().is_compound() for reader, _offset in segments)
    assert backend.index.count() == len(DOCS) - 1


def test_a_large_rebuild_commits_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    from cases.search.whoosh_backend import writing

    monkeypatch.setattr(writing, "REBUILD_COMMIT_EVERY", 2)
    backend = WhooshBackend({"path": str(tmp_path / "index")})
    assert backend.index.rebuild(DOCS) == len(DOCS)
    assert len(backend.directory.open().searcher.reader().leaf_readers()) >= 3
    assert ids(backend, "massage") == {"CM16-0000001", "CM16-0000005"}



def test_tens_finds_the_stimulator_not_the_number(tmp_path: Path) -> None:
    from dataclasses import replace

    backend = WhooshBackend({"path": str(tmp_path / "index")})
    unit = replace(DOCS[0], id="CM16-0000010", items=(replace(
        DOCS[0].items[0], treatment="TENS unit 30 day rental", rationale="A TENS trial."),))
    sessions = replace(DOCS[0], id="CM16-0000011", items=(replace(
        DOCS[0].items[0], treatment="Ten sessions of physical therapy", rationale=""),))
    backend.index.add_bulk([unit, sessions])
    assert ids(backend, "TENS") == ids(backend, "tens") == {"CM16-0000010"}
    assert ids(backend, "ten") == {"CM16-0000011"}
    assert ids(backend, "transcutaneous") == set()  # one direction: the key finds the words


def test_an_index_of_other_terms_asks_for_a_rebuild(tmp_path: Path) -> None:
    """The analyzers' version is stored with the schema: an index written before "TENS"
    was kept whole (its analyzers carry no version) is refused, saying how to rebuild."""
    from whoosh import index

    from cases.search.base import IndexUnavailableError
    from cases.search.whoosh_backend.schema import build_schema

    old = tmp_path / "index" / "gen-1"
    old.mkdir(parents=True)
    schema = build_schema()
    for _name, field in schema.items():
        if hasattr(getattr(field, "analyzer", None), "version"):
            del field.analyzer.version
    index.create_in(str(old), schema)
    (tmp_path / "index" / "current").symlink_to("gen-1")
    backend = WhooshBackend({"path": str(tmp_path / "index")})
    with pytest.raises(IndexUnavailableError, match="rebuild_index"):
        backend.search(SearchQuery(text="tens"))
    backend.index.rebuild(DOCS)
    assert ids(backend, "massage") == {"CM16-0000001", "CM16-0000005"}


def test_a_parse_is_kept_and_searched_again_with_the_same_answer(
        backend: WhooshBackend) -> None:
    # The parse of a text is kept: asked again (with other spacing) it is the same object,
    # and searching it again, with and without filters, gives what the first search gave.
    first = backend.queries.parse("massage OR \"physical therapy\" -acupuncture")
    assert backend.queries.parse("  massage OR \"physical therapy\" -acupuncture ") is first
    asked = SearchQuery(text="massage OR \"physical therapy\" -acupuncture")
    answers = [backend.search(asked) for _ in range(2)]
    assert answers[0].total and answers[0] == answers[1]
    # A refused text is refused every time: errors are not kept as answers.
    for _ in range(2):
        with pytest.raises(QueryError):
            backend.search(SearchQuery(text="-massage"))
