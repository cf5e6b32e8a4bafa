"""Determinations and their items built in tests without a letter: synthetic values that
the models accept, each overridable (``DeterminationFactory(case_outcome="Upheld")``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import factory

from cases.models import Determination, DisputedItem
from cases.parsing import PARSER_VERSION
from cases.parsing.treatment import treatment_fields
from cases.synthetic import BENCHMARK, write_corpus


class DeterminationFactory(factory.django.DjangoModelFactory):
    """A stored determination of a synthetic letter, with no items unless given."""

    class Meta:
        model = Determination

    case_number = factory.Sequence(lambda n: f"CM16-9{n:06d}")
    public_id = factory.SelfAttribute("case_number")
    decision_date = date(2016, 12, 9)
    case_outcome = "Upheld"
    specialty_names = factory.LazyFunction(lambda: ["Pain Management"])
    layout = "table"
    original_text = "A synthetic letter."
    source_name = factory.LazyAttribute(lambda d: f"{d.public_id}.txt")
    content_hash = factory.Sequence(lambda n: f"synthetic-{n}")
    parser_version = PARSER_VERSION


class DisputedItemFactory(factory.django.DjangoModelFactory):
    """One disputed item of a determination (made with it unless given)."""

    class Meta:
        model = DisputedItem

    determination = factory.SubFactory(DeterminationFactory)
    position = factory.Sequence(lambda n: n + 1)
    treatment = "Physical therapy x6"
    decision = "Upheld"
    category = "Physical Medicine"
    # What the parser reads from the heading, as an import stores it.
    drugs = factory.LazyAttribute(lambda item: list(treatment_fields(item.treatment).drugs))
    body_regions = factory.LazyAttribute(
        lambda item: list(treatment_fields(item.treatment).body_regions))
    laterality = factory.LazyAttribute(
        lambda item: treatment_fields(item.treatment).laterality or "")
    quantity_value = factory.LazyAttribute(
        lambda item: (q := treatment_fields(item.treatment).quantity) and q.value)
    quantity_unit = factory.LazyAttribute(
        lambda item: (q := treatment_fields(item.treatment).quantity) and q.unit or "")


def letter_batches(folder: Path, count: int = 24, first: int = 16) -> tuple[Path, Path]:
    """``count`` clean synthetic letter files (seed 2020) in two folders under ``folder``: the
    first ``first`` of them, to import before a test's step, and the rest, to import during it."""
    corpus = folder / "corpus"
    write_corpus(corpus, count=count, seed=2020, noise_share=0, profile=BENCHMARK)
    before, after = folder / "first", folder / "second"
    before.mkdir()
    after.mkdir()
    for n, path in enumerate(sorted(corpus.glob("synthetic-*.txt")), start=1):
        path.rename((before if n <= first else after) / path.name)
    return before, after
