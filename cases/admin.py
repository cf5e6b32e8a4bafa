"""Admin for determinations: list, filter, search, and read every field."""

from __future__ import annotations

from django.contrib import admin

from cases.models import Determination, DisputedItem, LicenseState, Specialty


class DisputedItemInline(admin.TabularInline):
    """The items of a determination, in letter order."""

    model = DisputedItem
    extra = 0
    fields = ["position", "treatment", "decision", "category", "subcategory"]


@admin.register(Determination)
class DeterminationAdmin(admin.ModelAdmin):
    """Determinations with their items inline."""

    list_display = ["public_id", "decision_date", "case_outcome", "layout", "source_name"]
    list_filter = ["case_outcome", "layout", "items__category", "items__decision", "specialties",
                   "states", "cites_mtus", "cites_odg"]
    search_fields = ["public_id", "case_number", "source_name", "items__treatment"]
    date_hierarchy = "decision_date"
    inlines = [DisputedItemInline]
    readonly_fields = ["imported_at", "updated_at", "content_hash", "parser_version"]
    filter_horizontal = ["specialties", "states"]


@admin.register(DisputedItem)
class DisputedItemAdmin(admin.ModelAdmin):
    """Disputed items across all determinations."""

    list_display = ["treatment", "decision", "category", "subcategory", "determination"]
    list_filter = ["decision", "category", "subcategory"]
    search_fields = ["treatment", "determination__public_id"]
    list_select_related = ["determination"]
    raw_id_fields = ["determination"]


admin.site.register(Specialty)
admin.site.register(LicenseState)
