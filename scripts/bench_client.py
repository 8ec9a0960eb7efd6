"""Measure textwash.client: documents through ``Client.clean_many`` against the service, docs/s and client RSS.

    python scripts/bench_client.py [--docs 100000] [--chunk-size 64] [--concurrency 4] [--kill-at 0.5]
                                   [--url http://127.0.0.1:8080]

Without ``--url`` it starts the service as ``make run`` does (``textwash serve``, default workers), bound to a
free loopback port, and stops it after. Documents are the DEV bench's R2 inputs (../shared/bench, or
$TEXTWASH_BENCH), read from the gzip files in a cycle so the input itself takes no memory. ``--kill-at F``
SIGKILLs one service worker when a fraction F of the documents are back, and checks that every document
still got its result. ``--chunk-size 1`` is one document per request ("single"). Prints one JSON line.
This process imports only the client: no numpy, no LightGBM (checked).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from textwash.client import Client, CleanResult, DocumentError

ROOT = Path(__file__).resolve().parents[1]


def bench_dir() -> Path:
    return Path(os.environ.get("TEXTWASH_BENCH") or ROOT.parent / "shared" / "bench")


def documents(count: int) -> Iterator[dict[str, str]]:
    """``count`` R2 documents, cycling over the bench files, streamed from disk."""
    files = sorted((bench_dir() / "data").glob("*.jsonl.gz"))
    sent = 0
    while True:
        for path in files:
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                for line in lines:
                    if sent == count:
                        return
                    record = json.loads(line)
                    yield {"id": f"{sent}", "text": record["residue"], "url": record.get("url") or ""}
                    sent += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_service() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTWASH_") and k != "WEB_CONCURRENCY"}
    process = subprocess.Popen([str(Path(sys.executable).with_name("textwash")), "serve", "--bind", f"127.0.0.1:{port}"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the service did not become ready")


def workers(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(url: str, args: argparse.Namespace, master: int | None) -> dict[str, object]:
    counts = {"results": 0, "errors": 0, "in_order": True}
    killed = None
    rss_at: dict[str, float] = {"start": rss_mb()}
    started, cpu0 = time.perf_counter(), time.process_time()
    with Client(url, concurrency=args.concurrency, max_retries=args.max_retries) as client:
        for index, result in enumerate(client.clean_many(documents(args.docs), chunk_size=args.chunk_size)):
            counts["results"] += 1
            if isinstance(result, DocumentError):
                counts["errors"] += 1
                counts["in_order"] = counts["in_order"] and result.index == index
            elif not isinstance(result, CleanResult):
                raise SystemExit(f"unexpected result {result!r}")
            if master is not None and killed is None and index + 1 >= args.kill_at * args.docs:
                killed = workers(master)[0]
                os.kill(killed, signal.SIGKILL)
            if index + 1 in (args.docs // 10, args.docs // 2):
                rss_at[f"after_{index + 1}"] = rss_mb()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    rss_at["end"] = rss_mb()
    return {"docs": args.docs, "chunk_size": args.chunk_size, "concurrency": args.concurrency,
            "results": counts["results"], "document_errors": counts["errors"], "worker_killed": killed,
            "wall_s": round(wall, 1), "docs_per_s": round(counts["results"] / wall, 1),
            "client_cpu_s": round(cpu, 1), "client_rss_mb": {k: round(v, 1) for k, v in rss_at.items()},
            "client_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "engine_loaded_in_client": any(m in sys.modules for m in ("numpy", "lightgbm", "heuristics.pipeline")),
            "load_average_at_end": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-retries", type=int, default=4)
    parser.add_argument("--kill-at", type=float, default=None, help="kill one worker at this fraction of the run")
    parser.add_argument("--url", help="a running service (default: start one as `make run` does)")
    args = parser.parse_args()
    process, url = (None, args.url) if args.url else start_service()
    try:
        master = process.pid if process is not None and args.kill_at is not None else None
        report = run(url, args, master)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    print(json.dumps(report))
    if report["results"] != args.docs or report["document_errors"]:
        raise SystemExit("documents were lost or failed")


if __name__ == "__main__":
    main()
