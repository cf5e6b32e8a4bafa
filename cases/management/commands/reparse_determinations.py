"""Parse stored letters again from their stored text: after a parser upgrade, no files needed."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.management.progress import Progress
from cases.models import Determination
from cases.parsing import PARSER_VERSION
from cases.search.base import IndexUnavailableError
from cases.services import reparse_determinations

CHUNK = 2_000  # letters re-parsed and re-indexed per step (progress is shown per step)


class Command(BaseCommand):
    help = (f"Parse again, from their stored text, the letters an older parser stored (this "
            f"is version {PARSER_VERSION}), or every letter with --all; store what it reads "
            "and re-index them. Letters that no longer parse are listed and left as they were.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true",
                            help="Every stored letter, not only those of older parsers.")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only the summary line (no progress).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        letters = Determination.objects.order_by("pk")
        if not options["all"]:
            letters = letters.exclude(parser_version=PARSER_VERSION)
        ids = list(letters.values_list("public_id", flat=True))
        quiet = options["quiet"] or options["verbosity"] == 0
        reparsed = indexed = 0
        failed: list[tuple[str, str]] = []
        unindexable: str | None = None  # why the index could not be written, once it could not
        with Progress(total=len(ids), verb="re-parsed", noun="letters", out=self.stdout,
                      quiet=quiet) as progress:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                try:
                    report = reparse_determinations(public_ids=chunk, index=unindexable is None)
                except IndexUnavailableError as exc:
                    # The letters are stored (each batch commits); only the index is behind,
                    # as after an upgrade whose index must be rebuilt: finish without it.
                    unindexable = str(exc)
                    report = reparse_determinations(public_ids=chunk, index=False)
                reparsed += report.reparsed
                indexed += report.indexed
                failed += report.failed
                progress.update(len(chunk))
        for public_id, reason in failed:
            self.stdout.write(f"  not re-parsed: {public_id}: {reason}")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Re-parsed {reparsed} of {len(ids)} letters ({indexed} re-indexed) "
                          f"in {elapsed:.1f} s; parser version {PARSER_VERSION}.")
        if unindexable is not None:
            self.stdout.write(f"The search index could not be written ({unindexable}).")
        if failed:
            raise CommandError(f"{len(failed)} letter(s) could not be re-parsed; they are "
                               "stored as they were.", returncode=1)
        if unindexable is not None:
            raise CommandError("The letters are re-parsed, but the index does not show them "
                               "yet: run `python manage.py rebuild_index`.", returncode=1)
