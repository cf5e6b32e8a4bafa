"""The Whoosh backend: the contract every backend keeps (``tests/backend_contract.py``), run
on an imported archive, and what is Whoosh's own (posting arrays, array ranking, segments).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from cases.models import Determination, LicenseState, Specialty
from cases.search.base import SearchBackend, SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.services import import_determinations, index_document, rebuild_index
from cases.synthetic import BENCHMARK, write_corpus
from tests.backend_contract import SearchBackendContract, _got, expected_facets, random_filters
from tests.conftest import REAL_PDFS, SEEDS, need

# The module fixture writes the corpus once; the mark makes pytest-django create the test
# database (it only does for modules that declare they use one).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=["generated+real", "real"])
def archive(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: object,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WhooshBackend, list]]:
    """1,500 generated letters with the real ones, then the 152 real letters alone."""
    paths = [SEEDS, REAL_PDFS]
    if request.param == "real":
        need(REAL_PDFS)
    else:
        corpus = tmp_path_factory.mktemp("corpus")
        write_corpus(corpus, count=1500, seed=404, noise_share=0.2, profile=BENCHMARK)
        paths = [corpus] + (paths if REAL_PDFS.is_dir() else [])
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        import_determinations(paths=paths, index=False)
        backend = WhooshBackend({"path": str(tmp_path_factory.mktemp("index"))})
        rebuild_index(backend=backend, procs=2)  # two processes analyze the letters
        rows = list(Determination.objects.prefetch_related("items"))
        yield backend, rows
        Determination.objects.all().delete()
        Specialty.objects.all().delete()
        LicenseState.objects.all().delete()


@pytest.fixture(scope="module")
def replaced(archive: tuple) -> tuple:
    """The archive with a few letters replaced: a second segment, and deleted documents in
    the first (once: each commit of a few letters would merge the whole small archive)."""
    backend, rows = archive
    backend.index.add_bulk(index_document(d) for d in rows[:30])
    reader = backend.directory.open().searcher.reader()
    assert len(reader.leaf_readers()) >= 2 and reader.has_deletions()
    return archive


class TestWhooshBackend(SearchBackendContract):
    @staticmethod
    def make_backend(path: Path) -> SearchBackend:
        return WhooshBackend({"path": str(path)})

    @pytest.fixture
    def searched(self, archive: tuple) -> tuple:
        return archive


def test_index_without_segments_searches_to_nothing(tmp_path: Path) -> None:
    """An index created but never committed to (an import killed before its first commit)
    opens and finds nothing; it is not taken for a damaged one."""
    backend = WhooshBackend({"path": str(tmp_path)})
    backend.directory.ensure_index()  # what a writer does first
    assert backend.index.count() == 0
    found = backend.search(SearchQuery(text="pain", filters={"state": ("Texas",)}))
    assert found.total == 0 and found.hits == ()
    assert backend.search(SearchQuery(decided_from=date(2015, 1, 1))).total == 0


@pytest.mark.parametrize("text", [
    "pain", "massage therapy", '"physical therapy"', '"functional restoration program"',
    "treatment:massage", "acupunct*", "lumbar OR cervical", "norco", "+massage therapy",
    "(massage OR manipulation) neck", "rationale:opioids", "specialty:orthopedic",
    "case:cm16*"])
def test_array_ranking_equals_whoosh_scoring(replaced: tuple, text: str) -> None:
    backend, _ = replaced
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
def test_array_exclusion_drops_every_letter_with_the_word(replaced: tuple, text: str,
                                                        positive: str, negative: str) -> None:
    backend, _ = replaced
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


def test_arrays_read_a_field_per_segment_as_term_by_term(
        archive: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """Facet and date arrays read each segment's terms in one pass; over several segments
    with deleted documents they hold what looking each term up in every segment gives, and
    the counts still match the database."""
    from cases.search.whoosh_backend import writing

    monkeypatch.setattr(writing, "MERGE_AT_LEAST", 100)  # keep the segments apart
    from cases.search.whoosh_backend.arrays import field_postings, read_segment, term_postings
    from cases.search.whoosh_backend.schema import CASE_FACETS, DECIDED_FIELD, ITEM_FIELD

    backend, rows = archive
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


