"""Pure helpers that turn a query and its results into what the search templates loop over.

Facet values come out datasette-style, as plain dicts ``{value, label, count, toggle_url,
selected}``, so the templates only loop and print.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote_plus

from cases.forms import default_sort, encode, query_params, query_string
from cases.models import REASON_LABELS, GuidelineAgreement
from cases.presentation.display import query_terms
from cases.search.base import FACETS, FacetValue, ItemCount, SearchQuery, SearchResults

TOP_VALUES = 8


def url_for(query: SearchQuery, base_url: str) -> str:
    """The URL of the search page showing ``query``."""
    encoded = query_string(query)
    return f"{base_url}?{encoded}" if encoded else base_url


def toggle_value(query: SearchQuery, facet: str, value: str) -> SearchQuery:
    """``query`` with one facet value selected if it was not, unselected if it was; page 1."""
    current = query.filters.get(facet, ())
    values = (tuple(v for v in current if v != value) if value in current
              else (*current, value))
    filters = {name: vals for name, vals in query.filters.items() if name != facet}
    if values:
        filters[facet] = values
    return replace(query, filters=filters, page=1)


def clear_facet(query: SearchQuery, facet: str) -> SearchQuery:
    """``query`` without any selection of ``facet``; page 1."""
    return replace(query, filters={k: v for k, v in query.filters.items() if k != facet},
                   page=1)


def clear_filters(query: SearchQuery) -> SearchQuery:
    """``query`` without any facet selection or quantity range (text, dates and sort kept);
    page 1."""
    return replace(query.without(quantity=True), filters={})


def quantity_label(query: SearchQuery) -> str:
    """The quantity range as a person says it: "7 or more sessions", "1–6 count"."""
    unit = query.quantity_unit or "(any unit)"
    low, high = query.quantity_min, query.quantity_max
    if low is not None and high is not None:
        amount = f"{low:g}" if low == high else f"{low:g}–{high:g}"
    elif low is not None:
        amount = f"{low:g} or more"
    elif high is not None:
        amount = f"up to {high:g}"
    else:
        return f"any quantity in {unit}" if query.quantity_unit else "any stated quantity"
    return f"{amount} {unit}"


# A page links two or three hundred facet values, the same ones page after page: each
# value's id and URL-encoded form are worked out once (a few thousand values in all).
KEPT_VALUES = 8192


@lru_cache(maxsize=KEPT_VALUES)
def _dom_id(facet: str, value: str) -> str:
    # Stable across swaps, so htmx can give focus back to the link that was clicked.
    return f"facet-{facet}-{hashlib.sha1(value.encode()).hexdigest()[:10]}"


_quoted = lru_cache(maxsize=KEPT_VALUES)(quote_plus)


def facet_values(facet: str, values: Sequence[FacetValue], query: SearchQuery,
                 base_url: str) -> list[dict]:
    """Values of one facet as the template shows them, each with the URL that toggles it,
    ``url_for(toggle_value(query, facet, value), base_url)``. A results page links a hundred
    or more values: the parameters of the other facets, the text, dates and sort are the
    same in every link, so they are encoded once."""
    current = query.filters.get(facet, ())
    others = query_params(replace(query, filters={**query.filters, facet: ()}, page=1))
    before = list(FACETS)[:list(FACETS).index(facet)]
    cut = bool(query.text) + sum(len(query.filters.get(name, ())) for name in before)
    head, tail = encode(others[:cut]), encode(others[cut:])
    selected = encode((facet, v) for v in current)
    key = quote_plus(facet)

    def url(value: str) -> str:
        if value in current:  # unticking: the facet's other values
            middle = encode((facet, v) for v in current if v != value)
        else:
            middle = "&".join(filter(None, (selected, f"{key}={_quoted(value)}")))
        encoded = "&".join(filter(None, (head, middle, tail)))
        return f"{base_url}?{encoded}" if encoded else base_url

    labels = VALUE_LABELS.get(facet, {})
    return [{"value": v.value, "label": labels.get(v.value, v.label), "count": v.count,
             "selected": v.selected, "toggle_url": url(v.value), "id": _dom_id(facet, v.value)}
            for v in values]


# Facet values stored as codes, as people read them.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "reason": REASON_LABELS,
    "same_guideline": {str(value): str(label) for value, label in GuidelineAgreement.choices},
}


def facet_groups(facets: dict[str, list[FacetValue]], query: SearchQuery, *,
                 base_url: str, top: int = TOP_VALUES,
                 rest_url: Callable[[str], str] | None = None) -> list[dict]:
    """Every facet with values, in page order: its top values, the rest, and a clear link.

    With ``rest_url`` (a facet's name to the address of all its values), the rest of a
    facet is only counted, and its link given: the page loads them when asked. A results
    page holds sixteen facets and two hundred and fifty values, three in five of them behind
    "Show all"; written out, they were most of the page's bytes and of its rendering. The
    rest is written out still when one of its values is selected, to be unticked."""
    groups = []
    for name, label in FACETS.items():
        selected = query.filters.get(name, ())
        values = list(facets.get(name, ()))
        known = {v.value for v in values}
        # A selected value must stay visible, or it could never be unticked.
        values += [FacetValue(v, v, 0, True) for v in selected if v not in known]
        if not values:
            continue
        more_selected = any(v.selected for v in values[top:])
        later = rest_url is not None and not more_selected
        rows = facet_values(name, values[:top] if later else values, query, base_url)
        groups.append({
            "name": name,
            "label": label,
            "values": rows[:top],
            "more": rows[top:],
            "more_count": len(values) - len(rows[:top]),
            "more_url": rest_url(name) if later and len(values) > top else "",
            "more_selected": more_selected,
            "count": len(values),
            "selected": [row for row in rows if row["selected"]],
            "clear_url": url_for(clear_facet(query, name), base_url) if selected else "",
        })
    return groups


def facet_group(name: str, facets: dict[str, list[FacetValue]], query: SearchQuery, *,
                base_url: str) -> dict:
    """One facet as ``facet_groups`` gives it, every value written out; without values, an
    empty one."""
    counted = {name: facets.get(name, [])}
    found = [g for g in facet_groups(counted, query, base_url=base_url) if g["name"] == name]
    return found[0] if found else {"name": name, "label": FACETS[name], "values": [],
                                   "more": [], "count": 0}


def active_filters(query: SearchQuery, *, base_url: str) -> list[dict]:
    """The selected facet values, each with the URL that removes it."""
    chips = [
        {"facet": FACETS.get(name, name), "label": VALUE_LABELS.get(name, {}).get(value, value),
         "remove_url": url_for(toggle_value(query, name, value), base_url)}
        for name in FACETS for value in query.filters.get(name, ())
    ]
    if query.quantity_range:
        chips.append({"facet": "Requested quantity", "label": quantity_label(query),
                      "remove_url": url_for(query.without(quantity=True), base_url)})
    return chips


def hidden_fields(query: SearchQuery) -> list[tuple[str, str]]:
    """The state the search box must send along with a new text: filters and a chosen sort."""
    fields = [(name, value) for name, values in query.filters.items() for value in values]
    # The quantity range is sent by its own inputs, in the form.
    if query.sort != default_sort(query.text):
        fields.append(("sort", query.sort))
    return fields


def _items_phrase(total: int) -> str:
    return f"{total:,} disputed item{'s' if total != 1 else ''}"


def _letters_phrase(total: int) -> str:
    return f"{total:,} determination{'s' if total != 1 else ''}"


def outcome_split(results: SearchResults, query: SearchQuery | None = None) -> dict | None:
    """Upheld versus overturned items of the whole result set, with percentages, and what
    they count: the items meeting every item-level condition, or every item of the matching
    letters (plain words match whole letters, so their rates include the letters' other
    items)."""
    upheld, overturned = results.items_upheld, results.items_overturned
    total = upheld + overturned
    if not total:
        return None
    overturned_pct = round(100 * overturned / total)
    items, letters = _items_phrase(total), _letters_phrase(results.total)
    if results.items_matching_only:
        scope = f"{items} matching the item conditions, in {letters}"
    elif query is not None and query.text:
        scope = f"all {items} of the {letters}, whichever item the words matched"
    else:
        scope = items
    return {"upheld": upheld, "overturned": overturned, "total": total,
            "overturned_pct": overturned_pct, "upheld_pct": 100 - overturned_pct,
            "scope": scope}


def offer_link(query: SearchQuery, offered: SearchQuery | None, counted: ItemCount | None,
               *, base_url: str) -> dict | None:
    """The one-click item-level search for words that matched whole letters: "only items
    whose treatment mentions norco or tramadol", with its counts once they are known (the
    page asks for them after it is shown: they cost a second search)."""
    if offered is None:
        return None
    words = list(query_terms(query.text))
    named = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else "".join(words)
    link: dict[str, object] = {"url": url_for(offered, base_url), "words": named or query.text}
    if counted is not None:
        link.update(counted=_items_phrase(counted.items), letters=_letters_phrase(counted.letters),
                    overturned_pct=round(100 * counted.overturned / counted.items)
                    if counted.items else 0)
    return link


def page_window(page: int, pages: int, *, radius: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last, and ``radius`` around ``page``; None = gap."""
    if pages <= 1:
        return []
    shown = {1, pages, *range(max(1, page - radius), min(pages, page + radius) + 1)}
    window: list[int | None] = []
    for number in sorted(shown):
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window


def alternative_links(alternatives: Sequence[tuple[str, SearchQuery, int]], *,
                      base_url: str) -> list[dict]:
    """Searches that would find something, each as ``{label, url, count}``."""
    return [{"label": label, "url": url_for(alternative, base_url), "count": count}
            for label, alternative, count in alternatives if count]


def typed_filter_link(query: SearchQuery, typed: Sequence[tuple[str, str]], *,
                      base_url: str) -> dict | None:
    """For facets typed in the box as fields ("decision:overturned"): the search with those
    filters instead, as ``{label, url}`` ("Item decision = Overturned")."""
    if not typed:
        return None
    filters = dict(query.filters)
    for facet, value in typed:
        filters[facet] = tuple(dict.fromkeys((*filters.get(facet, ()), value)))
    label = ", ".join(f"{FACETS[facet]} = {VALUE_LABELS.get(facet, {}).get(value, value)}"
                      for facet, value in typed)
    return {"label": label, "url": url_for(replace(query, filters=filters, page=1), base_url)}


def suggestion_link(query: SearchQuery, suggestion: str | None, *, base_url: str) -> dict | None:
    """The "Did you mean …?" search, keeping the filters."""
    if not suggestion or suggestion == query.text:
        return None
    return {"text": suggestion, "url": url_for(replace(query, text=suggestion, page=1), base_url)}

