"""Per-field accuracy of the treatment fields (drugs, body regions, laterality, quantity):
on the hand-labelled real letters and on generated letters against their ground truth.
Shared by ``bench_parse`` and ``tests/test_treatment_fields.py``."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cases.parsing import ParseError, parse_determination, parse_file
from cases.synthetic import BENCHMARK, generate_letter

FIELDS = ("drugs", "body_regions", "laterality", "quantity")
Fields = dict[str, object]


@dataclass
class Accuracy:
    """Items compared, items right per field, and the first few misses."""

    items: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[str] = field(default_factory=list)

    def add(self, where: str, got: Fields | None, expected: Fields) -> None:
        """Compare one item's fields (None: the parser did not find the item)."""
        self.items += 1
        for name in FIELDS:
            if got is not None and got[name] == expected[name]:
                self.right[name] += 1
            elif len(self.misses) < 50:
                self.misses.append(f"{where} {name}: {got and got[name]!r} != "
                                   f"{expected[name]!r}")

    def share(self, name: str) -> float:
        """The share of items whose ``name`` field is right."""
        return self.right[name] / self.items if self.items else 0.0

    def lines(self, title: str) -> list[str]:
        """One line per field, for a report."""
        return [f"{title}: {self.items:,} items"] + [
            f"  {name:13} {self.share(name):7.2%}  ({self.right[name]:,}/{self.items:,})"
            for name in FIELDS]


def item_fields(item: dict[str, object]) -> Fields:
    """The four treatment fields of an item of ``to_dict()``, as JSON would give them."""
    return json.loads(json.dumps({name: item[name] for name in FIELDS}))


def _compare(accuracy: Accuracy, where: str, items: Iterable[dict[str, object]],
             expected: dict[str, Fields]) -> None:
    found = {str(n): item_fields(item) for n, item in enumerate(items, 1)}
    for number, fields in expected.items():
        accuracy.add(f"{where}#{number}", found.get(number), fields)


def measure_real(texts: Path, labels: Path) -> Accuracy:
    """The parser against the hand labels of real letters (``{case: {item: fields}}``)."""
    accuracy = Accuracy()
    for case, expected in sorted(json.loads(labels.read_text()).items()):
        parsed = parse_file(texts / f"{case}.txt")
        _compare(accuracy, case, parsed.to_dict()["items"], expected)  # type: ignore[arg-type]
    return accuracy


def measure_generated(count: int, seed: int) -> Accuracy:
    """The parser against the ground truth of ``count`` letters generated from ``seed``."""
    accuracy = Accuracy()
    rng = random.Random(seed)
    for index in range(1, count + 1):
        letter = generate_letter(rng, index, profile=BENCHMARK)
        truth_items = letter.truth["items"]
        assert isinstance(truth_items, list)
        expected = {str(n): {name: item[name] for name in FIELDS}
                    for n, item in enumerate(truth_items, 1)}
        try:
            items = parse_determination(letter.text).to_dict()["items"]
        except ParseError:
            items = ()
        _compare(accuracy, letter.filename, items, expected)  # type: ignore[arg-type]
    return accuracy
