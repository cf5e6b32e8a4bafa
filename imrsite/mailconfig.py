"""E-mail settings from the environment: one ``DJANGO_EMAIL_URL``, or the usual ``EMAIL_*``
variables, or (neither set) the console backend, which prints each message."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
BACKENDS = {
    "smtp": SMTP, "submission": SMTP, "smtps": SMTP,
    "console": CONSOLE,
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_TRUE = {"1", "true", "yes", "on"}


def parse_email_url(url: str) -> dict[str, object]:
    """The ``EMAIL_*`` settings a URL gives: ``smtp://user:password@host:587?tls=1``,
    ``smtps://…`` (implicit TLS, port 465), ``console://``, ``locmem://`` or ``dummy://``;
    ``?timeout=`` in seconds. The user and password may be percent-encoded."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ImproperlyConfigured(
            f"DJANGO_EMAIL_URL has the scheme {scheme!r}; use one of: {', '.join(BACKENDS)} "
            "(for example smtp://user:password@mail.example.org:587?tls=1).")
    found: dict[str, object] = {"EMAIL_BACKEND": BACKENDS[scheme]}
    if BACKENDS[scheme] != SMTP:
        return found
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    ssl = scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
    tls = scheme == "submission" or query.get("tls", "").lower() in _TRUE
    if ssl and tls:
        raise ImproperlyConfigured("DJANGO_EMAIL_URL asks for both ssl and tls; choose one.")
    found.update({
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if ssl else 587 if tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": tls,
    })
    if "timeout" in query:
        found["EMAIL_TIMEOUT"] = float(query["timeout"])
    return found


def email_settings(environ: Mapping[str, str]) -> dict[str, object]:
    """The e-mail settings of an environment: ``DJANGO_EMAIL_URL`` wins; otherwise
    ``EMAIL_HOST`` (with ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``,
    ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL``) means SMTP; otherwise the console backend."""
    if environ.get("DJANGO_EMAIL_URL"):
        return parse_email_url(environ["DJANGO_EMAIL_URL"])
    if not environ.get("EMAIL_HOST"):
        return {"EMAIL_BACKEND": CONSOLE}
    flag = {name: environ.get(name, "").lower() in _TRUE
            for name in ("EMAIL_USE_TLS", "EMAIL_USE_SSL")}
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": environ["EMAIL_HOST"],
        "EMAIL_PORT": int(environ.get("EMAIL_PORT") or 25),
        "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
        **flag,
    }
