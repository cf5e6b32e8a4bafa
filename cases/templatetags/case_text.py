"""Filters for letter text (``{{ text|reflow|highlight:terms|linebreaks }}``) and the small
pieces of HTML repeated on every results page: badges and facet links."""

from __future__ import annotations

import html
from datetime import date
from functools import lru_cache

from django import template
from django.template.defaultfilters import slugify
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cases.models import Determination, DisputedItem
from cases.parsing.guidelines import currency_notes, describe_citation
from cases.presentation import display

register = template.Library()


@register.filter
def highlight(text: str | None, terms: tuple[str, ...] | None) -> SafeString:
    """The text escaped, with the query terms wrapped in ``<mark>``."""
    return display.highlight(text, tuple(terms or ()))


@register.filter
def item_facts(item: DisputedItem) -> list[tuple[str, str]]:
    """What the parser read from the item's heading: (label, value) pairs."""
    return display.item_facts(item)


@register.filter
def item_citation(item: DisputedItem, determination: Determination) -> str:
    """The determination cited at this item, as practitioners write it."""
    return display.citation(determination, item)


@register.filter
def reasoned(item: DisputedItem, terms: tuple[str, ...] | None) -> SafeString:
    """The item's rationale with each reason's sentence and the query terms marked."""
    return display.reasoned_rationale(item, tuple(terms or ()))


@register.filter
def cited(citations: list[dict[str, object]]) -> list[str]:
    """Stored citations as a reader writes them."""
    return [describe_citation(c) for c in citations or ()]


@register.filter
def currency(item: DisputedItem, decided: date | None) -> tuple[str, ...]:
    """Notes on the guidelines the item's decision rested on that have since changed."""
    return currency_notes(item.maximus_citations, decided, opioid=item.subcategory == "opioids")


@register.filter
def reflow(text: str | None) -> str:
    """The text with the letter's line wrapping undone; paragraphs kept."""
    return display.reflow(text or "")


# Badges and facet links are printed dozens of times per results page: as tags they cost a
# function call each, where an {% include %} or partial costs a template render each.
_DECISION_TITLES = {
    "Upheld": "Upheld: the denial stands, the treatment is not approved",
    "Overturned": "Overturned: the treatment was found medically necessary",
}


@register.simple_tag
@lru_cache(maxsize=64)  # a handful of decisions, each printed on every row
def decision_badge(decision: str) -> SafeString:
    """A disputed item's decision as a badge."""
    return format_html('<span class="badge badge-{}" title="{}">{}</span>', decision.lower(),
                       _DECISION_TITLES.get(decision, decision), decision)


@register.simple_tag
@lru_cache(maxsize=64)
def outcome_badge(outcome: str) -> SafeString:
    """A case outcome as a badge."""
    return format_html(
        '<span class="badge badge-outcome outcome-{}" title="Case outcome: the decisions on '
        'all items together">{}</span>', slugify(outcome), outcome or "Outcome not read")


@register.simple_tag
def facet_links(values: list[dict]) -> SafeString:
    """Facet values as toggle links, one ``<li>`` each (``values`` from
    cases.presentation.facets.facet_values). A page shows a hundred or more: one call builds
    them all, escaping each part, where a template loop would cost a render per value. The
    standard library's escape (what Django's wraps) spares a lazy-string check per part: a
    quarter of the page's render time when each value went through Django's."""
    def link(value: dict) -> str:
        url = html.escape(value["toggle_url"])
        return (f'<li><a id="{html.escape(str(value["id"]))}" class="facet-value'
                f'{" is-selected" if value["selected"] else ""}" href="{url}" hx-get="{url}" '
                f'role="checkbox" aria-checked="{"true" if value["selected"] else "false"}">'
                f'<span class="facet-label">{html.escape(str(value["label"]))}</span> '
                f'<span class="facet-count">{int(value["count"])}</span></a></li>')
    return mark_safe("".join(map(link, values)))  # every part is escaped


def _facet_section(facet: dict) -> str:
    """One facet of ``facet_sections``: its heading, top values and the rest (written out,
    or a link htmx loads them from when the list opens)."""
    name, label = html.escape(facet["name"]), html.escape(str(facet["label"]))
    clear = ""
    if facet["clear_url"]:
        url = html.escape(facet["clear_url"])
        clear = (f'<a class="facet-clear" href="{url}" hx-get="{url}" '
                 f'aria-label="Clear the {html.escape(str(facet["label"]).lower())} filter">'
                 f'clear</a>')
    opened = (f'<details class="facet-more" id="facet-{name}-more"'
              f'{" open" if facet["more"] and facet["more_selected"] else ""}>\n    '
              f'<summary>Show all {int(facet["count"])}</summary>\n    ')
    rest = ""
    if facet["more"]:
        rest = (f'{opened}<ul class="facet-values">{facet_links(facet["more"])}</ul>\n'
                f'  </details>')
    elif facet["more_url"]:
        # The rest is loaded when the list opens, in place of the link that opens it as a
        # page of its own without JavaScript; the list loads itself, so that the values it
        # brings inherit the results' own htmx attributes, as the top ones do.
        url, more = html.escape(facet["more_url"]), int(facet["more_count"])
        rest = (f'{opened}<ul class="facet-values facet-rest" hx-get="{url}" '
                f'hx-trigger="toggle once from:closest details" hx-target="this" '
                f'hx-swap="outerHTML" hx-push-url="false" hx-sync="this:drop" '
                f'hx-indicator="closest details"><li><a class="facet-rest-link" href="{url}" '
                f'rel="nofollow">The other {more} value{"s" if more != 1 else ""}</a></li>'
                f'</ul>\n  </details>')
    return (f'<section class="facet" aria-labelledby="facet-{name}-heading">\n  '
            f'<h3 class="facet-heading" id="facet-{name}-heading">{label}\n    {clear}</h3>\n'
            f'  <ul class="facet-values" id="facet-{name}-top">{facet_links(facet["values"])}'
            f'</ul>\n  {rest}\n</section>\n')


@register.simple_tag
def facet_sections(facets: list[dict]) -> SafeString:
    """The filter column's facets (``facets`` from cases.presentation.facets.facet_groups),
    one ``<section>`` each, built here like the rows and the values, escaping each part: as a
    template loop over sixteen facets it was the largest part of the render in a profile, and
    side by side the page rendered in 1.79-2.12 ms against 2.35-2.39 (match-all, 100,000
    letters)."""
    return mark_safe("".join(map(_facet_section, facets)))  # every part is escaped


_MATCHED = ' class="is-match"'
_MATCH_NOTE = ' <span class="match-note">matches your search</span>'


@register.simple_tag
def result_rows(rows: list[dict]) -> SafeString:
    """The results' rows, one ``<li class="hit">`` each (``rows`` from
    cases.presentation.display.result_row): a page's twenty rows with their items were
    seven hundred template nodes, a third of the page's render, built here in one call.
    The item treatments and the snippet arrive marked up and escaped (``highlight``,
    ``Cut.html``); every other part is escaped here."""
    def item(entry: dict) -> str:
        matched = entry["matched"]
        return (f'<li{_MATCHED if matched else ""}>{decision_badge(entry["decision"])} '
                f'<span class="treatment">{conditional_escape(entry["treatment"])}</span> '
                f'<span class="category">{html.escape(str(entry["category"]))}</span>'
                f'{_MATCH_NOTE if matched else ""}</li>')

    def row(found: dict) -> str:
        decided = (f'Decided <time datetime="{html.escape(found["decided_iso"])}">'
                   f'{html.escape(found["decided"])}</time>' if found["decided"]
                   else "Decision date not read")
        more = found["more"]
        more_item = (f'<li class="more-items"><a href="{html.escape(found["more_url"])}">and '
                     f'{int(more)} more item{"s" if more != 1 else ""}</a></li>' if more else "")
        snippet = f'<p class="snippet">{found["snippet"]}</p>' if found["snippet"] else ""
        return (f'<li class="hit">\n  <div class="hit-head">\n    <h3 class="hit-heading">'
                f'<a class="hit-title" href="{html.escape(found["url"])}">'
                f'{html.escape(str(found["title"]))}</a></h3>\n    '
                f'{outcome_badge(found["outcome"])}\n    <span class="meta">{decided}'
                f'{html.escape(found["meta"])}</span>\n  </div>\n'
                f'  <ul class="items" aria-label="Disputed items">\n    '
                f'{"".join(map(item, found["items"]))}\n    {more_item}\n  </ul>\n'
                f'  {snippet}\n</li>\n')
    return mark_safe("".join(map(row, rows)))  # every part is escaped or arrives marked up
