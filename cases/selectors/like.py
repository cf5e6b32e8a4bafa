"""Cases like mine: the requests read from a pasted denial, each with the nearest decided items
for the same request and how the whole same-request search went. Views call ``cases_like``;
the nearness is the backend's (``SearchBackend.nearest_items``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cases.models import Determination, DisputedItem
from cases.parsing.drugs import principal_drugs
from cases.parsing.requests import PastedRequest, find_requests
from cases.search import get_backend
from cases.search.base import ItemRequest, SearchQuery

MAX_TEXT = 20_000
MAX_REQUESTS = 10
NEIGHBOURS = 10


class LikeError(ValueError):
    """The text cannot be compared; the message says what to change."""


@dataclass(frozen=True)
class Neighbour:
    """One decided item near a request, with its letter."""

    determination: Determination
    item: DisputedItem
    score: float


@dataclass(frozen=True)
class LikeRequest:
    """One request understood from the text, its same-request search, and its neighbours."""

    request: PastedRequest
    query: SearchQuery  # the structured part, as a search
    upheld: int
    overturned: int
    neighbours: tuple[Neighbour, ...]

    @property
    def items(self) -> int:
        return self.upheld + self.overturned


def understood(text: str, edited: Sequence[str] = ()) -> list[PastedRequest]:
    """The requests of a pasted text, or of the request lines the user edited (each read
    alone); ``LikeError`` when there is nothing to compare."""
    if not text.strip() and not any(line.strip() for line in edited):
        raise LikeError("Paste the text of a denial, a request for authorization or a "
                        "progress report, or type the treatment requested.")
    if len(text) > MAX_TEXT:
        raise LikeError(f"The text is {len(text):,} characters long; paste at most "
                        f"{MAX_TEXT:,} (the denial's request and rationale are enough).")
    if any(line.strip() for line in edited):
        found = [request for line in edited if line.strip()
                 for request in find_requests(line, limit=1)]
    else:
        found = find_requests(text, limit=MAX_REQUESTS)
    if not found:
        raise LikeError("We could not find a requested treatment in the text; try naming "
                        "it, for example “12 sessions of physical therapy for the lumbar "
                        "spine” or “Norco 10/325mg #120”.")
    return found


def item_request(request: PastedRequest, facts: str) -> ItemRequest:
    """What the backend compares: the request's normalised fields and the text's facts. A
    combination is matched by its principal drug (Norco by hydrocodone, not acetaminophen)."""
    quantity = request.quantity
    return ItemRequest(
        category=request.category, subcategory=request.subcategory,
        drugs=tuple(sorted(principal_drugs(request.drugs))),
        body_regions=tuple(request.body_regions),
        quantity_value=float(quantity.value) if quantity else None,
        quantity_unit=quantity.unit if quantity else "", facts=facts)


def cases_like(text: str, edited: Sequence[str] = (), *, limit: int = NEIGHBOURS,
               exclude: str | None = None) -> list[LikeRequest]:
    """For each request of ``text`` (or of the ``edited`` request lines): its neighbours and
    the outcome of its same-request search. ``exclude``: a letter to leave out."""
    backend = get_backend()
    answers = []
    for request in understood(text, edited):
        asked = item_request(request, text)
        found = backend.nearest_items(asked, limit=limit, exclude=exclude)
        stored = (Determination.objects.for_results()
                  .in_bulk({m.id for m in found.matches}, field_name="public_id"))
        neighbours = []
        for match in found.matches:
            determination = stored.get(match.id)
            item = next((i for i in determination.items.all() if i.position == match.item),
                        None) if determination else None
            if determination is not None and item is not None:
                neighbours.append(Neighbour(determination, item, match.score))
        answers.append(LikeRequest(request, asked.query(), found.upheld, found.overturned,
                                   tuple(neighbours)))
    return answers
