"""The load test's report: memory over time as first and last minute, peak and slope; the
printable table; and what makes a run fail."""

from __future__ import annotations


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope, per minute, of (seconds, value) points."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if not spread:
        return 0.0
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / spread


def memory_summary(samples: list[dict[str, float]], elapsed: float) -> dict[str, object]:
    """Per worker: RSS over the first and the last minute, peak, and the slope of RSS and of
    its private part (MB per minute); and the same for all workers together."""
    workers: dict[str, object] = {}
    for pid in sorted({int(s["pid"]) for s in samples if not s["master"]}):
        mine = [s for s in samples if s["pid"] == pid]
        workers[str(pid)] = _series_summary(mine, elapsed)
    by_time: dict[float, dict[str, float]] = {}
    for s in samples:
        if not s["master"]:
            row = by_time.setdefault(s["t"], {"t": s["t"], "rss": 0.0, "anon": 0.0,
                                              "file": 0.0, "peak": 0.0})
            for key in ("rss", "anon", "file"):
                row[key] += s.get(key, 0.0)
            row["peak"] = max(row["peak"], s.get("peak", 0.0))
    return {"workers": workers, "total": _series_summary(list(by_time.values()), elapsed),
            "worker_pids_seen": len(workers)}


def _series_summary(series: list[dict[str, float]], elapsed: float) -> dict[str, float]:
    def mean(rows: list[dict[str, float]], key: str) -> float:
        return round(sum(r[key] for r in rows) / len(rows), 1) if rows else 0.0

    first = [r for r in series if r["t"] <= 60]
    last = [r for r in series if r["t"] >= elapsed - 60]
    return {"first_minute_rss": mean(first, "rss"), "last_minute_rss": mean(last, "rss"),
            "first_minute_anon": mean(first, "anon"), "last_minute_anon": mean(last, "anon"),
            "peak_rss": round(max((max(r["rss"], r.get("peak", 0.0)) for r in series),
                                  default=0.0), 1),
            "rss_slope_mb_per_min": round(_slope([(r["t"], r["rss"]) for r in series]), 2),
            "rss_slope_after_first_minute": round(
                _slope([(r["t"], r["rss"]) for r in series if r["t"] >= 60]), 2),
            "anon_slope_mb_per_min": round(_slope([(r["t"], r["anon"]) for r in series]), 2),
            "samples": len(series)}


def format_report(report: dict[str, object]) -> list[str]:
    """The report as printable lines: the table per kind, memory, the imports."""
    config = report["config"]
    lines = [f"load: {config['clients']} clients, {config['workers']} gunicorn workers, "
             f"{report['seconds']} s, {config['database']}; base "
             f"{report['setup']['base_letters']} letters; load average before "
             f"{report['load_average']['before'][0]}, after {report['load_average']['after'][0]}",
             f"  {'kind':12} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'max ms':>8} {'errors':>7}"]
    rows = [*report["kinds"].items(), ("all", report["all"])]
    for kind, row in rows:
        lines.append(f"  {kind:12} {row['requests']:9} {row['requests_per_s']:7.1f} "
                     f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} "
                     f"{row['errors']:7}")
    lines.append(f"  sent {report['sent']}, answered {report['answered']}, "
                 f"errors {report['error_count']}, server tracebacks "
                 f"{report['server_tracebacks']}")
    lines += [f"  error at {at:.1f} s: {text}" for at, text in report["errors"][:10]]
    memory = report["memory"]
    lines.append("  worker memory, MB: RSS first minute -> last minute (private part), peak, "
                 "slope MB/min of RSS (of the private part)")
    for name, row in [*memory["workers"].items(), ("all workers", memory["total"])]:
        lines.append(f"    {name:11} {row['first_minute_rss']:7.1f} -> "
                     f"{row['last_minute_rss']:7.1f} ({row['first_minute_anon']:.1f} -> "
                     f"{row['last_minute_anon']:.1f}), peak {row['peak_rss']:.1f}, slope "
                     f"{row['rss_slope_mb_per_min']:+.2f} ({row['anon_slope_mb_per_min']:+.2f})")
    total = memory["total"]
    lines.append(f"    all workers' RSS slope after the first minute: "
                 f"{total['rss_slope_after_first_minute']:+.2f} MB/min")
    if fresh := report.get("fresh"):
        row = fresh["all"]
        lines.append(
            f"  new workers (SIGHUP), {fresh['seconds']} s of the same load without imports: "
            f"{row['requests']} requests, p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} "
            f"ms, max {row['max_ms']:.1f} ms, errors {fresh['error_count']}; RSS at the end "
            f"{', '.join(f'{x:.1f}' for x in fresh['new_workers_rss_end'])} MB, against "
            f"{', '.join(f'{x:.1f}' for x in fresh['old_workers_rss_end'])} MB for the workers "
            "that served the whole run")
        lines += [f"    error at {at:.1f} s: {text}" for at, text in fresh["errors"][:10]]
    for run in report["imports"]:
        rate = (f"{run['letters'] / run['import_seconds']:.0f} letters/s"
                if run["import_seconds"] else "-")
        seen = " -> ".join(f"{total} at {at:.1f} s" for at, total in run["totals"])
        lines.append(f"  import {run['number']} ({run['marker']}): {run['letters']} letters, "
                     f"t={run['started_at']:.1f}-{run['exited_at'] or 0:.1f} s ({rate}), exit "
                     f"{run['returncode']}, expected {run['expected']}; searchable: "
                     f"{'yes' if run['searchable'] else 'NO'}"
                     + (f", {run['searchable_after_exit_s']:+.2f} s from its exit"
                        if run["searchable"] else "")
                     + f"; totals seen: {seen or 'none'}")
        lines += [f"      {at:7.1f} s  {text}" for at, text in run["progress"]]
    return lines


def failures(report: dict[str, object]) -> list[str]:
    """Why the run failed: errors, unanswered requests, imports that failed or stayed
    unsearchable; empty when it passed."""
    found = []
    if report["error_count"]:
        found.append(f"{report['error_count']} requests failed")
    unanswered = report["sent"] - report["answered"]
    if unanswered:
        found.append(f"{unanswered} requests got no answer")
    if fresh := report.get("fresh"):
        if fresh["error_count"]:
            found.append(f"{fresh['error_count']} requests to the new workers failed")
        if fresh["sent"] != fresh["answered"]:
            found.append(f"{fresh['sent'] - fresh['answered']} requests to the new workers "
                         "got no answer")
    if report["server_tracebacks"]:
        found.append(f"{report['server_tracebacks']} tracebacks in {report['server_log']}")
    if not report["imports"]:
        found.append("no import ran")
    for run in report["imports"]:
        if run["returncode"] != 0:
            found.append(f"import {run['number']} exited with {run['returncode']}")
        elif not run["searchable"]:
            found.append(f"import {run['number']}'s letters never became searchable")
        elif not run["all_or_nothing"]:
            found.append(f"import {run['number']}'s letters appeared part by part")
    return found
