"""Read a letter file (text or PDF) and clean PDF-extraction noise out of its text.

Pure: no Django. ``read_letter`` raises ``UnreadableLetter`` with a reason a person can act on;
``clean_text`` never raises.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import unicodedata
from collections import Counter
from pathlib import Path
from types import ModuleType

MAX_FILE_BYTES = 20 * 1024 * 1024
LETTER_SUFFIXES = frozenset({".txt", ".pdf"})


class UnreadableLetter(Exception):
    """A file that holds no readable letter text; the message says why."""


def read_letter(path: Path) -> str:
    """Return the raw text of a ``.txt`` or ``.pdf`` letter, or raise ``UnreadableLetter``.

    The bytes decide how the file is read: a PDF named ``.txt`` is read as a PDF, and a text
    letter named ``.pdf`` as text.
    """
    suffix = path.suffix.lower()
    if suffix not in LETTER_SUFFIXES:
        raise UnreadableLetter(f"not a letter file (expected .txt or .pdf, got {suffix or 'none'})")
    data = _read_bytes(path)
    if _is_pdf(data):
        text = extract_pdf_text(data)
    elif suffix == ".pdf":
        try:
            text = decode_text(data)
        except UnreadableLetter:
            raise UnreadableLetter("not a PDF (missing %PDF- header) and not text") from None
    else:
        text = decode_text(data)
    if not text.strip():
        raise UnreadableLetter("PDF has no text layer (scanned image?)" if _is_pdf(data)
                               else "no text in file")
    return text


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing empty, oversized and unreadable files with the reason."""
    if path.is_dir():
        raise UnreadableLetter("a folder, not a file")
    try:
        size = path.stat().st_size
        if size == 0:
            raise UnreadableLetter("empty file")
        if size <= MAX_FILE_BYTES:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)  # it may have grown since
            size = len(data)
    except OSError as exc:
        raise UnreadableLetter(f"cannot read the file ({exc.strerror or exc})") from exc
    if size > MAX_FILE_BYTES:
        raise UnreadableLetter(
            f"file too large ({size / 1e6:.1f} MB; letters are under {MAX_FILE_BYTES // 10**6} MB)"
        )
    if not data:
        raise UnreadableLetter("empty file")
    return data


def _is_pdf(data: bytes) -> bool:
    # Readers, PDFium included, accept the header anywhere in the first kilobyte.
    return b"%PDF-" in data[:1024]


# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# Characters no letter holds: controls other than tab, line and page breaks, and U+FFFD,
# which decoding leaves for bytes that mean nothing.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_MAX_NOT_TEXT_SHARE = 0.01


def decode_text(data: bytes) -> str:
    """Decode a text letter, refusing binary data.

    UTF-8 (with or without BOM) is read as such; UTF-16 and UTF-32 by their byte order mark
    or, without one, by where their zero bytes fall; bytes that are not UTF-8 as Windows-1252
    (which includes Latin-1's letters), so a letter saved by an older Windows tool, or UTF-8
    with a few such bytes pasted in, reads as its writer saw it.
    """
    encoding = _wide_encoding(data)
    if encoding:
        text = data.decode(encoding, errors="replace").removeprefix("\ufeff")
    else:
        text = data.decode("utf-8", errors=_CP1252_FALLBACK).removeprefix("\ufeff")
    bad = sum(1 for _ in _NOT_TEXT.finditer(text))
    if bad > _MAX_NOT_TEXT_SHARE * len(text):
        raise UnreadableLetter("binary data, not text")
    return text


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (with their byte order) when the bytes are in one of them."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding if encoding != "utf-8" else None
    sample = data[:4096]
    if b"\x00" not in sample or len(sample) < 8:
        return None

    def zero_share(start: int, step: int) -> float:
        column = sample[start::step]
        return column.count(0) / len(column)

    # Mostly-ASCII text leaves a zero in every high byte: which bytes are zero gives it away.
    wide = (("utf-32-le", 4, (1, 2, 3), 0), ("utf-32-be", 4, (0, 1, 2), 3),
            ("utf-16-le", 2, (1,), 0), ("utf-16-be", 2, (0,), 1))
    for encoding, step, zero, nonzero in wide:
        if all(zero_share(n, step) > 0.5 for n in zero) and zero_share(nonzero, step) < 0.05:
            return encoding
    return None


_CP1252 = [bytes([n]).decode("cp1252", errors="ignore") or chr(n) for n in range(256)]
_CP1252_FALLBACK = "imrsite-cp1252-fallback"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 refused as Windows-1252 (its five unused bytes as Latin-1)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(_CP1252[n] for n in bad), error.end


codecs.register_error(_CP1252_FALLBACK, _cp1252_fallback)


def extract_pdf_text(data: bytes) -> str:
    """Extract the text layer of a PDF with pdfium, pages separated by form feeds."""
    import pypdfium2 as pdfium  # imported here: text-only use never loads the native library

    if not _is_pdf(data):
        raise UnreadableLetter("not a PDF (missing %PDF- header)")
    _reset_pdfium_error(pdfium)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableLetter(_pdf_load_failure(exc.err_code)) from exc
    try:
        if len(document) == 0:
            raise UnreadableLetter("PDF has no pages")
        pages = []
        for number, page in enumerate(document, start=1):
            try:
                textpage = page.get_textpage()
                pages.append(textpage.get_text_range())
                textpage.close()
            except pdfium.PdfiumError as exc:
                raise UnreadableLetter(f"broken PDF (page {number} cannot be read)") from exc
            finally:
                page.close()
    except pdfium.PdfiumError as exc:  # loading a page, before it could be numbered
        raise UnreadableLetter("broken PDF (a page cannot be read)") from exc
    finally:
        document.close()
    return "\f".join(pages)


def _reset_pdfium_error(pdfium: ModuleType) -> None:
    """Leave PDFium's last error at "format error".

    PDFium reports why a document failed to load through one process-wide "last error",
    which some failures (a page tree of zero pages, for one) never set: the code left by an
    earlier file would then be reported, so a damaged file read after an encrypted one was
    called encrypted. An empty buffer always fails with a format error.
    """
    with contextlib.suppress(pdfium.PdfiumError):
        pdfium.PdfDocument(b"").close()


def _pdf_load_failure(code: int | None) -> str:
    import pypdfium2.raw as pdfium_c

    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted PDF (password required)"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted PDF (unsupported encryption)"
    return "broken PDF (damaged or incomplete: PDFium cannot read its structure)"


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
