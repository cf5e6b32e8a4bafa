"""The rows of the saved-searches page: each search's name, what it asks, how many letters
are new to its owner, and its links and forms."""

from __future__ import annotations

from django.urls import reverse

from cases.forms import SavedSearchForm, describe_query
from cases.models import SavedSearch
from cases.selectors.following import count_new, saved_query


def saved_search_rows(searches: list[SavedSearch], *,
                      editing: tuple[int, SavedSearchForm] | None = None,
                      ) -> list[dict[str, object]]:
    """One row a search; ``editing`` is a search's form that was refused, shown with its
    messages."""
    rows = []
    for saved in searches:
        form = editing[1] if editing is not None and editing[0] == saved.pk else SavedSearchForm(
            prefix=f"s{saved.pk}", initial={"name": saved.name, "frequency": saved.frequency})
        open_url = reverse("cases:saved-search", kwargs={"pk": saved.pk})
        rows.append({
            "id": saved.pk,
            "name": saved.name,
            "description": describe_query(saved_query(saved)),
            "new": count_new(saved),
            "frequency": saved.get_frequency_display(),
            "open_url": open_url,
            "new_url": f"{open_url}?new=1",
            "form": form,
            "edit_url": reverse("cases:saved-search-edit", kwargs={"pk": saved.pk}),
            "delete_url": reverse("cases:saved-search-delete", kwargs={"pk": saved.pk}),
        })
    return rows
