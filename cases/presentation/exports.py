"""How an export of a search is written out: CSV (cells a spreadsheet cannot run as formulas,
optionally after a byte-order mark) or JSON, streamed a chunk of rows at a time, and the
download's name, which says what search it holds. The rows themselves are read by
``cases.selectors.export_rows``.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date

from cases.forms import query_params
from cases.search.base import SearchQuery
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


# Excel reads a CSV file as the system's code page ("§" becomes "Â§") unless it starts with
# the UTF-8 byte-order mark; other programs show the mark as a stray character, so it is asked for.
BOM = "\ufeff"


def stream_csv(chunks: Iterable[list[ItemRow]], *, bom: bool = False) -> Iterator[str]:
    """The CSV text of the rows, a header first (after ``BOM`` if ``bom``), then one piece
    per chunk."""
    writer = csv.writer(_Echo())
    yield (BOM if bom else "") + writer.writerow(COLUMNS)
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


MAX_NAME_SEARCH = 80  # characters of the name that describe the search
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_EXCLUDED = re.compile(r"(?:^|(?<=\s))-(?=\w)")  # "-tramadol": a word the search leaves out


def slug(text: str) -> str:
    """``text`` as lower-case ASCII letters and digits joined by hyphens ("§ 9792.24" ->
    "9792-24"), safe in a file name on every system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")


def describe_search(query: SearchQuery) -> str:
    """The search as file-name words: its text, filter values, dates and quantities, each
    slugged, joined by "_", at most ``MAX_NAME_SEARCH`` characters (cut between parts
    where it can); the sort and the page are left out, as the export ignores the page."""
    parts = []
    for name, value in query_params(query, page=False):
        if name == "sort":
            continue
        if name == "q":
            value = _EXCLUDED.sub("not ", value)
        elif name.startswith(("decided_", "injured_", "quantity_")):
            value = f"{name} {value}"
        if part := slug(value):
            parts.append(part)
    name = ""
    for part in parts:
        joined = f"{name}_{part}" if name else part
        if len(joined) > MAX_NAME_SEARCH:
            return name or part[:MAX_NAME_SEARCH].rstrip("-")
        name = joined
    return name


def export_filename(query: SearchQuery, extension: str, today: date) -> str:
    """The download's name: what it holds, of which search, and when it was made
    ("imr-disputed-items_massage_overturned_2026-12-07.csv")."""
    search = describe_search(query)
    return "_".join(("imr-disputed-items", *([search] if search else []),
                     today.isoformat())) + f".{extension}"
