"""Import letter files and folders into the database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.management.progress import Progress
from cases.services import (
    DEFAULT_BATCH_SIZE,
    INDEX_COMMIT_EVERY,
    ImportReport,
    ImportStopped,
    find_letter_files,
    import_determinations,
)


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
        parser.add_argument("--index-every", type=int, default=INDEX_COMMIT_EVERY,
                            help="Letters indexed between two commits of the search index "
                                 "(fewer: a stopped import has less to redo; more: faster).")
        parser.add_argument("--replace", action="store_true",
                            help="Let a file replace the stored letter of the same case even "
                                 "when it says less (without it, such a file is refused as a "
                                 "damaged copy).")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only failures and the summary line (no progress).")

    def handle(self, *args: Any, **options: Any) -> None:
        if min(options["batch_size"], options["jobs"], options["index_every"]) < 1:
            raise CommandError("--batch-size, --jobs and --index-every must be at least 1.")
        started = time.perf_counter()
        files, _ = find_letter_files(options["paths"])
        quiet = options["quiet"] or options["verbosity"] == 0
        with Progress(total=len(files), verb="imported", noun="files", out=self.stdout,
                      quiet=quiet) as progress:
            try:
                report = import_determinations(
                    paths=options["paths"], batch_size=options["batch_size"],
                    jobs=options["jobs"], index_every=options["index_every"],
                    replace_any=options["replace"],
                    on_file=lambda _path: progress.update(),
                )
            except ImportStopped as exc:
                self._summarize(exc.report, time.perf_counter() - started)
                raise CommandError(str(exc), returncode=2) from exc
        self._summarize(report, time.perf_counter() - started)
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} file(s) could not be imported (listed above).", returncode=1
            )

    def _summarize(self, report: ImportReport, elapsed: float) -> None:
        for path, reason in report.failed:
            self.stderr.write(f"FAILED {path}: {reason}")
        rate = report.total / elapsed if elapsed else 0.0
        self.stdout.write(
            f"Imported {report.total} files in {elapsed:.1f} s ({rate:.0f}/s): "
            f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed; {report.indexed} indexed."
        )
        if report.recovered:
            self.stdout.write(f"Indexed first {report.recovered} stored letters the index "
                              "lacked (left by a stopped import, or the index was removed).")
