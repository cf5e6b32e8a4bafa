"""Saved searches (issue 20): the follow page, the list with its "new" counts, rename and
delete, each user's own only; signing in (rate-limited), CSRF, and no sign-up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from cases.models import AlertFrequency, Determination, SavedSearch
from cases.services import import_determinations
from cases.synthetic import BENCHMARK, write_corpus
from imrsite.accounts import MAX_FAILURES, TOO_MANY

pytestmark = pytest.mark.django_db

PASSWORD = "a long password here"
PHARMA = "category=Pharmaceuticals"


@pytest.fixture(autouse=True)
def _own_cache(settings: object) -> None:
    """Failed sign-ins are counted in a cache of this test's own, not the project's var/."""
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": "saved-searches-tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def alice() -> User:
    return User.objects.create_user("alice", "alice@example.org", PASSWORD)


@pytest.fixture
def bob() -> User:
    return User.objects.create_user("bob", "bob@example.org", PASSWORD)


def _signed_in(user: User, **options: object) -> Client:
    client = Client(**options)  # type: ignore[arg-type]
    client.force_login(user)
    return client


def _saved(user: User, name: str = "Drugs", state: str = PHARMA) -> SavedSearch:
    return SavedSearch.objects.create(user=user, name=name, query_string=state)


# -- the follow page --------------------------------------------------------------------------


def test_follow_page_anonymous_offers_feed_and_sign_in(client: Client) -> None:
    response = client.get("/follow/", {"category": "Pharmaceuticals", "q": "zolpidem",
                                       "page": "3"})
    assert response.status_code == 200
    # The feed of the same search (without the page), absolute, to paste in a reader.
    assertContains(response, 'value="http://testserver/feed/?q=zolpidem&amp;category='
                             'Pharmaceuticals"')
    assertContains(response, '<a class="button" href="/accounts/login/?next=%2Ffollow%2F%3F'
                             'category%3DPharmaceuticals%26q%3Dzolpidem%26page%3D3">Sign in to '
                             'get e-mail alerts</a>', html=True)
    assertNotContains(response, "Save this search")


def test_follow_page_signed_in_saves_the_search_canonically(alice: User) -> None:
    client = _signed_in(alice, enforce_csrf_checks=True)
    page = client.get("/follow/?outcome=Upheld&q=norco&sort=relevance")
    assertContains(page, 'name="name" type="text" maxlength="100" required '
                         'value="“norco” · Upheld"')
    assertContains(page, '<input type="hidden" name="query" value="q=norco&amp;outcome=Upheld" '
                         'id="id_query">', html=True)
    token = page.cookies["csrftoken"].value
    response = client.post("/follow/?q=norco&outcome=Upheld",
                           {"name": " Norco\r\n denials ", "frequency": "weekly",
                            "query": "outcome=Upheld&q=norco&page=4&sort=relevance",
                            "csrfmiddlewaretoken": token})
    assertRedirects(response, "/saved/", fetch_redirect_response=False)
    saved = SavedSearch.objects.get()
    assert (saved.user, saved.name, saved.frequency, saved.query_string) == (
        alice, "Norco denials", AlertFrequency.WEEKLY, "q=norco&outcome=Upheld")
    assertContains(client.get("/saved/"), "Saved “Norco denials”.")


def test_follow_page_refuses_a_search_the_search_page_refuses(alice: User) -> None:
    client = _signed_in(alice)
    response = client.post("/follow/", {"name": "Bad", "frequency": "daily",
                                        "query": "decided_from=2016-02-30"})
    assertContains(response, "This search has parameters the search page refuses",
                   status_code=400)
    assert not SavedSearch.objects.exists()


def test_follow_post_anonymous_goes_to_sign_in(client: Client) -> None:
    response = client.post("/follow/?q=x", {"name": "x", "frequency": "daily", "query": "q=x"})
    assertRedirects(response, "/accounts/login/?next=/follow/%3Fq%3Dx",
                    fetch_redirect_response=False)
    assert not SavedSearch.objects.exists()


# -- the list, open, rename, delete -------------------------------------------------------------


def test_saved_searches_require_sign_in(client: Client, alice: User) -> None:
    saved = _saved(alice)
    for url in ("/saved/", f"/saved/{saved.pk}/"):
        assertRedirects(client.get(url), f"/accounts/login/?next={url}",
                        fetch_redirect_response=False)


def test_saved_searches_count_new_letters_and_opening_marks_them_seen(
        alice: User, tmp_path: Path) -> None:
    corpus = tmp_path / "letters"
    write_corpus(corpus, count=6, seed=7, noise_share=0, profile=BENCHMARK)
    everything = _saved(alice, "Everything", "")
    client = _signed_in(alice)
    assertContains(client.get("/saved/"), "nothing new")

    report = import_determinations(paths=[corpus])
    assert report.new == 6
    listed = client.get("/saved/")
    assertContains(listed, f'<a class="saved-new" href="/saved/{everything.pk}/?new=1">6 new</a>',
                   html=True)
    # Opening it records what was seen and goes to the search, the latest added first.
    assertRedirects(client.get(f"/saved/{everything.pk}/?new=1"), "/?sort=added",
                    fetch_redirect_response=False)
    assertContains(client.get("/saved/"), "nothing new")
    # A letter stored before that moment but not yet in the index is still new.
    waiting = Determination.objects.order_by("pk").first()
    assert waiting is not None
    Determination.objects.filter(pk=waiting.pk).update(
        indexed=False, imported_at=timezone.now() + timedelta(seconds=5))
    assertRedirects(client.get(f"/saved/{everything.pk}/"), "/",
                    fetch_redirect_response=False)
    everything.refresh_from_db()
    assert everything.last_seen_at < waiting.imported_at + timedelta(seconds=5)


def test_rename_and_change_frequency(alice: User) -> None:
    saved = _saved(alice)
    client = _signed_in(alice)
    response = client.post(f"/saved/{saved.pk}/edit", {f"s{saved.pk}-name": "Sleep aids",
                                                       f"s{saved.pk}-frequency": "off"})
    assertRedirects(response, "/saved/")
    saved.refresh_from_db()
    assert (saved.name, saved.frequency) == ("Sleep aids", AlertFrequency.OFF)
    refused = client.post(f"/saved/{saved.pk}/edit", {f"s{saved.pk}-name": "  ",
                                                      f"s{saved.pk}-frequency": "hourly"})
    assertContains(refused, "Select a valid choice.", status_code=400)
    saved.refresh_from_db()
    assert saved.name == "Sleep aids"


def test_alerts_turned_back_on_start_from_now(alice: User) -> None:
    saved = _saved(alice)
    SavedSearch.objects.filter(pk=saved.pk).update(
        frequency=AlertFrequency.OFF, alert_from=timezone.now() - timedelta(days=30))
    _signed_in(alice).post(f"/saved/{saved.pk}/edit", {f"s{saved.pk}-name": "Drugs",
                                                       f"s{saved.pk}-frequency": "daily"})
    saved.refresh_from_db()
    assert saved.alert_from > timezone.now() - timedelta(minutes=1)


def test_delete(alice: User) -> None:
    saved = _saved(alice)
    assertRedirects(_signed_in(alice).post(f"/saved/{saved.pk}/delete"), "/saved/")
    assert not SavedSearch.objects.exists()


def test_a_user_sees_and_changes_only_their_own_searches(alice: User, bob: User) -> None:
    alices = _saved(alice, "Alice's secret search", "q=secret")
    bobs = _saved(bob, "Bob's search")
    as_bob = _signed_in(bob)
    listed = as_bob.get("/saved/")
    assertContains(listed, "Bob&#x27;s search")
    assertNotContains(listed, "Alice")
    assert as_bob.get(f"/saved/{alices.pk}/").status_code == 404
    assert as_bob.post(f"/saved/{alices.pk}/edit", {f"s{alices.pk}-name": "Mine now",
                                                    f"s{alices.pk}-frequency": "off"}
                       ).status_code == 404
    assert as_bob.post(f"/saved/{alices.pk}/delete").status_code == 404
    alices.refresh_from_db()
    assert (alices.name, alices.frequency) == ("Alice's secret search", AlertFrequency.DAILY)
    assert SavedSearch.objects.filter(pk__in=[alices.pk, bobs.pk]).count() == 2
    alices.refresh_from_db()
    assert alices.last_seen_at < timezone.now()  # bob's GET did not mark it seen either


@pytest.mark.parametrize("url", ["/follow/?q=x", "/saved/{pk}/edit", "/saved/{pk}/delete",
                                 "/accounts/logout/"])
def test_every_form_needs_its_csrf_token(alice: User, url: str) -> None:
    saved = _saved(alice)
    client = _signed_in(alice, enforce_csrf_checks=True)
    response = client.post(url.format(pk=saved.pk), {
        "name": "x", "frequency": "daily", "query": "q=x",
        f"s{saved.pk}-name": "x", f"s{saved.pk}-frequency": "off"})
    assert response.status_code == 403
    saved.refresh_from_db()
    assert (saved.name, SavedSearch.objects.count()) == ("Drugs", 1)


def test_header_shows_saved_searches_and_sign_out_when_signed_in(
        client: Client, alice: User) -> None:
    assertContains(client.get("/like/"), '<a href="/accounts/login/">Sign in</a>', html=True)
    signed_in = _signed_in(alice).get("/like/")
    assertContains(signed_in, '<a class="header-link" href="/saved/">Saved searches</a>',
                   html=True)
    assertContains(signed_in, 'action="/accounts/logout/" method="post"')


# -- signing in -------------------------------------------------------------------------------


def test_login_page_signs_in_and_returns_to_next(client: Client, alice: User) -> None:
    page = client.get("/accounts/login/?next=/follow/%3Fq%3Dx")
    assertContains(page, '<input type="hidden" name="next" value="/follow/?q=x">', html=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD,
                                                "next": "/follow/?q=x"})
    assertRedirects(response, "/follow/?q=x")
    assertRedirects(client.post("/accounts/logout/"), "/")


def test_login_is_refused_after_too_many_failures(client: Client, alice: User,
                                                  bob: User) -> None:
    for _ in range(MAX_FAILURES):
        wrong = client.post("/accounts/login/", {"username": "Alice", "password": "guess"})
        assertContains(wrong, "Please enter a correct username and password")
    # Now even the right password is not checked, for that username from that address...
    refused = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assertContains(refused, TOO_MANY.split(".")[0], status_code=429)
    assert "_auth_user_id" not in client.session
    # ...nor through the admin's sign-in...
    admin = client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert admin.status_code == 429
    # ...while another username, or the same from another address, is not held up.
    assertRedirects(client.post("/accounts/login/", {"username": "bob", "password": PASSWORD}),
                    "/saved/")
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assertRedirects(elsewhere.post("/accounts/login/", {"username": "alice",
                                                        "password": PASSWORD}), "/saved/")


def test_a_sign_in_clears_the_count(client: Client, alice: User) -> None:
    for _ in range(MAX_FAILURES - 1):
        client.post("/accounts/login/", {"username": "alice", "password": "guess"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/logout/")
    for _ in range(MAX_FAILURES - 1):
        client.post("/accounts/login/", {"username": "alice", "password": "guess"})
    assertRedirects(client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}),
                    "/saved/")


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/register/",
                                 "/accounts/password_reset/"])
def test_there_is_no_sign_up(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


# -- the search page ----------------------------------------------------------------------------


def test_search_page_links_to_follow_and_saves_for_the_signed_in(
        client: Client, alice: User) -> None:
    anonymous = client.get("/", {"q": "norco", "outcome": "Upheld", "page": "1"})
    assertContains(anonymous, '<a id="follow-link" href="/follow/?q=norco&amp;outcome=Upheld">'
                              'Follow this search</a>', html=True)
    assertNotContains(anonymous, "Save this search")
    assertNotContains(anonymous, "csrfmiddlewaretoken")

    signed_in = _signed_in(alice, enforce_csrf_checks=True)
    page = signed_in.get("/", {"q": "norco", "outcome": "Upheld"})
    assertContains(page, '<button type="submit" id="save-search" class="link-button">'
                         'Save this search</button>', html=True)
    partial = signed_in.get("/", {"q": "norco", "outcome": "Upheld"},
                            headers={"HX-Request": "true"})
    assertContains(partial, 'id="save-search"')  # the results region carries it too
    response = signed_in.post("/follow/?q=norco&outcome=Upheld", {
        "name": "“norco” · Upheld", "frequency": "daily", "query": "q=norco&outcome=Upheld",
        "csrfmiddlewaretoken": page.cookies["csrftoken"].value})
    assertRedirects(response, "/saved/", fetch_redirect_response=False)
    assert SavedSearch.objects.get().query_string == "q=norco&outcome=Upheld"


def test_admin_lists_saved_searches(admin_client: Client, alice: User) -> None:
    _saved(alice, "Sleep aids")
    assertContains(admin_client.get("/admin/cases/savedsearch/"), "Sleep aids")
    assert admin_client.get("/admin/cases/alertdelivery/").status_code == 200


def test_robots_keep_out_of_follow_pages_and_accounts(client: Client) -> None:
    from urllib.robotparser import RobotFileParser

    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").content.decode().splitlines())
    # Every search links its follow page: crawlers would fetch each search twice.
    for url in ("/follow/?q=x", "/saved/", "/accounts/login/", "/alerts/unsubscribe/x/"):
        assert not robots.can_fetch("AnyBot", url)
    assert robots.can_fetch("AnyBot", "/?q=x")


def test_saving_a_search_twice_keeps_one(alice: User) -> None:
    client = _signed_in(alice)
    for name in ("Norco", "Norco again"):
        client.post("/follow/?q=norco", {"name": name, "frequency": "daily",
                                         "query": "q=norco&page=2"})
    assert list(SavedSearch.objects.values_list("name", flat=True)) == ["Norco"]
    assertContains(client.get("/saved/"), "You have this search saved already, as “Norco”.")


def test_a_search_that_cannot_run_is_not_saved(alice: User, tmp_path: Path) -> None:
    write_corpus(tmp_path / "letters", count=2, seed=7, noise_share=0, profile=BENCHMARK)
    import_determinations(paths=[tmp_path / "letters"])
    response = _signed_in(alice).post("/follow/?q=-norco", {
        "name": "Not norco", "frequency": "daily", "query": "q=-norco"})
    assertContains(response, "This search cannot run: The query only excludes words",
                   status_code=400)
    assert not SavedSearch.objects.exists()
