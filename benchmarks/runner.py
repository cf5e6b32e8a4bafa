"""The benchmark run: corpus, import, search mix (ours, FTS5, naive), HTTP, memory; as a
report."""

from __future__ import annotations

import gc
import json
import random
import resource
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from benchmarks.fts5 import Fts5Reference
from benchmarks.http import KINDS, compare_with_in_process, format_http, run_http
from benchmarks.naive import NaiveGroupedBy
from cases.forms import query_string
from cases.models import Determination
from cases.search import get_backend
from cases.search.base import IndexDocument, SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.searching import snippet_texts
from cases.services import each_with_items, import_determinations, index_document
from cases.synthetic import write_corpus

QUERY_CLASSES = {
    "common word": "pain",
    "rare word": "wheelchair",
    "two words": "lumbar therapy",
    "phrase": '"physical therapy"',
    "field query": "treatment:massage",
    "prefix": "acupunct*",
    "match-all": "",
}


@dataclass
class Report:
    """Figures of one run, printable and JSON-ready."""

    count: int
    figures: dict[str, object] = field(default_factory=dict)
    searches: dict[str, dict[str, float]] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    http: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> str:
        """The report as JSON."""
        return json.dumps({"count": self.count, "figures": self.figures,
                           "searches": self.searches, "disagreements": self.disagreements,
                           "http": self.http}, indent=2)

    def http_errors(self) -> int:
        """Failed requests of the HTTP phase (0 when it was skipped)."""
        return sum(self.http[kind]["errors"]  # type: ignore[index]
                   for kind in KINDS if kind in self.http)


def use_database(path: Path) -> None:
    """Point the default database at a fresh SQLite file and migrate it."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise ValueError("The benchmark runs on a scratch SQLite database; unset DATABASE_URL.")
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    call_command("migrate", verbosity=0)


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def filter_sets(backend: WhooshBackend, rng: random.Random) -> dict[int, dict[str, tuple]]:
    """0, 1 and 3 facet filters, drawn from values the index really has."""
    facets = backend.search(SearchQuery()).facets
    top = {name: [v.value for v in values[:3]] for name, values in facets.items() if values}
    return {0: {}, 1: {"treatment": (top["treatment"][0],)},
            3: {"decision": ("Upheld",), "specialty": (rng.choice(top["specialty"]),),
                "state": (top["state"][0],)}}


def query_mix(backend: WhooshBackend, rng: random.Random) -> dict[str, SearchQuery]:
    """Every query class with 0, 1 and 3 filters, keyed like "phrase + 1 filters"."""
    return {f"{name} + {filters_count} filters": SearchQuery(
                text=text, filters=filters, sort="relevance" if text else "newest")
            for filters_count, filters in filter_sets(backend, rng).items()
            for name, text in QUERY_CLASSES.items()}


def stored_documents() -> Iterator[IndexDocument]:
    """The documents our import indexed, read back from the database a chunk at a time."""
    for determination in each_with_items():
        yield index_document(determination)


def run(*, count: int, seed: int, work_dir: Path, repeat: int, jobs: int,
        http_seconds: float, say: Callable[[str], None], naive_repeat: int = 0) -> Report:
    """Run the whole benchmark and return its report; only the HTTP phase uses a server."""
    report = Report(count)
    corpus = work_dir / "corpus"
    if not (corpus / "ground_truth.jsonl").exists():
        seconds, _ = _timed(lambda: write_corpus(corpus, count=count, seed=seed))
        say(f"generated {count} letters in {seconds:.1f} s")
    use_database(work_dir / "bench.sqlite3")
    Determination.objects.all().delete()
    backend = WhooshBackend({"path": str(work_dir / "index")})

    settings.CASES_SEARCH = {"BACKEND": "cases.search.whoosh_backend.WhooshBackend",
                             "OPTIONS": {"path": str(work_dir / "index")}}
    backend = get_backend()  # type: ignore[assignment]
    seconds, _ = _timed(lambda: import_determinations(paths=[corpus], jobs=jobs))
    report.figures["import_letters_per_s"] = round(count / seconds, 1)
    say(f"import (parse + database + index, --jobs {jobs}): {count / seconds:.0f} letters/s")
    bare = WhooshBackend({"path": str(work_dir / "bare-index")})
    seconds_bare, _ = _timed(lambda: bare.rebuild(stored_documents(), procs=jobs))
    shutil.rmtree(work_dir / "bare-index", ignore_errors=True)
    report.figures["bare_whoosh_letters_per_s"] = round(count / seconds_bare, 1)
    report.figures["import_vs_bare_time_ratio"] = round(seconds / seconds_bare, 2)
    say(f"bare Whoosh indexing of the same texts ({jobs} processes): "
        f"{count / seconds_bare:.0f} letters/s; "
        f"import takes {seconds / seconds_bare:.2f}x its time")
    fts = Fts5Reference()
    seconds_fts, _ = _timed(lambda: fts.add(stored_documents()))
    say(f"FTS5 reference built in {seconds_fts:.1f} s")
    naive = NaiveGroupedBy(backend)
    # The first search after a commit opens the searcher and builds the facet arrays: a
    # cost each worker pays once per commit, reported apart from the query classes' times.
    seconds_open, _ = _timed(lambda: backend.search(SearchQuery()))
    report.figures["first_search_after_commit_ms"] = round(seconds_open * 1000, 1)
    say(f"first search after the import (opens the searcher, builds the facet arrays): "
        f"{seconds_open * 1000:.0f} ms")
    queries = query_mix(backend, random.Random(seed))
    gc.collect()  # the import's garbage, collected now rather than inside a timed search
    _search_mix(report, queries, backend, fts, naive, (repeat, naive_repeat or repeat), say)
    if http_seconds > 0:
        _http_phase(report, queries, work_dir, http_seconds, say)
    report.figures["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report.figures["index_mb"] = round(sum(
        f.stat().st_size for f in (work_dir / "index").rglob("*") if f.is_file()) / 1e6, 1)
    return report


def _search_mix(report: Report, queries: dict[str, SearchQuery], backend: WhooshBackend,
                fts: Fts5Reference, naive: NaiveGroupedBy, repeats: tuple[int, int],
                say: Callable[[str], None]) -> None:
    for key, query in queries.items():
        ours = backend.search(query, load_text=snippet_texts)
        reference = fts.search(query)
        got = (ours.total, {f: {v.value: v.count for v in vs}
                            for f, vs in ours.facets.items()})
        if got != reference[:2]:
            report.disagreements.append(f"{key} with {dict(query.filters)}: ours {got[0]} "
                                        f"vs FTS5 {reference[0]}")
        timings = {label: _repeat(work, times) for label, work, times in (
            ("ours", lambda q=query: backend.search(q, load_text=snippet_texts), repeats[0]),
            ("fts5", lambda q=query: fts.search(q), repeats[0]),
            ("naive", lambda q=query: naive.search(q), repeats[1]))}
        report.searches[key] = {
            f"{label}_{stat}": value for label, t in timings.items()
            for stat, value in (("median_ms", t[0]), ("p95_ms", t[1]))}
        row = report.searches[key]
        row["hits"] = ours.total
        row["ours_vs_fts5_median"] = round(row["ours_median_ms"] / row["fts5_median_ms"], 2)
        row["ours_vs_fts5_p95"] = round(row["ours_p95_ms"] / row["fts5_p95_ms"], 2)
        row["naive_vs_ours_median"] = round(row["naive_median_ms"] / row["ours_median_ms"], 1)
        say(f"{key:26} hits {ours.total:7}  ours {timings['ours'][0]:7.1f}/"
            f"{timings['ours'][1]:7.1f}  fts5 {timings['fts5'][0]:7.1f}/"
            f"{timings['fts5'][1]:7.1f}  naive {timings['naive'][0]:8.1f}/"
            f"{timings['naive'][1]:8.1f}  ours/fts5 {row['ours_vs_fts5_median']:4.2f}/"
            f"{row['ours_vs_fts5_p95']:4.2f}  naive/ours {row['naive_vs_ours_median']:6.1f}")


def _http_phase(report: Report, queries: dict[str, SearchQuery], work_dir: Path,
                seconds: float, say: Callable[[str], None]) -> None:
    """The same queries as URLs, through gunicorn; ratios against the in-process medians."""
    result = run_http(database=work_dir / "bench.sqlite3", index_dir=work_dir / "index",
                      queries=[(key, query_string(q)) for key, q in queries.items()],
                      seconds=seconds, log=work_dir / "gunicorn.log")
    ratios = compare_with_in_process(result, report.searches)
    report.http = {**result, "page_vs_in_process": ratios}
    for line in format_http(result, ratios):
        say(line)


def _repeat(work: Callable[[], object], times: int) -> tuple[float, float]:
    samples = sorted(_timed(work)[0] * 1000 for _ in range(times))
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return round(statistics.median(samples), 2), round(p95, 2)
