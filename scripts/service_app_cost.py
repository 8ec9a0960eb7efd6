"""The service's own cost per request: the Flask app driven in process, the engine replaced by its results.

    python scripts/service_app_cost.py prepare /tmp/app_cost.pkl [--docs 200]
    python scripts/service_app_cost.py time /tmp/app_cost.pkl [--rounds 5]
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=_operator_countOf \\
        python scripts/service_app_cost.py count /tmp/app_cost.pkl

``prepare`` cleans the first R2 documents of ``scripts/loadtest.py`` once and saves them with their results
(outside valgrind: reading the bench under it takes many minutes). ``time`` and ``count`` build the app
without its warm-up, make ``service.api.clean`` answer the saved results, and post every document as
``text/plain`` to ``/v1/clean`` through the WSGI interface (access lines to /dev/null): ``time`` prints the
CPU time per request (best of the rounds), ``count`` runs the measured requests inside
``operator.countOf``, so that callgrind's ``--toggle-collect`` counts their instructions only (divide by
the number of documents). What is left is the service's work: request parsing, checks, metrics, the
access line, ``to_dict`` and the JSON answer. Measures; asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import logging
import operator
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after PYTHONPATH: another checkout's service can be measured


def prepare(path: Path, docs: int) -> None:
    sys.path.append(str(ROOT / "scripts"))
    from loadtest import r2_documents

    from heuristics import clean

    pairs = [(text, clean(text)) for text in r2_documents(docs)]
    path.write_bytes(pickle.dumps(pairs))
    print(f"{len(pairs)} documents and their results in {path}")


def environ(body: bytes) -> dict[str, Any]:
    """What gunicorn hands the app for a ``text/plain`` POST to /v1/clean."""
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/v1/clean", "QUERY_STRING": "", "RAW_URI": "/v1/clean",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "HTTP_HOST": "127.0.0.1:8080",
        "HTTP_USER_AGENT": "wrk", "CONTENT_TYPE": "text/plain; charset=utf-8", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "SCRIPT_NAME": "",
    }


def app_driver(path: Path) -> tuple[Callable[[bytes], None], list[bytes]]:
    """A function posting one body to the app (engine answered from the saved results), and the bodies."""
    os.environ.pop("TEXTWASH_SOURCE_DB", None)
    os.environ.pop("TEXTWASH_REDIS_URL", None)
    import service.api
    from service import create_app

    pairs = pickle.loads(path.read_bytes())
    results = dict(pairs)
    app = create_app({"WARMUP": False})
    logging.getLogger("textwash.access").handlers[0].setStream(open(os.devnull, "w"))  # noqa: SIM115
    service.api.clean = lambda text=None, **_: results[text]

    def post(body: bytes) -> None:
        answer = app(environ(body), lambda *_: None)
        for _ in answer:
            pass
        answer.close()

    return post, [text.encode("utf-8") for text, _ in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("prepare", "time", "count"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.path, args.docs)
        return
    post, bodies = app_driver(args.path)
    for body in bodies:  # warm-up: first-call costs are not per-request costs
        post(body)
    if args.command == "count":
        operator.countOf((post(body) for body in bodies), None)
        print(f"{len(bodies)} requests counted: divide callgrind's total by {len(bodies)}")
        return
    best = float("inf")
    for _ in range(args.rounds):
        started = time.process_time()
        for body in bodies:
            post(body)
        best = min(best, time.process_time() - started)
    print(f"{best / len(bodies) * 1e6:.1f} µs CPU per request ({len(bodies)} requests, best of {args.rounds})")


if __name__ == "__main__":
    main()
