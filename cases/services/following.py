"""Saving, changing and opening a user's saved searches."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from cases.models import AlertFrequency, SavedSearch
from cases.selectors.following import searchable_until


def save_search(*, user: AbstractBaseUser, name: str, frequency: str,
                query: str) -> tuple[SavedSearch, bool]:
    """Save a search (``query``: its canonical URL state), unless the user has it already;
    its alerts and "new" count start from what the index holds now. Returns the saved
    search and whether it is new."""
    found = SavedSearch.objects.filter(user=user, query_string=query).first()
    if found is not None:
        return found, False
    now = timezone.now()
    start = searchable_until(now)
    return SavedSearch.objects.create(user=user, name=name, frequency=frequency,
                                      query_string=query, created_at=now, last_seen_at=start,
                                      alert_from=start), True


def change_search(saved: SavedSearch, *, name: str, frequency: str) -> None:
    """Rename a saved search or change how often it is e-mailed. Alerts turned back on
    start from now, not from every letter added while they were off."""
    if saved.frequency == AlertFrequency.OFF and frequency != AlertFrequency.OFF:
        saved.alert_from, saved.alerted_at = searchable_until(timezone.now()), None
    saved.name, saved.frequency = name, frequency
    saved.save(update_fields=["name", "frequency", "alert_from", "alerted_at"])


def mark_seen(saved: SavedSearch) -> None:
    """Its owner opened the search: what the index holds now is no longer new."""
    saved.last_seen_at = searchable_until(timezone.now())
    saved.save(update_fields=["last_seen_at"])
