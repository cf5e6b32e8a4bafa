"""What tells a search's overturned items from its upheld ones: the terms their rationales
lean on, each way. The cases-like-mine page asks it of each request's same-request search
once the neighbours are shown (it reads hundreds of rationales); it is a page of its own
without JavaScript, and JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from cases.forms import SearchForm
from cases.presentation import facets
from cases.presentation.like import telling_sides
from cases.search.base import SearchError
from cases.selectors.telling import telling_terms
from cases.views.api import failure_response
from cases.views.errors import finish, form_failure, search_failure, show_failure
from cases.views.pages import HtmxHttpRequest


@require_GET
@vary_on_headers("HX-Request")
def telling(request: HtmxHttpRequest) -> HttpResponse:
    """``/telling/?…`` (a search's parameters): the page, or for htmx its section only."""
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.search_query()
    search_url, here = reverse("cases:search"), reverse("cases:telling")
    context: dict[str, object] = {
        "form": form, "query": query, "standalone": not request.htmx,
        "page_url": request.get_full_path(),
        "search_url": facets.url_for(query, search_url),
        "active_filters": facets.active_filters(query, base_url=here),
        "valid_url": facets.url_for(query, here),
    }
    status = 200 if valid else 400
    if valid:
        try:
            context["telling"] = telling_sides(query, telling_terms(query),
                                               search_url=search_url)
        except SearchError as exc:
            status = show_failure(context, search_failure(exc))
    template = "cases/telling.html#telling" if request.htmx else "cases/telling.html"
    return finish(render(request, template, context, status=status), status)


@require_GET
def telling_api(request: HttpRequest) -> JsonResponse:
    """``GET /api/telling?…``: the same as JSON."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return failure_response(form_failure(form))
    query = form.search_query()
    try:
        found = telling_terms(query)
    except SearchError as exc:
        return failure_response(search_failure(exc))
    return JsonResponse(telling_sides(query, found, search_url=reverse("cases:search"),
                                      absolute=request.build_absolute_uri))
