"""A loopback HTTP server that answers from a script, recording what it was sent: retries made visible."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLOSE = "close"  # an answer that drops the connection without a response (a reset worker)


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    at: float = 0.0  # time.monotonic() on arrival


def result_for(document: dict[str, Any]) -> dict[str, Any]:
    """A well-formed result object whose text echoes the document's, so answers can be matched to inputs."""
    text = document.get("text", "")
    return {"text": text, "paragraphs": [text], "removed": [], "stripped": [], "metadata": {"title": None},
            "warnings": [], "mode": "balanced", "version": {"package": "test"}}


def echo_batch(request: Received) -> Answer:
    return Answer(200, {"results": [result_for(doc) for doc in request.body["documents"]]})


@contextmanager
def scripted_server(script: list[Answer | str | Callable[[Received], Answer]]) -> Iterator[tuple[str, list[Received]]]:
    """Serve ``script``'s answers in order (the last one repeats); yields the base URL and the requests."""
    received: list[Received] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", 0))
            request = Received(self.path, dict(self.headers), json.loads(self.rfile.read(length)), time.monotonic())
            with lock:
                received.append(request)
                step = script[min(len(received), len(script)) - 1]
            if step == CLOSE:
                self.close_connection = True
                return
            answer = step(request) if callable(step) else step
            data = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            content_type = "application/json" if answer.status < 400 else "application/problem+json"
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
