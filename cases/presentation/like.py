"""What the "cases like mine" page and its JSON print for each understood request: its
fields, the outcome of its same-request search with the interval, the link to that search,
and each neighbour with its deciding sentence. Computed here; the template only prints."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.utils import dateformat

from cases.forms import query_string
from cases.presentation.outcomes import Rate
from cases.search.base import SearchQuery
from cases.selectors.like import LikeRequest, Neighbour
from cases.selectors.telling import TellingTerms, term_query

# Sentences of a rationale: a stop, then a capital or an opening parenthesis.
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
# A sentence that decides: it says the request is (not) necessary, recommended, supported…
_DECIDES = re.compile(
    r"medically necessary|\b(?:not |non-?)?(?:recommended|certified|supported|indicated|"
    r"appropriate|warranted)\b", re.IGNORECASE)
# … and one that says why: a reason, not only the verdict.
_BECAUSE = re.compile(
    r"\b(?:because|since|as (?:there|the|no)|given|without|absence|lack|no (?:documented|"
    r"evidence|documentation|objective)|not documented|exceed|beyond|limited to|allow|up to|"
    r"fail|trial)\w*", re.IGNORECASE)
LONGEST_SENTENCE = 400


def deciding_sentence(rationale: str) -> str:
    """The sentence of a rationale that decides and says why: the last deciding sentence
    with a reason; else the last sentence giving a reason (a verdict alone, "the request is
    not medically necessary", tells a reader nothing new); else the last deciding one, else
    the last sentence (shortened)."""
    sentences = [s for s in _SENTENCES.split(" ".join(rationale.split())) if s]
    if not sentences:
        return ""
    deciding = [s for s in sentences if _DECIDES.search(s)]
    reasoned = [s for s in deciding if _BECAUSE.search(s)]
    reasons = [s for s in sentences if _BECAUSE.search(s)]
    chosen = (reasoned or reasons or deciding or sentences)[-1]
    if len(chosen) > LONGEST_SENTENCE:
        chosen = chosen[:LONGEST_SENTENCE - 1].rsplit(" ", 1)[0] + "…"
    return chosen


def _quantity(answer: LikeRequest) -> dict[str, object] | None:
    quantity = answer.request.quantity
    if quantity is None:
        return None
    value = quantity.value
    return {"value": int(value) if float(value).is_integer() else value, "unit": quantity.unit}


def _result(n: Neighbour, state: str, absolute: Callable[[str], str] | None,
            ) -> dict[str, object]:
    determination, item = n.determination, n.item
    url = f"{determination.get_absolute_url()}?{state}#item-{item.position}"
    decided = determination.decision_date
    result: dict[str, object] = {
        "id": determination.public_id,
        "url": absolute(url) if absolute else url,
        "item": item.position,
        "treatment": item.treatment,
        "decision": item.decision,
        "specialties": list(determination.specialty_names),
        "decision_date": decided.isoformat() if decided else None,
        "deciding_sentence": deciding_sentence(item.rationale),
        "score": n.score,
    }
    if absolute is None:  # what only the page shows
        result["title"] = determination.case_number or determination.public_id
        result["decided"] = dateformat.format(decided, "M j, Y") if decided else ""
    return result


def request_rows(answers: list[LikeRequest], *, search_url: str, telling_url: str,
                 absolute: Callable[[str], str] | None = None) -> list[dict[str, object]]:
    """Each understood request as the page shows it; with ``absolute`` (which makes a URL
    absolute), as the API gives it. ``telling_url``: where what tells the request's
    overturned neighbours from its upheld ones is asked (for the same search)."""
    rows = []
    for answer in answers:
        request, state = answer.request, query_string(answer.query)
        row: dict[str, object] = {
            "treatment": request.treatment,
            "category": request.category,
            "subcategory": request.subcategory,
            "drugs": list(request.drugs),
            "body_regions": list(request.body_regions),
            "laterality": request.laterality,
            "quantity": _quantity(answer),
            "search_url": f"{search_url}?{state}",
            "outcome": {"items": answer.items, "overturned": answer.overturned},
            "results": [_result(n, state, absolute) for n in answer.neighbours],
            "telling_url": f"{telling_url}?{state}",
        }
        if absolute is None:
            row["rate"] = Rate(request.treatment, answer.items, answer.overturned)
        else:
            row["search_url"] = absolute(str(row["search_url"]))
            row["telling_url"] = absolute(str(row["telling_url"]))
        rows.append(row)
    return rows


def telling_sides(query: SearchQuery, telling: TellingTerms, *, search_url: str,
                  absolute: Callable[[str], str] | None = None) -> dict[str, object]:
    """The terms that tell the overturned items of ``query`` from its upheld ones, each
    with the search (``query`` narrowed) for the items of that side using it, and how many
    items of each side were read."""
    sides: dict[str, object] = {
        "items": {"overturned": telling.items[0], "upheld": telling.items[1]},
        "limited": telling.limited, "read": sum(telling.items)}
    for side, decision, terms in (("overturned", "Overturned", telling.overturned),
                                  ("upheld", "Upheld", telling.upheld)):
        rows = []
        for term in terms:
            url = f"{search_url}?{query_string(term_query(query, term.text, decision))}"
            rows.append({"term": term.text, "z": round(term.z, 2),
                         "overturned_items": term.overturned_items,
                         "upheld_items": term.upheld_items,
                         "url": absolute(url) if absolute else url})
        sides[side] = rows
    return sides


SEE_ALL_FACTS = 2_000  # characters of a summary a "see all" link carries to /like/


def similar_rows(similar: dict[int, LikeRequest], facts: str, *, search_url: str,
                 like_url: str, telling_url: str) -> dict[int, dict[str, object]]:
    """Each item's similar decided requests as the case page shows them, with the link that
    opens them all on the cases-like-mine page."""
    rows = {}
    for position, answer in similar.items():
        (row,) = request_rows([answer], search_url=search_url, telling_url=telling_url)
        row["see_all"] = f"{like_url}?" + urlencode(
            {"request": answer.request.treatment, "text": facts[:SEE_ALL_FACTS]})
        rows[position] = row
    return rows
