"""The facts side of "cases like mine" in the Whoosh backend (whoosh_backend/neighbours.py):
which words of a pasted text are compared, and the statistics they are chosen by, on an
archive of the real letters and generated ones."""

from __future__ import annotations

import pytest

from cases.search import get_backend
from cases.search.whoosh_backend.neighbours import (
    COMMON_SHARE,
    FACT_FIELDS,
    KEY_TERMS,
    fact_likeness,
    key_terms,
)
from cases.search.whoosh_backend.opened import Lent

pytestmark = pytest.mark.django_db
ARCHIVE = (300, 29)  # the real letters and a few hundred generated ones
FACTS = ("The patient, 47, reported low back pain on 03/12/2015 after lifting. MRI of the "
         "lumbar spine showed an L4-5 protrusion. She tried ketorolac, baclofen and a TENS "
         "unit; pain is 7/10. The treating physician asks for 12 sessions of physical "
         "therapy. Paresthesias persist in the left foot.")


def _read(use):  # type: ignore[no-untyped-def]
    return get_backend().directory.read(use)


def test_key_terms_leave_out_numbers_short_and_common_words(served: object) -> None:
    def check(read: Lent) -> list[str]:
        size = read.arrays.size
        searcher = read.searcher
        terms = key_terms(read, FACTS)
        assert 0 < len(terms) <= KEY_TERMS
        for term in terms:
            assert term.isalpha() and len(term) >= 3
            assert all(searcher.doc_frequency(field, term) <= COMMON_SHARE * size
                       for field in FACT_FIELDS)
            assert any(searcher.frequency(field, term) for field in FACT_FIELDS)
        return terms

    terms = _read(check)
    # Said in most letters: never a key term, however often the text says it.
    assert not {"pain", "patient", "the", "lumbar", "physic", "therapi"} & set(terms)
    assert not {"L4", "03", "7", "47"} & set(terms)


def test_statistics_are_whooshs_own_and_remembered(served: object) -> None:
    def check(read: Lent) -> None:
        searcher, opened = read.searcher, read.opened
        words = key_terms(read, FACTS) + ["pain", "zzqqxx"]
        found = opened.term_statistics(searcher, FACT_FIELDS, words)
        for word in words:
            assert found[word] == (
                max(searcher.doc_frequency(field, word) for field in FACT_FIELDS),
                sum(int(searcher.frequency(field, word)) for field in FACT_FIELDS))
        assert found["zzqqxx"] == (0, 0)
        assert (FACT_FIELDS, "pain") in opened.statistics  # the next paste reads it there
        assert opened.term_statistics(searcher, FACT_FIELDS, ["pain"]) == {
            "pain": found["pain"]}

    _read(check)


def test_facts_without_known_words_compare_nothing(served: object) -> None:
    assert _read(lambda read: fact_likeness(read, "zzqqxx 12 of the")) is None
    assert _read(lambda read: fact_likeness(read, "   ")) is None
    likeness = _read(lambda read: fact_likeness(read, FACTS))
    assert likeness is not None and likeness.max() == 1.0 and likeness.min() >= 0.0
