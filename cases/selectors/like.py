"""Cases like mine: the requests read from a pasted denial, each with the nearest decided items
for the same request and how the whole same-request search went. Views call ``cases_like``;
the nearness is the backend's (``SearchBackend.nearest_items``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cases.models import Determination, DisputedItem
from cases.parsing.drugs import principal_drugs
from cases.parsing.quantities import Quantity
from cases.parsing.requests import PastedRequest, find_requests
from cases.search import get_backend
from cases.search.base import ItemRequest, SearchError, SearchQuery

MAX_TEXT = 20_000
MAX_REQUESTS = 10
NEIGHBOURS = 10
SIMILAR_PER_ITEM = 3  # on a case page, under each disputed item
MAX_SIMILAR_ITEMS = 12  # a case page compares at most this many of its items


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


def _answers(requests: Sequence[PastedRequest], facts: str, limit: int,
             exclude: str | None) -> list[LikeRequest]:
    asked = [item_request(request, facts) for request in requests]
    found = get_backend().nearest_items(asked, limit=limit, exclude=exclude)
    ids = {m.id for neighbours in found for m in neighbours.matches}
    stored = Determination.objects.for_results().in_bulk(ids, field_name="public_id")
    answers = []
    for request, question, neighbours in zip(requests, asked, found, strict=True):
        near = []
        for match in neighbours.matches:
            determination = stored.get(match.id)
            item = next((i for i in determination.items.all() if i.position == match.item),
                        None) if determination else None
            if determination is not None and item is not None:
                near.append(Neighbour(determination, item, match.score))
        answers.append(LikeRequest(request, question.query(), neighbours.upheld,
                                   neighbours.overturned, tuple(near)))
    return answers


def cases_like(text: str, edited: Sequence[str] = (), *, limit: int = NEIGHBOURS,
               exclude: str | None = None) -> list[LikeRequest]:
    """For each request of ``text`` (or of the ``edited`` request lines): its neighbours and
    the outcome of its same-request search. ``exclude``: a letter to leave out. What tells
    its overturned neighbours from its upheld ones is asked apart (``telling_terms`` of
    ``LikeRequest.query``): it reads hundreds of rationales, and the page shows the
    neighbours without waiting for it."""
    return _answers(understood(text, edited), text, limit, exclude)


def stored_request(item: DisputedItem) -> PastedRequest:
    """A decided item as a request, to find the items like it."""
    quantity = (Quantity(item.quantity_value, item.quantity_unit)
                if item.quantity_value is not None and item.quantity_unit else None)
    return PastedRequest(item.treatment, item.category, item.subcategory, tuple(item.drugs),
                         tuple(item.body_regions), item.laterality or None, quantity)


def similar_items(determination: Determination, items: Sequence[DisputedItem], *,
                  limit: int = SIMILAR_PER_ITEM) -> dict[int, LikeRequest]:
    """For each disputed item of a letter (the first ``MAX_SIMILAR_ITEMS``): the decided
    items of other letters nearest it, and its same-request outcome; none when the index
    cannot answer (the case page still shows)."""
    compared = list(items[:MAX_SIMILAR_ITEMS])
    try:
        answers = _answers([stored_request(item) for item in compared],
                           determination.summary, limit, determination.public_id)
    except SearchError:
        return {}
    return {item.position: answer for item, answer in zip(compared, answers, strict=True)}
