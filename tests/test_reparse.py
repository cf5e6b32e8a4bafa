"""Re-parsing stored letters from their stored text."""

from __future__ import annotations

import pytest

from cases.models import Determination
from cases.search import get_backend
from cases.search.base import SearchQuery
from cases.services import import_determinations, reparse_determinations
from tests.conftest import DATA

pytestmark = pytest.mark.django_db

TABLE_CASE = "CM13-0099001"
PROSE_CASE = "imr-ed44a6b7bbcc4aee"


@pytest.fixture(autouse=True)
def imported() -> None:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])


def test_reparse_rewrites_unchanged_letters_and_reindexes_them() -> None:
    before = Determination.objects.get(public_id=TABLE_CASE)
    Determination.objects.filter(pk=before.pk).update(specialty_names=["Dentistry"],
                                                      indexed=False)
    before.items.all().delete()
    before.specialties.clear()
    report = reparse_determinations(public_ids=[TABLE_CASE])
    assert (report.reparsed, report.indexed, report.failed) == (1, 1, [])
    after = Determination.objects.get(public_id=TABLE_CASE)
    assert after.specialty_names == ["Physical Medicine and Rehabilitation", "Pain Management"]
    assert sorted(s.name for s in after.specialties.all()) == [
        "Pain Management", "Physical Medicine and Rehabilitation"]
    assert after.items.count() == 3
    assert after.indexed and after.updated_at > before.updated_at
    assert after.imported_at == before.imported_at
    results = get_backend().search(SearchQuery(filters={"specialty": ("Pain Management",)}))
    assert results.total == 2


def test_reparse_leaves_a_letter_that_now_reads_as_another_case() -> None:
    prose = Determination.objects.get(public_id=PROSE_CASE)
    prose.original_text = prose.original_text.replace("lifting boxes", "lifting crates")
    prose.save()
    report = reparse_determinations(public_ids=[PROSE_CASE, TABLE_CASE], index=False)
    assert report.reparsed == 1 and report.indexed == 0
    [(public_id, reason)] = report.failed
    assert public_id == PROSE_CASE
    assert reason.startswith("now reads as imr-") and reason.endswith("its id would change")
    assert Determination.objects.get(public_id=PROSE_CASE).summary == prose.summary
