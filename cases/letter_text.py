"""Read a letter file (text or PDF) and clean PDF-extraction noise out of its text.

Pure: no Django. ``read_letter`` raises ``UnreadableLetter`` with a reason a person can act on;
``clean_text`` never raises.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024
LETTER_SUFFIXES = frozenset({".txt", ".pdf"})


class UnreadableLetter(Exception):
    """A file that holds no readable letter text; the message says why."""


def read_letter(path: Path) -> str:
    """Return the raw text of a ``.txt`` or ``.pdf`` letter, or raise ``UnreadableLetter``."""
    suffix = path.suffix.lower()
    if suffix not in LETTER_SUFFIXES:
        raise UnreadableLetter(f"not a letter file (expected .txt or .pdf, got {suffix or 'none'})")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableLetter(f"cannot open: {exc.strerror or exc}") from exc
    if size == 0:
        raise UnreadableLetter("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableLetter(
            f"file too large ({size / 1e6:.1f} MB; letters are under {MAX_FILE_BYTES // 10**6} MB)"
        )
    data = path.read_bytes()
    text = extract_pdf_text(data) if suffix == ".pdf" else decode_text(data)
    if not text.strip():
        raise UnreadableLetter("no text in file" if suffix == ".txt" else
                               "PDF has no text layer (scanned image?)")
    return text


def decode_text(data: bytes) -> str:
    """Decode a text letter as UTF-8 (with or without BOM), refusing binary data."""
    if b"\x00" in data[:4096] or data[:5] == b"%PDF-":
        raise UnreadableLetter("binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableLetter(
            f"not UTF-8 text (invalid byte at offset {exc.start}); convert it to UTF-8"
        ) from exc


def extract_pdf_text(data: bytes) -> str:
    """Extract the text layer of a PDF with pdfium, pages separated by form feeds."""
    import pypdfium2 as pdfium  # imported here: text-only use never loads the native library

    if not data.startswith(b"%PDF-"):
        raise UnreadableLetter("not a PDF (missing %PDF- header)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadableLetter("encrypted PDF (password required)") from exc
        raise UnreadableLetter(f"broken PDF ({reason})") from exc
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableLetter(f"broken PDF page ({exc})") from exc
    finally:
        document.close()
    return "\f".join(pages)


_PDFIUM_HYPHEN = re.compile(r"\ufffe(?=\s*[A-Z])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\u00ad\ufeff\ufffe]")
# Runs of two or more spaces, or any other horizontal space: single spaces are left alone.
_SPACES = re.compile(
    r"[ \t\u00a0\u2000-\u200a\u202f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u3000]")
# Starts with the literal hyphen so the scan is fast; the letters around it are lookarounds.
_HYPHEN_BREAK = re.compile(r"-(?<=[a-z][a-z]-)\n(?: ?\n)*(?=[a-z][a-z])")
_PAGE_FURNITURE = re.compile(
    r"^(page\s*\d+\s*(of\s*\d+)?|-?\s*\d{1,3}\s*-?|\d+\s*/\s*\d+|CM\d{2}-\d{5,8})$",
    re.IGNORECASE,
)
# Words that PDF extraction glued together in the phrases letters repeat most.
_GLUED = re.compile(r"\b(is|are|was|were|does|did)(not)\b|\b(not)(medically)\b"
                    r"|\b(medically)(necessary|appropriate)\b", re.IGNORECASE)
_GLUED_HINTS = ("snot", "enot", "dnot", "notmedically", "medicallyne", "medicallyap")


def clean_text(raw: str) -> str:
    """Normalise extraction noise: line ends, odd spaces, page furniture, doubled lines, hyphens.

    Page breaks (form feeds) are removed; the result is plain lines with single spaces.
    """
    text = unicodedata.normalize("NFKC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # pdfium marks a hyphen it found at a line end with U+FFFE: keep it only before a capital.
    text = _PDFIUM_HYPHEN.sub("-", text)
    text = _SPACES.sub(" ", _CONTROL.sub("", text))
    pages = [[line.strip() for line in _page_lines(page)] for page in text.split("\f")]
    furniture = _repeated_furniture(pages)
    lines: list[str] = []
    for page in pages:
        kept = [line for line in page
                if line not in furniture and not _PAGE_FURNITURE.match(line)]
        # Blank lines at a page's edges are layout, not paragraph breaks: a heading or a
        # word can continue on the next page.
        while kept and not kept[-1]:
            kept.pop()
        start = next((n for n, line in enumerate(kept) if line), len(kept))
        lines.extend(kept[start:])
    lines = _undouble(lines)
    text = "\n".join(lines)
    text = _HYPHEN_BREAK.sub("", text)
    lowered = text.lower()
    if any(glued in lowered for glued in _GLUED_HINTS):
        text = _GLUED.sub(_unglue, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _unglue(match: re.Match[str]) -> str:
    first, second = (group for group in match.groups() if group)
    return f"{first} {second}"


def _page_lines(page: str) -> list[str]:
    """A page's lines, without the empty one its final newline leaves before a page break."""
    lines = page.split("\n")
    if len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return lines


def _repeated_furniture(pages: list[list[str]]) -> frozenset[str]:
    """Short lines that open or close most pages: running headers and footers.

    Body lines can repeat at page edges too (rationales often end alike), so a line that ends
    like a sentence or clause is never taken for furniture.
    """
    pages = [page for page in pages if any(page)]  # a trailing form feed leaves an empty one
    if len(pages) < 2:
        return frozenset()
    edges: Counter[str] = Counter()
    for page in pages:
        content = [line for line in page if line]
        # Two-page letters: only the very first and last lines can be told apart safely.
        edges.update(set(content[:1] + content[-1:] if len(pages) == 2 else
                         content[:2] + content[-2:]))
    threshold = 2 if len(pages) == 2 else max(3, (len(pages) * 3 + 4) // 5)
    return frozenset(
        line for line, n in edges.items()
        if n >= threshold and len(line) <= 60 and not line.endswith((".", ",", ";", ":"))
    )


def _undouble(lines: list[str]) -> list[str]:
    """Undo 'a blank line after every line' extraction, keeping real paragraph breaks."""
    nonblank = sum(1 for line in lines if line)
    if nonblank < 4:
        return lines
    followed = sum(1 for a, b in zip(lines, lines[1:], strict=False) if a and not b)
    if followed < 0.8 * (nonblank - 1):
        return lines
    out: list[str] = []
    blank_run = 0
    for line in lines:
        if line:
            if blank_run >= 2 and out:
                out.append("")
            out.append(line)
            blank_run = 0
        else:
            blank_run += 1
    return out
