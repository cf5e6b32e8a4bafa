"""Rebuild the search index from the database and swap it in atomically."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.management.progress import Progress
from cases.models import Determination
from cases.search import get_backend
from cases.services import rebuild_index


class Command(BaseCommand):
    help = ("Rebuild the whole search index from the database into a fresh directory and swap "
            "it in atomically; searches keep working meanwhile.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true",
                            help="Print only the summary line (no progress).")
        parser.add_argument("--jobs", type=int, default=1,
                            help="Processes analyzing letters (each writes its own segment).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        quiet = options["quiet"] or options["verbosity"] == 0
        with Progress(total=Determination.objects.count(), verb="indexed",
                      noun="determinations", out=self.stdout, quiet=quiet) as progress:
            try:
                written = rebuild_index(backend=get_backend(), procs=max(1, options["jobs"]),
                                        on_document=progress.update)
            except OSError as exc:
                where = f" ({exc.filename})" if exc.filename else ""
                raise CommandError(f"Cannot write the new index: {exc.strerror or exc}{where}. "
                                   "The index in use is untouched; fix the cause and run "
                                   "rebuild_index again.", returncode=2) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {written} determinations in {elapsed:.1f} s.")
