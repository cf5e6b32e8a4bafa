"""Signing in: Django's login view (and the admin's), refusing a username from one address
for a while after too many failed attempts. Accounts are made by an administrator
(``createsuperuser``, the admin); there is no sign-up."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

MAX_FAILURES = 5  # failed attempts for one username from one address...
WINDOW = 15 * 60  # ...each within this many seconds of the last: refused until it passes
TOO_MANY = ("Too many failed sign-in attempts for this username. Wait 15 minutes and try "
            "again, or ask the administrator to reset your password.")

View = Callable[..., HttpResponse]


def _failures_key(request: HttpRequest) -> str:
    """The cache key counting one username's failures from one address. The address is the
    connection's (behind a proxy, the proxy's: the count is then per username)."""
    username = request.POST.get("username", "").strip().casefold()
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(f"{username}\x00{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def limit_sign_in(view: View) -> View:
    """A login view that counts its failed POSTs (the form shown again) and, after
    ``MAX_FAILURES``, answers 429 without checking the password; a sign-in clears the count.
    Counted in the default cache, which every worker on the machine shares."""
    if getattr(view, "sign_in_limited", False):  # the URLconf loaded again: count once
        return view

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = _failures_key(request)
        failures = cache.get(key, 0)
        if failures >= MAX_FAILURES:
            return render(request, "registration/login.html", {
                "form": AuthenticationForm(request, initial={
                    "username": request.POST.get("username", "")}),
                "refused": TOO_MANY, "next": request.POST.get("next", "")}, status=429)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:  # the form again: the password was wrong
            cache.set(key, failures + 1, WINDOW)
        elif response.status_code in (301, 302, 303):  # signed in
            cache.delete(key)
        return response

    limited.sign_in_limited = True  # type: ignore[attr-defined]
    return limited


login = limit_sign_in(auth_views.LoginView.as_view(redirect_authenticated_user=True))
