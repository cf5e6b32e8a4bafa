"""Compare the search index with the database; with --repair, make them agree."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.management.progress import Progress
from cases.models import Determination
from cases.search import get_backend
from cases.search.base import IndexUnavailableError
from cases.services import check_index, rebuild_index, repair_index

SHOWN_IDS = 10  # of each kind, so a person can look at a few


class Command(BaseCommand):
    help = ("Compare the search index with the database and print how many determinations "
            "are missing from it, stale in it (indexed in an older form) and orphaned (indexed "
            "but no longer stored). Exit status 1 when any is non-zero; --repair fixes them.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true",
                            help="Index the missing and stale determinations and remove the "
                                 "orphans (or rebuild the index when it cannot be read).")
        parser.add_argument("--jobs", type=int, default=1,
                            help="Processes analyzing letters while repairing.")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only the counts (no progress).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        backend = get_backend()
        jobs = max(1, options["jobs"])
        quiet = options["quiet"] or options["verbosity"] == 0
        stored = Determination.objects.count()
        try:
            with Progress(total=stored, verb="checked", noun="determinations", out=self.stdout,
                          quiet=quiet) as progress:
                check = check_index(backend=backend, on_document=progress.update)
        except IndexUnavailableError as exc:
            self.stdout.write(f"The index cannot be read ({exc.__cause__ or exc}).")
            if not options["repair"]:
                raise CommandError("Run with --repair (or `rebuild_index`) to rebuild it.",
                                   returncode=1) from exc
            written = rebuild_index(backend=backend, procs=jobs)
            self.stdout.write(f"Repaired: rebuilt the index with {written} determinations.")
            return
        for kind, ids, meaning in (
            ("missing", check.missing, "stored, not in the index"),
            ("stale", check.stale, "indexed in an older form"),
            ("orphaned", check.orphaned, "in the index, no longer stored"),
            ("duplicated", check.duplicated, "in the index more than once"),
        ):
            shown = ", ".join(ids[:SHOWN_IDS]) + (", …" if len(ids) > SHOWN_IDS else "")
            self.stdout.write(f"{kind:>10}: {len(ids)}  ({meaning}){': ' + shown if ids else ''}")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Checked {stored} stored determinations in {elapsed:.1f} s.")
        if not check.drift:
            return
        if not options["repair"]:
            raise CommandError(f"The index differs from the database in {check.drift} "
                               "document(s); run `check_index --repair` to fix them.",
                               returncode=1)
        fixed = repair_index(backend=backend, check=check, procs=jobs)
        again = check_index(backend=backend)
        if again.drift:
            raise CommandError(f"Repaired {fixed}, but {again.drift} still differ.",
                               returncode=1)
        self.stdout.write(f"Repaired {fixed} document(s); the index now agrees with the "
                          "database.")
