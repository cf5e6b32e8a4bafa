"""Benchmark import and search against FTS5 and Tantivy references and naive Whoosh faceting,
and the search page and API through gunicorn."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.http import ServerError
from benchmarks.runner import PHASES, run


def _thread_counts(text: str) -> tuple[int, ...]:
    """``--http-threads``: "1,4" -> (1, 4)."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give threads per worker as whole numbers of 1 or more, e.g. 1,4")
    return counts


class Command(BaseCommand):
    help = ("Generate N letters, import them into a scratch database and index, and time "
            "import and a fixed search mix for ours, SQLite FTS5 and Tantivy references and "
            "naive Whoosh groupedby, checking that ours and both references agree on every "
            "count; then load the search page and the API through gunicorn.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=20_000, help="Letters to generate.")
        parser.add_argument("--seed", type=int, default=2024, help="Corpus seed.")
        parser.add_argument("--repeat", type=int, default=9, help="Runs per query.")
        parser.add_argument("--naive-repeat", type=int, default=0,
                            help="Runs per query of naive groupedby (default: --repeat; "
                                 "fewer keeps large runs short, it takes seconds a query).")
        parser.add_argument("--jobs", type=int, default=2, help="Import worker processes.")
        parser.add_argument("--work-dir", type=Path, default=None,
                            help="Where the corpus, database and indexes go (kept for reuse; "
                                 "default: a temporary folder).")
        parser.add_argument("--http-seconds", type=float, default=20,
                            help="How long 8 clients load the search page and the API through "
                                 "gunicorn (2 workers); 0 skips the HTTP phase.")
        parser.add_argument("--http-threads", type=_thread_counts, default=(1,),
                            help="Worker models of the HTTP phase, as threads per worker, "
                                 "comma-separated: 1 is gunicorn's sync worker, N > 1 its "
                                 "gthread worker with N threads (e.g. 1,4 compares them side "
                                 "by side).")
        parser.add_argument("--json", type=Path, default=None, help="Write the report here.")
        parser.add_argument("--bare-letters", type=int, default=None,
                            help="Time bare indexing on the first N letters only (default: "
                                 "all); its rate per letter does not depend on N, and at a "
                                 "million letters it would take hours.")
        parser.add_argument("--resume", action="store_true",
                            help="Go on with the stopped run in --work-dir: skip the phases "
                                 "it finished and continue the one it was in (a million "
                                 "letters takes hours of indexing).")
        parser.add_argument("--stop-after", choices=PHASES, default=None,
                            help="Stop after this phase (resume later with --resume).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 10:
            raise CommandError("--count must be at least 10.")
        if options["bare_letters"] is not None and options["bare_letters"] < 1:
            raise CommandError("--bare-letters must be at least 1.")
        if options["http_seconds"] < 0:
            raise CommandError("--http-seconds must be 0 (skip) or more.")
        if options["resume"] and not options["work_dir"]:
            raise CommandError("--resume needs the --work-dir of the run to resume.")
        work_dir = options["work_dir"] or Path(tempfile.mkdtemp(prefix="imr-bench-"))
        work_dir.mkdir(parents=True, exist_ok=True)
        try:
            report = run(count=options["count"], seed=options["seed"], work_dir=work_dir,
                         repeat=options["repeat"], jobs=options["jobs"],
                         http_seconds=options["http_seconds"], say=self.stdout.write,
                         naive_repeat=options["naive_repeat"], resume=options["resume"],
                         stop_after=options["stop_after"],
                         bare_letters=options["bare_letters"],
                         http_threads=options["http_threads"])
        except (ValueError, ServerError) as exc:
            raise CommandError(str(exc)) from exc
        for key, value in report.figures.items():
            self.stdout.write(f"{key}: {value}")
        if report.disagreements:
            self.stdout.write("DISAGREEMENTS with the references:")
            for line in report.disagreements:
                self.stdout.write(f"  {line}")
        if options["json"]:
            options["json"].write_text(report.as_json())
            self.stdout.write(f"report written to {options['json']}")
        if report.disagreements:
            raise CommandError(f"{len(report.disagreements)} answers disagree with a "
                               f"reference (FTS5 or Tantivy).")
        if errors := report.http_errors():
            raise CommandError(f"{errors} HTTP requests failed (see the errors above).")
