"""The generator of synthetic letters for tests, benchmarks and the sample archive: one
letter and its truth (``letters``), assembled from a case, its reviewer and its summary
(``case``) and its disputed items (``items``), written from word tables (``vocab``) and
sentences (``prose``), with the long tail of a real archive's vocabulary (``tail``: made-up
words, or real ones from ``words``), laid out and damaged like a PDF's text (``layout``), for
a ``Profile``: ``SAMPLE`` (the default) or ``BENCHMARK``. Every letter says it is
synthetic."""

from __future__ import annotations

from cases.synthetic.case import LAYOUTS
from cases.synthetic.layout import SYNTHETIC_LINE, wrap
from cases.synthetic.letters import (
    BENCHMARK,
    NOISE_KINDS,
    PROFILES,
    SAMPLE,
    Profile,
    SyntheticLetter,
    generate_letter,
    write_corpus,
)
from cases.synthetic.tail import tail_word, tail_words

__all__ = ["BENCHMARK", "LAYOUTS", "NOISE_KINDS", "PROFILES", "SAMPLE", "SYNTHETIC_LINE",
           "Profile", "SyntheticLetter", "generate_letter", "tail_word", "tail_words", "wrap",
           "write_corpus"]
