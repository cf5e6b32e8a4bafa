"""Progress lines of long commands when their output is not a terminal."""

from __future__ import annotations

import io

from cases.management.progress import Progress


def test_progress_writes_a_line_every_five_percent() -> None:
    out = io.StringIO()
    ticks = iter([0.0, *[float(i) for i in range(1, 41)]])
    with Progress(total=40, verb="imported", noun="files", out=out, terminal=False,
                  clock=lambda: next(ticks)) as progress:
        for _ in range(40):
            progress.update()
    lines = out.getvalue().splitlines()
    assert len(lines) == 20
    assert lines[0] == "imported 2/40 files (5%), 1 files/s"
    assert lines[-1] == "imported 40/40 files (100%), 1 files/s"


def test_progress_writes_a_line_every_ten_seconds_when_slow() -> None:
    out = io.StringIO()
    ticks = iter([0.0, 4.0, 11.0, 12.0, 25.0])
    with Progress(total=1000, verb="indexed", noun="determinations", out=out, terminal=False,
                  clock=lambda: next(ticks)) as progress:
        for count in (10, 10, 10, 10):
            progress.update(count)
    assert out.getvalue().splitlines() == [
        "indexed 20/1000 determinations (2%), 2 determinations/s",
        "indexed 40/1000 determinations (4%), 2 determinations/s",
    ]


def test_progress_quiet_or_on_a_terminal_writes_no_lines() -> None:
    for options in ({"quiet": True, "terminal": False}, {"quiet": True, "terminal": True},
                    {"terminal": True}):
        out = io.StringIO()
        with Progress(total=3, verb="imported", noun="files", out=out,
                      **options) as progress:  # type: ignore[arg-type]
            progress.update(3)
        assert out.getvalue() == ""
