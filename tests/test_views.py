"""The list and permanent case pages, through Django's test client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.asserts import assertContains

from cases.services import import_determinations
from tests.conftest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path: Path) -> None:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])


def test_list_shows_determinations_with_decisions(client: Client, imported: None) -> None:
    response = client.get("/")
    assertContains(response, "Determinations <small>(2)</small>", html=True)
    assertContains(response, '<a class="hit-title" href="/cases/CM13-0099001/">CM13-0099001</a>',
                   html=True)
    assertContains(response, "Norco 10/325mg #120")
    assertContains(response, "badge-overturned")


def test_detail_page_is_permanent_across_reimport(client: Client, tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    shutil.copy(DATA / "layout_2013.txt", letter)
    import_determinations(paths=[letter])
    url = "/cases/CM13-0099001/"
    response = client.get(url)
    assertContains(response, 'id="item-3"')
    assertContains(response, "Physical Medicine and Rehabilitation, Pain Management")
    assertContains(response, '<span class="badge badge-outcome">Partially overturned</span>',
                   html=True)
    letter.write_text(letter.read_text().replace("lumbar spine is medically",
                                                 "lumbar spine is not medically"))
    import_determinations(paths=[letter])
    assertContains(client.get(url), '<span class="badge badge-outcome">Upheld</span>', html=True)


def test_detail_unknown_id_is_404(client: Client) -> None:
    assert client.get("/cases/CM00-0000000/").status_code == 404


def test_detail_escapes_letter_text(client: Client, tmp_path: Path) -> None:
    letter = tmp_path / "xss.txt"
    letter.write_text((DATA / "prose_mixed.txt").read_text().replace(
        "Norco 10/325mg #90", "<script>alert(1)</script> Norco"))
    import_determinations(paths=[letter])
    response = client.get("/")
    assert b"<script>alert(1)</script>" not in response.content
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt; Norco")
