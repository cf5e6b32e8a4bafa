"""Every server model that serves requests from threads, run for real on loopback: Django's
threaded development server (`make run`), gunicorn's ``gthread`` worker and uvicorn on the
ASGI entry point. Sixteen clients at once get what one client gets alone, and no errors.

Against a scratch database that the servers can open (see ``benchmarks/scratch.py``).
"""

from __future__ import annotations

import http.client
import json
import random
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.scratch import default_database_kind, manage, scratch_database
from benchmarks.server import HOST, serve, server_env
from tests.threads import answers, request_mix, signature

LETTERS = 300  # what is under test is the threads, not the size: fewer export rows
CLIENTS = 16
REQUESTS = 60  # per client
WORDS = ["therapy", "lumbar", "massage", "injection"]


@dataclass(frozen=True)
class Site:
    """A scratch database and index with letters imported."""

    database_url: str
    index_dir: Path
    work_dir: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work_dir = tmp_path_factory.mktemp("threaded")
    with scratch_database(default_database_kind(), work_dir) as database_url:
        env = server_env(database_url=database_url, index_dir=work_dir / "index")
        manage("migrate", "--noinput", env=env)
        manage("generate_corpus", str(work_dir / "letters"), "--count", str(LETTERS),
               "--seed", "17", "--profile", "benchmark", env=env)
        manage("import_determinations", str(work_dir / "letters"), "--quiet", env=env,
               timeout=300)
        yield Site(database_url, work_dir / "index", work_dir)


def _fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(("server", "threads"), [
    ("runserver", 1), ("gunicorn", 4), ("uvicorn", 1)])
def test_threaded_server_answers_many_clients_as_it_answers_one(
        site: Site, server: str, threads: int) -> None:
    log = site.work_dir / f"{server}.log"
    with serve(database_url=site.database_url, index_dir=site.index_dir, workers=1,
               threads=threads, server=server, log=log) as running:
        port = running.port
        status, _, body = _fetch(port, "/api/search", {})
        assert status == 200, body[:500]
        found = json.loads(body)["facets"]
        facets = {facet: [value["value"] for value in found[facet][:2]]
                  for facet in ("specialty", "category", "decision", "outcome")}
        mix = request_mix(words=WORDS, facets=facets, case_ids=[])
        status, _, body = _fetch(port, "/api/search?q=therapy", {})
        mix += [(f"/cases/{hit['id']}/", {}) for hit in json.loads(body)["results"][:4]]
        alone = answers(lambda path, headers: _fetch(port, path, headers), mix)
        assert {answer[0] for answer in alone.values()} == {200}

        def client(seed: int) -> list[tuple[int, tuple[object, ...]]]:
            rng = random.Random(seed)
            got = []
            for _ in range(REQUESTS):
                number = rng.randrange(len(mix))
                path, headers = mix[number]
                got.append((number, signature(path, *_fetch(port, path, headers))))
            return got

        with ThreadPoolExecutor(CLIENTS) as pool:
            got = [answer for future in [pool.submit(client, seed) for seed in range(CLIENTS)]
                   for answer in future.result()]
    statuses = Counter(answer[0] for _, answer in got)
    assert statuses == {200: CLIENTS * REQUESTS}, (statuses, log.read_text()[-3000:])
    wrong = [mix[number][0] for number, answer in got if answer != alone[number]]
    assert not wrong, (len(wrong), wrong[:5])
