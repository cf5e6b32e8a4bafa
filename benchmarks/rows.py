"""One row of the search table: ours checked against the FTS5 and Tantivy references, count
for count, and each engine timed (median and p95 over repeats)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.fts5 import Fts5Reference
from benchmarks.naive import NaiveGroupedBy
from benchmarks.progress import Progress
from benchmarks.tantivy_reference import TantivyReference
from cases.search.base import SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.selectors import snippet_texts


@dataclass(frozen=True)
class References:
    """The engines every answer of ours is checked against, count for count."""

    fts5: Fts5Reference
    tantivy: TantivyReference


def search_row(progress: Progress, key: str, query: SearchQuery, backend: WhooshBackend,
                references: References, naive: NaiveGroupedBy, repeats: tuple[int, int],
                say: Callable[[str], None]) -> None:
    """Check one query of the mix against the references, time it four ways, record it."""
    ours = backend.search(query, load_text=snippet_texts)
    got = (ours.total, {f: {v.value: v.count for v in vs} for f, vs in ours.facets.items()})
    for name, reference in (("FTS5", references.fts5), ("Tantivy", references.tantivy)):
        expected = reference.search(query)[:2]
        if got != expected:
            differing = sorted(f for f in {*got[1], *expected[1]}
                               if got[1].get(f) != expected[1].get(f))
            progress.state.setdefault("disagreements", []).append(
                f"{key} with {described(query)}: ours {got[0]} vs {name} {expected[0]}"
                + (f"; facet counts differ: {', '.join(differing)}" if differing else ""))
    # "ours" is what the page asks: the hits' snippets, cut from their rows' text read from
    # the database. "engine" is the same search without them, the work Tantivy's column
    # does (totals, facet counts, the page's ids): the two engines compared like for like.
    timings = {label: repeat(work, times) for label, work, times in (
        ("ours", lambda: backend.search(query, load_text=snippet_texts), repeats[0]),
        ("engine", lambda: backend.search(query), repeats[0]),
        ("fts5", lambda: references.fts5.search(query), repeats[0]),
        ("tantivy", lambda: references.tantivy.search(query), repeats[0]),
        ("naive", lambda: naive.search(query), repeats[1]))}
    row: dict[str, float] = {f"{label}_{stat}": value for label, t in timings.items()
                             for stat, value in (("median_ms", t[0]), ("p95_ms", t[1]))}
    row["hits"] = ours.total
    for name in ("fts5", "tantivy"):
        for stat in ("median", "p95"):
            row[f"ours_vs_{name}_{stat}"] = round(
                row[f"ours_{stat}_ms"] / max(row[f"{name}_{stat}_ms"], 0.01), 2)
    for stat in ("median", "p95"):
        row[f"engine_vs_tantivy_{stat}"] = round(
            row[f"engine_{stat}_ms"] / max(row[f"tantivy_{stat}_ms"], 0.01), 2)
    row["naive_vs_ours_median"] = round(row["naive_median_ms"] / row["ours_median_ms"], 1)
    progress.record_search(key, row)
    say(format_row(key, row))


def format_row(key: str, row: dict[str, float]) -> str:
    """One printed row of the search table: hits, median/p95 of each engine, ratios."""
    return (f"{key:26} hits {int(row['hits']):7}  ours {row['ours_median_ms']:7.1f}/"
            f"{row['ours_p95_ms']:7.1f}  fts5 {row['fts5_median_ms']:7.1f}/"
            f"{row['fts5_p95_ms']:7.1f}  tantivy {row['tantivy_median_ms']:6.1f}/"
            f"{row['tantivy_p95_ms']:6.1f}  naive {row['naive_median_ms']:8.1f}/"
            f"{row['naive_p95_ms']:8.1f}  ours/fts5 {row['ours_vs_fts5_median']:4.2f}/"
            f"{row['ours_vs_fts5_p95']:4.2f}  ours/tantivy {row['ours_vs_tantivy_median']:5.2f}/"
            f"{row['ours_vs_tantivy_p95']:5.2f}  engine {row['engine_median_ms']:6.1f}/"
            f"{row['engine_p95_ms']:6.1f}  engine/tantivy {row['engine_vs_tantivy_median']:5.2f}/"
            f"{row['engine_vs_tantivy_p95']:5.2f}  naive/ours {row['naive_vs_ours_median']:6.1f}")


def described(query: SearchQuery) -> str:
    """A query's filters and quantity range, as a disagreement names them."""
    described = str(dict(query.filters))
    if query.quantity_range:
        described += (f", {query.quantity_unit or 'any unit'} from {query.quantity_min} "
                      f"to {query.quantity_max}")
    return described


def timed(work: Callable[[], object]) -> tuple[float, object]:
    """Seconds ``work`` took, and what it returned."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def median(samples: list[float], digits: int = 1) -> float:
    """The median of samples, rounded (0 for none)."""
    return round(statistics.median(samples), digits) if samples else 0.0


def p95(ordered: list[float], digits: int = 1) -> float:
    """The 95th percentile of sorted samples: the nearest rank at or above it."""
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], digits) \
        if ordered else 0.0


def repeat(work: Callable[[], object], times: int) -> tuple[float, float]:
    """Median and p95 milliseconds of ``times`` runs of ``work``."""
    samples = sorted(timed(work)[0] * 1000 for _ in range(times))
    return median(samples, 2), p95(samples, 2)
