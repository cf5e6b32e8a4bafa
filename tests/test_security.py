"""Production settings and headers: `check --deploy` clean, CSP and the usual headers, and no
database writes on GET."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.services import import_determinations
from imrsite.csp import build_policy
from tests.conftest import DATA, ROOT

HOST = "imr.example.org"


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
           "DJANGO_ALLOWED_HOSTS": HOST, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "IMRSITE_INDEX_DIR": str(tmp_path / "index"), **extra}
    for name in ("DJANGO_HTTPS", "DJANGO_HSTS_SECONDS"):
        if name not in extra:
            env.pop(name, None)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_check_deploy_in_production_reports_no_issues(tmp_path: Path) -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     env=_production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_when_https_is_turned_off(tmp_path: Path) -> None:
    result = _manage("check", "--deploy", env=_production_env(tmp_path, DJANGO_HTTPS="0"))
    for warning in ("security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


# Run inside a production-configured process: the search page and a case page as a browser
# over HTTPS gets them, and the search page over plain HTTP.
PROBE = f"""
import json
from pathlib import Path
from django.core.management import call_command
from django.test import Client
from cases.services import import_determinations
call_command("migrate", verbosity=0)
import_determinations(paths=[Path({str(DATA / "layout_2013.txt")!r})])
client = Client(headers={{"host": {HOST!r}}})
out = {{}}
for name, url, secure in [("search", "/?q=norco", True), ("case", "/cases/CM13-0099001/", True),
                          ("plain", "/", False)]:
    response = client.get(url, secure=secure)
    out[name] = {{"status": response.status_code, "headers": dict(response.headers),
                 "body": response.content.decode()}}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    env = _production_env(tmp_path_factory.mktemp("production"))
    result = _manage("shell", "--no-imports", "-c", PROBE, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("page", ["search", "case"])
def test_production_pages_send_csp_and_security_headers(
        production_pages: dict[str, dict], page: str) -> None:
    response = production_pages[page]
    assert response["status"] == 200
    headers = response["headers"]
    csp = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["default-src"] + csp["style-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert "Content-Security-Policy-Report-Only" not in headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("page", ["search", "case"])
def test_production_pages_have_no_inline_script(
        production_pages: dict[str, dict], page: str) -> None:
    body = production_pages[page]["body"]
    assert body.count("<script") == body.count("<script src=")
    assert " onclick=" not in body and " onload=" not in body


def test_production_redirects_plain_http_to_https(production_pages: dict[str, dict]) -> None:
    plain = production_pages["plain"]
    assert plain["status"] == 301
    assert plain["headers"]["Location"] == f"https://{HOST}/"


def test_production_on_loopback_only_serves_plain_http(tmp_path: Path) -> None:
    """A server only loopback clients can reach (the benchmark's, a local `make serve`)."""
    env = _production_env(tmp_path, DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost")
    code = ("from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, "
            "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)")
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == ["False", "False", "False"], result.stderr


def test_csp_policy_joins_directives() -> None:
    policy = build_policy({"default-src": ["'self'"], "img-src": ["'self'", "data:"],
                           "upgrade-insecure-requests": True, "report-to": []})
    assert policy == "default-src 'self'; img-src 'self' data:; upgrade-insecure-requests"


def test_csp_is_report_only_while_developing(client: Client, settings: object) -> None:
    # settings.py chose report-only: the tests run with DJANGO_DEBUG unset, i.e. 1.
    response = client.get("/robots.txt")
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


# -- GET never writes ---------------------------------------------------------------------
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/", "/?q=norco", "/?q=norco&decision=Upheld&sort=newest", "/?q=CM13-0099001",
    "/cases/CM13-0099001/", "/cases/CM13-0099001/?q=norco", "/cases/NO-SUCH-CASE/",
    "/api/search?q=norco", "/api/cases/CM13-0099001", "/opensearch.xml", "/robots.txt",
])
def test_get_requests_never_write(client: Client, url: str) -> None:
    import_determinations(paths=[DATA / "layout_2013.txt", DATA / "prose_mixed.txt"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in {200, 302, 404}
    written = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert written == []
