"""Pure helpers for the case page and the results rows: query-term highlighting, the
letter's line wrapping undone, the citation, the summary line, and each row of results as
the template prints it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cases.models import Determination, DisputedItem
from cases.parsing.drugs import find_drugs, principal_drugs
from cases.search.base import STOP_WORDS
from cases.selectors.result_letters import ResultItem, ResultLetter

MAX_TERMS = 20
MAX_DESCRIPTION = 300
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_PHRASE = re.compile(r'"([^"]+)"')
_WORD = re.compile(r"[\w*?§]+(?:[-./'][\w*?]+)*")


def query_terms(text: str) -> tuple[str, ...]:
    """The phrases and words of a search text worth highlighting (operators, exclusions,
    one-letter words and, outside a phrase, the stop words left out), in order, at most
    ``MAX_TERMS``."""
    terms: list[str] = [" ".join(p.split()) for p in _PHRASE.findall(text) if p.strip()]
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    for token in rest.split():
        if token.startswith("-") or token in _OPERATORS:
            continue
        token = token.lstrip("+").split(":", 1)[-1]  # "treatment:massage" -> "massage"
        terms.extend(w for w in _WORD.findall(token)
                     if len(w.strip("*?")) >= 2 and w.lower() not in STOP_WORDS)
    return tuple(dict.fromkeys(terms))[:MAX_TERMS]


def _letters(text: str) -> str:
    return re.escape(text).replace(r"\?", r"\w")


def _wildcard_word(word: str) -> str:
    """A word with inner ``*`` as a pattern that cannot backtrack catastrophically: each
    wildcard but the last is atomic, taking the nearest match of what follows for good
    ("_*_*_*_*_*_*_*_*x" over a signature line of underscores took minutes otherwise)."""
    first, *rest = re.split(r"\*+", word)
    parts = [_letters(first)]
    for n, segment in enumerate(rest, start=1):
        letters = _letters(segment)
        parts.append(rf"\w*{letters}" if n == len(rest) else rf"(?>\w*?{letters})")
    return "".join(parts)


def _term_pattern(term: str) -> str:
    words = term.split()
    parts = []
    for word in words:
        stem = _wildcard_word(word.rstrip("*?"))
        # Whole words for short terms; longer ones also match their inflections
        # ("injection" marks "injections"), as the stemmed index matches them.
        open_end = word.endswith(("*", "?")) or len(word) >= 4
        parts.append(stem + (r"\w*" if open_end else r"(?!\w)"))
    return r"(?<!\w)" + r"[\s\W]+".join(parts)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((_term_pattern(t) for t in terms), key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str | None, terms: tuple[str, ...]) -> SafeString:
    """``text`` HTML-escaped, with every match of ``terms`` wrapped in ``<mark>``."""
    text = text or ""
    if not terms or not text:
        return mark_safe(escape(text))  # escaped just now
    pieces, start = [], 0
    for match in _pattern(terms).finditer(text):
        if match.end() == match.start():
            continue
        pieces.append(escape(text[start:match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        start = match.end()
    pieces.append(escape(text[start:]))
    return mark_safe("".join(pieces))  # every piece escaped above


_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")  # a wrapped line's end, not a paragraph's


def reasoned_rationale(item: DisputedItem, terms: tuple[str, ...]) -> SafeString:
    """The item's rationale escaped, with each reason's sentence marked (its id
    ``item-N-reason-CODE``, the reason as its title) and the query terms marked inside.
    Wrapped lines are joined in place, so the stored spans still fall on their sentences."""
    text = _LINE_BREAK.sub(" ", item.rationale or "")
    if not item.reasons:
        return highlight(reflow(text), terms)
    pieces, start = [], 0
    for reason in sorted(item.stated_reasons, key=lambda r: r["start"]):
        if reason["start"] < start:  # one sentence gave two reasons: marked once
            continue
        pieces.append(highlight(text[start:reason["start"]], terms))
        pieces.append(format_html(
            '<mark class="reason" id="item-{}-reason-{}" title="{}">{}</mark>', item.position,
            reason["code"], reason["label"], highlight(text[reason["start"]:reason["end"]],
                                                        terms)))
        start = reason["end"]
    pieces.append(highlight(text[start:], terms))
    return mark_safe("".join(pieces))  # every piece escaped above


SHOWN_ITEMS = 6  # disputed items a results row lists; the rest are a link to the case


def matching_positions(items: Sequence[DisputedItem | ResultItem], terms: tuple[str, ...],
                       passing: tuple[int, ...] | None = None) -> set[int]:
    """Positions of the items a search is about, to list first and mark: those the backend
    says meet every item-level condition (``passing``; None when the search has none) and,
    among them, those whose heading says one of the typed ``terms`` or names one of their
    drugs by another name (Norco for hydrocodone), when any does. Empty when the search
    singles out no item or every item."""
    chosen = [i for i in items if passing is None or i.position in passing]
    if terms:
        pattern, drugs = _pattern(terms), principal_drugs(find_drugs(" ".join(terms)))
        worded = [i for i in chosen
                  if pattern.search(i.treatment) or drugs & principal_drugs(i.drugs)]
        chosen = worded or chosen
    found = {item.position for item in chosen}
    singled_out = passing is not None or terms
    return found if singled_out and len(found) < len(items) else set()


# Month abbreviations as Django's "M" date format writes them in English ("Dec 28, 2016").
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")


def short_date(day: date) -> str:
    """``day`` as a results row shows it, "Dec 28, 2016": Django's ``dateformat`` with "M j,
    Y" wrote the same in 10 microseconds, twenty times a page."""
    return f"{SHORT_MONTHS[day.month - 1]} {day.day}, {day.year}"


def result_row(letter: ResultLetter, *, snippet: str = "", search_state: str = "",
               terms: tuple[str, ...] = (), passing: tuple[int, ...] | None = None,
               ) -> dict[str, object]:
    """One row of results as a dict the template only prints: twenty of them a page, where
    a template reaching into each letter costs a thousand lookups a page. The items the
    search is about come first, marked, and the link opens the case at the first."""
    url = letter.get_absolute_url() + (f"?{search_state}" if search_state else "")
    meta = "".join([f" · {', '.join(letter.specialty_names)}" if letter.specialty_names else "",
                    f" · licensed in {', '.join(letter.state_names)}"
                    if letter.state_names else ""])
    items = letter.items
    matched = matching_positions(items, terms, passing)
    ordered = sorted(items, key=lambda item: item.position not in matched)  # stable
    shown, hidden = ordered[:SHOWN_ITEMS], ordered[SHOWN_ITEMS:]
    decided = letter.decision_date
    return {
        "url": url + (f"#item-{min(matched)}" if matched else ""),
        "title": letter.case_number or letter.public_id,
        "outcome": letter.case_outcome,
        "decided": short_date(decided) if decided else "",
        "decided_iso": decided.isoformat() if decided else "",
        "meta": meta,
        "items": [{"decision": item.decision, "treatment": highlight(item.treatment, terms),
                   "category": f"{item.category} · {item.subcategory}" if item.subcategory
                   else item.category, "position": item.position,
                   "matched": item.position in matched} for item in shown],
        "more": len(hidden),
        "more_url": f"{url}#item-{min(i.position for i in hidden)}" if hidden else "",
        "snippet": snippet if terms else "",
    }


def _items(determination: Determination) -> str:
    return "; ".join(f"{i.treatment} ({i.decision})" for i in determination.items.all())


# The Bluebook's abbreviations of the months (T12), as practitioners write a decision date.
MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
          "Nov.", "Dec.")
REVIEWER = "Maximus Fed. Servs."  # the independent review organization of every IMR


def citation(determination: Determination, item: DisputedItem | None = None) -> str:
    """The determination cited as practitioners write it, "IMR Final Determination
    CM16-0247255 (Maximus Fed. Servs., dec. Dec. 28, 2016)", and with ``item`` its decision
    on that item: ", item 2 (Norco 10/325mg #120: Upheld)"."""
    name = determination.case_number or determination.public_id
    decided = determination.decision_date
    court = REVIEWER + (f", dec. {MONTHS[decided.month - 1]} {decided.day}, {decided.year}"
                        if decided else "")
    text = f"IMR Final Determination {name} ({court})"
    if item is not None:
        text += f", item {item.position} ({' '.join(item.treatment.split())}: {item.decision})"
    return text


def cite(determination: Determination, url: str) -> str:
    """The letter's citation (``citation``); ``url``, its permanent link, is the Copy link
    button's, no longer part of the citation."""
    return citation(determination)


def describe(determination: Determination) -> str:
    """One sentence for search engines and link previews."""
    parts = [f"California IMR final determination {determination.case_number or ''}".rstrip()]
    if determination.decision_date:
        parts.append(f"decided {determination.decision_date:%Y-%m-%d}")
    text = ", ".join(parts) + f": {determination.case_outcome}. "
    text += _items(determination) + "."
    if determination.specialty_names:
        text += f" Reviewer: {', '.join(determination.specialty_names)}."
    if len(text) > MAX_DESCRIPTION:
        text = text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
    return text


_PARAGRAPH_END = re.compile(r"[.:;!?)\"”]$")


def reflow(text: str) -> str:
    """Undo the letter's fixed line wrapping: join wrapped lines, keep paragraph breaks.

    A line ends a paragraph when a blank line follows, or when it is clearly shorter than the
    paragraph's full lines and ends like a sentence or a heading.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        full = max(len(line) for line in lines)
        current = lines[0]
        for previous, line in zip(lines, lines[1:], strict=False):
            if len(previous) < 0.75 * full and _PARAGRAPH_END.search(previous):
                paragraphs.append(current)
                current = line
            else:
                current += " " + line
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


_UNIT_WORDS = {"sessions": ("session", "sessions"), "days": ("day", "days"),
               "weeks": ("week", "weeks"), "months": ("month", "months"),
               "hours": ("hour", "hours")}


def quantity_label(quantity: dict | None) -> str:
    """A requested quantity as a reader says it: "18 sessions", "#120", "1 month"."""
    if not quantity:
        return ""
    value, unit = quantity["value"], quantity["unit"]
    if unit == "count":
        return f"#{value}"
    one, many = _UNIT_WORDS.get(unit, (unit, unit))
    return f"{value} {one if value == 1 else many}"


def item_facts(item: DisputedItem) -> list[tuple[str, str]]:
    """What the parser read from an item's heading, as (label, value) pairs to print: the
    drugs, the body regions with their side, the quantity requested (only those stated)."""
    facts = []
    if item.drugs:
        facts.append(("Drugs" if len(item.drugs) > 1 else "Drug", ", ".join(item.drugs)))
    if item.body_regions:
        side = f" ({item.laterality})" if item.laterality else ""
        facts.append(("Body region" if len(item.body_regions) == 1 else "Body regions",
                      ", ".join(item.body_regions) + side))
    elif item.laterality:
        facts.append(("Side", item.laterality))
    if item.quantity:
        facts.append(("Requested", quantity_label(item.quantity)))
    return facts
