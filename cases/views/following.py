"""Following a search: the page that offers its feed and e-mail alerts, a user's saved
searches (open, rename, delete), and the unsubscribe link of the alert e-mails."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import NewSavedSearchForm, SavedSearchForm, describe_query, query_string
from cases.models import SavedSearch
from cases.presentation.following import saved_search_rows
from cases.selectors.following import parse_state, query_problem
from cases.services import alerts, following


@require_http_methods(["GET", "HEAD", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """The feed of a search (``?`` its parameters) and, signed in, the form that saves it."""
    form, query = parse_state(request.GET.urlencode())
    state, signed_in = query_string(query, page=False), request.user.is_authenticated
    login_url = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
    save_form = NewSavedSearchForm(request.POST if request.method == "POST" else None,
                                   user=request.user,
                                   initial={"name": describe_query(query), "query": state})
    if request.method == "POST":
        if not signed_in:
            return redirect(login_url)
        if save_form.is_valid():
            if problem := query_problem(parse_state(save_form.cleaned_data["query"])[1]):
                save_form.add_error(None, f"This search cannot run: {problem}")
            else:
                saved, new = following.save_search(user=request.user, **save_form.cleaned_data)
                messages.success(request, f"Saved “{saved.name}”." if new else
                                 f"You have this search saved already, as “{saved.name}”.")
                return redirect("cases:saved-searches")
    suffix = f"?{state}" if state else ""
    return render(request, "cases/follow.html", {
        "form": form, "query": query, "save_form": save_form if signed_in else None,
        "feed_url": request.build_absolute_uri(f"{reverse('cases:feed')}{suffix}"),
        "search_url": f"{reverse('cases:search')}{suffix}",
        "follow_url": f"{reverse('cases:follow')}{suffix}",
        "description": describe_query(query), "login_url": login_url,
    }, status=400 if save_form.errors else 200)


def _list_page(request: HttpRequest,
               editing: tuple[int, SavedSearchForm] | None = None) -> HttpResponse:
    searches = list(SavedSearch.objects.filter(user=request.user))
    return render(request, "cases/saved_searches.html", {
        "rows": saved_search_rows(searches, editing=editing),
    }, status=400 if editing is not None else 200)


@login_required
@require_GET
def saved_searches(request: HttpRequest) -> HttpResponse:
    """The user's saved searches, each with the letters added since they last opened it."""
    return _list_page(request)


@login_required
@require_GET
def saved_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a saved search: what was added until now is seen; ``?new=1`` lists the latest
    added first."""
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    following.mark_seen(saved)
    _, query = parse_state(saved.query_string)
    if request.GET.get("new"):
        query = replace(query, sort="added")
    state = query_string(query, page=False)
    return redirect(f"{reverse('cases:search')}{'?' if state else ''}{state}")


@login_required
@require_POST
def saved_search_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a saved search or change how often it is e-mailed."""
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    form = SavedSearchForm(request.POST, prefix=f"s{saved.pk}")
    if not form.is_valid():
        return _list_page(request, editing=(saved.pk, form))
    following.change_search(saved, **form.cleaned_data)
    messages.success(request, f"Saved the changes to “{saved.name}”.")
    return redirect("cases:saved-searches")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved search (its alerts stop with it)."""
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, f"Deleted “{saved.name}”.")
    return redirect("cases:saved-searches")


@csrf_exempt  # the signed token is the authority, not a session a forged form could ride on
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop alert e-mails from the link in one: GET asks (link scanners open links), a POST
    stops them, the button's or the mail client's one-click (RFC 8058); no sign-in."""
    try:
        searches = list(alerts.unsubscribed_searches(token))
    except signing.BadSignature as exc:
        raise Http404("This unsubscribe link is not valid.") from exc
    stopped = None
    if request.method == "POST":
        stopped = alerts.unsubscribe(token)
        searches = list(alerts.unsubscribed_searches(token))
    return render(request, "cases/unsubscribe.html", {
        "searches": searches, "stopped": stopped, "one": len(searches) == 1})
