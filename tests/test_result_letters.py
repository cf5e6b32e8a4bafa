"""The letters a page of results lists, read as plain records, against the stored models."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.models import Determination
from cases.selectors import result_letters, snippet_texts

pytestmark = pytest.mark.django_db


def test_every_stored_letter_reads_as_its_model_does(archive: Path) -> None:
    """Every letter of the archive (the real ones among them), each column and each item in
    order, as the model instances with their items give them."""
    stored = list(Determination.objects.prefetch_related("items"))
    assert len(stored) >= 300
    letters = result_letters(d.public_id for d in stored)
    assert set(letters) == {d.public_id for d in stored}
    for determination in stored:
        letter = letters[determination.public_id]
        for name in ("public_id", "case_number", "decision_date", "case_outcome",
                     "specialty_names", "state_names", "summary"):
            assert getattr(letter, name) == getattr(determination, name), name
        assert letter.get_absolute_url() == determination.get_absolute_url()
        items = list(determination.items.all())
        assert [i.position for i in letter.items] == [i.position for i in items]
        for read, item in zip(letter.items, items, strict=True):
            for name in ("treatment", "decision", "category", "subcategory", "drugs",
                         "body_regions", "quantity_value", "quantity_unit", "rationale",
                         "quantity"):
                assert getattr(read, name) == getattr(item, name), name
    with_quantity = [i for letter in letters.values() for i in letter.items if i.quantity]
    assert with_quantity and any(i.drugs for i in with_quantity)


def test_snippet_text_is_the_summary_then_each_rationale(archive: Path) -> None:
    determination = Determination.objects.filter(items__position=2).first()
    assert determination is not None
    texts = snippet_texts([determination.public_id, "no-such-letter"])
    assert list(texts) == [determination.public_id]
    rationales = [item.rationale for item in determination.items.order_by("position")]
    assert texts[determination.public_id] == "\n".join([determination.summary, *rationales])


def test_letters_not_stored_are_left_out(archive: Path) -> None:
    assert result_letters([]) == {}
    assert result_letters(["no-such-letter"]) == {}
