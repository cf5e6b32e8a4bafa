"""The counts behind the outcome view of a search: its items' decisions, grouped by the
backend. What the page makes of them is ``cases.presentation.outcomes``."""

from __future__ import annotations

from cases.models import Determination
from cases.search import get_backend
from cases.search.base import IndexUnavailableError, OutcomeCounts, SearchQuery


def count_outcomes(query: SearchQuery) -> OutcomeCounts:
    """The backend's grouped item decisions; empty before any import (no index yet)."""
    try:
        return get_backend().outcome_counts(query)
    except IndexUnavailableError:
        if Determination.objects.exists():
            raise
        return OutcomeCounts({}, {}, {})
