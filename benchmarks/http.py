"""The HTTP phase: the search page and the API through gunicorn under concurrent clients."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from benchmarks.server import HOST, ServerError, serve, worker_peak_rss_mb

__all__ = ["HOST", "KINDS", "PAGES_ONLY", "Sample", "ServerError", "Target", "fetch",
           "format_side_by_side", "run_http", "summarize", "worker_model"]

KINDS = ("page", "api")
PAGES_ONLY = "pages_only"  # a second load of the search page alone, after the mix


@dataclass(frozen=True)
class Target:
    """One URL of the load: the search page or the API, for one query of the mix."""

    kind: str
    label: str
    path: str


@dataclass(frozen=True)
class Sample:
    """One request: what was asked, how long it took, whether it answered as expected."""

    target: Target
    seconds: float
    ok: bool
    error: str = ""
    status: int = 0  # 0: no response (connection error, timeout)


def run_http(*, database: Path, index_dir: Path, queries: list[tuple[str, str]],
             seconds: float, clients: int = 8, workers: int = 2, threads: int = 1,
             log: Path | None = None) -> dict[str, object]:
    """Serve ``database`` and ``index_dir`` with gunicorn (sync workers, or ``gthread``
    workers of ``threads`` threads each) and load it for ``seconds``.

    ``queries`` are (label, query string) pairs; each becomes a search page URL and an API
    URL. Returns requests, requests/s, p50, p95 and errors per kind, the page p50 per label
    under load and on an idle server, and the largest peak RSS of a worker.
    """
    targets = [Target(kind, label, _path(kind, query))
               for label, query in queries for kind in KINDS]
    with serve(database_url=f"sqlite:///{database}", index_dir=index_dir, workers=workers,
               threads=threads, log=log) as server:
        port, master = server.port, server.master
        _warm_up(port, targets)
        idle = _idle_page_ms(port, targets)
        samples, elapsed = _load(port, targets, seconds=seconds, clients=clients)
        # Then the search page alone, as a user population that does not script the API
        # loads it: the page's own throughput, which the mix halves.
        pages, pages_elapsed = _load(port, [t for t in targets if t.kind == "page"],
                                     seconds=seconds, clients=clients)
        peak_rss = worker_peak_rss_mb(master)
    result: dict[str, object] = {"seconds": round(elapsed, 1), "clients": clients,
                                 "workers": workers, "threads": threads}
    for kind in KINDS:
        result[kind] = summarize([s for s in samples if s.target.kind == kind], elapsed)
    result[PAGES_ONLY] = summarize(pages, pages_elapsed)
    result["page_p50_ms"] = {label: _ms(statistics.median(times)) for label, times in
                             _by_label(s for s in samples if s.target.kind == "page" and s.ok
                                       ).items()}
    result["page_idle_ms"] = idle
    result["worker_peak_rss_mb"] = max(peak_rss, default=0.0)
    result["error_examples"] = sorted({s.error for s in [*samples, *pages] if not s.ok})[:5]
    return result


def _path(kind: str, query: str) -> str:
    """The URL a user (or an API client) would request for this query string."""
    base = "/" if kind == "page" else "/api/search"
    return f"{base}?{query}" if query else base


def fetch(connection: http.client.HTTPConnection, target: Target, *,
          headers: Mapping[str, str] | None = None,
          accept: Container[int] = (200,)) -> tuple[Sample, bytes]:
    """One GET and its body, read whole as a browser would; ok when the status is in
    ``accept``. Never raises: a connection error is a failed sample with no body."""
    started = time.perf_counter()
    try:
        connection.request("GET", target.path, headers=dict(headers or {}))
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()  # the next request reconnects
        return Sample(target, time.perf_counter() - started, False,
                      f"{target.path}: {type(exc).__name__}: {exc}"), b""
    ok = response.status in accept
    return Sample(target, time.perf_counter() - started, ok,
                  "" if ok else f"{target.path}: HTTP {response.status}",
                  response.status), body


def _request(connection: http.client.HTTPConnection, target: Target) -> Sample:
    return fetch(connection, target)[0]


def _warm_up(port: int, targets: list[Target]) -> None:
    """Request every URL once (imports, index readers, connections); stop if none answers."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    samples = [_request(connection, target) for target in targets]
    if not any(s.ok for s in samples):
        raise ServerError(f"No URL answered 200; the first said {samples[0].error}")


def _idle_page_ms(port: int, targets: list[Target], repeat: int = 7) -> dict[str, float]:
    """Median time of each page URL requested alone, one at a time: no queueing. Three
    requests each left single outliers of twice the usual time in the table."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    samples = [_request(connection, t) for t in targets if t.kind == "page"
               for _ in range(repeat)]
    return {label: _ms(statistics.median(times))
            for label, times in _by_label(s for s in samples if s.ok).items()}


def _load(port: int, targets: list[Target], *, seconds: float,
          clients: int) -> tuple[list[Sample], float]:
    """``clients`` threads cycle through the targets until ``seconds`` have passed and each
    target was asked at least once (a short run on a slow machine would otherwise leave
    some queries without a loaded time)."""
    results: list[list[Sample]] = [[] for _ in range(clients)]
    asked: set[int] = set()  # target positions requested so far, by any client
    started = time.perf_counter()
    deadline = started + seconds

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        # Each client starts elsewhere in the cycle, so the server sees the whole mix at once.
        position = number * len(targets) // clients
        while time.perf_counter() < deadline or len(asked) < len(targets):
            results[number].append(_request(connection, targets[position % len(targets)]))
            asked.add(position % len(targets))
            position += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s for per_client in results for s in per_client], time.perf_counter() - started


def summarize(samples: list[Sample], elapsed: float) -> dict[str, float]:
    """Requests, requests/s, p50, p95 and max (ms, of the answered ones) and errors of one
    kind."""
    times = sorted(s.seconds for s in samples if s.ok)
    return {"requests": len(samples),
            "requests_per_s": round(len(samples) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": _ms(statistics.median(times)) if times else 0.0,
            "p95_ms": _ms(times[min(len(times) - 1, int(len(times) * 0.95))]) if times else 0.0,
            "max_ms": _ms(times[-1]) if times else 0.0,
            "errors": sum(not s.ok for s in samples)}


def _by_label(samples: Iterable[Sample]) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = {}
    for sample in samples:
        grouped.setdefault(sample.target.label, []).append(sample.seconds)
    return grouped


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def compare_with_in_process(result: dict[str, object],
                            searches: dict[str, dict[str, float]]
                            ) -> dict[str, dict[str, float | None]]:
    """Per query label: page p50 under load and idle, each over the in-process median."""
    loaded: dict[str, float] = result["page_p50_ms"]  # type: ignore[assignment]
    idle: dict[str, float] = result["page_idle_ms"]  # type: ignore[assignment]
    ratios: dict[str, dict[str, float | None]] = {}
    for label, row in searches.items():
        median = row.get("ours_median_ms")
        if median and label in loaded:
            ratios[label] = {"in_process_ms": median, "page_p50_ms": loaded[label],
                             "loaded_ratio": round(loaded[label] / median, 2),
                             "idle_ms": idle.get(label),
                             "idle_ratio": round(idle[label] / median, 2)
                             if label in idle else None}
    return ratios


def worker_model(result: Mapping[str, object]) -> str:
    """How a run's gunicorn served: "2 sync workers" or "2 gthread workers x 4 threads"."""
    threads = int(result.get("threads", 1))  # type: ignore[call-overload]
    if threads > 1:
        return f"{result['workers']} gthread workers x {threads} threads"
    return f"{result['workers']} sync workers"


def format_side_by_side(results: Iterable[Mapping[str, object]]) -> list[str]:
    """Runs of several worker models, one line per model and kind, to compare."""
    lines = [f"HTTP side by side: {'':30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"]
    for result in results:
        for kind in (*KINDS, PAGES_ONLY):
            if kind not in result:
                continue
            row: Mapping[str, float] = result[kind]  # type: ignore[assignment]
            shown = "pages" if kind == PAGES_ONLY else kind  # the page alone, after the mix
            lines.append(f"  {worker_model(result):38} {shown:5} {row['requests_per_s']:8.1f} "
                         f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['errors']:7}")
    return lines


def format_http(result: dict[str, object],
                ratios: dict[str, dict[str, float | None]]) -> list[str]:
    """The phase as printable lines: one row per kind, then the ratio per query."""
    lines = [f"HTTP: gunicorn, {worker_model(result)}, {result['clients']} clients, "
             f"{result['seconds']} s",
             f"  {'':6} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"]
    for kind in KINDS:
        row: dict[str, float] = result[kind]  # type: ignore[assignment]
        lines.append(f"  {kind:6} {row['requests']:9} {row['requests_per_s']:8.1f} "
                     f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['errors']:7}")
    if PAGES_ONLY in result:
        row = result[PAGES_ONLY]
        lines.append(f"  {'pages':6} {row['requests']:9} {row['requests_per_s']:8.1f} "
                     f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['errors']:7}"
                     "   (then the page alone, as long)")
    lines.append(f"  worker peak RSS: {result['worker_peak_rss_mb']} MB")
    for example in result["error_examples"]:  # type: ignore[attr-defined]
        lines.append(f"  error: {example}")
    lines.append(f"  {'page p50 / in-process median (ms)':34} {'in-proc':>8} {'loaded':>8} "
                 f"{'ratio':>6} {'idle':>8} {'ratio':>6}")
    for label, r in ratios.items():
        idle = (f"{r['idle_ms']:8.1f} {r['idle_ratio']:5.2f}x" if r["idle_ratio"] is not None
                else f"{'-':>8} {'-':>6}")
        lines.append(f"  {label:34} {r['in_process_ms']:8.1f} {r['page_p50_ms']:8.1f} "
                     f"{r['loaded_ratio']:5.2f}x {idle}")
    return lines
