"""Settings for imrsite. Production differences come only from environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from imrsite.mailconfig import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG=0.")
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "cases",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "imrsite.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "imrsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

WSGI_APPLICATION = "imrsite.wsgi.application"

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(exist_ok=True)  # the default SQLite file lives there
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'imrsite.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets web workers read while an import writes; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Los_Angeles"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Production: `collectstatic` writes hashed, compressed files that WhiteNoise serves with
# far-future cache headers.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
        else "imrsite.storage.ManifestStaticFilesStorage",
    },
}
# Follow the environment's mode, not DEBUG as changed at run time (pytest-django turns it off):
# while developing, WhiteNoise serves static/ as it is, without collectstatic.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG

# -- security headers ---------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django 6.0's setting names and shape, so the upgrade swaps only the middleware. No inline
# scripts: htmx and site.js are static files. Inline style *attributes* are allowed because
# the search page draws its outcome bars with them (style-src-attr); <style> elements are not.
_policy = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Enforced in production; only reported while developing, where Django's debug error page
# needs its inline script and style.
SECURE_CSP = {} if DEBUG else _policy
SECURE_CSP_REPORT_ONLY = _policy if DEBUG else {}


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


if not DEBUG:
    # Served over HTTPS (redirect, secure cookies) unless DJANGO_HTTPS=0, or unless the site
    # answers only to loopback names: then no client can reach it by a name with a
    # certificate (the benchmark's gunicorn, `make serve` on this machine).
    _https = _flag("DJANGO_HTTPS", default=not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS)
    SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _https
    # Browsers take HSTS only from HTTPS responses, so it is harmless without HTTPS.
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if _flag("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips the client's).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CASES_SEARCH = {
    "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
    "OPTIONS": {"path": os.environ.get("IMRSITE_INDEX_DIR", str(VAR_DIR / "index"))},
}

# -- accounts (saved searches) ----------------------------------------------------------------
# Accounts are made by an administrator (`createsuperuser`, /admin/): there is no sign-up.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:saved-searches"
LOGOUT_REDIRECT_URL = "cases:search"
# Failed sign-ins are counted here: a file cache is shared by every worker process on the
# machine without any set-up (the default in-memory cache would count per process).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("IMRSITE_CACHE_DIR", str(VAR_DIR / "cache")),
    }
}

# -- e-mail ---------------------------------------------------------------------------------
# E-mail: DJANGO_EMAIL_URL, or EMAIL_HOST and its companions; the console by default.
# Seconds before a silent mail server fails the message (?timeout= in the URL overrides).
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
globals().update(email_settings(os.environ))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "IMR precedents <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in alert e-mails are absolute: the address the site is reached at, without a slash.
IMRSITE_BASE_URL = os.environ.get("IMRSITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
