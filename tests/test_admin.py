"""The admin lists, filters and searches determinations; edits and re-parses re-index them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.test.client import RequestFactory
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cases.models import Determination, LicenseState, Specialty
from cases.search import get_backend
from cases.search.base import SearchQuery
from cases.services import import_determinations
from tests.conftest import DATA

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/cases/determination/"
TABLE_CASE = "CM13-0099001"  # layout_2013.txt, decided 2013
PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_client_with_letters(client: Client) -> Client:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])
    User.objects.create_superuser("reviewer", "r@example.com", PASSWORD)
    assert client.login(username="reviewer", password=PASSWORD)
    return client


def _hits(text: str) -> list[str]:
    return [hit.id for hit in get_backend().search(SearchQuery(text=text)).hits]


def test_admin_requires_login(client: Client) -> None:
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_login_form_lets_a_superuser_in(client: Client) -> None:
    User.objects.create_superuser("reviewer", "r@example.com", PASSWORD)
    wrong = client.post("/admin/login/?next=/admin/", {"username": "reviewer",
                                                      "password": "wrong"})
    assertContains(wrong, "Please enter the correct username and password")
    right = client.post("/admin/login/?next=/admin/", {"username": "reviewer",
                                                      "password": PASSWORD})
    assertRedirects(right, "/admin/")
    assert client.get(CHANGELIST).status_code == 200


def test_admin_lists_useful_columns(admin_client_with_letters: Client) -> None:
    response = admin_client_with_letters.get(CHANGELIST)
    assertContains(response, TABLE_CASE)
    assertContains(response, "Norco 10/325mg #120; physical therapy 2x6 for the lumbar spine")
    assertContains(response, "Physical Medicine &amp; Rehabilitation, Pain Management")
    assertContains(response, "2 determinations")


@pytest.mark.parametrize(("params", "shown"), [
    ({"items__category": "DMEPOS"}, [TABLE_CASE]),
    ({"year": "2013"}, [TABLE_CASE]),
    ({"layout__exact": "prose"}, ["imr-ed44a6b7bbcc4aee"]),
    ({"case_outcome__exact": "Partially overturned"}, [TABLE_CASE, "imr-ed44a6b7bbcc4aee"]),
    ({"indexed__exact": "0"}, []),
    ({"q": "acupuncture"}, ["imr-ed44a6b7bbcc4aee"]),  # a treatment
    ({"q": TABLE_CASE}, [TABLE_CASE]),  # a case number
    ({"q": "lifting boxes"}, ["imr-ed44a6b7bbcc4aee"]),  # words of the summary
])
def test_admin_filters_and_searches(admin_client_with_letters: Client,
                                    params: dict[str, str], shown: list[str]) -> None:
    response = admin_client_with_letters.get(CHANGELIST, params)
    assert response.status_code == 200
    listed = [d.public_id for d in response.context["cl"].result_list]
    assert sorted(listed) == sorted(shown)


def test_admin_filters_by_state_and_specialty(admin_client_with_letters: Client) -> None:
    texas = LicenseState.objects.get(name="Texas").pk
    by_state = admin_client_with_letters.get(CHANGELIST, {"states__id__exact": texas})
    assert [d.public_id for d in by_state.context["cl"].result_list] == ["imr-ed44a6b7bbcc4aee"]
    pain = Specialty.objects.get(name="Pain Management").pk
    by_specialty = admin_client_with_letters.get(CHANGELIST, {"specialties__id__exact": pain})
    assert len(by_specialty.context["cl"].result_list) == 2


def test_admin_year_filter_offers_the_decision_years(admin_client_with_letters: Client) -> None:
    response = admin_client_with_letters.get(CHANGELIST)
    assertContains(response, '<a href="?year=2013">2013</a>', html=True)


def test_admin_change_page_shows_items_inline(admin_client_with_letters: Client) -> None:
    pk = Determination.objects.get(public_id=TABLE_CASE).pk
    response = admin_client_with_letters.get(f"{CHANGELIST}{pk}/change/")
    assertContains(response, "Norco 10/325mg #120")
    assertContains(response, "physical therapy 2x6 for the lumbar spine")


def test_admin_cannot_add_determinations(admin_client_with_letters: Client) -> None:
    assert admin_client_with_letters.get(f"{CHANGELIST}add/").status_code == 403


def _change_form_data(response: Any) -> dict[str, Any]:
    """What the change form would post back unchanged: its fields and its inline formsets."""
    forms = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value()
                     for name in management.fields})
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def test_admin_edit_reindexes_the_determination(
        admin_client_with_letters: Client,
        django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    client = admin_client_with_letters
    determination = Determination.objects.get(public_id=TABLE_CASE)
    url = f"{CHANGELIST}{determination.pk}/change/"
    data = _change_form_data(client.get(url))
    data["summary"] = "The worker slipped on a zucchini at the warehouse."
    data["items-2-treatment"] = "a tricycle"
    assert _hits("zucchini") == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assertRedirects(response, CHANGELIST)
    assert _hits("zucchini") == [TABLE_CASE]
    assert _hits("tricycle") == [TABLE_CASE]
    assert _hits("treatment:TENS") == []
    assert Determination.objects.get(public_id=TABLE_CASE).indexed


@pytest.mark.django_db(transaction=True)  # commit for real: on_commit runs in the request
def test_admin_edit_reports_an_index_failure(admin_client_with_letters: Client,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    client = admin_client_with_letters
    pk = Determination.objects.get(public_id=TABLE_CASE).pk
    url = f"{CHANGELIST}{pk}/change/"
    data = _change_form_data(client.get(url))

    def broken(**kwargs: Any) -> int:
        raise OSError("disk full")

    monkeypatch.setattr("cases.admin.index_determinations", broken)
    response = client.post(url, data, follow=True)
    assertContains(response, f"Saved, but could not re-index {TABLE_CASE} (disk full)")
    assert not Determination.objects.get(pk=pk).indexed  # the next import indexes it


def test_admin_delete_removes_from_the_index(
        admin_client_with_letters: Client,
        django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    pk = Determination.objects.get(public_id=TABLE_CASE).pk
    assert _hits(TABLE_CASE) == [TABLE_CASE]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_with_letters.post(CHANGELIST, {"action": "delete_selected",
                                                    "_selected_action": [pk], "post": "yes"})
    assert not Determination.objects.filter(pk=pk).exists()
    assert _hits("norco") == ["imr-ed44a6b7bbcc4aee"]


def test_admin_action_reparses_selected_letters(admin_client_with_letters: Client) -> None:
    # Undo by hand what the parser read: the action restores it from the stored text.
    Determination.objects.filter(public_id=TABLE_CASE).update(case_outcome="Upheld",
                                                              summary="edited away")
    Determination.objects.get(public_id=TABLE_CASE).items.filter(position=3).delete()
    broken = Determination.objects.get(public_id="imr-ed44a6b7bbcc4aee")
    broken.original_text = "Not a letter at all."
    broken.save()
    response = admin_client_with_letters.post(
        CHANGELIST, {"action": "reparse_selected",
                     "_selected_action": list(Determination.objects.values_list("pk", flat=True))},
        follow=True)
    assertContains(response, "Re-parsed 1 letter(s); 1 re-indexed.")
    assertContains(response, "1 letter(s) left unchanged: imr-ed44a6b7bbcc4aee: no disputed "
                             "item with an Upheld/Overturned decision found.")
    restored = Determination.objects.get(public_id=TABLE_CASE)
    assert restored.case_outcome == "Partially overturned"
    assert restored.summary != "edited away"
    assert [i.treatment for i in restored.items.all()][2] == "a TENS unit"
    assert restored.indexed
    assert _hits("treatment:TENS") == [TABLE_CASE]


def test_admin_action_refuses_too_many_letters(admin_client_with_letters: Client,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cases.admin.REPARSE_LIMIT", 1)
    response = admin_client_with_letters.post(
        CHANGELIST, {"action": "reparse_selected",
                     "_selected_action": list(Determination.objects.values_list("pk", flat=True))},
        follow=True)
    assertContains(response, "Select at most 1 letters to re-parse at once.")
    assertNotContains(response, "Re-parsed")


def test_admin_search_fields_use_lookups_of_every_database() -> None:
    from django.contrib.admin.sites import site

    model_admin = site._registry[Determination]
    request = RequestFactory().get(CHANGELIST)
    assert all(not name.startswith(("@", "$")) for name in model_admin.get_search_fields(request))


def test_admin_search_ignores_case_and_lists_each_determination_once(
        admin_client_with_letters: Client) -> None:
    # The same on SQLite (LIKE) and PostgreSQL (UPPER(...) LIKE UPPER(...)); "a" matches several
    # items of each letter, and the join on items must not repeat a letter or inflate the count.
    client = admin_client_with_letters
    for q in ("norco", "NORCO", "a"):
        changelist = client.get(CHANGELIST, {"q": q}).context["cl"]
        assert changelist.result_count == 2, q
        assert sorted(d.public_id for d in changelist.result_list)[0] == "CM13-0099001"
        assert len({d.pk for d in changelist.result_list}) == len(changelist.result_list) == 2
    items = client.get("/admin/cases/disputeditem/", {"q": "NORCO"}).context["cl"]
    assert items.result_count == 2
