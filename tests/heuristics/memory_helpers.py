"""Helpers for the source-memory tests: a real Redis server (Debian's redis-server) on a free loopback
port, without persistence, and documents made of a site's template around an article of its own."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
START_TIMEOUT = 20.0

TEMPLATE_TOP = ["Home", "World", "Business", "Culture", "Support independent local journalism today"]
TEMPLATE_BOTTOM = ["All content copyright the Example Gazette and its writers"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Start ``redis-server`` on 127.0.0.1 (no RDB, no AOF) and yield its URL; stop it afterwards."""
    port = free_port()
    log = (folder / f"redis-{port}.log").open("wb")
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not answer PING in time")


def article(number: int) -> list[str]:
    """An article of its own: a headline and two body paragraphs that no other article has."""
    return [
        f"Council debates plan number {number} for the harbour",
        f"The council met on Tuesday to debate plan number {number}, which would rebuild the old harbour wall "
        "and add a cycle path along the water.",
        f"Residents said plan {number} had been discussed for years and asked when the work would finally begin.",
    ]


def page(number: int, top: list[str] = TEMPLATE_TOP, bottom: list[str] = TEMPLATE_BOTTOM) -> str:
    """One page of the site: its template around article ``number``."""
    return "\n".join([*top, *article(number), *bottom])
