"""The benchmark run: corpus, import, search mix (ours, FTS5, Tantivy, naive), HTTP, memory;
as a report."""

from __future__ import annotations

import gc
import json
import random
import resource
import shutil
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.models import QuerySet

from benchmarks.fts5 import Fts5Reference
from benchmarks.http import (
    KINDS,
    PAGES_ONLY,
    compare_with_in_process,
    format_http,
    format_side_by_side,
    run_http,
)
from benchmarks.naive import NaiveGroupedBy
from benchmarks.progress import Progress
from benchmarks.rows import References, median, p95, search_row, timed
from benchmarks.tantivy_reference import TantivyReference
from cases.forms import query_string
from cases.models import Determination
from cases.search import get_backend
from cases.search.base import IndexDocument, SearchQuery
from cases.search.whoosh_backend import WhooshBackend
from cases.selectors.like import LikeRequest, cases_like
from cases.selectors.telling import telling_terms
from cases.services import each_with_items, import_determinations, index_document
from cases.synthetic import BENCHMARK, write_corpus

# "rare word" must match a few letters: a word the corpus never holds (the first choice,
# "wheelchair") made that class a zero-hit search, which measures the page's "did you mean"
# offers instead. A cervical pillow is requested in about 0.3% of the generated letters.
QUERY_CLASSES = {
    "common word": "pain",
    "rare word": "pillow",
    "two words": "lumbar therapy",
    "phrase": '"physical therapy"',
    "field query": "treatment:massage",
    "prefix": "acupunct*",
    "match-all": "",
}


@dataclass
class Report:
    """Figures of one run, printable and JSON-ready."""

    count: int
    figures: dict[str, object] = field(default_factory=dict)
    searches: dict[str, dict[str, float]] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    http: dict[str, object] = field(default_factory=dict)  # the first worker model's run
    http_runs: list[dict[str, object]] = field(default_factory=list)  # every model's

    def as_json(self) -> str:
        """The report as JSON."""
        return json.dumps({"count": self.count, "figures": self.figures,
                           "searches": self.searches, "disagreements": self.disagreements,
                           "http": self.http, "http_runs": self.http_runs}, indent=2)

    def http_errors(self) -> int:
        """Failed requests of the HTTP phase, every worker model (0 when it was skipped)."""
        return sum(run[kind]["errors"]  # type: ignore[index]
                   for run in self.http_runs for kind in (*KINDS, PAGES_ONLY) if kind in run)


def use_database(path: Path) -> None:
    """Point the default database at a fresh SQLite file and migrate it."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise ValueError("The benchmark runs on a scratch SQLite database; unset DATABASE_URL.")
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    call_command("migrate", verbosity=0)


def filter_sets(backend: WhooshBackend, rng: random.Random) -> dict[int | str, SearchQuery]:
    """0, 1 and 3 facet filters, and item-level filters, drawn from values the index really
    has, as queries without text.

    The item-level set asks for one item requesting at least 7 sessions for one body region,
    the region of most letters with such an item (the top of the body region facet of the
    match-all search with that range): the same-item rule, a multi-valued facet and the
    range in one search. It names no drug: generated letters request drugs by count, never
    in sessions, so with a drug it would find nothing.
    """
    facets = backend.search(SearchQuery()).facets
    top = {name: [v.value for v in values[:3]] for name, values in facets.items() if values}
    sessions = SearchQuery(quantity_unit="sessions", quantity_min=7)
    region = [v.value for v in backend.search(sessions).facets["body_region"][:1]]
    return {0: SearchQuery(), 1: SearchQuery(filters={"treatment": (top["treatment"][0],)}),
            3: SearchQuery(filters={"decision": ("Upheld",),
                                    "specialty": (rng.choice(top["specialty"]),),
                                    "state": (top["state"][0],)}),
            "item": replace(sessions, filters={"body_region": tuple(region)} if region else {})}


def query_mix(backend: WhooshBackend, rng: random.Random) -> dict[str, SearchQuery]:
    """Every query class with 0, 1 and 3 filters and with the item-level filters, keyed like
    "phrase + 1 filters" and "phrase + item filters"."""
    return {f"{name} + {key} filters": replace(
                base, text=text, sort="relevance" if text else "newest")
            for key, base in filter_sets(backend, rng).items()
            for name, text in QUERY_CLASSES.items()}


def stored_documents(stored: QuerySet[Determination] | None = None) -> Iterator[IndexDocument]:
    """The documents our import indexed (all, or ``stored``), read back from the database a
    chunk at a time."""
    for determination in each_with_items(stored):
        yield index_document(determination)


PHASES = ("corpus", "import", "bare", "fts5", "tantivy", "searches")
BARE_CHUNK = 100_000  # letters per timed piece of the bare indexing (two rebuild commits)


def run(*, count: int, seed: int, work_dir: Path, repeat: int, jobs: int,
        http_seconds: float, say: Callable[[str], None], naive_repeat: int = 0,
        resume: bool = False, stop_after: str | None = None,
        bare_letters: int | None = None, http_threads: Sequence[int] = (1,)) -> Report:
    """Run the whole benchmark (or, with ``resume``, what a stopped run in ``work_dir`` left)
    and return its report; only the HTTP phase uses a server. With ``stop_after``, stop
    after that phase; the report then holds the phases done so far."""
    progress = Progress.start(work_dir, count=count, seed=seed, resume=resume)
    if progress.resumed:
        say(f"resuming the run in {work_dir} (sitting {progress.resumed + 1}); done: "
            f"{', '.join(progress.state['done']) or 'nothing yet'}")
    report = Report(count)
    index_dir = work_dir / "index"
    settings.CASES_SEARCH = {"BACKEND": "cases.search.whoosh_backend.WhooshBackend",
                             "OPTIONS": {"path": str(index_dir)}}
    phases: dict[str, Callable[[], None]] = {
        "corpus": lambda: _corpus_phase(progress, work_dir / "corpus", say),
        "import": lambda: _import_phase(progress, work_dir, jobs, say),
        "bare": lambda: _bare_phase(progress, work_dir / "bare-index", jobs, bare_letters, say),
        "fts5": lambda: _fts5_phase(progress, work_dir / "fts5.sqlite3", say),
        "tantivy": lambda: _tantivy_phase(progress, work_dir / "tantivy", say),
        "searches": lambda: _searches_phase(progress, report, work_dir,
                                            (repeat, naive_repeat or repeat), say),
    }
    use_database(work_dir / "bench.sqlite3")
    for name, phase in phases.items():
        if not progress.done(name):
            phase()
        if name == stop_after:
            break
    report.figures.update(progress.state["figures"])
    report.figures["sittings"] = progress.resumed + 1
    report.searches.update(progress.state["searches"])
    report.disagreements.extend(progress.state.get("disagreements", []))
    if stop_after in (None, "searches") and http_seconds > 0:
        queries = query_mix(get_backend(), random.Random(seed))  # type: ignore[arg-type]
        _http_phase(report, queries, work_dir, http_seconds, say, http_threads)
    report.figures["peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if index_dir.exists():
        report.figures["index_mb"] = round(sum(
            f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 1e6, 1)
    return report


def _corpus_phase(progress: Progress, corpus: Path, say: Callable[[str], None]) -> None:
    count, seed = progress.state["count"], progress.state["seed"]
    shutil.rmtree(corpus, ignore_errors=True)  # a generation cut short is not reused
    progress.begin("corpus")
    write_corpus(corpus, count=count, seed=seed, profile=BENCHMARK)
    say(f"generated {count} letters in {progress.finish('corpus'):.1f} s")


def _import_phase(progress: Progress, work_dir: Path, jobs: int,
                  say: Callable[[str], None]) -> None:
    """The import as a user runs it, its time written every second. Resumed, it goes on
    from what the stopped run stored and committed (re-reading the stored files' bytes to
    skip them, and indexing the letters stored but not committed to the index again: both
    count in its time)."""
    count = progress.state["count"]
    if not progress.seconds("import"):  # nothing of an earlier sitting to keep
        Determination.objects.all().delete()
        shutil.rmtree(work_dir / "index", ignore_errors=True)
    progress.begin("import")
    with progress.heartbeat("import"):
        import_determinations(paths=[work_dir / "corpus"], jobs=jobs)
    seconds = progress.finish("import")
    progress.record(import_letters_per_s=round(count / seconds, 1))
    say(f"import (parse + database + index, --jobs {jobs}): {count / seconds:.0f} letters/s")


def _bare_phase(progress: Progress, bare_dir: Path, jobs: int, letters: int | None,
                say: Callable[[str], None]) -> None:
    """Bare Whoosh indexing of the stored texts (the first ``letters`` of them, if given),
    timed a piece of ``BARE_CHUNK`` letters at a time, each into an index of its own: the
    same work as one rebuild, which commits a segment every 50,000 letters anyway, but a
    stopped run loses at most one piece. The pieces are alike, so the rate of a few is the
    rate of all: at a million letters, indexing every piece again would double the run."""
    count = progress.state["count"]
    pks = list(Determination.objects.order_by("pk").values_list("pk", flat=True))
    pks = pks[:letters] if letters else pks
    done = int(progress.state.get("bare_letters_done", 0))
    for start in range(done, len(pks), BARE_CHUNK):
        chunk = pks[start:start + BARE_CHUNK]
        shutil.rmtree(bare_dir, ignore_errors=True)
        bare = WhooshBackend({"path": str(bare_dir)})
        stored = Determination.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1])
        progress.begin("bare")
        bare.index.rebuild(stored_documents(stored), procs=jobs)
        progress.tick("bare", force=True)
        progress.state["bare_letters_done"] = start + len(chunk)
        progress.save()
        if len(pks) > BARE_CHUNK:
            say(f"bare indexing: {start + len(chunk)} of {len(pks)} letters, "
                f"{progress.seconds('bare'):.0f} s so far")
    shutil.rmtree(bare_dir, ignore_errors=True)
    progress.begin("bare")
    seconds = progress.finish("bare")
    rate, import_rate = len(pks) / seconds, count / progress.seconds("import")
    progress.record(bare_whoosh_letters_per_s=round(rate, 1), bare_letters=len(pks),
                    import_vs_bare_time_ratio=round(rate / import_rate, 2))
    of = "" if len(pks) == count else f", the first {len(pks)} of them"
    say(f"bare Whoosh indexing of the same texts ({jobs} processes{of}): {rate:.0f} "
        f"letters/s; import takes {rate / import_rate:.2f}x its time per letter")


def _fts5_phase(progress: Progress, path: Path, say: Callable[[str], None]) -> None:
    path.unlink(missing_ok=True)
    progress.begin("fts5")
    Fts5Reference(str(path)).add(stored_documents())
    seconds = progress.finish("fts5")
    progress.record(fts5_build_s=round(seconds, 1))
    say(f"FTS5 reference built in {seconds:.1f} s")


def _tantivy_phase(progress: Progress, path: Path, say: Callable[[str], None]) -> None:
    """The Tantivy reference, built anew (a build cut short is not reused)."""
    progress.begin("tantivy")
    TantivyReference.build(path, stored_documents())
    seconds = progress.finish("tantivy")
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
    progress.record(tantivy_build_s=round(seconds, 1), tantivy_index_mb=round(size, 1))
    say(f"Tantivy reference built in {seconds:.1f} s ({size:.0f} MB)")


def _searches_phase(progress: Progress, report: Report, work_dir: Path,
                    repeats: tuple[int, int], say: Callable[[str], None]) -> None:
    backend: WhooshBackend = get_backend()  # type: ignore[assignment]
    # The first search after a commit opens the searcher and builds the facet arrays: a
    # cost each worker pays once per commit, reported apart from the query classes' times.
    seconds_open, _ = timed(lambda: backend.search(SearchQuery()))
    progress.record(first_search_after_commit_ms=round(seconds_open * 1000, 1))
    say(f"first search after the import (opens the searcher, builds the facet arrays): "
        f"{seconds_open * 1000:.0f} ms")
    queries = query_mix(backend, random.Random(progress.state["seed"]))
    references = References(fts5=Fts5Reference(str(work_dir / "fts5.sqlite3")),
                            tantivy=TantivyReference(work_dir / "tantivy"))
    naive = NaiveGroupedBy(backend)
    gc.collect()  # the import's garbage, collected now rather than inside a timed search
    progress.begin("searches")
    for key, query in queries.items():
        if key not in progress.state["searches"]:
            search_row(progress, key, query, backend, references, naive, repeats, say)
    if "like_median_ms" not in progress.state["figures"]:
        _like_row(progress, random.Random(progress.state["seed"]), say)
    progress.finish("searches")


LIKE_TEXTS = 20
LIKE_CHARS = 5_000


def pasted_texts(rng: random.Random, count: int = LIKE_TEXTS) -> list[str]:
    """Texts shaped like pasted UR denials, drawn from stored letters: each item's request
    stated as non-certified with its rationale, then the summary, to about ``LIKE_CHARS``."""
    ids = list(Determination.objects.values_list("pk", flat=True))
    chosen = Determination.objects.filter(pk__in=rng.sample(ids, min(count, len(ids))))
    texts = []
    for determination in chosen.prefetch_related("items").order_by("pk"):
        parts = [f"The request for {item.treatment} is non-certified. {item.rationale}"
                 for item in determination.items.all()]
        text = "\n\n".join([*parts, determination.summary])
        while len(text) < LIKE_CHARS and determination.summary.strip():
            text += "\n\n" + determination.summary  # a long paste: the history again
        texts.append(text[:LIKE_CHARS])
    return texts


def _like_row(progress: Progress, rng: random.Random, say: Callable[[str], None]) -> None:
    """Cases like mine: each pasted text read and answered once (its requests, neighbours and
    same-request outcomes: what the page shows at once), median and p95 over the texts; then
    what tells each request's neighbours apart (the section the page loads after them),
    median and p95 over the requests."""
    texts = pasted_texts(rng)
    cases_like(texts[0])  # the first answer reads the item arrays' lazy parts
    answers: list[LikeRequest] = []

    def answer(text: str) -> None:
        answers.extend(cases_like(text))

    samples = sorted(timed(lambda text=text: answer(text))[0] * 1000 for text in texts)
    telling = sorted(timed(lambda query=a.query: telling_terms(query))[0] * 1000
                     for a in answers)
    chars = round(statistics.median(len(text) for text in texts))
    figures = {"like_median_ms": median(samples), "like_p95_ms": p95(samples),
               "telling_median_ms": median(telling), "telling_p95_ms": p95(telling)}
    progress.record(**figures, like_texts=len(texts), like_chars=chars,
                    telling_requests=len(telling))
    say(f"cases like mine, {len(texts)} pasted texts of ~{chars} characters: "
        f"median {figures['like_median_ms']:.1f} ms, p95 {figures['like_p95_ms']:.1f} ms")
    say(f"  what tells them apart, loaded after, {len(telling)} requests of those texts: "
        f"median {figures['telling_median_ms']:.1f} ms, p95 {figures['telling_p95_ms']:.1f} ms")


def _http_phase(report: Report, queries: dict[str, SearchQuery], work_dir: Path,
                seconds: float, say: Callable[[str], None],
                http_threads: Sequence[int] = (1,)) -> None:
    """The same queries as URLs, through gunicorn; ratios against the in-process medians.
    One run per worker model: sync workers (1 thread), or ``gthread`` workers of N threads;
    several are compared side by side at the end."""
    for threads in http_threads:
        result = run_http(database=work_dir / "bench.sqlite3", index_dir=work_dir / "index",
                          queries=[(key, query_string(q)) for key, q in queries.items()],
                          seconds=seconds, threads=threads,
                          log=work_dir / f"gunicorn-{threads}.log")
        ratios = compare_with_in_process(result, report.searches)
        report.http_runs.append({**result, "page_vs_in_process": ratios})
        for line in format_http(result, ratios):
            say(line)
    report.http = report.http_runs[0]
    if len(report.http_runs) > 1:
        for line in format_side_by_side(report.http_runs):
            say(line)
