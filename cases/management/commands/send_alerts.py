"""E-mail each user one digest of the new matches of their saved searches that are due."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.services.alerts import send_alerts


class Command(BaseCommand):
    help = ("E-mail each user one digest of the letters added since the last alert that match "
            "their daily or weekly saved searches, and record what was sent: run it again (or "
            "after a crash) and nothing is sent twice. Meant for cron, e.g. every morning.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true",
                            help="Print nothing unless something failed.")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] == 0
        lock_path = Path(settings.VAR_DIR) / "send_alerts.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as lock:
            # Two runs at once (cron and a hand) would both find the same letters unsent: the
            # second waits for the first, then finds them sent.
            fcntl.flock(lock, fcntl.LOCK_EX)
            report = send_alerts()
        if not quiet:
            self.stdout.write(f"Sent {report.digests} digest{'s' * (report.digests != 1)} "
                              f"({report.letters} letter{'s' * (report.letters != 1)}) for "
                              f"{report.searches} due saved search"
                              f"{'es' * (report.searches != 1)}.")
            for name in report.no_address:
                self.stdout.write(f"Skipped {name}: no e-mail address.")
        for name, search, why in report.unreadable:
            self.stderr.write(f"Skipped {name}'s saved search “{search}”: {why}")
        if report.failed:
            lines = "; ".join(f"{name}: {why}" for name, why in report.failed)
            raise CommandError(f"Not sent (the next run tries again): {lines}", returncode=1)
