"""``manage.py generate_corpus``: write synthetic IMR letters and their ground truth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.synthetic import PROFILES, write_corpus


class Command(BaseCommand):
    """Write a deterministic corpus of synthetic letters plus ``ground_truth.jsonl``."""

    help = "Write synthetic IMR letters (.txt) and ground_truth.jsonl into OUT_DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare OUT_DIR, --count, --seed, --noise-share and --profile."""
        parser.add_argument("out_dir", type=Path,
                            help="Folder to write the letters into (created when missing).")
        parser.add_argument("--count", type=int, required=True,
                            help="Number of letters to write (at least 1).")
        parser.add_argument("--seed", type=int, required=True,
                            help="Random seed; the same seed writes the same corpus.")
        parser.add_argument("--noise-share", type=float, default=0.3,
                            help="Share of letters given PDF-extraction noise, 0 to 1 "
                                 "(default 0.3).")
        parser.add_argument("--profile", choices=sorted(PROFILES), default="sample",
                            help="sample (default): every letter has a case number and dates "
                                 "and its summary is in real words, as `make run` shows them; "
                                 "benchmark: the corpus the benchmarks are measured on, a "
                                 "third without case number or dates and a long tail of "
                                 "made-up words.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Validate the arguments, write the corpus and print a one-line summary."""
        out_dir: Path = options["out_dir"]
        count: int = options["count"]
        share: float = options["noise_share"]
        if count < 1:
            raise CommandError(f"--count must be at least 1 (got {count}).")
        if not 0.0 <= share <= 1.0:
            raise CommandError(f"--noise-share must be between 0 and 1 (got {share}).")
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"{out_dir} exists and is not a folder.")
        start = time.perf_counter()
        try:
            truth_path = write_corpus(out_dir, count=count, seed=options["seed"],
                                      noise_share=share, profile=PROFILES[options["profile"]])
        except OSError as exc:
            raise CommandError(f"Cannot write to {out_dir}: {exc.strerror or exc}") from exc
        elapsed = max(time.perf_counter() - start, 1e-9)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Wrote {count} letters to {out_dir} in {elapsed:.1f} s "
                f"({count / elapsed:.0f} letters/s); ground truth: {truth_path}"
            )
