"""What the load and fault tests run against: a scratch database that a server and commands
in other processes can all open, the project's commands as subprocesses, and corpora of
synthetic letters whose arrival can be seen through a search."""

from __future__ import annotations

import os
import random
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf import settings

DATABASES = ("sqlite", "postgres")
# Consonants only, and no "s" or "y": the stemmer leaves such a word as it is.
_MARKER_LETTERS = "bcdfghjklmnpqrtvwxz"
_SYNTHETIC = re.compile(r"\bsynthetic\b")
# Synthetic case numbers are "9" and the letter's index; real ones never start with 9 or 8.
_CASE_NUMBER = re.compile(r"\b(CM\d\d)-9(\d{6})\b")


@contextmanager
def scratch_database(kind: str, work_dir: Path) -> Iterator[str]:
    """Yield the URL of an empty database that other processes can open; drop it after.

    ``sqlite``: a file in ``work_dir``. ``postgres``: a new database on the server that
    ``DATABASE_URL`` names (that database itself is never touched), as the load and fault
    tests need under ``.ci/with-postgres``: a server in another process cannot see
    pytest's test database, which lives in a transaction or is flushed between tests.
    """
    if kind == "sqlite":
        path = work_dir / "scratch.sqlite3"
        for leftover in work_dir.glob("scratch.sqlite3*"):
            leftover.unlink()
        yield f"sqlite:///{path}"
        return
    if kind != "postgres":
        raise ValueError(f"Unknown database kind {kind!r}: use one of {', '.join(DATABASES)}.")
    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {}
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ValueError("A PostgreSQL scratch database needs DATABASE_URL=postgres://… "
                         "naming a server to create it on.")
    import psycopg

    name = f"{config['NAME']}_scratch_{secrets.token_hex(4)}"[:63]
    admin = psycopg.connect(dbname=config["NAME"], user=config["USER"] or None,
                            password=config["PASSWORD"] or None, host=config["HOST"] or None,
                            port=config["PORT"] or None, autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(url)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def default_database_kind() -> str:
    """``postgres`` when DATABASE_URL names a PostgreSQL server, else ``sqlite``."""
    return "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def manage(*args: str, env: dict[str, str], timeout: float = 600,
           check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py ARGS`` as a new process and wait; raise with its output if it fails."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR,
                            env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} exited with {result.returncode}:\n"
                           f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def start_manage(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start ``manage.py ARGS`` in its own process group (so it and its children can be
    killed together); its stdout and stderr come line by line through one pipe."""
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1, start_new_session=True)


def new_marker(rng: random.Random | None = None) -> str:
    """A made-up word that no letter contains and the analyzer keeps whole."""
    pick = rng.choice if rng else secrets.choice
    return "zq" + "".join(pick(_MARKER_LETTERS) for _ in range(8))


def write_marked_corpus(folder: Path, *, count: int, seed: int, marker: str, batch: int,
                        env: dict[str, str]) -> int:
    """Generate ``count`` letters with ``manage.py generate_corpus`` and mark them as new.

    Each letter gets ``marker`` after the word "synthetic" of its clinical summary (every
    synthetic letter has one), so a search for the marker counts exactly the letters of
    this corpus that are searchable. Case numbers become ``CMyy-8…`` numbered from
    ``batch * count``, so that they collide neither with a corpus generated as usual nor
    with another batch: every letter is a new determination, none an update.
    """
    if (batch + 1) * count >= 10**6:
        raise ValueError("batch * count must stay under a million (six digits of case number).")
    manage("generate_corpus", str(folder), "--count", str(count), "--seed", str(seed),
           "--profile", "benchmark", env=env)
    for path in folder.glob("*.txt"):
        # Bytes, not read_text(): letters with Windows line ends keep them.
        text, found = _SYNTHETIC.subn(f"synthetic {marker}", path.read_bytes().decode(),
                                      count=1)
        if not found:
            raise ValueError(f"{path} does not say it is synthetic; cannot mark it.")
        text = _CASE_NUMBER.sub(
            lambda m: f"{m[1]}-8{batch * count + int(m[2]):06d}", text)
        path.write_bytes(text.encode())
    return count
