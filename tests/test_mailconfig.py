"""E-mail settings from the environment (``imrsite.mailconfig``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from imrsite.mailconfig import CONSOLE, SMTP, email_settings, parse_email_url


def test_no_variables_mean_the_console() -> None:
    assert email_settings({}) == {"EMAIL_BACKEND": CONSOLE}


def test_email_url_with_starttls_and_an_encoded_password() -> None:
    assert email_settings({"DJANGO_EMAIL_URL": "smtp://alerts%40imr.org:p%2Fss%3Aword@mail"
                                               ".example.org:2525?tls=1&timeout=7",
                           "EMAIL_HOST": "ignored"}) == {
        "EMAIL_BACKEND": SMTP, "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "alerts@imr.org", "EMAIL_HOST_PASSWORD": "p/ss:word",
        "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": True, "EMAIL_TIMEOUT": 7.0}


@pytest.mark.parametrize(("url", "port", "ssl", "tls"), [
    ("smtps://mail.example.org", 465, True, False),
    ("submission://mail.example.org", 587, False, True),
    ("smtp://mail.example.org", 25, False, False),
])
def test_email_url_schemes_choose_port_and_encryption(url: str, port: int, ssl: bool,
                                                      tls: bool) -> None:
    found = parse_email_url(url)
    assert (found["EMAIL_PORT"], found["EMAIL_USE_SSL"], found["EMAIL_USE_TLS"]) == (
        port, ssl, tls)


def test_email_url_other_backends() -> None:
    assert parse_email_url("locmem://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    assert parse_email_url("console://") == {"EMAIL_BACKEND": CONSOLE}


@pytest.mark.parametrize(("url", "message"), [
    ("http://mail.example.org", "scheme 'http'"),
    ("smtp://mail.example.org?ssl=1&tls=1", "both ssl and tls"),
])
def test_email_url_mistakes_are_explained(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_email_url(url)


def test_email_host_variables() -> None:
    assert email_settings({"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "587",
                           "EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p",
                           "EMAIL_USE_TLS": "true"}) == {
        "EMAIL_BACKEND": SMTP, "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p", "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False}
