"""Views over a whole search: its disputed items exported (CSV, JSON), its outcome view, and
the guidelines its reviewers relied on."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial
from urllib.parse import quote

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.forms import SearchForm, query_string
from cases.presentation import exports, facets
from cases.presentation.outcomes import build_report, guideline_rates
from cases.search.base import OutcomeCounts, SearchError, SearchQuery
from cases.selectors import ItemRow, count_outcomes, find_items, iter_rows
from cases.views.errors import (
    Failure,
    finish,
    form_failure,
    search_failure,
    show_failure,
    text_failure,
)

Stream = Callable[[Iterable[list[ItemRow]]], Iterator[str]]
ErrorResponse = Callable[[Failure], HttpResponse]


class CsvOptionsForm(forms.Form):
    """How the CSV export is written, besides the search's own parameters."""

    # Not a BooleanField: its checkbox widget reads "0" as checked.
    bom = forms.TypedChoiceField(
        required=False, choices=[("0", "no"), ("1", "yes")], coerce=lambda value: value == "1",
        empty_value=False, error_messages={"invalid_choice": (
            "bom is 1 (start the file with a UTF-8 byte-order mark, so that Excel reads "
            "its text as UTF-8) or 0.")})


def _export(request: HttpRequest, stream: Stream, content_type: str, extension: str,
            error: ErrorResponse) -> HttpResponse:
    """The streamed export of the search in ``request``, or ``error`` saying why not."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return error(form_failure(form))
    query = form.search_query()
    try:
        # Asked now, not inside the stream, so a bad query is a 400, not a broken download.
        matched = find_items(query)
    except SearchError as exc:
        return error(search_failure(exc))

    # One reverse() for the whole export: ids are URL-safe (case numbers and hex digests).
    before, _, after = request.build_absolute_uri(
        reverse("cases:detail", args=["ID"])).rpartition("ID")

    def url_of(public_id: str) -> str:
        return f"{before}{quote(public_id, safe='')}{after}"

    response = StreamingHttpResponse(
        stream(iter_rows(matched, url_of=url_of)), content_type=content_type)
    name = exports.export_filename(query, extension, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _json_error(failure: Failure) -> HttpResponse:
    return finish(JsonResponse({"error": failure.message, "fields": failure.fields},
                               status=failure.status), failure.status)


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """``/export.csv?…``: every disputed item matching the search, one CSV row each;
    ``bom=1`` puts a UTF-8 byte-order mark first."""
    options = CsvOptionsForm(request.GET)
    if not options.is_valid():
        return text_failure(Failure(400, " ".join(options.errors["bom"]),
                                    {"bom": list(options.errors["bom"])}))
    return _export(request, partial(exports.stream_csv, bom=options.cleaned_data["bom"]),
                   "text/csv; charset=utf-8", "csv", text_failure)


@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    """``/export.json?…``: every disputed item matching the search, as a JSON array."""
    return _export(request, exports.stream_json, "application/json", "json", _json_error)


@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    """``/outcomes/?…``: overturn rates of the search's items by group, with intervals."""
    return _report(request, "cases:outcomes", "cases/outcomes.html",
                   lambda query, counts, base_url: {
                       "report": build_report(query, counts, base_url=base_url)})


@require_GET
def guidelines(request: HttpRequest) -> HttpResponse:
    """``/guidelines/?…``: each document the search's reviewers relied on, then its sections
    and pages, with how often the items citing each were overturned."""
    def rows(query: SearchQuery, counts: OutcomeCounts, base_url: str) -> dict[str, object]:
        overall, documents = guideline_rates(query, counts, base_url=base_url)
        return {"overall": overall, "documents": documents}

    return _report(request, "cases:guidelines", "cases/guidelines.html", rows)


def _report(request: HttpRequest, name: str, template: str,
            build: Callable[[SearchQuery, OutcomeCounts, str], dict[str, object]],
            ) -> HttpResponse:
    """A page of rates over a search's items: the search's form, its chips, and what
    ``build`` makes of its outcome counts."""
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.search_query()
    search_url, here = reverse("cases:search"), reverse(name)
    state = query_string(query, page=False)
    context: dict[str, object] = {
        "form": form, "query": query, "state": state,
        "search_url": facets.url_for(query, search_url),
        "active_filters": facets.active_filters(query, base_url=here),
        "valid_url": facets.url_for(query, here),
    }
    status = 200 if valid else 400
    if valid:
        try:
            context.update(build(query, count_outcomes(query), search_url))
        except SearchError as exc:
            status = show_failure(context, search_failure(exc))
    return finish(render(request, template, context, status=status), status)
