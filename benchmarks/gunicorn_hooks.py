"""gunicorn settings of the benchmark and load-test servers (``--config``): the server is the
production one, but an unhandled exception is written to the server's log with its
traceback, so that a 500 seen by a client can be explained (with DEBUG off Django logs it
nowhere, there being no ADMINS to mail)."""

from __future__ import annotations

import logging
import sys


def post_worker_init(worker: object) -> None:
    """Once the worker has loaded Django (and its logging), send request errors to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(name)s %(message)s"))
    logging.getLogger("django.request").addHandler(handler)
