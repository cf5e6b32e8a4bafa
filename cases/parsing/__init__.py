"""From a letter file to a typed value, with no database: reading and cleaning the text
(``text``), the letter's fields (``letter``), its disputed items (``items``), dates
(``dates``), the treatment taxonomy (``taxonomy``) and each item's treatment fields
(``treatment``, with ``drugs`` and ``quantities``)."""

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
from cases.parsing.treatment import Quantity, TreatmentFields, treatment_fields

__all__ = ["PARSER_VERSION", "DisputedItem", "ParseError", "ParsedDetermination", "Quantity",
           "TreatmentFields", "identity_digest", "parse_determination", "parse_file",
           "treatment_fields"]
