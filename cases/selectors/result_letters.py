"""The letters a page of results lists, read as plain records: what a row of the search
page, of the API's results or of an alert e-mail shows, and the text its snippet is cut
from.

A page reads twenty letters and their items on every search. As model instances, with the
items prefetched, that was 5-6 ms of a search whose engine takes 2 ms at 100,000 letters;
two ``values_list`` queries read the same columns in about 2 ms. Rows never change a
letter, so they need nothing of a model instance but its columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from cases.addresses import case_address
from cases.models import Determination, DisputedItem, requested_quantity


@dataclass(frozen=True, slots=True)
class ResultItem:
    """One disputed item of a listed letter."""

    position: int
    treatment: str
    decision: str
    category: str
    subcategory: str
    drugs: list[str]
    body_regions: list[str]
    quantity_value: float | None
    quantity_unit: str
    rationale: str

    @property
    def quantity(self) -> dict[str, float | int | str] | None:
        """The requested quantity as the parser's JSON gives it, or None."""
        return requested_quantity(self.quantity_value, self.quantity_unit)


@dataclass(frozen=True, slots=True)
class ResultLetter:
    """One listed letter, with its items in their order."""

    public_id: str
    case_number: str
    decision_date: date | None
    case_outcome: str
    specialty_names: list[str]
    state_names: list[str]
    summary: str
    items: tuple[ResultItem, ...]

    def get_absolute_url(self) -> str:
        return case_address(self.public_id)

    @property
    def snippet_text(self) -> str:
        """The text snippets are cut from: the summary and the items' rationales."""
        return "\n".join([self.summary, *(item.rationale for item in self.items)])


_LETTER_COLUMNS = ("pk", "public_id", "case_number", "decision_date", "case_outcome",
                   "specialty_names", "state_names", "summary")
_ITEM_COLUMNS = ("determination_id", "position", "treatment", "decision", "category",
                 "subcategory", "drugs", "body_regions", "quantity_value", "quantity_unit",
                 "rationale")


def result_letters(public_ids: Iterable[str]) -> dict[str, ResultLetter]:
    """The stored letters of ``public_ids`` by public id (ids not stored are left out)."""
    letters = list(Determination.objects.filter(public_id__in=list(public_ids))
                   .order_by().values_list(*_LETTER_COLUMNS))
    if not letters:
        return {}
    items: dict[int, list[ResultItem]] = defaultdict(list)
    for pk, *columns in (DisputedItem.objects.filter(determination_id__in=[row[0] for row in
                                                                           letters])
                         .order_by("determination_id", "position")
                         .values_list(*_ITEM_COLUMNS)):
        items[pk].append(ResultItem(*columns))
    return {public_id: ResultLetter(public_id, *columns, items=tuple(items[pk]))
            for pk, public_id, *columns in letters}


def snippet_texts(public_ids: Sequence[str]) -> dict[str, str]:
    """Text to cut snippets from, by public id: the summary and the rationales."""
    return {public_id: letter.snippet_text
            for public_id, letter in result_letters(public_ids).items()}
