"""The pasted text as a reader takes it: page headers and footers out, hard line breaks
inside a sentence joined into logical lines, and the test for a text that is words at all.
The patterns for where an item or a label starts are shared with ``mentions`` and ``passages``.
"""

from __future__ import annotations

import re

from cases.parsing.text import clean_text

# --- The text: page furniture out, broken lines joined ------------------------------------

# Lines a PDF repeats on every page ("Page 2 of 4", "- 3 -", "ACME Review ... Page 2 of 4").
_FURNITURE = re.compile(r"(?:.{0,60}\bpage\s*\d+\s*(?:of|/)\s*\d+\b.{0,60}|page\s*\d+|"
                        r"-\s*\d{1,3}\s*-|\d{1,3}\s*(?:of|/)\s*\d{1,3})", re.IGNORECASE)
_BULLET = r"[-*\u2022\u00b7\u25aa\u25e6\u25cf\u25a0\u27a2>]+"
_ITEM_START = re.compile(_BULLET + r"\s+|\(?\d{1,2}[.)]\s+|\(?[a-hA-H][.)]\s+")
_LABEL_START = re.compile(r"[A-Z][A-Za-z/()' ]{0,40}:(?!\d)")
_CONNECTOR_END = re.compile(r"(?:\b(?:of|for|the|a|an|and|or|to|with|x|per|in|on|at|by|from|"
                            r"including|plus|times|is|are|was|were|be|been|not|non)|[,/&+#-])$",
                            re.IGNORECASE)


def _prepare(text: str) -> str:
    """The text without page headers and footers, then cleaned by ``clean_text`` (hyphenated
    line ends, odd spaces, a blank line after every line)."""
    lines = text.replace("\ufffd", " ").splitlines()
    return clean_text("\n".join(line for line in lines if len(line) > 120
                                or not _FURNITURE.fullmatch(line.strip())))


def _logical_lines(text: str) -> list[str]:
    """Lines as written, hard line breaks inside a sentence joined; "" marks a paragraph.

    A footer dropped in mid-sentence leaves a paragraph break that is none: a line that
    plainly goes on ("... the request for" + "omeprazole ...") is joined across it.
    """
    lines: list[list[str]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if lines and lines[-1]:
                lines.append([])
        elif lines and lines[-1] and _continues(lines[-1][-1], line):
            lines[-1].append(line)
        elif len(lines) > 1 and not lines[-1] and _continues(lines[-2][-1], line, broken=True):
            lines.pop()
            lines[-1].append(line)
        else:
            lines.append([line])
    return [" ".join(parts) for parts in lines]


def _continues(previous: str, line: str, *, broken: bool = False) -> bool:
    """Whether ``line`` goes on with ``previous`` rather than starting an item or a label;
    across a paragraph break (``broken``), only if it plainly does."""
    if _ITEM_START.match(line) or _LABEL_START.match(line) or previous.endswith(":"):
        return False
    if line[0].islower() or _CONNECTOR_END.search(previous):
        return True
    # PDF lines wrap near the page's width; a short line without a full stop ends a list item.
    return not broken and (line[0] in "#(/&%+,)" or len(previous) >= 60
                           and previous[-1] not in ".!?;")


# --- A text that is words ------------------------------------------------------------------

_TEXT_CHARS = re.compile(r"[\w\s.,;:!?'\"()/#%&+\-\u2013\u2014\u2018\u2019\u201c\u201d]")


def _looks_like_text(text: str) -> bool:
    """Whether the text is words someone wrote, not bytes decoded into replacement marks."""
    return len(_TEXT_CHARS.findall(text)) >= 0.9 * len(text)
