"""Searching under many threads of one process while an import commits.

The threaded dev server, gunicorn's ``gthread`` worker and the ASGI server's thread pool all
serve requests from threads that share one backend, and so one view of the index. Each
answer given under 16 threads must equal the same request answered alone before the
import's commit or after it (the only two states of the index that differ in what they
find), whichever side of the commit the request was on.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django.test.client import ClientHandler, RequestFactory

from benchmarks.scratch import new_marker, write_marked_corpus
from cases.models import Determination
from cases.search import get_backend
from cases.search.whoosh_backend import opened
from cases.services import import_determinations, index_document
from tests.conftest import ROOT
from tests.threads import answers, request_mix, signature

# Generated letters (and the real ones) of the module's archive: test_outcomes's, so that
# its index is built once for both. 400 is enough: the code before each read borrowed a
# searcher of its own gave 2,440 503s of 3,200 answers here, as it did on 2,000 letters.
ARCHIVE = (400, 31)
THREADS = 16
REQUESTS = 100  # per thread: 1,600 answers (the old shared searcher failed 76 % of 3,200)
NEW_LETTERS = 40
WORDS = ["therapy", "lumbar", "massage", "acupuncture", "injection", "shoulder", "opioid",
         "knee"]


@pytest.fixture(scope="module")
def new_letters(archive: Path, django_db_blocker: object,
                tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Letters stored in the database but not yet in the index: what an import has stored
    when its index commit comes."""
    folder = tmp_path_factory.mktemp("new-letters")
    write_marked_corpus(folder, count=NEW_LETTERS, seed=5, marker=new_marker(random.Random(3)),
                        batch=1, env=dict(os.environ))
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        stored = set(Determination.objects.values_list("public_id", flat=True))
        import_determinations(paths=[folder], index=False)
        new = set(Determination.objects.values_list("public_id", flat=True)) - stored
    assert len(new) == NEW_LETTERS
    return sorted(new)


def _fetch(handler: ClientHandler, path: str, headers: dict[str, str]
           ) -> tuple[int, str, bytes]:
    """A request through Django's handler, as the test client sends it, but without the
    client's copy of every rendered template's context for every request in flight: under
    16 threads that bookkeeping took half of the test's time."""
    response = handler(RequestFactory().get(path, headers=headers).environ)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, response.get("Content-Type", ""), content


def _facets(client: Client) -> dict[str, list[str]]:
    """Two common values of each facet a user ticks most."""
    found = client.get("/api/search").json()["facets"]
    return {facet: [value["value"] for value in found[facet][:2]]
            for facet in ("specialty", "category", "decision", "outcome", "year")}


@pytest.mark.django_db
def test_threads_answer_as_one_thread_does_while_an_import_commits(
        served: Path, new_letters: list[str]) -> None:
    client, handler = Client(), ClientHandler()
    old = list(Determination.objects.exclude(public_id__in=new_letters)
               .order_by("public_id").values_list("public_id", flat=True))
    mix = request_mix(words=WORDS, facets=_facets(client),
                      case_ids=[*old[:: len(old) // 6], *new_letters[:2]])
    before = answers(lambda path, headers: _fetch(handler, path, headers), mix)
    assert {answer[0] for answer in before.values()} == {200}

    backend = get_backend()
    replaced = [index_document(d) for d in Determination.objects.filter(public_id__in=old[:240])]
    added = [index_document(d) for d in Determination.objects.filter(public_id__in=new_letters)]
    importing, imported, done = threading.Event(), threading.Event(), threading.Event()
    answered = Counter[str]()
    # (request, answer, when: "before" it ended before the import's commit began, "after"
    # it began after the commit ended, "during" otherwise)
    got: list[tuple[int, tuple[object, ...], str]] = []
    errors: list[str] = []

    def write() -> None:
        """Commits that replace letters with themselves (new segments, deletions, merges:
        nothing a search finds changes), and once a quarter of the requests are answered,
        one that adds the new letters."""
        chunks = [replaced[start:start + 30] for start in range(0, len(replaced), 30)]
        backend.index.add_bulk(chunks.pop())
        while answered["total"] < THREADS * REQUESTS // 4:
            time.sleep(0.05)
        importing.set()
        backend.index.add_bulk(added)
        imported.set()
        # Spaced as an import's commits are (every 20,000 letters), not back to back.
        while chunks and not done.wait(0.5):
            backend.index.add_bulk(chunks.pop())

    def read(seed: int) -> None:
        mine = ClientHandler()
        rng = random.Random(seed)
        after_import = 0
        try:
            # Each thread goes on until it has also asked a few requests after the import.
            while answered[seed] < REQUESTS or after_import < 5:
                number = rng.randrange(len(mix))
                path, headers = mix[number]
                late = imported.is_set()
                try:
                    answer = signature(path, *_fetch(mine, path, headers))
                    when = "after" if late else "during" if importing.is_set() else "before"
                    got.append((number, answer, when))
                except Exception as exc:  # every failure is reported
                    errors.append(f"{path}: {exc!r}")
                answered["total"] += 1
                answered[seed] += 1
                after_import += late
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS + 1) as pool:
        writer = pool.submit(write)
        readers = [pool.submit(read, seed) for seed in range(THREADS)]
        for future in readers:
            future.result()
        done.set()
        writer.result()

    after = answers(lambda path, headers: _fetch(handler, path, headers), mix)
    assert not errors, errors[:5]
    assert len(got) >= THREADS * REQUESTS
    statuses = Counter(answer[0] for _, answer, _ in got)
    assert statuses == {200: len(got)}, statuses
    # Answered before the import's commit: the old state; asked after it: the new one. A
    # request in flight meanwhile reads one state or the other, but a search page may see
    # both in its separate reads (one that finds nothing counts its "without this filter"
    # offers in a second read): any 200 will do there.
    expected = {"before": (before,), "after": (after,), "during": (before, after)}
    wrong = [(mix[number][0], when) for number, answer, when in got
             if not (when == "during" and mix[number][0].startswith("/?"))
             and all(answer != state[number] for state in expected[when])]
    assert not wrong, (len(wrong), wrong[:5])
    # The import landed while the threads searched, changing what some requests find.
    changed = {number for number in before if before[number] != after[number]}
    assert changed
    assert any(n in changed for n, _, when in got if when == "before")
    assert any(n in changed for n, _, when in got if when == "after")


def test_backend_raises_a_low_open_files_limit_for_its_searchers(tmp_path: Path) -> None:
    """Each busy thread holds a searcher's files (about ten a segment) open: a process
    started with the usual soft limit of 1,024 raises it towards the hard limit."""
    script = ("import resource\n"
              "from cases.search.whoosh_backend import WhooshBackend\n"
              f"WhooshBackend({{'path': {str(tmp_path)!r}}})\n"
              "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = 1024 if hard == resource.RLIM_INFINITY else min(1024, hard)
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "imrsite.settings"},
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard)))
    wanted = opened.OPEN_FILES_WANTED
    assert int(found.stdout) == (wanted if hard == resource.RLIM_INFINITY
                                 else min(wanted, hard))
