"""What a benchmark run has done in its work directory, so that a stopped run resumes.

A run at a million letters takes longer than one sitting (hours of indexing on a small
machine). Each phase records its figures in ``progress.json`` when it ends, and the long
ones record their elapsed time as they go; ``bench --resume`` skips what is recorded and
adds the time of each resumed part to the time already spent.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HEARTBEAT_SECONDS = 1.0  # how often a long phase writes its elapsed time


class ProgressMismatch(ValueError):
    """The work directory holds another run (other letter count or seed)."""


class Progress:
    """The recorded phases of one run, saved atomically after every change."""

    def __init__(self, path: Path, state: dict[str, Any]) -> None:
        self.path = path
        self.state = state
        self._since: float | None = None
        self._lock = threading.RLock()  # the heartbeat thread ticks beside the phase

    @classmethod
    def start(cls, work_dir: Path, *, count: int, seed: int, resume: bool) -> Progress:
        """The run's progress: the recorded one when resuming (it must be the same run),
        otherwise a new one."""
        path = work_dir / "progress.json"
        if resume and path.exists():
            state = json.loads(path.read_text())
            if (state["count"], state["seed"]) != (count, seed):
                raise ProgressMismatch(
                    f"{work_dir} holds a run of {state['count']} letters with seed "
                    f"{state['seed']}; resume it with the same --count and --seed, or use "
                    f"another --work-dir.")
            state["resumed"] = state.get("resumed", 0) + 1
        else:
            state = {"count": count, "seed": seed, "resumed": 0, "done": [], "seconds": {},
                     "figures": {}, "searches": {}}
        progress = cls(path, state)
        progress.save()
        return progress

    @property
    def resumed(self) -> int:
        return int(self.state["resumed"])

    def done(self, phase: str) -> bool:
        return phase in self.state["done"]

    def seconds(self, phase: str) -> float:
        """Time spent in a phase so far, over every sitting."""
        return float(self.state["seconds"].get(phase, 0.0))

    def begin(self, phase: str) -> None:
        """Start (or resume) timing a phase."""
        self._since = time.perf_counter()
        self.state["seconds"].setdefault(phase, 0.0)

    def tick(self, phase: str, *, force: bool = False) -> None:
        """Add the time since the last tick to the phase, saving at most every few seconds
        (or now, when ``force``)."""
        with self._lock:
            assert self._since is not None, "begin() the phase first"
            now = time.perf_counter()
            if force or now - self._since >= HEARTBEAT_SECONDS:
                self.state["seconds"][phase] = self.seconds(phase) + now - self._since
                self._since = now
                self.save()

    @contextmanager
    def heartbeat(self, phase: str) -> Iterator[None]:
        """Tick ``phase`` from a thread while the block runs: a long step that reports no
        progress of its own (an index commit that merges segments) still counts when the
        run is killed during it."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                self.tick(phase, force=True)

        thread = threading.Thread(target=beat, name=f"{phase} heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def finish(self, phase: str) -> float:
        """End a phase: record its total time; return the total seconds."""
        self.tick(phase, force=True)
        self._since = None
        self.state["done"].append(phase)
        self.save()
        return self.seconds(phase)

    def record(self, **figures: object) -> None:
        """Figures for the report."""
        self.state["figures"].update(figures)
        self.save()

    def record_search(self, key: str, row: dict[str, float]) -> None:
        self.state["searches"][key] = row
        self.save()

    def save(self) -> None:
        with self._lock:
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(self.state, indent=2))
            os.replace(partial, self.path)
