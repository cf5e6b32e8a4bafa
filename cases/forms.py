"""The search form: every GET parameter of the search page and the JSON API, cleaned; and
the forms that save a search and rename it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict

from cases.models import AlertFrequency, SavedSearch
from cases.parsing.specialties import canonical_specialties
from cases.search.base import FACETS, QUANTITY_UNITS, SORTS, SearchQuery

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


def default_sort(text: str) -> str:
    """Relevance when there is text to rank by, otherwise the newest decisions first."""
    return "relevance" if text else "newest"


class FacetValuesField(forms.Field):
    """A repeatable GET parameter: the selected values of one facet, in order, deduplicated.

    Values the index does not know are kept (they simply match nothing), but each is
    length-limited, so a URL cannot smuggle a huge filter into the backend.
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
        return cleaned

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
