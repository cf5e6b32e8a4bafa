"""The Content-Security-Policy header, from Django 6.0's ``SECURE_CSP`` settings.

Django 5.2 has no CSP support; this does what Django 6.0's
``django.middleware.csp.ContentSecurityPolicyMiddleware`` does for policies without nonces,
so upgrading means deleting this module and pointing ``MIDDLEWARE`` at Django's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADERS = {
    "SECURE_CSP": "Content-Security-Policy",
    "SECURE_CSP_REPORT_ONLY": "Content-Security-Policy-Report-Only",
}


def build_policy(directives: Mapping[str, Sequence[str] | bool]) -> str:
    """The header value of a ``{directive: [sources]}`` policy (``True`` for bare ones)."""
    parts = []
    for name, sources in directives.items():
        if sources is True:
            parts.append(name)
        elif sources:
            parts.append(" ".join([name, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Add the configured policies to responses that set none themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for setting, header in HEADERS.items():
            # Read per response, so settings overridden in tests apply.
            policy = build_policy(getattr(settings, setting, None) or {})
            if policy and header not in response:
                response[header] = policy
        return response
