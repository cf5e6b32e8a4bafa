"""Measure parsing speed (letters/s) from text and from PDF, and compare PDF libraries."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.treatment_accuracy import measure_generated, measure_real
from cases.parsing import ParsedDetermination, ParseError, parse_determination, parse_file
from cases.parsing.text import clean_text, extract_pdf_text

DEFAULT_FOLDER = settings.BASE_DIR.parent / "shared" / "imr-real"
DEFAULT_LABELS = settings.BASE_DIR / "tests" / "data" / "treatment_labels.json"


def _fields(parsed: ParsedDetermination) -> dict[str, object]:
    data = parsed.to_dict()
    for key in ("source", "content_hash", "warnings"):
        data.pop(key)
    return data


class Command(BaseCommand):
    help = ("Parse every letter of a folder with texts/ and pdf/ beside each other and print "
            "letters/s for text and PDF, and PDF/text agreement per extraction library.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER,
                            help="Folder holding texts/*.txt and pdf/*.pdf of the same letters.")
        parser.add_argument("--rounds", type=int, default=3,
                            help="Times to parse the texts; the best round is reported.")
        parser.add_argument("--pdfminer", action="store_true",
                            help="Also extract with pdfminer.six (slow) and compare.")
        parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS,
                            help="Hand labels of the real letters' treatment fields (JSON).")
        parser.add_argument("--generated", type=int, default=2000,
                            help="Generated letters whose treatment fields are compared with "
                                 "their ground truth (0: none).")
        parser.add_argument("--seed", type=int, default=2013,
                            help="Seed of the generated letters.")
        parser.add_argument("--fields-only", action="store_true",
                            help="Only report the accuracy of the treatment fields.")

    def handle(self, *args: Any, **options: Any) -> None:
        texts = sorted((options["folder"] / "texts").glob("*.txt"))
        if not texts:
            raise CommandError(f"No texts/*.txt under {options['folder']}.")
        self._treatment_fields(options["folder"] / "texts", options["labels"],
                               options["generated"], options["seed"])
        if options["fields_only"]:
            return
        pdfs = [options["folder"] / "pdf" / f"{t.stem}.pdf" for t in texts]
        raw = [t.read_text() for t in texts]
        best = min(self._time(lambda: [parse_determination(r) for r in raw])
                   for _ in range(options["rounds"]))
        self.stdout.write(f"text:  {len(raw)} letters, {len(raw) / best:7.0f} letters/s "
                          f"(parse only, best of {options['rounds']})")
        from_text = [parse_file(t) for t in texts]
        self._coverage(from_text)
        started = time.perf_counter()
        from_pdf = [parse_file(p) for p in pdfs]
        elapsed = time.perf_counter() - started
        agree = sum(_fields(a) == _fields(b) for a, b in zip(from_text, from_pdf, strict=True))
        self.stdout.write(f"pdf (pypdfium2):   {len(pdfs) / elapsed:7.0f} letters/s "
                          f"(extract + parse); fields equal to the text's: {agree}/{len(pdfs)}")
        extract = self._time(lambda: [extract_pdf_text(p.read_bytes()) for p in pdfs])
        self.stdout.write(f"  extraction alone: {len(pdfs) / extract:7.0f} PDFs/s")
        clean = self._time(lambda: [clean_text(r) for r in raw])
        self.stdout.write(f"  noise cleaning alone (text): {len(raw) / clean:7.0f} letters/s")
        if options["pdfminer"]:
            self._pdfminer(pdfs, from_text)

    def _treatment_fields(self, texts: Path, labels: Path, generated: int, seed: int) -> None:
        """Per-field accuracy of drugs, body regions, laterality and quantity."""
        if not labels.is_file():
            raise CommandError(f"No labels file {labels}.")
        real = measure_real(texts, labels)
        self.stdout.write("\n".join(real.lines("treatment fields, hand-labelled real letters")))
        if generated:
            synthetic = measure_generated(generated, seed)
            self.stdout.write("\n".join(synthetic.lines(
                f"treatment fields, {generated:,} generated letters (seed {seed})")))

    def _coverage(self, letters: list[ParsedDetermination]) -> None:
        fields = ("case_number", "decision_date", "date_of_injury", "date_assigned",
                  "ur_denial_date", "application_received", "priority", "states_of_licensure",
                  "specialties", "patient_age", "patient_sex", "items", "guidelines_cited")
        clean = sum(1 for p in letters if p.error is None and not p.warnings)
        self.stdout.write(f"letters with no warning: {clean}/{len(letters)}; field coverage:")
        for name in fields:
            found = sum(1 for p in letters if getattr(p, name) not in (None, ()))
            self.stdout.write(f"  {name:22} {found / len(letters):6.1%}")
        items = [i for p in letters for i in p.items]
        for name in ("claims_administrator_guideline", "maximus_guideline", "rationale"):
            found = sum(1 for i in items if getattr(i, name))
            self.stdout.write(f"  item {name:30} {found / len(items):6.1%} of {len(items)} items")
        other = sum(1 for i in items if i.category == "Other")
        self.stdout.write(f"  items with a category other than Other: {1 - other / len(items):.1%}")

    def _pdfminer(self, pdfs: list[Path], from_text: list[ParsedDetermination]) -> None:
        import logging

        from pdfminer.high_level import extract_text

        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        agree = 0
        started = time.perf_counter()
        for path, expected in zip(pdfs, from_text, strict=True):
            try:
                parsed = parse_determination(extract_text(path))
            except ParseError:
                continue
            agree += _fields(parsed) == _fields(expected)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"pdf (pdfminer.six): {len(pdfs) / elapsed:7.1f} letters/s "
                          f"(extract + parse); fields equal to the text's: {agree}/{len(pdfs)}")

    @staticmethod
    def _time(work: Any) -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started
