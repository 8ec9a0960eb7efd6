"""Gunicorn settings for textwash: ``gunicorn -c python:service.gunicorn_conf``.

Environment: ``PORT`` (default 8080) or ``TEXTWASH_BIND`` for the address, ``WEB_CONCURRENCY`` for the
number of worker processes (default cores + 1, at most 8), ``TEXTWASH_THREADS`` threads per worker
(default 2), ``TEXTWASH_TIMEOUT`` seconds before a silent worker is restarted (default 60),
``TEXTWASH_CLIENT_TIMEOUT`` seconds a connection may stay silent mid-request (default 30).
Command-line flags (``--bind``, ``--workers``) override all of these.

Request body limits are the app's (``TEXTWASH_MAX_BODY_BYTES``, 413 as problem+json); gunicorn limits the
request line and headers here.
"""
from __future__ import annotations

import gc
import logging
import os
import socket
import struct
from typing import Any

MAX_DEFAULT_WORKERS = 8

# Read before the app (and lightgbm's OpenMP runtime) is imported: with several worker processes per core,
# threads inside one request only contend, and an OpenMP thread pool started in the master before the
# fork is not safe to use in the workers.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    """cores + 1, capped: each worker holds its own heap. The engine is CPU-bound and the threads of a
    worker already overlap its I/O; on the 2-core VM 3 workers served 836-841 R2 documents/s with p99 at
    half load 27.8-27.9 ms, 5 workers (2 x cores + 1) 723-731 docs/s and 26.8-34.9 ms
    (``scripts/loadtest.py --duration 20 --workers N``, docs/service.md)."""
    return max(1, min(cores + 1, MAX_DEFAULT_WORKERS))


wsgi_app = "service.wsgi:app"
bind = [os.environ.get("TEXTWASH_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8080}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(_cores()))
# gthread: the main thread keeps heart-beating while a request runs, so a long streamed batch is not
# mistaken for a hung worker; SIGTERM lets in-flight requests finish (graceful_timeout).
worker_class = "gthread"
threads = int(os.environ.get("TEXTWASH_THREADS") or 2)
timeout = int(os.environ.get("TEXTWASH_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Import the app (and load the engine's model) once in the master; workers share it copy-on-write.
preload_app = True
max_requests = 50_000
max_requests_jitter = 5_000
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The app writes structured JSON access lines itself (service/logs.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("TEXTWASH_GUNICORN_LOG_LEVEL", "info")
proc_name = "textwash"
# No runtime control socket: its default path is per user, so two instances on one machine would clash.
control_socket_disable = True


# A client that stops sending mid-request (headers or body), or stops reading its answer, would hold a
# worker thread forever: gthread reads and writes with blocking sockets and no timeout. Past this many
# seconds without a byte, a read fails (the app answers 408; gunicorn closes a connection stalled in its
# headers) and so does a write (the connection is closed). Each socket call gets the full time: a batch
# that keeps making progress is never cut, however long it takes (docs/batches.md).
CLIENT_TIMEOUT = float(os.environ.get("TEXTWASH_CLIENT_TIMEOUT") or 30)


def when_ready(server: Any) -> None:
    """Set receive and send timeouts on the listening sockets; on Linux every accepted connection
    inherits them, and they outlast the ``setblocking`` calls gunicorn makes on each connection."""
    seconds = int(CLIENT_TIMEOUT)
    timeval = struct.pack("ll", seconds, int((CLIENT_TIMEOUT - seconds) * 1_000_000))
    for listener in server.LISTENERS:
        for option in (socket.SO_RCVTIMEO, socket.SO_SNDTIMEO):
            listener.setsockopt(socket.SOL_SOCKET, option, timeval)


class _StalledClientFilter(logging.Filter):
    """gunicorn logs a client that stalled in its request headers (the receive timeout above) as a
    socket error with a traceback; it is the client's fault, so say so in one info line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, (BlockingIOError, TimeoutError)) and record.getMessage().startswith("Socket error"):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "closed a connection silent for %ss mid-request (TEXTWASH_CLIENT_TIMEOUT)"
            record.args, record.exc_info, record.exc_text = (CLIENT_TIMEOUT,), None, None
        return True


def post_fork(server: Any, worker: Any) -> None:
    """Each worker logs stalled clients as one info line (see ``_StalledClientFilter``)."""
    worker.log.error_log.addFilter(_StalledClientFilter())


def pre_fork(server: Any, worker: Any) -> None:
    """Move the preloaded app's objects out of the garbage collector's reach before forking, so that
    collections in a worker do not write to (and so copy) the pages it shares with the master."""
    gc.freeze()
