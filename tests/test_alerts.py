"""Alert e-mails (issue 20): saved searches made through the site, letters imported, and
``send_alerts`` run as cron runs it; what went out is read back from Django's locmem outbox,
and once from a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import io
import re
import smtplib
import socket
from collections.abc import Iterator, Sequence
from datetime import timedelta
from email.message import EmailMessage as ParsedMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from cases.models import AlertDelivery, AlertFrequency, Determination, SavedSearch
from cases.services import import_determinations
from cases.services.alerts import send_alerts
from tests.factories import letter_batches

pytestmark = pytest.mark.django_db

BASE_URL = "https://imr.example.org"
PASSWORD = "a long password here"
PHARMA, REHAB = "category=Pharmaceuticals", "category=Rehabilitation"
# Letter 17 of the second batch, its first item's heading given markup to escape.
MARKUP = "zolpidem <b>10mg</b> & #15"
LINK = re.compile(re.escape(BASE_URL) + r"/cases/([^/\s]+)/\?([^#\s]*)(?:#item-(\d+))?")


@pytest.fixture(autouse=True)
def _site(settings: object) -> None:
    settings.IMRSITE_BASE_URL = BASE_URL  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]


@pytest.fixture
def batches(tmp_path: Path) -> tuple[Path, Path]:
    """24 synthetic letters: the first 16 in one folder, the last 8 in another."""
    first, second = letter_batches(tmp_path)
    letter = second / "synthetic-000017.txt"
    letter.write_text(letter.read_text().replace("zolpidem 10mg #15", MARKUP))
    return first, second


def _import(folder: Path) -> set[str]:
    """Import a folder; the public ids it added."""
    before = set(Determination.objects.values_list("public_id", flat=True))
    report = import_determinations(paths=[folder])
    assert report.failed == []
    return set(Determination.objects.values_list("public_id", flat=True)) - before


@pytest.fixture
def first(batches: tuple[Path, Path]) -> set[str]:
    return _import(batches[0])


def _user(name: str) -> User:
    return User.objects.create_user(name, f"{name}@example.org", PASSWORD)


def _save(user: User, state: str, name: str, frequency: str = "daily") -> SavedSearch:
    """Save a search as a signed-in user does, from its follow page."""
    client = Client()
    client.force_login(user)
    response = client.post(f"/follow/?{state}", {"name": name, "frequency": frequency,
                                                  "query": state})
    assert response.status_code == 302, response.content.decode()
    return SavedSearch.objects.get(user=user, name=name)


def _expected(ids: set[str], category: str) -> dict[str, int | None]:
    """The new letters with an item of ``category``, each with the item its link opens
    (the first of them; None when every item is one, as the search page marks none then)."""
    found: dict[str, int | None] = {}
    for d in Determination.objects.filter(public_id__in=ids).prefetch_related("items"):
        positions = [i.position for i in d.items.all() if i.category == category]
        if positions:
            everyone = len(positions) == d.items.count()
            found[d.public_id] = None if everyone else min(positions)
    return found


def _links(message: EmailMessage) -> dict[str, int | None]:
    """The case links of a digest's text: public id -> the item it opens at."""
    return {m[1]: int(m[3]) if m[3] else None for m in LINK.finditer(str(message.body))}


def _html(message: EmailMessage) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")  # type: ignore[attr-defined]


def _run(**options: object) -> str:
    out = io.StringIO()
    call_command("send_alerts", stdout=out, **options)
    return out.getvalue()


def test_send_alerts_sends_exactly_the_new_matches_then_nothing(
        first: set[str], batches: tuple[Path, Path]) -> None:
    alice, bob = _user("alice"), _user("bob")
    _save(alice, PHARMA, "Drugs")
    _save(bob, REHAB, "Therapy")
    assert _run() == "Sent 0 digests (0 letters) for 2 due saved searches.\n"  # nothing new

    added = _import(batches[1])
    later = timezone.now() + timedelta(days=1)  # the next morning's run
    report = send_alerts(now=later)
    assert (report.digests, report.failed) == (2, [])
    to_alice, to_bob = sorted(mail.outbox, key=lambda m: m.to[0])
    assert to_alice.to == ["alice@example.org"] and to_bob.to == ["bob@example.org"]
    expected = _expected(added, "Pharmaceuticals")
    assert _links(to_alice) == expected  # every new match, none of the old, each at its item
    assert set(_links(to_bob)) == set(_expected(added, "Rehabilitation"))
    assert not set(_links(to_alice)) & first
    assert to_alice.subject == f"IMR precedents: {len(expected)} new determinations for “Drugs”"
    # The links carry the search, so the case page marks what matched.
    assert {parse_qs(urlsplit(m[0]).query)["category"][0]
            for m in LINK.finditer(str(to_alice.body))} == {"Pharmaceuticals"}
    assert AlertDelivery.objects.filter(saved_search__user=alice).count() == len(expected)

    # Again at once, and a day later with nothing new: nothing is sent twice.
    assert send_alerts(now=later).digests == 0
    assert send_alerts(now=later + timedelta(days=1)).digests == 0
    assert len(mail.outbox) == 2


def test_send_alerts_lists_matching_items_and_escapes_letter_text(
        first: set[str], batches: tuple[Path, Path]) -> None:
    alice = _user("alice")
    _save(alice, PHARMA, "<i>Drugs</i> & co")
    _import(batches[1])
    send_alerts(now=timezone.now() + timedelta(days=1))
    (message,) = mail.outbox
    text, html = str(message.body), _html(message)
    # Item-level: the matching item of letter 17 is starred, the others are not.
    assert f"  * Overturned: {MARKUP}\n" in text
    assert "    Upheld: x-rays of the cervical spine, 4 views\n" in text
    # The HTML part escapes the letter's text and the search's name.
    assert "zolpidem &lt;b&gt;10mg&lt;/b&gt; &amp; #15" in html and "<b>10mg" not in html
    assert "&lt;i&gt;Drugs&lt;/i&gt; &amp; co" in html and "<i>Drugs" not in html
    assert f'href="{BASE_URL}/cases/CM13-9000017/?{PHARMA}#item-1"' in html


def test_a_long_digest_lists_the_latest_and_counts_the_rest(
        first: set[str], batches: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cases.services.alerts.LISTED", 2)
    alice = _user("alice")
    saved = _save(alice, PHARMA, "Drugs")
    added = _import(batches[1])
    send_alerts(now=timezone.now() + timedelta(days=1))
    (message,) = mail.outbox
    expected = _expected(added, "Pharmaceuticals")
    assert len(_links(message)) == 2
    assert f"...and {len(expected) - 2} more.\n" in str(message.body)
    assert f"{BASE_URL}/?{PHARMA}&sort=added" in str(message.body)
    # All of them were told of (counted, with a link): none is sent again.
    assert AlertDelivery.objects.filter(saved_search=saved).count() == len(expected)


def test_weekly_and_off_searches_wait_or_are_never_sent(
        first: set[str], batches: tuple[Path, Path]) -> None:
    alice = _user("alice")
    weekly = _save(alice, PHARMA, "Weekly", frequency=AlertFrequency.WEEKLY)
    _save(alice, REHAB, "Never", frequency=AlertFrequency.OFF)
    now = timezone.now()
    send_alerts(now=now)  # looks once: nothing new yet
    _import(batches[1])
    assert send_alerts(now=now + timedelta(days=1)).digests == 0  # not due for a week
    assert send_alerts(now=now + timedelta(days=7)).digests == 1
    (message,) = mail.outbox
    assert "== Weekly:" in str(message.body) and "Never" not in str(message.body)
    weekly.refresh_from_db()
    assert weekly.alerted_at == now + timedelta(days=7)


def test_letters_stored_before_a_run_and_indexed_after_it_are_not_missed(
        first: set[str], batches: tuple[Path, Path]) -> None:
    # An import stored them an hour ago and has not committed the index yet (it commits
    # every 20,000 letters; the letters before them were stored and indexed earlier): no
    # run may move past them.
    report = import_determinations(paths=[batches[1]], index=False)
    assert report.new == 8
    for indexed, ago in ((True, timedelta(hours=2)), (False, timedelta(hours=1))):
        moment = timezone.now() - ago
        Determination.objects.filter(indexed=indexed).update(imported_at=moment,
                                                             updated_at=moment)
    _save(_user("alice"), PHARMA, "Drugs")
    now = timezone.now()
    assert send_alerts(now=now).digests == 0  # not searchable yet
    assert import_determinations(paths=[batches[1]]).recovered == 8  # now they are
    assert send_alerts(now=now + timedelta(days=1)).digests == 1
    (message,) = mail.outbox
    assert len(_links(message)) == 5


def test_a_saved_search_that_cannot_run_is_skipped_and_the_others_go(
        first: set[str], batches: tuple[Path, Path]) -> None:
    alice = _user("alice")
    _save(alice, PHARMA, "Drugs")
    # Saved when the query syntax allowed it, say: it no longer runs.
    SavedSearch.objects.create(user=alice, name="Not norco", query_string="q=-norco")
    _import(batches[1])
    SavedSearch.objects.update(alerted_at=timezone.now() - timedelta(days=1))
    err = io.StringIO()
    call_command("send_alerts", stdout=io.StringIO(), stderr=err)
    assert "Skipped alice's saved search “Not norco”: The query only excludes words" in (
        err.getvalue())
    (message,) = mail.outbox
    assert "== Drugs:" in str(message.body) and "Not norco" not in str(message.body)


class _Killed(BaseException):
    """The run dies (a kill, the machine going down): nothing after this point happens."""


def _dying_at(address: str, error: BaseException) -> type[LocmemBackend]:
    class Backend(LocmemBackend):
        def send_messages(self, messages: Sequence[EmailMessage]) -> int:
            if any(address in m.to for m in messages):
                raise error
            return super().send_messages(messages)

    return Backend


RefusingBob = _dying_at("bob@example.org", smtplib.SMTPRecipientsRefused(
    {"bob@example.org": (550, b"mailbox full")}))


def _three_users_with_news(batches: tuple[Path, Path]) -> None:
    for name in ("alice", "bob", "carol"):
        _save(_user(name), PHARMA, f"Drugs of {name}")
    _import(batches[1])


def _recipients() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def test_run_killed_between_two_users_then_rerun_sends_each_digest_once(
        first: set[str], batches: tuple[Path, Path]) -> None:
    _three_users_with_news(batches)
    later = timezone.now() + timedelta(days=1)
    with pytest.raises(_Killed):
        send_alerts(now=later, connection=_dying_at("bob@example.org", _Killed())())
    assert _recipients() == ["alice@example.org"]  # alice's went and was recorded first

    rerun = send_alerts(now=later + timedelta(minutes=5))
    assert (rerun.digests, rerun.failed) == (2, [])
    assert _recipients() == ["alice@example.org", "bob@example.org", "carol@example.org"]
    bodies = {m.to[0]: _links(m) for m in mail.outbox}
    assert bodies["alice@example.org"] == bodies["bob@example.org"] == bodies["carol@example.org"]
    assert send_alerts(now=later + timedelta(days=1)).digests == 0


def test_user_the_server_refuses_is_reported_and_sent_on_the_next_run(
        first: set[str], batches: tuple[Path, Path], settings: object) -> None:
    _three_users_with_news(batches)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBob"  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="Not sent .*bob"):
        _run()
    assert _recipients() == ["alice@example.org", "carol@example.org"]  # the others went

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    SavedSearch.objects.update(alerted_at=timezone.now() - timedelta(days=1))  # the next day
    assert _run().startswith("Sent 1 digest (")
    assert _recipients() == ["alice@example.org", "bob@example.org", "carol@example.org"]


def test_unsubscribe_from_the_link_alone(first: set[str], batches: tuple[Path, Path]) -> None:
    alice = _user("alice")
    drugs, therapy = _save(alice, PHARMA, "Drugs"), _save(alice, REHAB, "Therapy")
    _import(batches[1])
    send_alerts(now=timezone.now() + timedelta(days=1))
    (message,) = mail.outbox
    anyone = Client(enforce_csrf_checks=True)  # not signed in, no CSRF cookie: only the link

    # One search's link (in the body): GET asks, the button's POST stops that search only.
    one = re.search(re.escape(BASE_URL) + r"(/alerts/unsubscribe/[^/\s]+/)",
                    str(message.body).split("== Drugs")[1])
    assert one is not None
    page = anyone.get(one[1])
    assert page.status_code == 200 and "“Drugs”" in page.content.decode()
    drugs.refresh_from_db()
    assert drugs.frequency == AlertFrequency.DAILY  # a link scanner's GET stops nothing
    assert anyone.post(one[1]).status_code == 200
    drugs.refresh_from_db()
    therapy.refresh_from_db()
    assert (drugs.frequency, therapy.frequency) == (AlertFrequency.OFF, AlertFrequency.DAILY)

    # The header's link stops them all, by RFC 8058's one-click POST.
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"].strip("<>")
    response = anyone.post(header.removeprefix(BASE_URL), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    therapy.refresh_from_db()
    assert therapy.frequency == AlertFrequency.OFF

    # A link this site did not sign is refused.
    assert anyone.get(one[1].replace("/alerts/unsubscribe/", "/alerts/unsubscribe/x")
                      ).status_code == 404


# -- through a real SMTP server ---------------------------------------------------------------


class _Inbox:
    """An aiosmtpd handler keeping what it is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),  # type: ignore[attr-defined]
                              envelope.original_content))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: object) -> Iterator[_Inbox]:
    """An SMTP server on loopback, and the SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False  # type: ignore[attr-defined]
    settings.DEFAULT_FROM_EMAIL = "IMR precedents <alerts@imr.example.org>"  # type: ignore[attr-defined]
    try:
        yield inbox
    finally:
        controller.stop()


def test_alert_goes_through_a_real_smtp_server(
        first: set[str], batches: tuple[Path, Path], smtp_server: _Inbox) -> None:
    alice = _user("alice")
    _save(alice, PHARMA, "Drugs & <sleep>")
    added = _import(batches[1])
    SavedSearch.objects.update(alerted_at=timezone.now() - timedelta(days=1))
    assert _run().startswith("Sent 1 digest (")

    ((sender, recipients, raw),) = smtp_server.received
    assert (sender, recipients) == ("alerts@imr.example.org", ["alice@example.org"])
    message: ParsedMessage = email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[assignment]
    expected = _expected(added, "Pharmaceuticals")
    # Folded as Django folds a long encoded header: a reader unfolds it to a leading space.
    assert message["Subject"].strip() == (f"IMR precedents: {len(expected)} new determinations for "
                                  "“Drugs & <sleep>”")
    assert message["From"] == "IMR precedents <alerts@imr.example.org>"
    assert message["To"] == "alice@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(rf"<{re.escape(BASE_URL)}/alerts/unsubscribe/[^/]+/>",
                        message["List-Unsubscribe"].strip())
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert {m[1]: int(m[3]) if m[3] else None for m in LINK.finditer(text)} == expected
    for public_id, item in expected.items():
        anchor = f"#item-{item}" if item else ""
        assert f'href="{BASE_URL}/cases/{public_id}/?{PHARMA}{anchor}"' in html
    assert "zolpidem &lt;b&gt;10mg&lt;/b&gt; &amp; #15" in html and "<b>10mg" not in html
    assert "Drugs &amp; &lt;sleep&gt;: " in html
    assert MARKUP in text  # the plain text says it as the letter does

    # The link works without signing in.
    header = message["List-Unsubscribe"].strip().strip("<>").removeprefix(BASE_URL)
    assert Client().post(header, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert SavedSearch.objects.get().frequency == AlertFrequency.OFF

