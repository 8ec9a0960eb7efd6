"""Helpers for the service tests: start gunicorn on a free loopback port, talk HTTP to it."""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from service.__main__ import gunicorn_argv

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
START_TIMEOUT = 90.0
API_KEYS = ("key-one", "key-two")
SMALL_BODY_LIMIT = 64 * 1024
SMALL_BATCH_LIMIT = 512 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running ``python -m service serve``: its base URL, process and log file."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON lines the service logged so far (gunicorn's own plain lines are skipped)."""
        records = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_server(log_dir: Path, env: dict[str, str], use_port_env: bool = False, workers: int | None = 2,
                 app: str | None = None, ready_path: str = "/readyz") -> Server:
    """Start gunicorn through ``python -m service serve`` and wait until ``ready_path`` answers 200.

    ``use_port_env`` binds through the PORT variable instead of ``--bind`` (the Docker/PaaS habit).
    ``app`` (``module:variable`` importable from tests/service) serves another WSGI app with the same
    gunicorn command line and settings that ``serve`` execs: the fault-path tests' broken engines.
    """
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if k not in ("PORT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")}
    full_env = {k: v for k, v in inherited.items() if not k.startswith("TEXTWASH_")}
    full_env.update(env)
    command = [sys.executable, "-m", "service", "serve"]
    if use_port_env:
        full_env["PORT"] = str(port)
    else:
        command += ["--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if app is not None:
        serve = argparse.Namespace(bind=None if use_port_env else f"127.0.0.1:{port}", workers=workers)
        command = gunicorn_argv(serve) + ["--pythonpath", str(HERE), app]
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", port, process, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(server.url + ready_path, timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready after {START_TIMEOUT} s:\n{log_path.read_text()}")


def seed_texts() -> list[tuple[str, str]]:
    return [(path.stem, path.read_text(encoding="utf-8")) for path in SEEDS]


def jsonable(value: Any) -> Any:
    """What a value looks like after a JSON round trip (tuples become lists and so on)."""
    return json.loads(json.dumps(value))


def without_version(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "version"}


class ChunkedUpload:
    """A POST whose body is sent in chunks while the response is read: a client that really streams.

    ``requests`` sends the whole body before it reads a byte of the answer, which cannot show that the
    server answers line by line; this talks HTTP/1.1 over a plain socket instead.
    """

    def __init__(self, server: Server, path: str, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", f"Content-Type: {content_type}",
                 "Transfer-Encoding: chunked", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.response: http.client.HTTPResponse | None = None

    def send(self, data: bytes) -> None:
        if data:
            self.sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def finish(self) -> None:
        self.sock.sendall(b"0\r\n\r\n")

    def read_response(self) -> http.client.HTTPResponse:
        if self.response is None:
            self.response = http.client.HTTPResponse(self.sock)
            self.response.begin()
        return self.response

    def read_item(self) -> dict[str, Any]:
        line = self.read_response().readline()
        assert line.endswith(b"\n"), f"incomplete NDJSON line: {line!r}"
        return json.loads(line)

    def read_rest(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.read_response().read().splitlines() if line.strip()]

    def close(self) -> None:
        self.sock.close()


def ndjson(documents: Iterable[Any]) -> bytes:
    return b"".join(json.dumps(doc).encode() + b"\n" for doc in documents)


def parse_ndjson(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.splitlines() if line.strip()]
