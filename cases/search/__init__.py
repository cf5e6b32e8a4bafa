"""The search backend chosen in settings (``CASES_SEARCH``), loaded like Django's CACHES."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from cases.search.base import SearchBackend


@cache
def _load(backend_path: str, options: tuple[tuple[str, object], ...]) -> SearchBackend:
    try:
        backend_class = import_string(backend_path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"CASES_SEARCH['BACKEND'] = {backend_path!r} cannot be imported: {exc}") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, SearchBackend)):
        raise ImproperlyConfigured(f"{backend_path!r} is not a SearchBackend subclass.")
    return backend_class(dict(options))


def get_backend() -> SearchBackend:
    """This process's backend for the current settings (one instance, one searcher)."""
    config = settings.CASES_SEARCH
    options = tuple(sorted((str(k), v) for k, v in config.get("OPTIONS", {}).items()))
    return _load(config["BACKEND"], options)
