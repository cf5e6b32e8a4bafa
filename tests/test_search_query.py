"""The query language, on a tiny index written directly through the backend contract."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from cases.search.base import IndexDocument, IndexItem, QueryError, SearchQuery
from cases.search.whoosh_backend import WhooshBackend, analysis


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


@pytest.fixture
def backend(tmp_path: Path) -> WhooshBackend:
    backend = WhooshBackend({"path": str(tmp_path / "index")})
    backend.index.add_bulk(DOCS)
    return backend


def ids(backend: WhooshBackend, text: str) -> set[str]:
    return {hit.id for hit in backend.search(SearchQuery(text=text, page_size=50)).hits}


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
    ("ESI", {"CM16-0000004"}),  # abbreviation finds the spelled-out treatment
    ("PT", {"CM16-0000005"}),
    ("*", {d.id for d in DOCS}),
    ("", {d.id for d in DOCS}),
])
def test_query_language_finds_expected_cases(backend: WhooshBackend, text: str,
                                             expected: set[str]) -> None:
    assert ids(backend, text) == expected


@pytest.mark.parametrize(("text", "advice"), [
    ("m*", "at least 2 letters"),
    ("x" * 501, "shorten it to 500"),
    ("-massage", "only excludes"),
    ("NOT massage", "only excludes"),
    ("~!@#$%^&", "no words"),
    ("massage NOT NOT knee", "cannot be read"),  # Whoosh's parser fails on it
])
def test_query_errors_say_what_to_fix(backend: WhooshBackend, text: str, advice: str) -> None:
    with pytest.raises(QueryError, match=advice):
        backend.search(SearchQuery(text=text))


@pytest.mark.parametrize("text", ['"unbalanced quote', "AND", "massage AND", "((massage",
                                  "OR OR", "treatment:", "unknownfield:massage"])
def test_odd_queries_still_answer(backend: WhooshBackend, text: str) -> None:
    results = backend.search(SearchQuery(text=text))
    assert results.total >= 0


def test_query_expansion_limit_counts_every_pattern_of_the_query(
        backend: WhooshBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    # The patterns of a query are searched together: they share one limit (3 here, for
    # this tiny index), or many prefixes each under it would still search everything.
    monkeypatch.setattr(analysis, "MAX_PREFIX_TERMS", 3)
    assert backend.search(SearchQuery(text="ma*")).total  # one pattern within the limit
    with pytest.raises(QueryError, match=re.escape(
            "'ma*' and the query's other patterns match more than 3 different words")):
        backend.search(SearchQuery(text="ne* OR ma*"))


@pytest.mark.parametrize(("text", "words"), [
    ("[neck TO pain]", "neck to pain"), ("{neck TO pain}", "neck to pain"),
    ("[a TO z]", "a to z"), ("[massage TO]", "massage to")])
def test_query_ranges_are_read_as_words(backend: WhooshBackend, text: str, words: str) -> None:
    # A range of stemmed words means nothing to a reader and Whoosh searched it term by
    # term (seconds for a few thousand): its words are searched as words instead.
    assert ids(backend, text) == ids(backend, words)
    assert ids(backend, "[neck TO pain]")


def test_snippet_marks_terms_and_escapes_letter_text(backend: WhooshBackend) -> None:
    texts = {"CM16-0000001": "Massage <script>alert(1)</script> helped the neck."}
    results = backend.search(SearchQuery(text="massage neck"),
                             load_text=lambda wanted: {i: texts.get(i, "") for i in wanted})
    snippet = results.hits[0].snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert '<mark class="match term0">Massage</mark>' in snippet


def test_suggest_offers_a_close_indexed_word(backend: WhooshBackend) -> None:
    assert backend.suggest("chiropractc") == "chiropractic"
    assert backend.suggest("massage") is None


def test_similar_stays_within_the_treatment_category(backend: WhooshBackend) -> None:
    similar = backend.similar("CM16-0000002", text="Norco hydrocodone opioids",
                              category="Pharmaceuticals", limit=5)
    assert similar == ["CM16-0000003"]  # the other opioid request; not the massage cases
    anywhere = backend.similar("CM16-0000001", text="massage therapy sessions", limit=5)
    assert "CM16-0000005" in anywhere


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


def test_an_open_searcher_sees_replaced_and_deleted_documents(backend: WhooshBackend) -> None:
    assert backend.index.count() == len(DOCS)  # this process's searcher is open now
    backend.index.add_bulk(DOCS[:2])  # replaced: still one document each
    assert backend.index.count() == len(DOCS)
    assert ids(backend, "massage") == {"CM16-0000001", "CM16-0000005"}
    backend.index.delete(["CM16-0000001"])
    assert ids(backend, "massage") == {"CM16-0000005"}


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
