"""Shared fixtures: where the real letters are, and small synthetic ones."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
REAL_TEXTS = SHARED / "imr-real" / "texts"
REAL_PDFS = SHARED / "imr-real" / "pdf"


def need(path: Path) -> Path:
    """Skip the calling test, saying why, when a folder of shared letters is absent."""
    if not path.is_dir():
        pytest.skip(f"{path} is not beside the checkout (the shared letters are read from there)")
    return path


def real_text_paths() -> list[Path]:
    """The real letters as text, for parametrizing (empty when ../shared is absent)."""
    return sorted(REAL_TEXTS.glob("*.txt")) if REAL_TEXTS.is_dir() else []


@pytest.fixture(autouse=True)
def _index_in_tmp(tmp_path: Path, settings: object) -> Path:
    """Every test gets its own search index directory, never the project's var/index."""
    path = tmp_path / "index"
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(path)},
    }
    return path
