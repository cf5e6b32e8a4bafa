"""The import's helper processes die with the process that forked them."""

from __future__ import annotations

import multiprocessing
import os
import sys

import pytest

from cases.processes import die_with_parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the parent-death signal is Linux's")


def _outlive(parent: int) -> None:
    die_with_parent(parent)
    os._exit(0)  # reached only when ``parent`` is alive and is this process's parent


def test_a_child_whose_parent_died_before_the_request_exits() -> None:
    """The parent's id is read before the fork: a child that finds another parent (init,
    because the forking process died in between) leaves at once instead of living on."""
    context = multiprocessing.get_context("fork")
    gone = context.Process(target=_outlive, args=(os.getpid() + 2**22,))  # not our id
    gone.start()
    gone.join(10)
    assert gone.exitcode == 1
    alive = context.Process(target=_outlive, args=(os.getpid(),))
    alive.start()
    alive.join(10)
    assert alive.exitcode == 0
