"""Mangled copies of letter files for the file fuzz test (``test_fuzz_files.py``).

``write_corpus(root, seed=...)`` writes over a thousand files made from the real letters in
../shared (cut, shuffled, re-encoded, padded, corrupted, misnamed, unreadable, ...) and says
of some what the importer must make of them. The same seed always writes the same files.
"""

from __future__ import annotations

import codecs
import gzip
import os
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cases.parsing.text import MAX_FILE_BYTES
from tests.conftest import DATA, REAL_PDFS, REAL_TEXTS, SEEDS, need
from tests.pdfs import encrypted_pdf_bytes, pdf_bytes

HUGE_LINE = 5 * 1024 * 1024
# Huge lines that end up in an indexed part of the letter are smaller: Whoosh analyses and
# merges them again at every commit, and a megabyte shows a quadratic regex as well as five.
INDEXED_LINE = 1024 * 1024
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Non-ASCII characters letters plausibly hold, for the re-encoded copies.
ACCENTED = "Décision révisée – résumé § 9792.24.2, ½ tablet, 5° flexion, “Norco”, café’s"


# -- mangling --------------------------------------------------------------------------------
Source = tuple[Path, bytes]
Mangle = Callable[[random.Random, bytes], bytes]


def _cut(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _shuffle_sections(rng: random.Random, data: bytes) -> bytes:
    # Blocks between blank lines: headings, paragraphs and item bodies move about whole.
    blocks = re.split(rb"\n[ \t\f]*\n", data)
    rng.shuffle(blocks)
    return b"\n\n".join(blocks)


def _duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 40)):
        n = rng.randrange(len(lines))
        lines[n:n] = [lines[n]] * rng.choice((1, 1, 2, 5, 50))
    return b"\n".join(lines)


def _delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    share = rng.choice((0.02, 0.1, 0.3, 0.7))
    return b"\n".join(line for line in lines if rng.random() > share)


def _insert_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 30)):
        at = rng.randrange(len(out) + 1)
        out[at:at] = rng.randbytes(rng.randint(1, 16))
    return bytes(out)


def _overwrite_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 60)):
        at = rng.randrange(len(out))
        chunk = rng.randbytes(rng.randint(1, 8))
        out[at : at + len(chunk)] = chunk
    return bytes(out)


_CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85",
             "\x9d", "\u200b", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\r", "\t"]


def _controls(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    chars = list(text)
    for _ in range(rng.randint(1, 80)):
        at = rng.randrange(len(chars) + 1)
        chars[at:at] = [rng.choice(_CONTROLS) * rng.choice((1, 1, 3, 200))]
    out = "".join(chars).encode("utf-8")
    if rng.random() < 0.2:  # a lone surrogate, as some broken exporters write it
        at = rng.randrange(len(out))
        out = out[:at] + b"\xed\xa0\x80" + out[at:]
    return out


def _mixed_encoding(rng: random.Random, data: bytes) -> bytes:
    """UTF-8 text with a few Windows-1252 bytes pasted in (a letter edited in two tools)."""
    lines = _lines(data)
    for _ in range(rng.randint(1, 6)):
        n = rng.randrange(len(lines))
        lines[n] += b" " + ACCENTED.encode("cp1252", errors="replace")
    lines.insert(rng.randrange(len(lines)), ACCENTED.encode("utf-8"))
    return b"\n".join(lines)


TEXT_MANGLES: dict[str, tuple[Mangle, int]] = {
    "cut": (_cut, 110),
    "shuffled": (_shuffle_sections, 70),
    "doubled": (_duplicate_lines, 70),
    "deleted": (_delete_lines, 70),
    "inserted": (_insert_bytes, 70),
    "overwritten": (_overwrite_bytes, 70),
    "controls": (_controls, 60),
    "mixed": (_mixed_encoding, 20),
}

# (name, codec, prefix): each real letter re-encoded; Python's "utf-16-le" writes no BOM.
ENCODINGS = [
    ("utf16le-bom", "utf-16-le", codecs.BOM_UTF16_LE),
    ("utf16le", "utf-16-le", b""),
    ("utf16be-bom", "utf-16-be", codecs.BOM_UTF16_BE),
    ("utf16be", "utf-16-be", b""),
    ("utf32-bom", "utf-32", b""),
    ("latin1", "latin-1", b""),
    ("cp1252", "cp1252", b""),
    ("utf8-bom", "utf-8", codecs.BOM_UTF8),
]


def _encoded(text: str, codec: str, prefix: bytes) -> bytes:
    return prefix + text.encode(codec, errors="replace")


def _huge_lines(rng: random.Random, text: bytes) -> list[tuple[str, bytes]]:
    """Letters with one line of 1 to 5 MB, in the shapes that trouble regular expressions."""
    lines = _lines(text)
    heading = next(n for n, line in enumerate(lines)
                   if re.search(rb":\s*(Upheld|Overturned)\s*$", line))
    words = b" ".join(rng.choice((b"pain", b"the", b"MRI", b"Norco", b"10/325", b"is",
                                  b"CM16-0000000", b"01/02/2016", b"Upheld:", b"-"))
                      for _ in range(HUGE_LINE // 5))[:HUGE_LINE]

    def with_line(at: int, line: bytes) -> bytes:
        return b"\n".join(lines[:at] + [line] + lines[at:])

    def in_line(at: int, filler: bytes) -> bytes:
        return b"\n".join(lines[:at] + [filler + lines[at]] + lines[at + 1 :])

    def in_heading(filler: bytes) -> bytes:
        return in_line(heading, filler)

    def labelled(label: bytes) -> int:
        return next(n for n, line in enumerate(lines) if line.lstrip().startswith(label))

    joined = b" ".join(lines)
    return [
        ("joined", (joined * (HUGE_LINE // len(joined) + 1))[:HUGE_LINE]),
        ("letters", with_line(len(lines), b"A" * INDEXED_LINE)),
        ("digits", with_line(len(lines) // 2, b"7" * INDEXED_LINE)),
        ("words", with_line(heading, words)),
        ("heading-letters", in_heading(b"a" * HUGE_LINE)),
        ("heading-digits", in_heading(b"1" * HUGE_LINE)),
        ("heading-words", in_heading(words)),
        ("heading-accents", in_heading("é".encode() * (HUGE_LINE // 2))),
        ("colons", with_line(heading, b": " * (HUGE_LINE // 2))),
        ("specialty", with_line(labelled(b"Certification(s)") + 1, b"z" * INDEXED_LINE)),
        ("states", in_line(labelled(b"State(s)"), b"State(s) of Licensure: " + b"Ohio, " * (
            INDEXED_LINE // 6) + b"\n")),
        ("dots", with_line(2, b"." * HUGE_LINE)),
        ("spaces", with_line(heading, b"x" + b" " * HUGE_LINE + b"x")),
        ("carriage-returns", text.replace(b"\n", b"\r") + b"\r" * (HUGE_LINE // 8)),
    ]


def _at_size(text: bytes, size: int) -> bytes:
    """The letter with filler lines between its case table and its first section, exactly
    ``size`` bytes: parsed whole, but not indexed (that part of a letter is not)."""
    at = text.index(b"HOW THE IMR FINAL")
    filler = b"The injured worker reports ongoing pain and limited range of motion.\n"
    padding = filler * ((size - len(text)) // len(filler) + 1)
    return text[:at] + padding[: size - len(text)] + text[at:]


# -- PDFs ------------------------------------------------------------------------------------
def _streams(data: bytes, marker: bytes) -> list[tuple[int, int]]:
    """(start, end) of the stream data of every object whose dictionary names ``marker``."""
    spans = []
    for match in re.finditer(marker, data):
        begin = data.find(b"stream", match.end())
        end = data.find(b"endstream", begin)
        if begin != -1 and end != -1:
            spans.append((begin + len(b"stream\r\n"), end))
    return spans


def _garble_streams(rng: random.Random, data: bytes, marker: bytes) -> bytes:
    spans = _streams(data, marker)
    if not spans:
        return _overwrite_bytes(rng, data)
    start, end = rng.choice(spans)
    out = bytearray(data)
    if rng.random() < 0.5:
        out[start:end] = rng.randbytes(end - start)  # garbage in place of the compressed data
    else:  # valid compression of garbage: the decoder succeeds, the parser gets junk
        junk = zlib.compress(rng.randbytes(rng.randint(10, 400)))
        out[start:end] = junk.ljust(end - start, b" ")[: max(end - start, len(junk))]
    return bytes(out)


def _bad_startxref(rng: random.Random, data: bytes) -> bytes:
    offset = rng.choice((0, 1, 7, len(data), 10**12, rng.randrange(len(data))))
    return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % offset, data)


def _encrypted_trailer(rng: random.Random, data: bytes) -> bytes:
    entry = (b" /Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /P -1028 /O <%s> /U <%s> >>"
             % (rng.randbytes(32).hex().encode(), rng.randbytes(32).hex().encode()))
    match = re.search(rb"/Type\s*/XRef", data) or re.search(rb"trailer\s*<<", data)
    if match is None:
        return data + b"\ntrailer\n<<" + entry + b" >>\n"
    return data[: match.end()] + entry + data[match.end() :]


def _zero_pages(rng: random.Random, data: bytes) -> bytes:
    out, count = re.subn(rb"/Count\s+\d+", b"/Count 0", data)
    if count:
        return out
    return pdf_bytes([])


PDF_MANGLES: dict[str, tuple[Mangle, int]] = {
    "cut": (_cut, 110),
    "overwritten": (_overwrite_bytes, 80),
    "inserted": (_insert_bytes, 30),
    "xref-stream": (lambda rng, d: _garble_streams(rng, d, rb"/Type\s*/XRef"), 30),
    "object-streams": (lambda rng, d: _garble_streams(rng, d, rb"/Type\s*/ObjStm"), 40),
    "content-streams": (lambda rng, d: _garble_streams(rng, d, rb"/Filter\s*/FlateDecode"), 30),
    "startxref": (_bad_startxref, 25),
    "encrypted": (_encrypted_trailer, 15),
    "zero-pages": (_zero_pages, 5),
    "header-junk": (lambda rng, d: d[:9] + rng.randbytes(rng.randint(0, 40_000)), 15),
}


# -- the corpus ------------------------------------------------------------------------------
@dataclass
class Corpus:
    """The mangled files, by kind, and what some of them must come to."""

    root: Path
    kinds: dict[Path, str] = field(default_factory=dict)
    # Files that must fail, with a fragment of their reason.
    must_fail: dict[Path, str] = field(default_factory=dict)
    # Re-encoded copies of a letter that must import as that letter: path -> original path.
    same_as: dict[Path, Path] = field(default_factory=dict)
    specials: list[Path] = field(default_factory=list)  # links and folders named like letters

    def add(self, kind: str, name: str, data: bytes, *, fails: str | None = None) -> Path:
        """Write one file of this kind."""
        path = self.root / kind.split("/")[0] / f"{len(self.kinds):04d}-{kind.replace('/', '-')}"
        path = path.with_name(path.name + "-" + name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.kinds[path] = kind
        if fails is not None:
            self.must_fail[path] = fails
        return path


def _sources(folder: Path, pattern: str) -> list[Source]:
    return [(p, p.read_bytes()) for p in sorted(folder.glob(pattern))]


def write_corpus(root: Path, *, seed: int) -> Corpus:
    """Write the mangled files under ``root``; the same seed always writes the same files."""
    rng = random.Random(seed)
    corpus = Corpus(root)
    texts = _sources(need(REAL_TEXTS), "*.txt") + _sources(need(SEEDS), "*.txt")
    pdfs = _sources(need(REAL_PDFS), "*.pdf")
    for kind, (mangle, count) in TEXT_MANGLES.items():
        for _ in range(count):
            source, data = rng.choice(texts)
            corpus.add(f"text/{kind}", source.name, mangle(rng, data))
    for kind, (mangle, count) in PDF_MANGLES.items():
        for _ in range(count):
            source, data = rng.choice(pdfs)
            corpus.add(f"pdf/{kind}", source.name, mangle(rng, data))
    _write_encodings(rng, corpus, texts)
    _write_edge_cases(rng, corpus, texts, pdfs)
    _write_filesystem_oddities(rng, corpus, texts)
    return corpus


def _write_encodings(rng: random.Random, corpus: Corpus, texts: list[Source]) -> None:
    originals = corpus.root.with_name(corpus.root.name + "-originals")  # not imported
    originals.mkdir()
    for name, codec, prefix in ENCODINGS:
        for source, data in rng.sample(texts, 6):
            text = data.decode("utf-8")
            path = corpus.add(f"encoding/{name}", source.name, _encoded(text, codec, prefix))
            if text == text.encode(codec, errors="replace").decode(codec):
                corpus.same_as[path] = source
        # A synthetic letter full of accents: it must come back with every one of them.
        accented = (DATA / "layout_2013.txt").read_text().replace(
            "Expert Reviewer Case Summary:", f"Expert Reviewer Case Summary:\n{ACCENTED}")
        unchanged = accented.encode(codec, errors="replace").decode(codec) == accented
        path = corpus.add(f"encoding/{name}", "accented.txt", _encoded(accented, codec, prefix))
        if unchanged:
            (originals / path.name).write_text(accented)
            corpus.same_as[path] = originals / path.name


def _write_edge_cases(rng: random.Random, corpus: Corpus, texts: list[Source],
                      pdfs: list[Source]) -> None:
    source, text = next((s, t) for s, t in texts if s.name.startswith("CM16"))
    for shape, data in _huge_lines(rng, text):
        corpus.add(f"huge/{shape}", source.name, data)
    item = (b"\nNorco 10/325mg #60: Upheld\nClaims Administrator guideline: MTUS.\n"
            b"MAXIMUS guideline: MTUS.\nDecision rationale: Not necessary.\n")
    for copies in (150, 33_000):  # over any letter's items; over the position column's range
        corpus.add(f"items/{copies}", source.name, text + item * copies,
                   fails="disputed items found")
    corpus.add("size/at-limit", source.name, _at_size(text, MAX_FILE_BYTES))
    corpus.add("size/over-limit", source.name, _at_size(text, MAX_FILE_BYTES + 1),
               fails="file too large")
    for suffix in (".txt", ".pdf"):
        corpus.add(f"empty/{suffix[1:]}", source.stem + suffix, b"", fails="empty file")
    for n, blank in enumerate(["   ", "\n\n\n", "\t \t\n", "\f\f", "\r\n" * 50, "\u00a0 \u3000",
                               "\u2028\u2029", " " * 1_000_000, "\ufeff", "\ufeff \n"]):
        corpus.add("blank/txt", f"{n}.txt", blank.encode("utf-8"), fails="no text")
    for n in range(20):
        junk = rng.randbytes(rng.randint(1, 200_000))
        if n % 2:
            junk = junk.replace(b"\x00", b"\x01")  # no NUL to give it away
        corpus.add("binary/random", f"{n}.txt", junk, fails="binary data")
    _, letter = rng.choice(texts)
    for name, junk in (("gzip", gzip.compress(letter)),
                       ("zip", b"PK\x03\x04" + rng.randbytes(3000)),
                       ("elf", b"\x7fELF\x02\x01\x01" + bytes(64) + rng.randbytes(4000))):
        corpus.add(f"binary/{name}", "junk.txt", junk, fails="binary data")
    # Read by what the bytes are: a real PDF named .txt, real texts named .pdf.
    source, data = rng.choice(pdfs)
    corpus.add("misnamed/pdf-as-text", source.stem + ".txt", data)
    for _ in range(8):
        source, letter = rng.choice(texts)
        path = corpus.add("misnamed/text-as-pdf", source.stem + ".pdf", letter)
        corpus.same_as[path] = source
    corpus.add("misnamed/pdf-header-text", "letter.pdf", b"%PDF-1.4\n" + letter,
               fails="broken PDF")
    corpus.add("misnamed/binary-as-pdf", "letter.pdf", rng.randbytes(5000).replace(b"%", b"&"),
               fails="not a PDF")
    corpus.add("pdf/made", "zero-pages.pdf", pdf_bytes([]), fails="broken PDF")
    corpus.add("pdf/made", "no-text-layer.pdf", pdf_bytes([[]]), fails="no text layer")
    corpus.add("pdf/made", "locked.pdf", encrypted_pdf_bytes(), fails="encrypted PDF")
    corpus.add("pdf/made", "header-only.pdf", b"%PDF-1.7\n", fails="broken PDF")


def _write_filesystem_oddities(rng: random.Random, corpus: Corpus, texts: list[Source]) -> None:
    folder = corpus.root / "filesystem"
    folder.mkdir()
    for _ in range(4):
        source, data = rng.choice(texts)
        path = corpus.add("filesystem/unreadable", source.name, _delete_lines(rng, data))
        path.chmod(0)
        if not AS_ROOT:  # root reads a mode-000 file anyway: it is then just another letter
            corpus.must_fail[path] = "cannot read"
    like_letter = folder / "CM16-0000001.txt"
    like_letter.mkdir()
    inner = folder / "CM16-0000002.pdf" / "nested"
    inner.mkdir(parents=True)
    nested = inner / "letter.txt"  # folders named like letters are searched like folders
    nested.write_bytes((DATA / "prose_mixed.txt").read_bytes())
    corpus.kinds[nested] = "filesystem/nested"
    for name, target in (("dangling.txt", "no-such-letter.txt"), ("dangling.pdf", "/nonexistent"),
                         ("loop-a.txt", "loop-b.txt"), ("loop-b.txt", "loop-a.txt")):
        (folder / name).symlink_to(target)
        corpus.specials.append(folder / name)
    corpus.specials += [like_letter, inner.parent]
    (folder / "notes.docx").write_bytes(b"not a letter suffix: ignored")
    # Odd but valid names (names that are not UTF-8 crash the import: see the fuzz tests).
    for name in ("new\nline.txt", "-starts-with-dash.txt", " spaces  .txt", "tab\t.pdf",
                 "é" * 125 + ".txt", "x" * 251 + ".txt", "UPPER.TXT", "no-dot-txt"):
        source, data = rng.choice(texts)
        path = folder / name
        path.write_bytes(data)
        if path.suffix.lower() in (".txt", ".pdf"):
            corpus.kinds[path] = "filesystem/names"
