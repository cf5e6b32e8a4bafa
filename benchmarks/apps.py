"""Benchmarks: the bench command and the reference implementations it compares against."""

from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark tools; no models."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
