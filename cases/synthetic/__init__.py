"""The generator of synthetic letters for tests, benchmarks and the sample archive: one
letter (``letters``) from word tables (``vocab``, ``words``) and sentences (``prose``), laid
out and damaged like a PDF's text (``layout``), for a ``Profile``: ``SAMPLE`` (the default)
or ``BENCHMARK``. Every letter says it is synthetic."""

from __future__ import annotations

from cases.synthetic.letters import (
    BENCHMARK,
    LAYOUTS,
    NOISE_KINDS,
    PROFILES,
    SAMPLE,
    SYNTHETIC_LINE,
    Profile,
    SyntheticLetter,
    generate_letter,
    tail_word,
    tail_words,
    wrap,
    write_corpus,
)

__all__ = ["BENCHMARK", "LAYOUTS", "NOISE_KINDS", "PROFILES", "SAMPLE", "SYNTHETIC_LINE",
           "Profile", "SyntheticLetter", "generate_letter", "tail_word", "tail_words", "wrap",
           "write_corpus"]
