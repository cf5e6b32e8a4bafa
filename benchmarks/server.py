"""A production server for the benchmarks and load tests: gunicorn with DEBUG off on a free
loopback port, as `make serve` runs it (or the development server, or uvicorn), and what its
worker processes hold in memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

HOST = "127.0.0.1"
HOOKS = Path(__file__).with_name("gunicorn_hooks.py")


class ServerError(Exception):
    """gunicorn did not start, or did not listen in time."""


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it listens and its master process."""

    port: int
    master: int

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://{HOST}:{self.port}{path}"


def server_env(*, database_url: str, index_dir: Path) -> dict[str, str]:
    """The production environment (DEBUG off) for the server and the commands beside it."""
    return {**os.environ, "DATABASE_URL": database_url, "IMRSITE_INDEX_DIR": str(index_dir),
            "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST, "DJANGO_SETTINGS_MODULE": "imrsite.settings",
            # Progress lines reach a pipe as they are written, not in 8 KB blocks.
            "PYTHONUNBUFFERED": "1"}


# The servers a user may run, each with the threads it serves requests from.
SERVERS = ("gunicorn", "runserver", "uvicorn")


def server_command(server: str, port: int, *, workers: int = 1, threads: int = 1,
                   access_log: bool = False) -> list[str]:
    """The command line of ``server`` on ``port``: gunicorn as `make serve` runs it (sync
    workers, or ``gthread`` workers of ``threads`` threads), Django's threaded development
    server as `make run` does, or uvicorn on the ASGI entry point (sync views run in its
    thread pool)."""
    if server == "gunicorn":
        # No control socket: it would default to one shared path in the home folder.
        command = [sys.executable, "-m", "gunicorn", "imrsite.wsgi:application",
                   "--config", str(HOOKS), "--workers", str(workers),
                   "--bind", f"{HOST}:{port}", "--graceful-timeout", "5", "--no-control-socket"]
        if threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        return command + (["--access-logfile", "-"] if access_log else [])
    if server == "runserver":
        return [sys.executable, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"]
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "imrsite.asgi:application", "--host", HOST,
                "--port", str(port), "--workers", str(workers), "--no-access-log"]
    raise ValueError(f"Unknown server {server!r}: use one of {', '.join(SERVERS)}.")


@contextmanager
def serve(*, database_url: str, index_dir: Path, workers: int, log: Path | None = None,
          access_log: bool = False, threads: int = 1, server: str = "gunicorn",
          ) -> Iterator[Server]:
    """Run ``server`` (gunicorn unless told) on a free loopback port; yield it once it
    listens; always stop it.

    ``access_log`` logs every request to ``log`` as `make serve` does to stdout. Server
    errors are logged there with their traceback either way (gunicorn_hooks.py).
    """
    port = _free_port()
    env = server_env(database_url=database_url, index_dir=index_dir)
    command = server_command(server, port, workers=workers, threads=threads,
                             access_log=access_log)
    with open(log or os.devnull, "w") as output:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_until_up(process, port, log, name=server)
            yield Server(port, process.pid)
        finally:
            stop(process)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log: Path | None,
                   timeout: float = 60, name: str = "gunicorn") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text()[-2000:] if log else ""
            raise ServerError(f"{name} exited with status {process.returncode}.\n{tail}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ServerError(f"{name} did not listen on port {port} within {timeout:.0f} s.")


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM (graceful), then SIGKILL the process's own group if it lingers.

    The process must have been started with ``start_new_session=True``.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process of the group ``process`` leads (its children included)."""
    with suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def child_pids(parent: int) -> list[int]:
    """The live child processes of ``parent`` (gunicorn's workers, for its master)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone
        # The command name may hold spaces and parentheses; the fields follow the last ")".
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[0] != "Z" and int(fields[1]) == parent:
            children.append(int(entry.name))
    return sorted(children)


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process in MB: ``rss`` (VmRSS), ``anon`` (private, RssAnon),
    ``file`` (mapped files such as index segments, RssFile) and ``peak`` (VmHWM); empty
    when the process is gone."""
    keys = {"VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file", "VmHWM:": "peak"}
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    found = {}
    for line in status.splitlines():
        name, _, value = line.partition("\t") if "\t" in line else line.partition(" ")
        if name in keys:
            found[keys[name]] = round(int(value.split()[0]) / 1024, 1)
    return found


def worker_peak_rss_mb(master: int) -> list[float]:
    """Peak resident memory (VmHWM) of each child process of ``master``, in MB."""
    return [peak for pid in child_pids(master) if (peak := memory_mb(pid).get("peak"))]
