"""Filters for letter text (``{{ text|reflow|highlight:terms|linebreaks }}``) and the small
pieces of HTML repeated on every results page: badges and facet links."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import slugify
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases import display

register = template.Library()


@register.filter
def highlight(text: str | None, terms: tuple[str, ...] | None) -> SafeString:
    """The text escaped, with the query terms wrapped in ``<mark>``."""
    return display.highlight(text, tuple(terms or ()))


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
def decision_badge(decision: str) -> SafeString:
    """A disputed item's decision as a badge."""
    return format_html('<span class="badge badge-{}" title="{}">{}</span>', decision.lower(),
                       _DECISION_TITLES.get(decision, decision), decision)


@register.simple_tag
def outcome_badge(outcome: str) -> SafeString:
    """A case outcome as a badge."""
    return format_html(
        '<span class="badge badge-outcome outcome-{}" title="Case outcome: the decisions on '
        'all items together">{}</span>', slugify(outcome), outcome or "Outcome not read")


@register.simple_tag
def facet_link(value: dict) -> SafeString:
    """One facet value as a toggle link (``value`` from cases.facets.facet_value)."""
    return format_html(
        '<li><a id="{id}" class="facet-value{selected_class}" href="{url}" hx-get="{url}" '
        'role="checkbox" aria-checked="{checked}"><span class="facet-label">{label}</span> '
        '<span class="facet-count">{count}</span></a></li>',
        id=value["id"], selected_class=" is-selected" if value["selected"] else "",
        url=value["toggle_url"], checked="true" if value["selected"] else "false",
        label=value["label"], count=value["count"])
