"""Alert e-mails: each user one digest of the new matches of their due saved searches, and
the unsubscribe links they carry.

What was sent is recorded (``AlertDelivery``, one row per saved search and letter) in one
transaction right after each user's digest is handed to the mail server, and a run leaves
out whatever is recorded: a second run sends nothing twice, and a run that stops (killed,
the server refusing one user) has recorded exactly the digests that went, so running it
again sends each of the others once. The one window left is a crash between the server
taking a message and the commit just after it: that digest would go again."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.forms import query_string
from cases.models import AlertDelivery, AlertFrequency, SavedSearch
from cases.presentation.alerts import alert_row
from cases.presentation.display import query_terms
from cases.search.base import QueryError, SearchError
from cases.selectors.following import (
    NewMatch,
    saved_query,
    searchable_until,
    unsent_matches,
)
from cases.selectors.result_letters import result_letters

logger = logging.getLogger(__name__)

PERIODS = {AlertFrequency.DAILY: timedelta(days=1), AlertFrequency.WEEKLY: timedelta(weeks=1)}
# A run that starts a little earlier in the day than the last one still finds its searches
# due (cron's 07:00 run is not skipped because yesterday's finished at 07:00:40).
SLACK = timedelta(hours=1)
# Letters an import has stored in a transaction not yet committed are invisible to a run:
# the next run looks this far back again (what was sent is left out).
UNCOMMITTED = timedelta(minutes=10)
LISTED = 20  # letters listed per search; the others are counted, with a link to them all
UNSUBSCRIBE_SALT = "cases.alerts.unsubscribe"


@dataclass
class AlertReport:
    """What a run of ``send_alerts`` did."""

    searches: int = 0  # due searches looked at
    digests: int = 0  # e-mails sent, one per user
    letters: int = 0  # letters sent, counted once for each search they were sent for
    no_address: list[str] = field(default_factory=list)  # users without an e-mail address
    failed: list[tuple[str, str]] = field(default_factory=list)  # (user, why): not recorded
    # (user, search, why): saved searches whose query cannot run (saved before a change of
    # the query syntax, say); left out, the user's other searches still go.
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """One saved search's part of a digest."""

    saved_search: SavedSearch
    matches: list[NewMatch]
    rows: list[dict[str, object]]
    search_url: str  # the search, latest added first
    unsubscribe_url: str  # stops this search's alerts

    @property
    def more(self) -> int:
        """New matches counted but not listed."""
        return len(self.matches) - len(self.rows)


def unsubscribe_token(user_id: int, search_id: int | None = None) -> str:
    """A signed token that stops one saved search's alerts (or all of a user's)."""
    return signing.dumps({"u": user_id, "s": search_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int | None]:
    """The user and saved search (None: all of them) of a token; raises
    ``signing.BadSignature`` for a token this site did not sign."""
    payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise signing.BadSignature("Not an unsubscribe token.")
    search = payload.get("s")
    return payload["u"], search if isinstance(search, int) else None


def unsubscribed_searches(token: str) -> QuerySet[SavedSearch]:
    """The saved searches a token stops the alerts of (some may be off already)."""
    user_id, search_id = read_unsubscribe_token(token)
    found = SavedSearch.objects.filter(user_id=user_id)
    return found.filter(pk=search_id) if search_id is not None else found


def unsubscribe(token: str) -> int:
    """Turn off the alerts a token names; returns how many searches were turned off."""
    return unsubscribed_searches(token).exclude(frequency=AlertFrequency.OFF).update(
        frequency=AlertFrequency.OFF)


def absolute(path: str) -> str:
    """A link for an e-mail: the site's address (``IMRSITE_BASE_URL``) and ``path``."""
    return f"{settings.IMRSITE_BASE_URL}{path}"


def due_searches(now: datetime) -> QuerySet[SavedSearch]:
    """The searches whose alert is due, of active users, grouped by user."""
    due = Q(alerted_at__isnull=True)
    for frequency, period in PERIODS.items():
        due |= Q(frequency=frequency, alerted_at__lte=now - period + SLACK)
    return (SavedSearch.objects.filter(due, user__is_active=True)
            .exclude(frequency=AlertFrequency.OFF).select_related("user")
            .order_by("user_id", "pk"))


def _section(saved: SavedSearch) -> Section:
    matches = unsent_matches(saved)
    query = saved_query(saved)
    state = query_string(query, page=False)
    listed = result_letters(m.public_id for m in matches[:LISTED])
    terms, base_url = query_terms(query.text), settings.IMRSITE_BASE_URL
    rows = [alert_row(listed[m.public_id], items=m.items, state=state, terms=terms,
                      base_url=base_url) for m in matches[:LISTED] if m.public_id in listed]
    newest = query_string(replace(query, sort="added"), page=False)
    return Section(
        saved_search=saved, matches=matches, rows=rows,
        search_url=absolute(f"{reverse('cases:search')}?{newest}"),
        unsubscribe_url=absolute(reverse("cases:unsubscribe", kwargs={
            "token": unsubscribe_token(saved.user_id, saved.pk)})))


def _subject(sections: list[Section]) -> str:
    count = sum(len(s.matches) for s in sections)
    letters = f"{count} new determination{'s' if count != 1 else ''}"
    if len(sections) == 1:
        name = " ".join(sections[0].saved_search.name.split())  # never a line break
        return f"IMR precedents: {letters} for “{name}”"
    return f"IMR precedents: {letters} for {len(sections)} saved searches"


def digest_message(user: AbstractBaseUser, sections: list[Section], *,
                   connection: BaseEmailBackend | None = None) -> EmailMultiAlternatives:
    """One user's digest: plain text and HTML, with a one-click unsubscribe (RFC 8058)."""
    unsubscribe_all = absolute(reverse("cases:unsubscribe", kwargs={
        "token": unsubscribe_token(user.pk)}))
    context = {"user": user, "sections": sections, "unsubscribe_url": unsubscribe_all,
               "saved_searches_url": absolute(reverse("cases:saved-searches")),
               "site_url": absolute(reverse("cases:search"))}
    message = EmailMultiAlternatives(
        _subject(sections), render_to_string("cases/alert_email.txt", context),
        to=[user.email], connection=connection,  # type: ignore[attr-defined]
        headers={"List-Unsubscribe": f"<{unsubscribe_all}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated"})
    message.attach_alternative(render_to_string("cases/alert_email.html", context), "text/html")
    return message


def _record(searches: Iterable[SavedSearch], sent: list[Section], now: datetime,
            alert_from: datetime) -> None:
    with transaction.atomic():
        AlertDelivery.objects.bulk_create(
            [AlertDelivery(saved_search=s.saved_search, determination_id=m.determination_id,
                           sent_at=now) for s in sent for m in s.matches],
            batch_size=1000, ignore_conflicts=True)
        for saved in searches:
            # Never back past where the search started: not the letters before it was saved.
            SavedSearch.objects.filter(pk=saved.pk).update(
                alerted_at=now, alert_from=max(saved.alert_from, alert_from))


def send_alerts(*, now: datetime | None = None,
                connection: BaseEmailBackend | None = None) -> AlertReport:
    """E-mail each user one digest of the new matches of their due saved searches, and
    record what went; a user the mail server refuses is reported and the others go on."""
    now = now or timezone.now()
    alert_from = searchable_until(now) - UNCOMMITTED
    report = AlertReport()
    connection = connection or get_connection()
    try:
        for _, grouped in groupby(due_searches(now), key=lambda s: s.user_id):
            _alert_user(list(grouped), now, alert_from, connection, report)
    finally:
        connection.close()
    return report


def _alert_user(searches: list[SavedSearch], now: datetime, alert_from: datetime,
                connection: BaseEmailBackend, report: AlertReport) -> None:
    user = searches[0].user
    report.searches += len(searches)
    if not user.email:
        report.no_address.append(user.get_username())
        return
    sections = []
    for saved in searches:
        try:
            section = _section(saved)
        except QueryError as exc:  # a search that cannot run; the user's others still go
            report.unreadable.append((user.get_username(), saved.name, str(exc)))
            continue
        except SearchError as exc:  # the index is unavailable: the next run finds them
            report.failed.append((user.get_username(), str(exc)))
            return
        if section.matches:
            sections.append(section)
    if sections:
        try:
            connection.open()  # once a run (it does nothing when already open)
            digest_message(user, sections, connection=connection).send()
        except Exception as exc:  # refused, disconnected: the other users' still go
            logger.exception("The alert to %s was not sent", user.get_username())
            report.failed.append((user.get_username(), str(exc) or type(exc).__name__))
            connection.close()  # the next message opens a fresh connection
            return
    _record(searches, sections, now, alert_from)
    if sections:
        report.digests += 1
        report.letters += sum(len(s.matches) for s in sections)
