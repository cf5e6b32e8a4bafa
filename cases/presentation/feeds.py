"""What the Atom feed of a search says: its title, and for each determination the title,
summary and links of its entry (``FeedContents``), from the page ``cases.selectors.feeds``
read. The syndication framework writes the XML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join

from cases.forms import default_sort, query_string
from cases.models import Determination, DisputedItem
from cases.presentation.display import matching_positions, query_terms
from cases.presentation.facets import active_filters
from cases.search.base import Hit, SearchQuery
from cases.selectors.feeds import FEED_SIZE, FeedPage

TITLE_ITEMS = 3  # items an entry's title names; the rest are "and N more"
TITLE_TREATMENT_CHARS = 80  # a treatment heading longer than this is cut in a title
DATE_LABELS = (("decided_from", "decided from"), ("decided_to", "decided up to"),
               ("injured_from", "injured from"), ("injured_to", "injured up to"))


@dataclass(frozen=True)
class FeedEntry:
    """One determination as its feed entry shows it."""

    id: str  # the case's permanent URL with the search: stable while the letter is there
    link: str  # the same URL, opened at the first item the search is about
    title: str  # the case number and the matching treatments with their decisions
    summary: str  # HTML: the decision date, the outcome, the items the search counts
    published: datetime  # added to the archive
    updated: datetime  # added or last changed


@dataclass(frozen=True)
class FeedContents:
    """A search's feed: what it is called, where it and its search page are, its entries."""

    title: str
    subtitle: str
    url: str  # the feed itself, also its id
    link: str  # the search page listing the same determinations
    entries: list[FeedEntry]


def describe_search(query: SearchQuery) -> str:
    """A search in words, for a feed's title: the text, the filters, the dates."""
    parts = [f"“{query.text}”"] if query.text else []
    parts += [f"{chip['facet']}: {chip['label']}" for chip in active_filters(query, base_url="")]
    parts += [f"{label} {getattr(query, name):%Y-%m-%d}" for name, label in DATE_LABELS
              if getattr(query, name)]
    return " · ".join(parts) or "all determinations"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _entry_title(determination: Determination, named: list[DisputedItem]) -> str:
    shown = "; ".join(f"{_shorten(item.treatment, TITLE_TREATMENT_CHARS)} ({item.decision})"
                      for item in named[:TITLE_ITEMS])
    more = len(named) - TITLE_ITEMS
    if more > 0:
        shown += f"; and {more} more"
    return f"{determination.case_number or determination.public_id}: {shown}"


def _entry_summary(determination: Determination, counted: list[DisputedItem], *,
                   matching_only: bool) -> str:
    decided = determination.decision_date
    facts = [f"Decided {dateformat.format(decided, 'M j, Y')}" if decided
             else "Decision date not read", determination.case_outcome]
    if determination.specialty_names:
        facts.append(f"reviewer: {', '.join(determination.specialty_names)}")
    heading = ("The items matching the search" if matching_only else "The disputed items")
    return format_html(
        "<p>{}</p><p>{}:</p><ul>{}</ul>", " · ".join(facts), heading,
        format_html_join("", "<li><strong>{}</strong>: {} <em>({})</em></li>",
                         ((item.decision, item.treatment, item.category)
                          for item in counted)))


def feed_entry(hit: Hit, determination: Determination, *, state: str, terms: tuple[str, ...],
               matching_only: bool, absolute: Callable[[str], str]) -> FeedEntry:
    """The entry of one matching determination. Its summary lists the items the search
    counts (only those meeting the item-level conditions, when it has any, as the search
    page counts them); its title names the items the search is about, as the page marks
    them."""
    items = list(determination.items.all())
    passing = hit.items if matching_only else None
    counted = [item for item in items if passing is None or item.position in passing]
    marked = matching_positions(items, terms, passing)
    named = [item for item in counted if item.position in marked] or counted
    url = absolute(determination.get_absolute_url() + (f"?{state}" if state else ""))
    return FeedEntry(
        id=url,
        link=url + (f"#item-{min(marked)}" if marked else ""),
        title=_entry_title(determination, named),
        summary=_entry_summary(determination, counted, matching_only=matching_only),
        published=determination.imported_at,
        updated=determination.updated_at,
    )


def feed_contents(page: FeedPage, *, absolute: Callable[[str], str]) -> FeedContents:
    """The feed of ``page``: entries linking to the case pages with the search (so the
    matching items are marked there), made absolute by ``absolute``."""
    query = page.query
    # The search's conditions without its sort: every sort of a search has the one feed,
    # and its entries the one id each.
    conditions = query_string(replace(query, sort=default_sort(query.text)), page=False)
    terms = query_terms(query.text)
    return FeedContents(
        title=f"IMR determinations: {describe_search(query)}",
        subtitle=(f"The latest {FEED_SIZE} California Independent Medical Review "
                  "determinations added to the archive that match this search."),
        url=absolute(reverse("cases:feed") + (f"?{conditions}" if conditions else "")),
        link=absolute(f"{reverse('cases:search')}?{query_string(query, page=False)}"),
        entries=[feed_entry(hit, determination, state=conditions, terms=terms,
                            matching_only=page.matching_only, absolute=absolute)
                 for hit, determination in page.rows],
    )
