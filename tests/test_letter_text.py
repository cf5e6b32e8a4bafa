"""Reading letter files and cleaning extraction noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.parsing import parse_determination
from cases.parsing.text import UnreadableLetter, clean_text, read_letter
from tests.conftest import DATA
from tests.pdfs import encrypted_pdf_bytes, pdf_bytes, write_pdf

BAD_FILES = {
    "empty": ("empty.txt", b"", "empty file"),
    "binary": ("binary.txt", b"\x00\x01\x02\xff" * 100, "binary data"),
    "binary without NULs": ("noise.txt", bytes(range(1, 256)) * 40, "binary data"),
    "UTF-16 of binary": ("wide.txt", b"\xff\xfe" + bytes(range(256)) * 4, "binary data"),
    "no text layer": ("scan.pdf", pdf_bytes([[]]), "no text layer"),
    "encrypted": ("locked.pdf", encrypted_pdf_bytes(), "encrypted PDF"),
    "truncated pdf": ("cut.pdf", pdf_bytes([["Case Number: CM16-0000001"]])[:150], "broken PDF"),
    "not a pdf": ("fake.pdf", b"\x00\x01\x02\x03 junk", "PDF- header. and not text$"),
    "zero pages": ("none.pdf", pdf_bytes([]), r"^broken PDF \(damaged"),
    "only a header": ("stub.pdf", b"%PDF-1.7\n", r"^broken PDF \(damaged"),
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


ACCENTED = "Décision révisée – § 9792.24.2, ½ tablet, 5° flexion, “Norco”\nDate: 01/02/2016\n"


@pytest.mark.parametrize(("encoding", "bom"), [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-le", b""), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-be", b""), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-le", b""),
    ("utf-32-be", b"\x00\x00\xfe\xff"), ("cp1252", b""), ("utf-8", b"\xef\xbb\xbf"),
])
def test_read_letter_other_encodings_are_decoded(encoding: str, bom: bytes,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes(bom + (ACCENTED * 50).encode(encoding))
    assert read_letter(path) == ACCENTED * 50


def test_read_letter_latin1_and_mixed_bytes_read_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes("Déterminé: Upheld\n".encode("latin-1") + "café – ok\n".encode()
                     + "“quoted” …".encode("cp1252"))
    assert read_letter(path) == "Déterminé: Upheld\ncafé – ok\n“quoted” …"


def test_read_letter_text_with_a_few_nuls_is_text(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    text = (DATA / "prose_mixed.txt").read_text()
    path.write_bytes(b"\x00" + text.encode() + b"\x00\x07")
    raw = read_letter(path)
    assert parse_determination(raw).to_dict() == parse_determination(text).to_dict()


def test_read_letter_goes_by_content_not_suffix(tmp_path: Path) -> None:
    text = (DATA / "layout_2013.txt").read_text()
    as_pdf = tmp_path / "text.pdf"
    as_pdf.write_text(text)
    assert read_letter(as_pdf) == text
    as_text = write_pdf(tmp_path / "letter.pdf", text).rename(tmp_path / "pdf.txt")
    assert read_letter(as_text) == read_letter(write_pdf(tmp_path / "again.pdf", text))


def test_read_letter_folder_or_unreadable_file_gives_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "CM16-0000001.txt"
    folder.mkdir()
    with pytest.raises(UnreadableLetter, match="^a folder, not a file$"):
        read_letter(folder)
    # chmod 000 cannot stop root (CI runs as root), so the refusal is simulated.
    locked = tmp_path / "locked.txt"
    locked.write_text("Case Number: CM16-0000001")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(UnreadableLetter, match=r"^cannot read the file \(Permission denied\)$"):
        read_letter(locked)


def test_read_letter_failure_reason_does_not_depend_on_the_previous_pdf(
        tmp_path: Path) -> None:
    # PDFium keeps one "last error" per process that some failures leave unset: a PDF with no
    # pages read just after an encrypted one was reported as encrypted.
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(encrypted_pdf_bytes())
    empty = tmp_path / "none.pdf"
    empty.write_bytes(pdf_bytes([]))
    reasons = []
    for path in (locked, empty, locked, empty):
        with pytest.raises(UnreadableLetter) as failure:
            read_letter(path)
        reasons.append(str(failure.value).split(" (")[0])
    assert reasons == ["encrypted PDF", "broken PDF"] * 2


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
