"""How an export of a search is written out: CSV (cells a spreadsheet cannot run as formulas)
or JSON, streamed a chunk of rows at a time, and the download's name. The rows themselves are
read by ``cases.selectors.export_rows``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date

from cases.selectors.export_rows import COLUMNS, ItemRow

# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a quote before it."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_cells(row: ItemRow) -> list[str]:
    """One row's CSV cells: lists joined with "; ", every cell neutralized."""
    return [neutralize("; ".join(value) if isinstance(value, tuple)
                       else "" if value is None else str(value))
            for value in row.values()]


class _Echo:
    """A file-like object whose ``write`` hands back what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def stream_csv(chunks: Iterable[list[ItemRow]]) -> Iterator[str]:
    """The CSV text of the rows, a header first, then one piece per chunk."""
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for rows in chunks:
        if rows:
            yield "".join(writer.writerow(csv_cells(row)) for row in rows)


def json_object(row: ItemRow) -> dict[str, object]:
    """One row as a JSON object (lists stay lists)."""
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in zip(COLUMNS, row.values(), strict=True)}


def stream_json(chunks: Iterable[list[ItemRow]]) -> Iterator[str]:
    """A JSON array of the rows' objects, one piece per chunk."""
    yield "["
    first = True
    for rows in chunks:
        if not rows:
            continue
        body = ",\n".join(json.dumps(json_object(row), ensure_ascii=False) for row in rows)
        yield ("\n" if first else ",\n") + body
        first = False
    yield "\n]\n"


def export_filename(extension: str, today: date) -> str:
    """The download's name: what it holds and when it was made."""
    return f"imr-disputed-items-{today.isoformat()}.{extension}"
