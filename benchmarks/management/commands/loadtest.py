"""Load the production server (gunicorn, DEBUG off) with browser-like clients while imports
run beside it; report requests, latency and errors per kind, workers' memory, and when the
imported letters became searchable."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.load import LoadConfig, run_load
from benchmarks.load_report import failures, format_report
from benchmarks.scratch import DATABASES, default_database_kind
from benchmarks.server import ServerError


class Command(BaseCommand):
    help = ("Serve a scratch database and index with gunicorn (DEBUG off, loopback) and load it "
            "with concurrent clients (searches, facet clicks, pages and sorting, htmx swaps, "
            "case pages, the JSON API, CSV/JSON exports, the outcome view) while "
            "`import_determinations` imports fresh synthetic letters beside it. Exit status 1 "
            "on any failed or unanswered request, or imported letters that never became "
            "searchable.")

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = LoadConfig()
        parser.add_argument("--seconds", type=float, default=defaults.seconds,
                            help="How long the clients load the server (an import still "
                                 "running then is waited for).")
        parser.add_argument("--clients", type=int, default=defaults.clients,
                            help="Concurrent clients, each one request at a time, no pause.")
        parser.add_argument("--workers", type=int, default=defaults.workers,
                            help="gunicorn sync worker processes.")
        parser.add_argument("--base-letters", type=int, default=defaults.base_letters,
                            help="Synthetic letters imported before the load starts.")
        parser.add_argument("--import-letters", type=int, default=defaults.import_letters,
                            help="Letters of each import during the load.")
        parser.add_argument("--imports", type=int, default=defaults.imports,
                            help="Imports during the load, one after another (default 0: as "
                                 "many as fit in --seconds).")
        parser.add_argument("--jobs", type=int, default=defaults.jobs,
                            help="--jobs of the imports during the load.")
        parser.add_argument("--database", choices=DATABASES, default=default_database_kind(),
                            help="sqlite: a scratch file in the work folder; postgres: a "
                                 "scratch database created on the server DATABASE_URL names, "
                                 "dropped afterwards (default: postgres when DATABASE_URL is "
                                 "a PostgreSQL URL).")
        parser.add_argument("--sample-seconds", type=float, default=defaults.sample_seconds,
                            help="How often the workers' memory is read.")
        parser.add_argument("--fresh-seconds", type=float, default=defaults.fresh_seconds,
                            help="Then reload the workers (SIGHUP) and load the new ones this "
                                 "long without imports, to compare their memory with the old "
                                 "ones' on the same index (0 skips).")
        parser.add_argument("--seed", type=int, default=defaults.seed,
                            help="Seed of the corpora and the clients' choices.")
        parser.add_argument("--work-dir", type=Path, default=None,
                            help="Where the corpora, index, SQLite file and server log go "
                                 "(kept; the base corpus is reused). Default: a temporary "
                                 "folder, deleted afterwards.")
        parser.add_argument("--json", type=Path, default=None, help="Write the report here.")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("clients", "workers", "base_letters", "import_letters", "jobs"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if (options["seconds"] <= 0 or options["sample_seconds"] <= 0 or options["imports"] < 0
                or options["fresh_seconds"] < 0):
            raise CommandError("--seconds and --sample-seconds must be positive, --imports and "
                               "--fresh-seconds 0 or more.")
        config = LoadConfig(**{name: options[name] for name in (
            "seconds", "clients", "workers", "base_letters", "import_letters", "imports",
            "jobs", "database", "sample_seconds", "seed", "fresh_seconds")})
        work_dir = options["work_dir"] or Path(tempfile.mkdtemp(prefix="imr-load-"))
        try:
            report = run_load(config, work_dir=work_dir, say=self.stdout.write)
        except (ValueError, RuntimeError, ServerError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if options["work_dir"] is None:
                shutil.rmtree(work_dir, ignore_errors=True)
        for line in format_report(report):
            self.stdout.write(line)
        if report["first_traceback"]:
            self.stdout.write(f"first server traceback:\n{report['first_traceback']}")
        if options["json"]:
            options["json"].write_text(json.dumps(report, indent=2))
            self.stdout.write(f"report written to {options['json']}")
        if found := failures(report):
            raise CommandError("; ".join(found) + ".")
