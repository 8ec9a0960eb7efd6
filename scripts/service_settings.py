"""Compare gunicorn settings for the service: CPU per document at capacity, p99 at a fixed half load.

    python scripts/service_settings.py [--rounds 2] [--duration 15] [--rate 350] \
        [--setting "default=" --setting "5x1=--threads 1" ...]

Each ``--setting NAME=FLAGS`` is a gunicorn command line added to the packaged config (through
``GUNICORN_CMD_ARGS``; an empty FLAGS is the packaged config itself). For every round and every setting
in turn (interleaved, so a busy minute on a shared machine hits all settings alike), it starts
``python -m service serve`` on loopback as ``scripts/loadtest.py`` does, then:
1. capacity: wrk, 16 connections, closed loop -> documents/s, and the server's CPU time per document
   (user + system of the master and its workers; other load on the machine distorts it much less than
   the wall-clock rate);
2. half load: wrk with 32 connections paced to ``--rate`` documents/s (the same for every setting, so
   their latencies compare) -> p50, p90, p99.
Prints one line per run and, per setting, the median CPU per document and the worst and median p99.
With ``--healthz N`` it measures gunicorn's fixed cost instead: N sequential ``GET /healthz`` over one
keep-alive connection (a new one whenever the server closes it), server CPU per request, best of 3 (give
``--workers 1`` in the settings). Measures; asserts nothing.
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtest import children, cpu_seconds, ensure_wrk, r2_documents, run_wrk, served  # noqa: E402

DEFAULT_SETTINGS = ("default=",)
HEALTHZ_ROUNDS = 3


def parse_setting(text: str) -> tuple[str, str]:
    name, _, flags = text.partition("=")
    return name, flags


def measure(wrk: str, bodies: Path, flags: str, duration: int, rate: float, folder: Path) -> dict[str, float]:
    """One run of one setting: capacity and CPU per document, then latency at ``rate``."""
    os.environ["GUNICORN_CMD_ARGS"] = flags
    try:
        with served(None, folder) as (server, port):
            base = f"http://127.0.0.1:{port}"
            run_wrk(wrk, base, bodies, 5, 16)  # warm-up: every worker has seen documents
            pids = [server.pid, *children(server.pid)]
            before = cpu_seconds(pids)
            full = run_wrk(wrk, base, bodies, duration, 16)
            cpu_ms = (cpu_seconds(pids) - before) / full["requests"] * 1000
            paced_connections = 32
            half = run_wrk(wrk, base, bodies, duration, paced_connections, 1000.0 * paced_connections / rate)
    finally:
        os.environ.pop("GUNICORN_CMD_ARGS", None)
    return {"rps": full["rps"], "cpu_ms": cpu_ms, "offered": half["rps"], "p50": half["p50"], "p90": half["p90"],
            "p99": half["p99"], "errors": full["errors"] + half["errors"], "workers": len(pids) - 1}


def fixed_cost(flags: str, requests: int, folder: Path) -> float:
    """Server CPU µs per sequential ``GET /healthz`` (best of ``HEALTHZ_ROUNDS``) under ``flags``."""
    os.environ["GUNICORN_CMD_ARGS"] = flags
    try:
        with served(None, folder) as (server, port):
            pids = [server.pid, *children(server.pid)]
            connection = http.client.HTTPConnection("127.0.0.1", port)

            def get() -> None:
                nonlocal connection
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port)

            for _ in range(300):
                get()
            best = float("inf")
            for _ in range(HEALTHZ_ROUNDS):
                before = cpu_seconds(pids)
                for _ in range(requests):
                    get()
                best = min(best, cpu_seconds(pids) - before)
            connection.close()
    finally:
        os.environ.pop("GUNICORN_CMD_ARGS", None)
    return best / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setting", action="append", help="NAME=gunicorn flags (repeatable)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--rate", type=float, default=350.0, help="documents/s offered in the half-load run")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--healthz", type=int, help="measure N sequential GET /healthz per setting instead")
    args = parser.parse_args()
    settings = [parse_setting(text) for text in (args.setting or DEFAULT_SETTINGS)]
    if args.healthz:
        with tempfile.TemporaryDirectory(prefix="textwash-settings-") as tmp:
            for _ in range(args.rounds):
                for name, flags in settings:
                    cost = fixed_cost(flags, args.healthz, Path(tmp))
                    print(f"{name:>14} [{flags}]: {cost:.0f} µs server CPU per GET /healthz "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
        return
    wrk = ensure_wrk()
    documents = r2_documents(args.docs)
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in settings}
    with tempfile.TemporaryDirectory(prefix="textwash-settings-") as tmp:
        bodies = Path(tmp) / "bodies.bin"
        bodies.write_bytes(b"\0".join(doc.encode("utf-8") for doc in documents))
        for round_number in range(args.rounds):
            for name, flags in settings:
                load = os.getloadavg()[0]
                run = measure(wrk, bodies, flags, args.duration, args.rate, Path(tmp))
                results[name].append(run)
                print(f"round {round_number + 1} {name:>14} ({run['workers']:.0f} workers, load {load:.1f}): "
                      f"capacity {run['rps']:.0f} docs/s, CPU {run['cpu_ms']:.2f} ms/doc; at {run['offered']:.0f}/s "
                      f"p50 {run['p50']:.1f} p90 {run['p90']:.1f} p99 {run['p99']:.1f} ms; errors {run['errors']:.0f}",
                      flush=True)
    print(f"\nper setting over {args.rounds} rounds (median CPU ms/doc, median and worst p99 at {args.rate:.0f}/s):")
    for name, flags in settings:
        runs = results[name]
        cpu = statistics.median(run["cpu_ms"] for run in runs)
        p99 = [run["p99"] for run in runs]
        print(f"  {name:>14} [{flags or 'packaged config'}]: CPU {cpu:.2f} ms/doc -> {2 / cpu * 1000:.0f} docs/s on two "
              f"cores; capacity median {statistics.median(run['rps'] for run in runs):.0f}; "
              f"p99 median {statistics.median(p99):.1f}, worst {max(p99):.1f} ms")


if __name__ == "__main__":
    main()
