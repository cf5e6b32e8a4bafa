"""Views: the search page (htmx swaps its results region) and the permanent case page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from cases.addresses import address
from cases.forms import SORT_LABELS, SearchForm, describe_query, query_string
from cases.models import Determination
from cases.presentation import facets
from cases.presentation.display import (
    cite,
    describe,
    matching_positions,
    query_terms,
    result_row,
)
from cases.presentation.like import similar_rows
from cases.search.base import FACETS, SearchError, SearchQuery
from cases.selectors import (
    count_alternatives,
    count_offer,
    facet_counts,
    find_case_number,
    item_positions,
    offered_query,
    search_determinations,
)
from cases.selectors.like import similar_items
from cases.views.errors import finish, search_failure, show_failure


class HtmxHttpRequest(HttpRequest):
    """A request that went through ``HtmxMiddleware``."""

    htmx: HtmxDetails


def _results_context(query: SearchQuery, base_url: str) -> dict[str, object]:
    """Everything the results region shows for a query that ran."""
    page = search_determinations(query)
    results = page.results
    state, terms = query_string(query), query_terms(query.text)
    empty = results.total == 0
    return {
        "results": results,
        "rows": [result_row(determination, snippet=hit.snippet, search_state=state, terms=terms,
                            passing=hit.items if results.items_matching_only else None)
                 for hit, determination in page.rows],
        "first_number": (query.page - 1) * query.page_size + 1,
        "facets": facets.facet_groups(results.facets, query, base_url=base_url,
                                      rest_url=_rest_urls(query)),
        "split": facets.outcome_split(results, query),
        "offer": None if results.items_matching_only or not results.total else
        facets.offer_link(query, offered_query(query), None, base_url=base_url),
        "offer_count_url": f"{reverse('cases:offer')}?{query_string(query)}",
        "page_numbers": facets.page_window(results.page, results.pages),
        "suggestion": facets.suggestion_link(query, results.suggestion, base_url=base_url),
        "alternatives": facets.alternative_links(
            count_alternatives(query) if empty else [], base_url=base_url),
    }


def _query_context(form: SearchForm, query: SearchQuery, base_url: str) -> dict[str, object]:
    """What the page shows whether or not the search ran: the box, the state, the filters."""
    return {
        "form": form, "query": query, "terms": query_terms(query.text),
        "search_state": query_string(query), "sorts": SORT_LABELS.items(),
        "save_name": describe_query(query),
        "hidden_fields": facets.hidden_fields(query),
        "active_filters": facets.active_filters(query, base_url=base_url),
        "clear_filters_url": facets.url_for(facets.clear_filters(query), base_url),
        "valid_url": facets.url_for(query, base_url),
        "typed_filter": facets.typed_filter_link(query, form.typed_filters, base_url=base_url),
    }


@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def search(request: HtmxHttpRequest) -> HttpResponse:
    """The search page; an htmx request gets only its results region."""
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.search_query()
    base_url = reverse("cases:search")
    # A case number typed whole opens its case; facet values in another spelling
    # ("decision=overturned") move to the address the page's links spell them in.
    url = facets.url_for(query, base_url) if valid and form.respelled else None
    if valid and (public_id := find_case_number(query.text)):
        url = reverse("cases:detail", kwargs={"public_id": public_id})
    if url:
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context, status = _query_context(form, query, base_url), 200 if valid else 400
    if valid:
        try:
            context.update(_results_context(query, base_url))
        except SearchError as exc:
            status = show_failure(context, search_failure(exc))
    template = "cases/search.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#search-results"
    return finish(render(request, template, context, status=status), status)


def _rest_urls(query: SearchQuery) -> Callable[[str], str]:
    """A facet's name to the address of all its values for ``query``."""
    state = query_string(replace(query, page=1))
    return lambda name: address("cases:facet", name=name) + (
        f"?{state}" if state else "")


@require_GET
@vary_on_headers("HX-Request")
def facet(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """Every value of one facet for a search (``?`` the search's own parameters): the rest
    of the list the results show the top of, which htmx puts in place when "Show all" opens,
    and without JavaScript a page of its own."""
    if name not in FACETS:
        raise Http404(f"There is no facet {name!r}.")
    form = SearchForm(request.GET)
    base_url = reverse("cases:search")
    # What stops the search is for the search page to say (htmx: the list stays as it is,
    # its link leads there).
    if not form.is_valid():
        return HttpResponse(status=204) if request.htmx else redirect(
            f"{base_url}?{request.GET.urlencode()}")
    query = form.search_query()
    try:
        counted = facet_counts(query)
    except SearchError:
        return HttpResponse(status=204) if request.htmx else redirect(
            facets.url_for(query, base_url))
    group = facets.facet_group(name, counted, query, base_url=base_url)
    if request.htmx:
        return render(request, "cases/facet.html#rest-values", {
            "values": group["more"], "top": group["values"], "name": name})
    return render(request, "cases/facet.html", {
        "facet": group, "query": query, "values": group["values"] + group["more"],
        "back_url": facets.url_for(query, base_url),
        "filtered": bool(facets.active_filters(query, base_url=base_url))})


@require_GET
def offer(request: HttpRequest) -> HttpResponse:
    """The counts of the item-level search the results offer for their words (``?`` the
    search's own parameters): the line htmx swaps in once the results are shown."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return HttpResponse(status=204)  # the page already says what is wrong
    query = form.search_query()
    offered = offered_query(query)
    counted = count_offer(offered) if offered is not None else None
    if counted is None:
        return HttpResponse(status=204)  # nothing to offer: the line stays as it is
    link = facets.offer_link(query, offered, counted, base_url=reverse("cases:search"))
    return render(request, "cases/search.html#item-offer", {"offer": link})


@require_GET
def determination_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The permanent page of one determination; ``?q=`` marks the terms and links back."""
    if "\x00" in public_id:  # no id holds one, and PostgreSQL refuses it in a query
        raise Http404("No determination has that id.")
    determination = Determination.objects.with_details().filter(public_id=public_id).first()
    if determination is None:
        # A case number typed by hand ("cm16-0247255", "CM16 0247255") finds its page.
        if found := find_case_number(public_id):
            return redirect("cases:detail", public_id=found, permanent=True)
        raise Http404(f"No determination has the id {public_id!r}.")
    form = SearchForm(request.GET)
    form.is_valid()
    query = form.search_query()
    permalink = request.build_absolute_uri(determination.get_absolute_url())
    state = query_string(query)
    items, terms = list(determination.items.all()), query_terms(query.text)
    near = similar_rows(similar_items(determination, items), determination.summary,
                        search_url=reverse("cases:search"), like_url=reverse("cases:like"),
                        telling_url=reverse("cases:telling"))
    return render(request, "cases/determination_detail.html", {
        "determination": determination,
        "items": items,
        "item_rows": [(item, near.get(item.position)) for item in items],
        "matched": matching_positions(items, terms, item_positions(determination, query)),
        "terms": terms,
        "query": query,
        "back_url": f"{reverse('cases:search')}?{state}" if state else "",
        "permalink": permalink,
        "citation": cite(determination, permalink),
        "description": describe(determination),
    })
