"""Write small PDFs for tests: with a text layer, without one, encrypted, or broken."""

from __future__ import annotations

import hashlib
from pathlib import Path

_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _assemble(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show the given lines in Helvetica (an empty list: no text layer)."""
    page_count = len(pages)
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(page_count)).encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, page_count)]
    font_ref = 3 + 2 * page_count
    for n, lines in enumerate(pages):
        ops = ["BT /F1 10 Tf 12 TL 50 760 Td"] + [f"({_escape(line)}) Tj T*" for line in lines]
        stream = ("\n".join(ops) + "\nET").encode("latin-1") if lines else b""
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * n, font_ref))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _assemble(objects)


def write_pdf(path: Path, text: str, *, lines_per_page: int = 60) -> Path:
    """Write ``text`` as a PDF with a text layer, ``lines_per_page`` lines a page."""
    lines = text.split("\n")
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    path.write_bytes(pdf_bytes(pages or [[""]]))
    return path


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf_bytes(user_password: bytes = b"secret") -> bytes:
    """A one-page PDF under the standard security handler (RC4, revision 2) with a password."""
    padded_user = (user_password + _PAD)[:32]
    owner_key = hashlib.md5((b"owner" + _PAD)[:32]).digest()[:5]  # PDF spec
    owner = _rc4(owner_key, padded_user)
    permissions = (-4).to_bytes(4, "little", signed=True)
    file_id = b"0123456789abcdef"
    key = hashlib.md5(padded_user + owner + permissions + file_id).digest()[:5]
    user = _rc4(key, _PAD)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (
            owner.hex().encode(), user.hex().encode()),
    ]
    return _assemble(objects, b"/Encrypt 4 0 R /ID [<%s> <%s>] " % (
        file_id.hex().encode(), file_id.hex().encode()))
