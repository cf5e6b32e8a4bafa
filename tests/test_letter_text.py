"""Reading letter files and cleaning extraction noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.letter_text import UnreadableLetter, clean_text, read_letter
from cases.parsing import parse_determination
from tests.conftest import DATA
from tests.pdfs import encrypted_pdf_bytes, pdf_bytes, write_pdf

BAD_FILES = {
    "empty": ("empty.txt", b"", "empty file"),
    "binary": ("binary.txt", b"\x00\x01\x02\xff" * 100, "binary data"),
    "latin-1": ("latin1.txt", "Déterminé: Upheld".encode("latin-1"), "not UTF-8"),
    "no text layer": ("scan.pdf", pdf_bytes([[]]), "no text layer"),
    "encrypted": ("locked.pdf", encrypted_pdf_bytes(), "encrypted PDF"),
    "truncated pdf": ("cut.pdf", pdf_bytes([["Case Number: CM16-0000001"]])[:150], "broken PDF"),
    "not a pdf": ("fake.pdf", b"HOW THE IMR FINAL DETERMINATION WAS MADE", "not a PDF"),
    "wrong suffix": ("letter.docx", b"PK\x03\x04", "not a letter file"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_read_letter_bad_file_raises_with_reason(kind: str, tmp_path: Path) -> None:
    name, data, reason = BAD_FILES[kind]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableLetter, match=reason):
        read_letter(path)


def test_read_letter_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(UnreadableLetter, match=r"too large \(52\.4 MB"):
        read_letter(path)


def test_read_letter_pdf_with_text_layer_parses_like_the_text(tmp_path: Path) -> None:
    text = (DATA / "layout_2013.txt").read_text()
    raw = read_letter(write_pdf(tmp_path / "letter.pdf", text, lines_per_page=10))
    assert raw.count("\f") == len(text.split("\n")) // 10
    from_pdf = parse_determination(raw).to_dict()
    from_text = parse_determination(text).to_dict()
    from_pdf.pop("content_hash")  # of the cleaned text: the PDF lost the blank lines
    from_text.pop("content_hash")
    assert from_pdf == from_text


def test_read_letter_utf8_with_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffCase Number: CM16-0000001".encode())
    assert read_letter(path) == "Case Number: CM16-0000001"


def test_clean_text_removes_repeated_headers_and_page_numbers() -> None:
    pages = [f"Independent Medical Review\nLine {n}a.\nLine {n}b.\nPage {n} of 4" for n in range(4)]
    assert clean_text("\f".join(pages)) == "\n".join(
        f"Line {n}a.\nLine {n}b." for n in range(4))


def test_clean_text_keeps_body_lines_that_repeat_at_page_edges() -> None:
    pages = [f"Item {n}: Upheld\nthe request is not medically necessary." for n in range(4)]
    assert clean_text("\f".join(pages)).count("not medically necessary.") == 4


def test_clean_text_undoubles_lines_but_keeps_paragraphs() -> None:
    doubled = "One line\n \ntwo line\n\n \n\nnew paragraph\n\nend"
    assert clean_text(doubled) == "One line\ntwo line\n\nnew paragraph\nend"


def test_clean_text_joins_hyphenated_words_and_spaces() -> None:
    assert clean_text("physio-\ntherapy  and\u00a0 more\t text") == "physiotherapy and more text"
