"""The cases app: IMR determinations."""

from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    """App configuration for IMR determinations."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "IMR determinations"
