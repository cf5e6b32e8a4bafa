"""The search form: every GET parameter of the search page and the JSON API, cleaned; and
the forms that save a search and rename it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict

from cases.models import REASON_LABELS, AlertFrequency, GuidelineAgreement, SavedSearch
from cases.parsing.specialties import canonical_specialties
from cases.search.base import FACETS, QUANTITY_UNITS, QUERY_FIELDS, SORTS, SearchQuery
from cases.selectors.searching import facet_values

MAX_QUERY_CHARS = 500
MAX_PAGE = 10_000
MAX_VALUE_CHARS = 200
MAX_VALUES = 50
PAGE_SIZE = 20
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest first", "oldest": "Oldest first",
               "added": "Recently added"}
DATE_FIELDS = ("decided_from", "decided_to", "injured_from", "injured_to")
QUANTITY_FIELDS = ("quantity_unit", "quantity_min", "quantity_max")
MAX_QUANTITY = 100_000
QUANTITY_UNIT_LABELS = {"sessions": "sessions", "count": "count (pills, patches, units…)",
                        "hours": "hours", "days": "days", "weeks": "weeks", "months": "months"}
_PAGE_ERROR = f"Page must be a whole number from 1 to {MAX_PAGE:,}."
MAX_LISTED = 50  # values a refused filter value lists (a message names fewer)
# Values a facet also takes by their label, as the page shows them.
VALUE_ALIASES: dict[str, Mapping[str, str]] = {
    "reason": {str(label): code for code, label in REASON_LABELS.items()},
    "same_guideline": {str(label): str(value) for value, label in GuidelineAgreement.choices},
}
# A field named in the search text, outside quotes: "decision:overturned".
_NAMED_FIELD = re.compile(r'(?<![\w:])([^\W\d]\w*):("[^"]*"?|\([^)]*\)?|[^\s()"]*)')


def default_sort(text: str) -> str:
    """Relevance when there is text to rank by, otherwise the newest decisions first."""
    return "relevance" if text else "newest"


class FacetValuesField(forms.Field):
    """A repeatable GET parameter: the selected values of one facet, in order, deduplicated.

    Each is length-limited, so a URL cannot smuggle a huge filter into the backend; the form
    then reads each as the index spells it, in any case, and refuses one no letter has.
    """

    widget = forms.MultipleHiddenInput
    default_validators = [ProhibitNullCharactersValidator()]

    def to_python(self, value: object) -> tuple[str, ...]:
        if not value:
            return ()
        values = [value] if isinstance(value, str) else list(cast(Iterable[object], value))
        return tuple(dict.fromkeys(v.strip() for v in values if isinstance(v, str) and v.strip()))

    def validate(self, value: tuple[str, ...]) -> None:
        if len(value) > MAX_VALUES:
            raise ValidationError(
                f"Choose at most {MAX_VALUES} values of “{self.label}” at a time.",
                code="too_many")
        if any(len(v) > MAX_VALUE_CHARS for v in value):
            raise ValidationError(
                f"A value of “{self.label}” is longer than {MAX_VALUE_CHARS} characters.",
                code="too_long")

    def run_validators(self, value: tuple[str, ...]) -> None:
        for item in value:
            super().run_validators(item)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": f"Enter the {label.lower()} date as YYYY-MM-DD, "
                                   "for example 2016-12-09."})


def _quantity_field(label: str) -> forms.FloatField:
    message = (f"The requested quantity ({label}) must be a number from 0 to {MAX_QUANTITY:,}, "
               "for example 6.")
    return forms.FloatField(
        label=label, required=False, min_value=0, max_value=MAX_QUANTITY,
        error_messages={"invalid": message, "min_value": message, "max_value": message})


class SearchForm(forms.Form):
    """Validates the search parameters; ``search_query()`` turns them into a SearchQuery."""

    q = forms.CharField(
        label="Search determinations", required=False, max_length=MAX_QUERY_CHARS,
        error_messages={"max_length": (
            "The search text is %(show_value)d characters long; shorten it to "
            f"{MAX_QUERY_CHARS} or fewer (a few distinctive words work best).")})
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()),
        error_messages={"invalid_choice": f"Sort by one of: {', '.join(SORTS)}."})
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE,
        error_messages={"invalid": _PAGE_ERROR, "min_value": _PAGE_ERROR,
                        "max_value": _PAGE_ERROR})
    decided_from = _date_field("Decided from")
    decided_to = _date_field("Decided to")
    injured_from = _date_field("Injured from")
    injured_to = _date_field("Injured to")
    quantity_unit = forms.ChoiceField(
        label="Requested quantity in", required=False,
        choices=[("", "any unit"), *((u, QUANTITY_UNIT_LABELS[u]) for u in QUANTITY_UNITS)],
        error_messages={"invalid_choice": "Give the unit of the quantity as one of: "
                                          f"{', '.join(QUANTITY_UNITS)}."})
    quantity_min = _quantity_field("at least")
    quantity_max = _quantity_field("at most")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in FACETS.items():
            self.fields[name] = FacetValuesField(label=label, required=False)
        # For each facet refused a value: the values it has (the closest first, at most
        # MAX_LISTED), which the API returns beside its message.
        self.valid_values: dict[str, list[str]] = {}
        # The filters the search text named as fields ("decision:overturned"), as (facet,
        # value): the page offers them as filters.
        self.typed_filters: list[tuple[str, str]] = []
        # Whether a facet value was given in another spelling than the facet's: the page
        # then moves to the address that spells them as its links do.
        self.respelled = False
        self._vocabulary: dict[str, tuple[str, ...]] | None = None

    def clean_specialty(self) -> tuple[str, ...]:
        """Each specialty under its one name: a link with the letters' other wording (the
        2013 "and", a typo) finds what the facet of the canonical name finds."""
        return canonical_specialties(self.cleaned_data.get("specialty") or ())

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        for start, end, what in (("decided_from", "decided_to", "decision"),
                                 ("injured_from", "injured_to", "injury")):
            low, high = cleaned.get(start), cleaned.get(end)
            if low and high and low > high:
                self.add_error(end, f"The {what} date range ends ({high:%Y-%m-%d}) before "
                                    f"it starts ({low:%Y-%m-%d}).")
        low, high = cleaned.get("quantity_min"), cleaned.get("quantity_max")
        if low is not None and high is not None and low > high:
            self.add_error("quantity_max", f"The quantity range ends ({high:g}) below where "
                                           f"it starts ({low:g}).")
        for name in FACETS:
            if cleaned.get(name):
                self._check_values(name, cleaned[name])
                self.respelled |= cleaned.get(name) != self.fields[name].to_python(self[name].data)
        if cleaned.get("q") and _NAMED_FIELD.search(cleaned["q"]):
            self._check_named_fields(cleaned["q"])
        return cleaned

    def _known(self, facet: str) -> tuple[str, ...]:
        """The values ``facet`` has in the index; none when it cannot be read (the search
        then says so) or has none yet (nothing to check against)."""
        if self._vocabulary is None:
            self._vocabulary = facet_values() or {}
        return self._vocabulary.get(facet, ())

    def _canonical(self, facet: str, value: str) -> str | None:
        """``value`` as the index writes it, whatever its case (or its label); None if no
        letter has it."""
        known = self._known(facet)
        if value in known:
            return value
        folded = {v.casefold(): v for v in known}
        for label, code in VALUE_ALIASES.get(facet, {}).items():
            if code in known:
                folded.setdefault(label.casefold(), code)
        return folded.get(value.casefold())

    def _check_values(self, facet: str, values: tuple[str, ...]) -> None:
        """Each selected value as the index writes it (a link or a client may write
        "overturned" for "Overturned"); a value no letter has is refused, with the values
        there are."""
        if not self._known(facet):
            return
        found = {value: self._canonical(facet, value) for value in values}
        unknown = [value for value, canonical in found.items() if canonical is None]
        canonical = tuple(dict.fromkeys(c for c in found.values() if c is not None))
        if unknown:
            self.add_error(facet, self._unknown_message(facet, unknown))
        if canonical:  # kept (after add_error), so "without the invalid" keeps them
            self.cleaned_data[facet] = canonical

    def _unknown_message(self, facet: str, unknown: list[str]) -> str:
        label, known = FACETS[facet], list(_in_order(facet, self._known(facet)))
        close = difflib.get_close_matches(unknown[0], known, n=5, cutoff=0.6)
        self.valid_values[facet] = list(dict.fromkeys([*close, *known]))[:MAX_LISTED]
        shown = ", ".join(f"“{value}”" for value in unknown)
        said = f"No letter in the archive has the {label[0].lower()}{label[1:]} {shown}."
        if len(known) <= MAX_LISTED:
            return f"{said} Choose one of: {_listed(known)}."
        nearest = f"; the closest: {_listed(close)}" if close else ""
        return (f"{said} There are {len(known):,} (the “{label}” filter lists them "
                f"all){nearest}.")

    def _check_named_fields(self, text: str) -> None:
        """A facet typed as a field ("decision:overturned") is a filter: refused, with the
        filter to use instead; the text keeps its other words."""
        quoted = [m.span() for m in re.finditer(r'"[^"]*"?', text)]
        kept, at = [], 0
        for match in _NAMED_FIELD.finditer(text):
            name = match[1].lower()
            if name in QUERY_FIELDS or name not in FACETS:
                continue  # a field the backend searches, or refuses naming the fields
            if any(start < match.start() < end for start, end in quoted):
                continue  # inside a phrase
            value = match[2].strip('"()').strip()
            canonical = self._canonical(name, value) if value else None
            label = FACETS[name]
            message = f"“{match[1]}” is a filter, not a part of the letter to search: "
            if canonical is not None:
                self.typed_filters.append((name, canonical))
                message += f"use {label} = {canonical} instead of “{match[0]}”."
            elif value and self._known(name):
                message = f"{message}remove “{match[0]}”. " + self._unknown_message(name, [value])
            else:
                message += f"remove “{match[0]}” and choose a value under {label}."
            self.add_error("q", message)
            kept.append(text[at:match.start()])
            at = match.end()
        if kept:  # after add_error: the search "without the invalid" keeps the other words
            self.cleaned_data["q"] = " ".join(" ".join(kept + [text[at:]]).split())

    def search_query(self, page_size: int = PAGE_SIZE) -> SearchQuery:
        """The query of the valid parameters (the invalid ones fall back to defaults)."""
        data = getattr(self, "cleaned_data", {})
        text = data.get("q") or ""
        return SearchQuery(
            text=text,
            filters={name: data[name] for name in FACETS if data.get(name)},
            sort=data.get("sort") or default_sort(text),
            page=data.get("page") or 1,
            page_size=page_size,
            **{name: data.get(name) for name in DATE_FIELDS},
            quantity_unit=data.get("quantity_unit") or "",
            quantity_min=data.get("quantity_min"),
            quantity_max=data.get("quantity_max"),
        )


def _in_order(facet: str, values: Iterable[str]) -> list[str]:
    """A facet's values as a person looks for them: years newest first, others A to Z."""
    if facet == "year":
        return sorted(values, key=lambda v: (-int(v), "") if v.isdigit() else (1, v))
    return sorted(values, key=str.casefold)


def _listed(values: list[str]) -> str:
    return ("; " if any("," in value for value in values) else ", ").join(values)


def query_params(query: SearchQuery, *, page: bool = True) -> list[tuple[str, str]]:
    """The GET parameters that reproduce ``query`` (defaults left out), in a fixed order."""
    params: list[tuple[str, str]] = []
    if query.text:
        params.append(("q", query.text))
    for name in FACETS:
        params.extend((name, value) for value in query.filters.get(name, ()))
    for name in DATE_FIELDS:
        day: date | None = getattr(query, name)
        if day:
            params.append((name, day.isoformat()))
    if query.quantity_unit:
        params.append(("quantity_unit", query.quantity_unit))
    for name in ("quantity_min", "quantity_max"):
        number: float | None = getattr(query, name)
        if number is not None:
            params.append((name, f"{number:g}"))
    if query.sort != default_sort(query.text):
        params.append(("sort", query.sort))
    if page and query.page > 1:
        params.append(("page", str(query.page)))
    return params


def query_string(query: SearchQuery, *, page: bool = True) -> str:
    """``query_params`` URL-encoded, without the leading "?"."""
    return encode(query_params(query, page=page))


def encode(params: Iterable[tuple[str, str]]) -> str:
    """URL-encode parameters the way browsers submit a GET form."""
    return urlencode(list(params))


MAX_SAVED_SEARCHES = 100  # a user's; more is a list nobody reads


def describe_query(query: SearchQuery) -> str:
    """A short name for a search: its words and the values it filters on."""
    parts = [f"“{query.text}”"] if query.text else []
    parts.extend(value for values in query.filters.values() for value in values)
    if query.decided_from or query.decided_to:
        parts.append("decided " + "–".join(
            day.isoformat() if day else "…" for day in (query.decided_from, query.decided_to)))
    name = " · ".join(parts) or "All determinations"
    return name if len(name) <= 100 else name[:99] + "…"


class SavedSearchForm(forms.Form):
    """A saved search's name and how often its new matches are e-mailed."""

    name = forms.CharField(max_length=SavedSearch._meta.get_field("name").max_length)
    frequency = forms.ChoiceField(label="E-mail new matches", choices=AlertFrequency.choices,
                                  initial=AlertFrequency.DAILY)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())  # one line: it goes in a subject
        if not name:
            raise ValidationError("Give the search a name.", code="required")
        return name


class NewSavedSearchForm(SavedSearchForm):
    """Saving a search: its name, frequency and the search page's parameters."""

    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_query(self) -> str:
        """The parameters as the site's links write them; refused as the search page
        refuses them."""
        search = SearchForm(QueryDict(self.cleaned_data["query"]))
        if not search.is_valid():
            raise ValidationError("This search has parameters the search page refuses; "
                                  "fix the search first.", code="invalid")
        return query_string(search.search_query(), page=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if SavedSearch.objects.filter(user=self.user).count() >= MAX_SAVED_SEARCHES:
            raise ValidationError(f"You have {MAX_SAVED_SEARCHES} saved searches already; "
                                  "delete one to save another.", code="too_many")
        return cleaned
