"""Helper processes that must not outlive the process that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (Linux; elsewhere nothing).

    Worker processes forked by an import inherit its open files, the index's write lock
    among them: orphaned by a killed import, they would wait for work forever and hold the
    lock, so that the next import could not write. ``parent`` is the forking process's id,
    read before the fork: read here, after it, it would already be init's if the parent
    died in between, and the orphan would never notice.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
