"""Print what the parser reads from letter files, as a JSON list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases.parsing import parse_file


class Command(BaseCommand):
    help = "Parse IMR determination letters (.txt or .pdf) and print one JSON object per file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="Letter files (.txt or .pdf).")
        parser.add_argument("--text", action="store_true",
                            help="Also include the cleaned letter text and its sections.")

    def handle(self, *args: Any, **options: Any) -> None:
        results = []
        for path in options["files"]:
            parsed = parse_file(path)
            data = parsed.to_dict(include_text=options["text"])
            data["id"] = parsed.public_id if parsed.error is None else None
            results.append(data)
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
