"""Filters for letter text: ``{{ text|reflow|highlight:terms|linebreaks }}``."""

from __future__ import annotations

from django import template
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
