"""The admin lists, filters and searches determinations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.asserts import assertContains

from cases.services import import_determinations
from tests.conftest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_letters(client: Client) -> Client:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])
    client.force_login(User.objects.create_superuser("reviewer", "r@example.com", "pw"))
    return client


def test_admin_requires_login(client: Client) -> None:
    response = client.get("/admin/cases/determination/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_lists_filters_and_searches(admin_client_with_letters: Client) -> None:
    client = admin_client_with_letters
    assertContains(client.get("/admin/cases/determination/"), "CM13-0099001")
    by_category = client.get("/admin/cases/determination/", {"items__category": "DMEPOS"})
    assertContains(by_category, "CM13-0099001")
    assertContains(by_category, "1 determination")
    searched = client.get("/admin/cases/determination/", {"q": "acupuncture"})
    assertContains(searched, "1 determination")
    assert b"CM13-0099001" not in searched.content


def test_admin_change_page_shows_items_inline(admin_client_with_letters: Client) -> None:
    from cases.models import Determination

    pk = Determination.objects.get(public_id="CM13-0099001").pk
    response = admin_client_with_letters.get(f"/admin/cases/determination/{pk}/change/")
    assertContains(response, "Norco 10/325mg #120")
    assertContains(response, "physical therapy 2x6 for the lumbar spine")
