"""The load test: many browser-like clients against the production server while imports run
beside it; requests, latency and errors per kind, the workers' memory over time, and when
each import's letters became searchable through the server."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.http import Sample, Target, fetch, summarize
from benchmarks.load_report import memory_summary
from benchmarks.scratch import (
    manage,
    new_marker,
    scratch_database,
    start_manage,
    write_marked_corpus,
)
from benchmarks.server import HOST, Server, child_pids, kill_group, memory_mb, serve, server_env
from benchmarks.traffic import ANSWERED, KINDS, Session, build_queries

_SUMMARY = re.compile(r"(\d+) new, (\d+) updated")
LATE_IMPORT_SECONDS = 900  # how long the load waits past its time for an import to finish
VISIBLE_WITHIN_SECONDS = 60  # after an import exits, for its letters to be searchable


@dataclass(frozen=True)
class LoadConfig:
    """What to run: how long, how many clients and workers, which letters and database."""

    seconds: float = 300
    clients: int = 20
    workers: int = 2
    base_letters: int = 5000
    import_letters: int = 2000
    imports: int = 0  # 0: one after another until the time is up
    jobs: int = 1  # --jobs of the imports during the load
    database: str = "sqlite"
    sample_seconds: float = 5
    seed: int = 2025
    fresh_seconds: float = 60  # then the same load on new workers (0: skip)


@dataclass
class ImportRun:
    """One import during the load: its letters, progress lines and visibility."""

    number: int
    marker: str
    letters: int
    started_at: float = 0.0
    exited_at: float | None = None
    returncode: int | None = None
    expected: int | None = None  # new + updated, from the import's summary line
    progress: list[tuple[float, str]] = field(default_factory=list)
    totals: list[tuple[float, int]] = field(default_factory=list)  # (time, total) on change
    confirmations: int = 0  # searches that counted all the letters

    def searchable_at(self) -> float | None:
        """When a search through the server first counted all of this import's letters."""
        return next((at for at, total in self.totals if total == self.expected), None)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, with what was read off the run."""
        seen = [total for _, total in self.totals]
        visible = self.searchable_at()
        return {**asdict(self), "searchable": visible is not None,
                "searchable_at": visible,
                "searchable_after_exit_s": round(visible - self.exited_at, 2)
                if visible is not None and self.exited_at is not None else None,
                # Every total a search saw was 0 or all of them, and never went back.
                "all_or_nothing": set(seen) <= {0, self.expected} and seen == sorted(seen),
                "import_seconds": round(self.exited_at - self.started_at, 1)
                if self.exited_at is not None else None}


class _Run:
    """The threads of one load run and what they gathered."""

    def __init__(self, config: LoadConfig, server: Server, env: dict[str, str],
                 work_dir: Path, queries: list[str], *, seconds: float,
                 importing: bool = True) -> None:
        self.config, self.server, self.env, self.work_dir = config, server, env, work_dir
        self.seconds, self.importing = seconds, importing
        self.started = time.perf_counter()
        self.stop = threading.Event()
        self.sessions = [Session(n, server.port, queries, self.started, seed=config.seed)
                         for n in range(config.clients)]
        self.imports: list[ImportRun] = []
        self.imports_done = threading.Event()
        self.probes: list[tuple[float, Sample]] = []
        self.memory: list[dict[str, float]] = []
        self.process: subprocess.Popen[str] | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def run(self) -> float:
        """Load the server until the time is up and every import's letters were checked."""
        threads = [threading.Thread(target=self._client, args=(s,)) for s in self.sessions]
        threads += [threading.Thread(target=work) for work in (self._sample, self._probe)]
        importer = threading.Thread(target=self._import_all if self.importing
                                    else self.imports_done.set)
        for thread in [*threads, importer]:
            thread.start()
        deadline = self.seconds + LATE_IMPORT_SECONDS
        while self.elapsed() < deadline and not self._finished():
            time.sleep(0.2)
        if self.elapsed() >= deadline:
            self._kill_import()
        self.stop.set()
        importer.join()
        for thread in threads:
            thread.join()
        return self.elapsed()

    def _finished(self) -> bool:
        if self.elapsed() < self.seconds or not self.imports_done.is_set():
            return False
        return all(run.searchable_at() is not None or run.exited_at is None
                   or self.elapsed() > run.exited_at + VISIBLE_WITHIN_SECONDS
                   for run in self.imports)

    def _client(self, session: Session) -> None:
        while not self.stop.is_set():
            session.step()
        session.close()

    def _sample(self) -> None:
        """The workers' memory every few seconds (and the master's, for comparison)."""
        while not self.stop.is_set():
            at = round(self.elapsed(), 1)
            for pid in [self.server.master, *child_pids(self.server.master)]:
                if found := memory_mb(pid):
                    self.memory.append({"t": at, "pid": pid,
                                        "master": pid == self.server.master, **found})
            self.stop.wait(self.config.sample_seconds)

    def _probe(self) -> None:
        """Once a second, each import's marker through the API: how many letters it finds."""
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=120)
        while not self.stop.is_set():
            # Each probe waits its turn behind the clients (about a second): probe only the
            # imports whose letters were not yet all seen, then each a few times more.
            for run in [r for r in self.imports if r.confirmations < 3]:
                path = f"/api/search?q={run.marker}"
                at = self.elapsed()
                sample, body = fetch(connection, Target("probe", run.marker, path),
                                     accept=ANSWERED)
                self.probes.append((at, sample))
                if sample.status == 200:
                    total = json.loads(body)["total"]
                    if not run.totals or run.totals[-1][1] != total:
                        run.totals.append((round(at, 2), total))
                    if total == run.expected:
                        run.confirmations += 1
            self.stop.wait(1.0)
        connection.close()

    def _import_all(self) -> None:
        """Imports one after another, each of a fresh corpus, while the time lasts."""
        config, number, last = self.config, 0, 0.0
        self.stop.wait(3)  # the load first, then the import beside it
        while not self.stop.is_set() and (config.imports == 0 or number < config.imports):
            if number and (config.imports == 0
                           and self.elapsed() + last > self.seconds):
                break  # the next one would run past the time
            run = ImportRun(number, new_marker(), config.import_letters)
            folder = self.work_dir / f"import-{number}"
            shutil.rmtree(folder, ignore_errors=True)
            write_marked_corpus(folder, count=run.letters, seed=config.seed + 1 + number,
                                marker=run.marker, batch=number, env=self.env)
            self._import(run, folder)
            last = (run.exited_at or self.elapsed()) - run.started_at
            number += 1
        self.imports_done.set()

    def _import(self, run: ImportRun, folder: Path) -> None:
        run.started_at = round(self.elapsed(), 2)
        self.imports.append(run)
        process = start_manage("import_determinations", str(folder), "--jobs",
                               str(self.config.jobs), env=self.env)
        self.process = process
        for line in process.stdout:  # type: ignore[union-attr]
            run.progress.append((round(self.elapsed(), 2), line.rstrip()))
        run.returncode = process.wait()
        run.exited_at = round(self.elapsed(), 2)
        self.process = None
        for _, line in reversed(run.progress):
            if summary := _SUMMARY.search(line):
                run.expected = int(summary[1]) + int(summary[2])
                break

    def _kill_import(self) -> None:
        if self.process is not None:
            kill_group(self.process)  # type: ignore[arg-type]


def run_load(config: LoadConfig, *, work_dir: Path,
             say: Callable[[str], None] = print) -> dict[str, object]:
    """Set up a database and index, serve them, load the server while importing; report."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with scratch_database(config.database, work_dir) as database_url:
        index_dir = work_dir / "index"
        shutil.rmtree(index_dir, ignore_errors=True)
        env = server_env(database_url=database_url, index_dir=index_dir)
        manage("migrate", "--noinput", env=env)
        base = work_dir / "base"
        if len(list(base.glob("*.txt"))) != config.base_letters:
            shutil.rmtree(base, ignore_errors=True)
            manage("generate_corpus", str(base), "--count", str(config.base_letters),
                   "--seed", str(config.seed), "--profile", "benchmark", env=env)
        started = time.perf_counter()
        manage("import_determinations", str(base), "--jobs", "2", "--quiet", env=env,
               timeout=3600)
        base_seconds = time.perf_counter() - started
        say(f"base: {config.base_letters} letters imported in {base_seconds:.1f} s "
            f"({config.database})")
        queries = build_queries(base, seed=config.seed)
        log = work_dir / "gunicorn.log"
        load_before = os.getloadavg()
        with serve(database_url=database_url, index_dir=index_dir, workers=config.workers,
                   log=log, access_log=True) as server:
            _warm_up(server, config.workers)
            say(f"loading {HOST}:{server.port} ({config.workers} workers) with "
                f"{config.clients} clients for {config.seconds:.0f} s while importing")
            run = _Run(config, server, env, work_dir, queries, seconds=config.seconds)
            elapsed = run.run()
            fresh = {}
            if config.fresh_seconds:
                say(f"new workers (SIGHUP), loaded for {config.fresh_seconds:.0f} s")
                fresh = _fresh_workers(config, server, env, work_dir, queries)
        report = _report(run, elapsed, log)
        report["fresh"] = fresh
        report["setup"] = {"base_letters": config.base_letters,
                           "base_import_s": round(base_seconds, 1),
                           "queries": len(queries), "work_dir": str(work_dir)}
        report["load_average"] = {"before": [round(x, 2) for x in load_before],
                                  "after": [round(x, 2) for x in os.getloadavg()]}
    return report


def _fresh_workers(config: LoadConfig, server: Server, env: dict[str, str], work_dir: Path,
                   queries: list[str]) -> dict[str, object]:
    """The same load, without imports, on workers started now on the final index.

    A worker's memory grows with the index it opens; whether it also grows with the
    requests it served shows here: the workers that served the whole run against new ones
    that served a minute of it, on the same index.
    """
    old = child_pids(server.master)
    old_rss = [memory_mb(pid).get("rss", 0.0) for pid in old]
    os.kill(server.master, signal.SIGHUP)  # gunicorn starts new workers, stops the old
    deadline = time.monotonic() + 60
    while (len(pids := child_pids(server.master)) != config.workers or set(pids) & set(old)):
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not replace its workers within 60 s of SIGHUP.")
        time.sleep(0.2)
    _warm_up(server, config.workers)
    run = _Run(config, server, env, work_dir, queries, seconds=config.fresh_seconds,
               importing=False)
    elapsed = run.run()
    samples = [(at, s) for session in run.sessions for at, s in session.samples]
    errors = sorted((round(at, 2), s.error) for at, s in samples if not s.ok)
    return {"seconds": round(elapsed, 1), "all": summarize([s for _, s in samples], elapsed),
            "sent": sum(s.sent for s in run.sessions),
            "answered": sum(1 for _, s in samples if s.status),
            "error_count": len(errors), "errors": errors[:20],
            "old_workers_rss_end": old_rss,
            "new_workers_rss_end": [memory_mb(pid).get("rss", 0.0)
                                    for pid in child_pids(server.master)],
            "memory": memory_summary(run.memory, elapsed)}


def _warm_up(server: Server, workers: int) -> None:
    """A few requests per worker: each opens its searcher before the clock starts."""
    connection = http.client.HTTPConnection(HOST, server.port, timeout=120)
    for _ in range(workers * 3):
        for path in ("/?q=pain", "/api/search?q=therapy"):
            fetch(connection, Target("warm-up", path, path))
    connection.close()


def _report(run: _Run, elapsed: float, log: Path) -> dict[str, object]:
    samples = [(at, s) for session in run.sessions for at, s in session.samples] + run.probes
    kinds = {kind: summarize([s for _, s in samples if s.target.kind == kind], elapsed)
             for kind in KINDS}
    errors = sorted(((round(at, 2), s.error) for at, s in samples if not s.ok))
    text = log.read_text(errors="replace") if log.exists() else ""
    tracebacks = text.count("Traceback (most recent call last)")
    first = text.find("Traceback (most recent call last)")
    return {"config": asdict(run.config), "seconds": round(elapsed, 1),
            "kinds": kinds, "all": summarize([s for _, s in samples], elapsed),
            "sent": sum(s.sent for s in run.sessions) + len(run.probes),
            "answered": sum(1 for _, s in samples if s.status),
            "error_count": len(errors), "errors": errors[:20],
            "memory": memory_summary(run.memory, elapsed), "memory_samples": run.memory,
            "imports": [i.as_dict() for i in run.imports],
            "server_log": str(log), "server_tracebacks": tracebacks,
            "first_traceback": text[max(0, first - 200):first + 4000] if first >= 0 else ""}
