"""From a letter file to a typed value, with no database: reading and cleaning the text
(``text``), the letter's fields (``letter``), its disputed items (``items``), dates
(``dates``) and the treatment taxonomy (``taxonomy``)."""

from __future__ import annotations

from cases.parsing.letter import (
    PARSER_VERSION,
    DisputedItem,
    ParsedDetermination,
    ParseError,
    identity_digest,
    parse_determination,
    parse_file,
)

__all__ = ["PARSER_VERSION", "DisputedItem", "ParseError", "ParsedDetermination",
           "identity_digest", "parse_determination", "parse_file"]
