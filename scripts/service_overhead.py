"""Where a request's CPU time goes in the service: the engine, the Flask app around it, gunicorn around that.

    .venv/bin/python scripts/service_overhead.py [--docs 600] [--rounds 3]

Starts gunicorn with the packaged settings and one worker on 127.0.0.1, serving the real app wrapped
by ``probed()`` below (which adds up the worker thread's CPU time inside ``clean`` and inside the WSGI
app), then posts the R2 documents ``scripts/loadtest.py`` uses, one at a time over one keep-alive
connection, as ``text/plain`` to ``/v1/clean``. Prints per document, best of ``--rounds``: the worker's
whole CPU time, the app's and the engine's, and the engine's in this process on the same documents.
Measures CPU time (the machine is shared); asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtest import children, cpu_seconds, free_port, r2_documents

PROBE_PATH = "/_probe"


def probed() -> Callable[..., Iterable[bytes]]:
    """gunicorn app factory (``service_overhead:probed()``): the service's app, timed; ``GET /_probe``
    answers the CPU seconds spent so far inside the engine and inside the app, and the request count."""
    import service.api
    from service.wsgi import app as inner

    totals = {"engine": 0.0, "app": 0.0, "requests": 0}
    engine = service.api.clean

    def timed_clean(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return engine(*args, **kwargs)
        finally:
            totals["engine"] += time.thread_time() - started

    service.api.clean = timed_clean

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PROBE_PATH:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(totals).encode()]
        started = time.thread_time()
        body = b"".join(inner(environ, start_response))
        totals["app"] += time.thread_time() - started
        totals["requests"] += 1
        return [body]

    return app


def serve(port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTWASH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "gunicorn", "--config", "python:service.gunicorn_conf", "--workers", "1",
               "--bind", f"127.0.0.1:{port}", "service_overhead:probed()"]
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).ok:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    sys.exit("server not ready after 90 s")


def server_rounds(documents: list[str], rounds: int) -> tuple[float, float, float]:
    """Best-of-rounds (worker, app, engine) CPU seconds per document over HTTP."""
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    try:
        pids = [server.pid, *children(server.pid)]

        def post(text: str) -> None:
            session.post(base + "/v1/clean", data=text.encode("utf-8"), headers={"Content-Type": "text/plain"},
                         timeout=60).raise_for_status()

        for text in documents[:100]:
            post(text)
        best = (float("inf"),) * 3
        for _ in range(rounds):
            before, cpu_before = session.get(base + PROBE_PATH).json(), cpu_seconds(pids)
            for text in documents:
                post(text)
            after, cpu_after = session.get(base + PROBE_PATH).json(), cpu_seconds(pids)
            figures = (cpu_after - cpu_before, after["app"] - before["app"], after["engine"] - before["engine"])
            best = min(best, figures)
        return tuple(value / len(documents) for value in best)  # type: ignore[return-value]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def engine_rounds(documents: list[str], rounds: int) -> float:
    """Best-of-rounds CPU seconds per document of ``clean`` in this process."""
    import logging

    from heuristics import clean

    logging.disable(logging.ERROR)
    for text in documents[:100]:
        clean(text)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for text in documents:
            clean(text)
        best = min(best, time.process_time() - started)
    return best / len(documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    documents = r2_documents(args.docs)
    worker, app, engine = server_rounds(documents, args.rounds)
    alone = engine_rounds(documents, args.rounds)
    print(f"{len(documents)} R2 documents, one worker, one connection, best of {args.rounds} rounds, "
          f"CPU ms per document (load average {os.getloadavg()[0]:.1f}):")
    print(f"  worker process  {worker * 1e3:6.3f}   (gunicorn around the app: {(worker - app) * 1e3:.3f})")
    print(f"  Flask app       {app * 1e3:6.3f}   (the app around the engine: {(app - engine) * 1e3:.3f})")
    print(f"  engine (clean)  {engine * 1e3:6.3f}   in the worker; {alone * 1e3:.3f} in this process")
    print(f"  -> {2 / worker:.0f} docs/s on two cores at this CPU cost per document")


if __name__ == "__main__":
    main()
