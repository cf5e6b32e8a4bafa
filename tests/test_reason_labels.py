"""The reasons classifier measured against the hand-labelled reasons of the real letters'
items (``tests/data/reason_labels.json``; the labeller's rules are in ``reason_labels.md``).

The split: a letter's items are DEV when the last byte of the SHA-256 of its file name (UTF-8)
is even, HELD-OUT when it is odd, so all items of one letter fall on one side and the split
never changes. It gives 143 DEV and 142 HELD-OUT items, with 7 and 6 overturned ones. The
label ``other`` is no classifier reason and is left out.

HELD-OUT is no longer untouched. The rules in ``cases/parsing/reasons`` were first tuned by
reading DEV disagreements only, and HELD-OUT was measured once after that (``not_recommended``
recall 0.73 there). The ``not_recommended`` misses of both halves were then read to write the
later rules (a drug for a condition the patient is not shown to have, the weakest evidence of
its class, no benefit over the first-line drug, treatment still under study, an imaging method
other than the preferred one, "the guidelines do not support X" as the reviewer's words). So
the HELD-OUT figures now overstate what the rules would do on letters nobody has read; only
newly labelled letters can measure that again.

Run with ``-s`` to see the three tables. The floors below are a regression guard: the figures
reached on ALL when the rules were last tuned, less 0.05. The target is 0.85 for each figure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache

from cases.parsing import parse_file
from cases.parsing.reasons import REASONS, classify_reasons
from tests.conftest import DATA, REAL_TEXTS, need

CODES = [rule.code for rule in REASONS]
# ALL figures at the last tuning (precision, recall), each less 0.05 and rounded down. ALL was
# then FI 0.97/1.00, exceeds 0.98/0.96, not_recommended 0.98/0.96, conservative 1.00/0.94,
# monitoring 1.00/1.00, documentation 0.96/0.98, criteria_met 1.00/1.00.
FLOORS = {
    "no_functional_improvement": (0.91, 0.95),
    "exceeds_guideline_quantity": (0.92, 0.90),
    "not_recommended": (0.92, 0.91),
    "conservative_care": (0.95, 0.88),
    "monitoring_missing": (0.95, 0.95),
    "insufficient_documentation": (0.91, 0.93),
    "criteria_met": (0.95, 0.95),
}


@dataclass(frozen=True)
class Scored:
    """One labelled item: its side of the split, the labelled codes and the classified ones."""

    file: str
    item: int
    side: str
    labelled: frozenset[str]
    classified: frozenset[str]


@dataclass(frozen=True)
class Figures:
    """One reason's counts over a set of items."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def side_of(file: str) -> str:
    """DEV or HELD-OUT, by the parity of the last byte of the file name's SHA-256."""
    return "DEV" if hashlib.sha256(file.encode()).digest()[-1] % 2 == 0 else "HELD-OUT"


@cache
def scored_items() -> tuple[Scored, ...]:
    """Every labelled item, classified from the parsed letter's rationale and decision."""
    texts = need(REAL_TEXTS)
    labels = json.loads((DATA / "reason_labels.json").read_text(encoding="utf-8"))
    letters = {name: parse_file(texts / name) for name in {label["file"] for label in labels}}
    scored = []
    for label in labels:
        item = letters[label["file"]].items[label["item"] - 1]
        classified = {r.code for r in classify_reasons(item.rationale, item.decision)}
        scored.append(Scored(label["file"], label["item"], side_of(label["file"]),
                             frozenset(label["reasons"]) - {"other"}, frozenset(classified)))
    return tuple(scored)


def figures(items: list[Scored]) -> dict[str, Figures]:
    """Each reason's true positives, false positives and false negatives over ``items``."""
    return {code: Figures(sum(code in i.classified and code in i.labelled for i in items),
                          sum(code in i.classified and code not in i.labelled for i in items),
                          sum(code not in i.classified and code in i.labelled for i in items))
            for code in CODES}


def format_table(name: str, items: list[Scored]) -> str:
    """The per-reason table printed for one set of items."""
    lines = [f"{name} ({len(items)} items)"]
    for code, f in figures(items).items():
        lines.append(f"  {code:28} tp {f.tp:3} fp {f.fp:3} fn {f.fn:3}  "
                     f"precision {f.precision:.2f} recall {f.recall:.2f}")
    return "\n".join(lines)


def test_reason_labels_split_keeps_letters_whole_and_overturned_items_on_both_sides() -> None:
    items = scored_items()
    sides = {}
    for i in items:
        assert sides.setdefault(i.file, i.side) == i.side
    for side in ("DEV", "HELD-OUT"):
        assert any(i.side == side and "criteria_met" in i.labelled for i in items)
    assert len(items) == 285


def test_reason_labels_all_items_meet_the_regression_floors() -> None:
    items = list(scored_items())
    print()
    for name in ("DEV", "HELD-OUT"):
        print(format_table(name, [i for i in items if i.side == name]))
    print(format_table("ALL", items))
    below = {code: (round(f.precision, 2), round(f.recall, 2))
             for code, f in figures(items).items()
             if f.precision < FLOORS[code][0] or f.recall < FLOORS[code][1]}
    assert below == {}

