"""Admin for determinations: list, filter, search and correct them; the index follows. And
users' saved searches with what their alerts sent."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from cases.models import (
    AlertDelivery,
    Determination,
    DisputedItem,
    LicenseState,
    SavedSearch,
    Specialty,
)
from cases.search import get_backend
from cases.services import index_determinations, reparse_determinations

logger = logging.getLogger(__name__)

# Re-parsing and re-indexing take about 20 ms a letter: this many stay well inside
# gunicorn's 30 s request timeout.
REPARSE_LIMIT = 500


class DecisionYearFilter(admin.SimpleListFilter):
    """Determinations decided in one year."""

    title = "decision year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = Determination.objects.dates("decision_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(decision_date__year=self.value())
        return queryset


class DisputedItemInline(admin.TabularInline):
    """The items of a determination, in letter order."""

    model = DisputedItem
    extra = 0
    fields = ["position", "treatment", "decision", "category", "subcategory", "drugs",
              "body_regions", "laterality", "quantity_value", "quantity_unit"]
    # Read from the heading by the parser: a corrected heading is re-parsed, not retyped.
    readonly_fields = ["drugs", "body_regions", "laterality", "quantity_value",
                       "quantity_unit"]


def _after_commit(request: HttpRequest, what: str, job: Callable[[], object]) -> None:
    """Run an index job once the admin's transaction commits; say so if it fails."""

    def run() -> None:
        try:
            job()
        except Exception as exc:  # the database change stands; the index catches up later
            logger.exception("Admin could not %s", what)
            messages.warning(request, f"Saved, but could not {what} ({exc}); "
                                      "`manage.py rebuild_index` brings the index up to date.")

    transaction.on_commit(run)


def _reindex(request: HttpRequest, public_ids: list[str]) -> None:
    """Flag the determinations unindexed now, and index them once the change is committed."""
    Determination.objects.filter(public_id__in=public_ids).update(indexed=False)
    _after_commit(request, f"re-index {', '.join(public_ids)}", lambda: index_determinations(
        public_ids=public_ids, backend=get_backend()))


@admin.register(Determination)
class DeterminationAdmin(admin.ModelAdmin):
    """Determinations with their items inline; saving one re-indexes it."""

    list_display = ["public_id", "decision_date", "case_outcome", "treatments", "specialty_list",
                    "layout", "indexed"]
    list_filter = ["case_outcome", DecisionYearFilter, "specialties", "states", "layout",
                   "indexed", "items__category", "items__decision", "cites_mtus", "cites_odg"]
    search_fields = ["public_id", "case_number", "source_name", "items__treatment", "summary"]
    search_help_text = "Case number, file name, treatment, or words of the clinical summary."
    date_hierarchy = "decision_date"
    inlines = [DisputedItemInline]
    readonly_fields = ["public_id", "indexed", "imported_at", "updated_at", "content_hash",
                       "source_hash", "parser_version"]
    filter_horizontal = ["specialties", "states"]
    actions = ["reparse_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Determination]:
        return super().get_queryset(request).prefetch_related("items")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # determinations come from letters: import_determinations adds them

    @admin.display(description="treatments")
    def treatments(self, determination: Determination) -> str:
        """The disputed treatments, in letter order."""
        return "; ".join(item.treatment for item in determination.items.all())

    @admin.display(description="specialties")
    def specialty_list(self, determination: Determination) -> str:
        """The reviewer's specialties as the letter gives them."""
        return ", ".join(determination.specialty_names)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list,
                     change: bool) -> None:
        super().save_related(request, form, formsets, change)
        _reindex(request, [form.instance.public_id])

    def delete_model(self, request: HttpRequest, obj: Determination) -> None:
        public_id = obj.public_id
        super().delete_model(request, obj)
        _after_commit(request, f"remove {public_id} from the index",
                      lambda: get_backend().index.delete([public_id]))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Determination]) -> None:
        public_ids = list(queryset.values_list("public_id", flat=True))
        super().delete_queryset(request, queryset)
        _after_commit(request, "remove the deleted determinations from the index",
                      lambda: get_backend().index.delete(public_ids))

    @admin.action(description="Re-parse selected letters from their stored text")
    def reparse_selected(self, request: HttpRequest, queryset: QuerySet[Determination]) -> None:
        """Parse the letters' stored text again, store what it reads and re-index them."""
        public_ids = list(queryset.values_list("public_id", flat=True)[: REPARSE_LIMIT + 1])
        if len(public_ids) > REPARSE_LIMIT:
            self.message_user(request, f"Select at most {REPARSE_LIMIT} letters to re-parse at "
                                       "once.", messages.ERROR)
            return
        report = reparse_determinations(public_ids=public_ids)
        self.message_user(request, f"Re-parsed {report.reparsed} letter(s); "
                                   f"{report.indexed} re-indexed.", messages.SUCCESS)
        if report.failed:
            shown = "; ".join(f"{public_id}: {reason}" for public_id, reason in report.failed[:10])
            more = f" (and {len(report.failed) - 10} more)" if len(report.failed) > 10 else ""
            self.message_user(request, f"{len(report.failed)} letter(s) left unchanged: "
                                       f"{shown}{more}.", messages.WARNING)


@admin.register(DisputedItem)
class DisputedItemAdmin(admin.ModelAdmin):
    """Disputed items across all determinations."""

    list_display = ["treatment", "decision", "category", "subcategory", "drugs",
                    "body_regions", "laterality", "quantity_value", "quantity_unit",
                    "determination"]
    list_filter = ["decision", "category", "subcategory", "laterality", "quantity_unit"]
    search_fields = ["treatment", "determination__public_id"]
    list_select_related = ["determination"]
    raw_id_fields = ["determination"]

    def save_model(self, request: HttpRequest, obj: DisputedItem, form: ModelForm,
                   change: bool) -> None:
        super().save_model(request, obj, form, change)
        _reindex(request, [obj.determination.public_id])

    def delete_model(self, request: HttpRequest, obj: DisputedItem) -> None:
        public_id = obj.determination.public_id
        super().delete_model(request, obj)
        _reindex(request, [public_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DisputedItem]) -> None:
        public_ids = sorted(set(queryset.values_list("determination__public_id", flat=True)))
        super().delete_queryset(request, queryset)
        _reindex(request, public_ids)


admin.site.register(Specialty)
admin.site.register(LicenseState)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """Users' saved searches: who follows what, and when alerts last looked."""

    list_display = ["name", "user", "frequency", "query_string", "created_at", "alerted_at"]
    list_filter = ["frequency"]
    search_fields = ["name", "query_string", "user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    """What alert e-mails sent: read-only, the record that stops a letter going twice."""

    list_display = ["sent_at", "saved_search", "determination"]
    list_select_related = ["saved_search", "determination"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
