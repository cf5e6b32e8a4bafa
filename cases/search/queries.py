"""What a search asks (``SearchQuery``), and the bands of requested quantity that both the
outcome view and "cases like mine" count in. Re-exported by ``cases.search.base``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

# The outcome view's bands of requested quantity, per unit: (low, high, label), high None
# for "and over". Sessions in the six-visit steps the guidelines count in; counts in the
# 30-day supplies prescriptions come in.
QUANTITY_BANDS: dict[str, tuple[tuple[float, float | None, str], ...]] = {
    "sessions": ((1, 6, "1–6"), (7, 12, "7–12"), (13, 18, "13–18"), (19, 24, "19–24"),
                 (25, None, "over 24")),
    "count": ((1, 30, "1–30"), (31, 60, "31–60"), (61, 90, "61–90"), (91, 120, "91–120"),
              (121, None, "over 120")),
}

# Words too common to mark where a letter shows them (Whoosh's stop list and a few more the
# letters are full of). They are still searched: a search for "no improvement" needs "no";
# only a quoted phrase ("no functional improvement") marks them, as part of the phrase.
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "did", "do",
    "does", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "in", "is",
    "it", "its", "may", "no", "nor", "not", "of", "on", "or", "per", "she", "so", "than",
    "that", "the", "their", "there", "they", "this", "to", "us", "was", "we", "were",
    "when", "which", "who", "will", "with", "yet", "you", "your"})


@dataclass(frozen=True)
class SearchQuery:
    """What the user asked: text, facet selections, dates, sort and page."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    decided_from: date | None = None
    decided_to: date | None = None
    injured_from: date | None = None
    injured_to: date | None = None
    # The quantity one disputed item requests: its unit (any unit if empty) and a range
    # (inclusive; None: open). Item-level: it holds for the item the other item filters pick.
    quantity_unit: str = ""
    quantity_min: float | None = None
    quantity_max: float | None = None
    # Only letters added to the archive after this moment: feeds and alerts ask for what is
    # new. Not a page's state, so no URL carries it.
    added_after: datetime | None = None

    @property
    def quantity_range(self) -> bool:
        """Whether the query asks for a requested quantity."""
        return bool(self.quantity_unit) or self.quantity_min is not None \
            or self.quantity_max is not None

    def without(self, facet: str | None = None, word: str | None = None, *,
                quantity: bool = False) -> SearchQuery:
        """The same query, on its first page, with one facet's selection, one word or the
        quantity range dropped."""
        filters = {k: v for k, v in self.filters.items() if k != facet}
        text = self.text
        if word is not None:
            text = " ".join(w for w in text.split() if w != word)
        dropped = replace(self, filters=filters, text=text, page=1)
        if quantity:
            dropped = replace(dropped, quantity_unit="", quantity_min=None, quantity_max=None)
        return dropped
