"""Shared fixtures: where the real letters are, and small synthetic ones."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
REAL_TEXTS = SHARED / "imr-real" / "texts"
REAL_PDFS = SHARED / "imr-real" / "pdf"


# The files that take a minute or more, slowest first: they start first, so that the two
# workers of `make test` (pytest-xdist, whole files each) end together, rather than one of
# them running the last slow file alone.
SLOW_FILES = ("test_load.py", "test_fuzz_queries.py", "test_threads.py", "test_bench.py",
              "test_threaded_servers.py", "test_journeys.py", "test_fuzz_files.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow files first (in the order above), the others after them as collected."""
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOW_FILES.index(name) if name in SLOW_FILES else len(SLOW_FILES)

    items.sort(key=rank)  # stable: each file's tests keep their order


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What tests recorded with ``record_property("summary", line)`` (the query fuzz's
    count of requests and its slowest one), printed in every run's log: output printed by a
    test would be lost under pytest-xdist's workers."""
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(report, "user_properties", ()):
                if name == "summary":
                    terminalreporter.write_line(str(value))


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


@pytest.fixture(scope="session")
def _built_archives() -> dict[tuple[int, int], tuple[list[Path], Path]]:
    """The archives built so far in this session: their letter folders and a pristine copy
    of their index, by ``(count, seed)``."""
    return {}


@pytest.fixture(scope="module")
def archive(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: object,
            tmp_path_factory: pytest.TempPathFactory,
            _built_archives: dict[tuple[int, int], tuple[list[Path], Path]]) -> Iterator[Path]:
    """The real letters (when ../shared is there) and generated ones, stored for the module,
    which sets how many with ``ARCHIVE = (count, seed)``; yields the index directory.

    Indexing is the costly part: each ``(count, seed)`` is indexed once a session, and each
    module gets a copy of that index (it may write to it) beside its own import of the same
    files into the database, which is emptied again after the module.
    """
    from cases.models import Determination, LicenseState, Specialty
    from cases.search.whoosh_backend import WhooshBackend
    from cases.services import import_determinations, rebuild_index
    from cases.synthetic import BENCHMARK, write_corpus

    key = getattr(request.module, "ARCHIVE", (300, 29))
    index = tmp_path_factory.mktemp("index")
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if key in _built_archives:
            paths, pristine = _built_archives[key]
            import_determinations(paths=paths, index=False)
            Determination.objects.update(indexed=True)  # as the rebuild below flags them
            shutil.copytree(pristine, index, symlinks=True, dirs_exist_ok=True)
        else:
            count, seed = key
            corpus = tmp_path_factory.mktemp("corpus")
            write_corpus(corpus, count=count, seed=seed, noise_share=0.2,
                         profile=BENCHMARK)  # the letters many tests' expectations name
            paths = [corpus] + ([SEEDS, REAL_TEXTS] if REAL_TEXTS.is_dir() else [])
            import_determinations(paths=paths, index=False)
            rebuild_index(backend=WhooshBackend({"path": str(index)}))
            pristine = tmp_path_factory.mktemp("index-pristine")
            shutil.copytree(index, pristine, symlinks=True, dirs_exist_ok=True)
            _built_archives[key] = (paths, pristine)
        yield index
        Determination.objects.all().delete()
        Specialty.objects.all().delete()
        LicenseState.objects.all().delete()


@pytest.fixture
def served(archive: Path, settings: object) -> Path:
    """The archive's index is the one the views search."""
    settings.CASES_SEARCH = {  # type: ignore[attr-defined]
        "BACKEND": "cases.search.whoosh_backend.WhooshBackend",
        "OPTIONS": {"path": str(archive)},
    }
    return archive


# Search parameters the form refuses, with the message it gives (page, API and exports).
BAD_PARAMETERS = [
    ({"page": "abc"}, "Page must be a whole number from 1 to 10,000."),
    ({"q": "x" * 600}, "The search text is 600 characters long; shorten it to 500"),
    ({"decided_from": "2016-02-30"}, "Enter the decided from date as YYYY-MM-DD"),
    ({"decided_from": "2017-01-01", "decided_to": "2016-01-01"},
     "The decision date range ends (2016-01-01) before it starts (2017-01-01)."),
    ({"sort": "best"}, "Sort by one of: relevance, newest, oldest, added."),
    ({"specialty": "x" * 300}, "A value of “Reviewer specialty” is longer than 200"),
]
