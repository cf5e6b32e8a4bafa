"""Progress of a long command: a bar on a terminal, plain lines in a log, or nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

LINE_EVERY_PERCENT = 5
LINE_EVERY_SECONDS = 10.0


class Progress:
    """Count work done; show it as a tqdm bar when stderr is a terminal, otherwise as a
    line on ``out`` every 5 % or 10 s ("imported 200/1000 files (20%), 143 files/s").

    ``quiet`` shows nothing: the command prints only its summary.
    """

    def __init__(self, *, total: int, verb: str, noun: str, out: TextIO, quiet: bool = False,
                 terminal: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.verb, self.noun, self.out, self.clock = total, verb, noun, out, clock
        self.done = 0
        terminal = sys.stderr.isatty() if terminal is None else terminal
        self.bar = tqdm(total=total, unit=noun.rstrip("s"), disable=quiet or not terminal)
        self.lines = not quiet and not terminal
        self.started = self.last_time = clock()
        self.last_step = 0

    def update(self, count: int = 1) -> None:
        """Record ``count`` more done."""
        self.done += count
        self.bar.update(count)
        if not self.lines:
            return
        now = self.clock()
        step = self.done * 100 // self.total // LINE_EVERY_PERCENT if self.total else 0
        if step > self.last_step or now - self.last_time >= LINE_EVERY_SECONDS:
            self.last_step, self.last_time = step, now
            self._line(now)

    def _line(self, now: float) -> None:
        elapsed = now - self.started
        rate = f"{self.done / elapsed:.0f} {self.noun}/s" if elapsed > 0 else "-"
        percent = f" ({self.done * 100 // self.total}%)" if self.total else ""
        self.out.write(f"{self.verb} {self.done}/{self.total} {self.noun}{percent}, {rate}\n")
        self.out.flush()

    def close(self) -> None:
        """Remove the bar."""
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
