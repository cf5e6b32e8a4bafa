"""The rows of an alert e-mail: each letter as the search page lists it (its matching items
first and marked, the link opening the case at the first of them with the search's words
marked), with absolute links and the letter's words as plain text, which the e-mail's
templates escape."""

from __future__ import annotations

from cases.presentation.display import result_row
from cases.selectors.result_letters import ResultLetter


def alert_row(letter: ResultLetter, *, items: tuple[int, ...] | None, state: str,
              terms: tuple[str, ...], base_url: str) -> dict[str, object]:
    """One letter of a digest; ``items`` are the numbers of its matching items (None: the
    search has no item-level condition)."""
    row = result_row(letter, search_state=state, terms=terms, passing=items)
    plain = {item.position: item.treatment for item in letter.items}
    shown: list[dict[str, object]] = row["items"]  # type: ignore[assignment]
    return {
        **row,
        "url": f"{base_url}{row['url']}",
        "more_url": f"{base_url}{row['more_url']}" if row["more_url"] else "",
        "items": [{**item, "treatment": plain[item["position"]]}  # type: ignore[index]
                  for item in shown],
        "snippet": "",
    }
