"""The generator of synthetic letters for tests, benchmarks and the sample archive: one
letter (``letters``) from word tables (``vocab``) and sentences (``prose``), laid out and
damaged like a PDF's text (``layout``). Every letter says it is synthetic."""

from __future__ import annotations

from cases.synthetic.letters import (
    LAYOUTS,
    NOISE_KINDS,
    SYNTHETIC_LINE,
    SyntheticLetter,
    generate_letter,
    tail_word,
    tail_words,
    wrap,
    write_corpus,
)

__all__ = ["LAYOUTS", "NOISE_KINDS", "SYNTHETIC_LINE", "SyntheticLetter", "generate_letter",
           "tail_word", "tail_words", "wrap", "write_corpus"]
