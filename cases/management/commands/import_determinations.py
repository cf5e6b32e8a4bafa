"""Import letter files and folders into the database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.management.progress import Progress
from cases.services import DEFAULT_BATCH_SIZE, find_letter_files, import_determinations


class Command(BaseCommand):
    help = ("Import IMR determination letters (.txt and .pdf files, folders searched "
            "recursively). Re-importing is safe: unchanged letters are skipped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Letter files or folders.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                            help="Letters written per database transaction.")
        parser.add_argument("--jobs", type=int, default=1,
                            help="Processes that read and parse letters (the database is "
                                 "written by one).")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only failures and the summary line (no progress).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1 or options["jobs"] < 1:
            raise CommandError("--batch-size and --jobs must be at least 1.")
        started = time.perf_counter()
        files, _ = find_letter_files(options["paths"])
        quiet = options["quiet"] or options["verbosity"] == 0
        with Progress(total=len(files), verb="imported", noun="files", out=self.stdout,
                      quiet=quiet) as progress:
            report = import_determinations(
                paths=options["paths"], batch_size=options["batch_size"], jobs=options["jobs"],
                on_file=lambda _path: progress.update(),
            )
        elapsed = time.perf_counter() - started
        for path, reason in report.failed:
            self.stderr.write(f"FAILED {path}: {reason}")
        rate = report.total / elapsed if elapsed else 0.0
        self.stdout.write(
            f"Imported {report.total} files in {elapsed:.1f} s ({rate:.0f}/s): "
            f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed; {report.indexed} indexed."
        )
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} file(s) could not be imported (listed above).", returncode=1
            )
