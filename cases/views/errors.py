"""One mapping, for every view, of what stops a search to the status its response gets:
invalid parameters and queries that cannot run are 400, an unavailable index is 503 with
``Retry-After``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpResponse

from cases.forms import SearchForm
from cases.search.base import IndexUnavailableError, QueryError, SearchError

RETRY_AFTER = "60"  # seconds a client is asked to wait while the index is unavailable


@dataclass(frozen=True)
class Failure:
    """Why a search gave no results: the status, the message, and the messages by field."""

    status: int
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    # For each facet refused a value: values it has (the closest first, a few dozen at most).
    valid: dict[str, list[str]] = field(default_factory=dict)

    @property
    def unavailable(self) -> bool:
        """The index could not be read: not the request's fault, try again later."""
        return self.status == 503


def form_failure(form: SearchForm) -> Failure:
    """The 400 of a form that refused its parameters, with every message it gave."""
    fields = {name: list(errors) for name, errors in form.errors.items()}
    return Failure(400, " ".join(m for errors in fields.values() for m in errors), fields,
                   form.valid_values)


def search_failure(exc: SearchError) -> Failure:
    """The status and message of a search that could not run."""
    if isinstance(exc, IndexUnavailableError):
        return Failure(503, str(exc))
    if isinstance(exc, QueryError):
        return Failure(400, str(exc), {"q": [str(exc)]})
    return Failure(400, str(exc))


def show_failure(context: dict[str, object], failure: Failure) -> int:
    """Put a search's failure where the page templates show it (``_notices.html``); return
    the page's status."""
    context["unavailable" if failure.unavailable else "search_error"] = failure.message
    return failure.status


def finish(response: HttpResponse, status: int) -> HttpResponse:
    """Mark a response of ``status``: a 503 asks the client to come back later."""
    if status == 503:
        response["Retry-After"] = RETRY_AFTER
    return response


def text_failure(failure: Failure) -> HttpResponse:
    """A failure as plain text, for clients that are not a browser (exports, feeds)."""
    return finish(HttpResponse(failure.message + "\n", status=failure.status,
                               content_type="text/plain; charset=utf-8"), failure.status)
