"""Time typical searches in-process against the configured index (median and p95)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.search import get_backend
from cases.search.base import SearchError, SearchQuery
from cases.selectors import search_determinations

TYPICAL = (
    ("browse all, newest first", SearchQuery(sort="newest")),
    ("word: massage", SearchQuery(text="massage")),
    ("two words: lumbar mri", SearchQuery(text="lumbar mri")),
    ("phrase: \"physical therapy\"", SearchQuery(text='"physical therapy"')),
    ("synonym: norco", SearchQuery(text="norco")),
    ("prefix: acupunct*", SearchQuery(text="acupunct*")),
    ("field: treatment:massage", SearchQuery(text="treatment:massage")),
    ("facets: treatment=massage, decision=Overturned",
     SearchQuery(filters={"treatment": ("massage",), "decision": ("Overturned",)})),
    ("word + 3 facets: opioids by Pain Management in California",
     SearchQuery(text="opioid", filters={"specialty": ("Pain Management",),
                                        "state": ("California",), "decision": ("Upheld",)})),
)


class Command(BaseCommand):
    help = ("Run a fixed mix of typical searches against the configured database and index "
            "and print per-query median and p95 latency (search + facets + page with snippets).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20, help="Runs per query.")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        if backend.index.count() == 0:
            raise CommandError("The index is empty: import letters or run rebuild_index first.")
        self.stdout.write(f"{backend.index.count()} determinations indexed; "
                          f"{options['repeat']} runs per query (first run not counted)")
        for label, query in TYPICAL:
            try:
                search_determinations(query)  # warm the searcher and caches
            except SearchError as exc:
                self.stdout.write(f"{label:60} error: {exc}")
                continue
            timings = []
            for _ in range(options["repeat"]):
                started = time.perf_counter()
                page = search_determinations(query)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            self.stdout.write(f"{label:60} {page.results.total:6} hits  "
                              f"median {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms")
