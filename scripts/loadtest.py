"""Load benchmark of the HTTP service on loopback: wrk against gunicorn, R2 documents from ../shared/bench.

    python scripts/loadtest.py [--docs 1000] [--duration 20] [--workers N] [--connections 16]

1. starts ``python -m service serve`` on 127.0.0.1 (default workers: the packaged gunicorn config);
2. capacity: wrk with as many requests as the server will take (closed loop) -> documents/s;
3. half load: wrk paced to 50 % of that capacity -> p50 / p99 latency;
4. errors: wrk's non-2xx and socket errors, and the server's own 4xx/5xx counters from /metrics;
5. memory: RSS (and PSS, which counts pages shared copy-on-write only once) of every worker;
6. CPU: the server's CPU time per document, a figure that other load on the machine does not distort.
Only loopback is targeted; every run is bounded by --duration. Prints the figures and the targets.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import load_records  # noqa: E402  (the benchmark runs from a checkout)

LUA = Path(__file__).with_name("loadtest.lua")
TARGET_DOCS_PER_S = 800
TARGET_P99_MS = 50
TARGET_RSS_MB = 150


def r2_documents(limit: int) -> list[str]:
    """The R2 inputs (``residue``) of every dataset, a deterministic sample ordered by sha1 of the id."""
    records = sorted((hashlib.sha1(record["id"].encode()).hexdigest(), record["residue"])
                     for record in load_records() if record.get("residue"))
    return [text.replace("\0", "") for _, text in records[:limit]]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: apt-get install wrk (as root)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or sys.exit("wrk did not install")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int | None, log_path: Path) -> subprocess.Popen[bytes]:
    """``python -m service serve`` on 127.0.0.1:``port`` (``workers``, or the packaged config's), without the
    caller's TEXTWASH_ variables, once it answers /readyz."""
    command = [sys.executable, "-m", "service", "serve", "--bind", f"127.0.0.1:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTWASH_")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).ok:
                time.sleep(1.0)  # let every worker finish booting (gunicorn forks them a moment apart)
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit("server not ready after 90 s")


@contextmanager
def served(workers: int | None, folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A server on a free loopback port (its log in ``folder``), and its port; stopped with SIGTERM after."""
    port = free_port()
    server = start_server(port, workers, folder / "server.log")
    try:
        yield server, port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def run_wrk(wrk: str, url: str, bodies: Path, duration: int, connections: int, interval_ms: float = 0.0) -> dict:
    """One wrk run; returns requests/s, latency percentiles (ms) and error counts."""
    env = {**os.environ, "LOADTEST_BODIES": str(bodies), "LOADTEST_INTERVAL_MS": f"{interval_ms:.3f}"}
    command = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency", "-s", str(LUA), url]
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60).stdout
    return parse_wrk(output)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {"raw": output, "errors": 0}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        result[f"p{pct}"] = _ms(*match.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["errors"] = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return result


def server_error_count(base: str) -> int:
    """4xx and 5xx answers the server counted on /v1/clean (from /metrics)."""
    total = 0
    for line in requests.get(base + "/metrics", timeout=10).text.splitlines():
        match = re.match(r'textwash_http_requests_total\{route="/v1/clean",status="(\d+|other)"\} (\d+)', line)
        if match and match.group(1) != "200":
            total += int(match.group(2))
    return total


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) / 1024
    return rss, pss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000, help="R2 documents to cycle through")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the packaged config)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections for the capacity run")
    args = parser.parse_args()

    wrk = ensure_wrk()
    documents = r2_documents(args.docs)
    with tempfile.TemporaryDirectory(prefix="textwash-load-") as tmp:
        bodies = Path(tmp) / "bodies.bin"
        bodies.write_bytes(b"\0".join(doc.encode("utf-8") for doc in documents))
        with served(args.workers, Path(tmp)) as (server, port):
            base = f"http://127.0.0.1:{port}"
            workers = children(server.pid)
            print(f"documents: {len(documents)} R2 inputs, mean {sum(map(len, documents)) / len(documents):.0f} chars; "
                  f"server: {len(workers)} workers, {os.cpu_count()} cores; "
                  f"load average before: {os.getloadavg()[0]:.1f}")
            run_wrk(wrk, base, bodies, min(5, args.duration), args.connections)  # warm-up
            errors_before = server_error_count(base)
            server_pids = [server.pid, *children(server.pid)]
            cpu_before = cpu_seconds(server_pids)
            full = run_wrk(wrk, base, bodies, args.duration, args.connections)
            cpu_per_doc = (cpu_seconds(server_pids) - cpu_before) / full["requests"]
            rate = full["rps"] / 2
            paced_connections = 32  # each waits 32 / rate between requests, so latency shifts the rate little
            half = run_wrk(wrk, base, bodies, args.duration, paced_connections, 1000.0 * paced_connections / rate)
            server_errors = server_error_count(base) - errors_before
            memory = [memory_mb(pid) for pid in children(server.pid)]
    max_rss = max(rss for rss, _ in memory)
    print(f"load average after the runs: {os.getloadavg()[0]:.1f} (other work on the machine skews the timings)")
    errors = full["errors"] + half["errors"] + server_errors
    print(f"capacity:   {full['rps']:.0f} docs/s ({args.connections} connections, {args.duration} s, "
          f"p50 {full['p50']:.1f} ms, p99 {full['p99']:.1f} ms)")
    cores = len(os.sched_getaffinity(0))
    print(f"server CPU: {cpu_per_doc * 1000:.2f} ms per document -> {cores / cpu_per_doc:.0f} docs/s "
          f"if the server had all {cores} cores to itself (the capacity run shares them with wrk and anything else)")
    print(f"half load:  {half['rps']:.0f} docs/s offered at {rate:.0f}/s: p50 {half['p50']:.1f} ms, "
          f"p90 {half['p90']:.1f} ms, p99 {half['p99']:.1f} ms")
    print(f"errors:     {errors} (wrk: {full['errors'] + half['errors']}, server 4xx/5xx: {server_errors})")
    print("workers:    " + ", ".join(f"RSS {rss:.0f} MB / PSS {pss:.0f} MB" for rss, pss in memory))
    checks = [
        (f"throughput >= {TARGET_DOCS_PER_S} docs/s", full["rps"] >= TARGET_DOCS_PER_S),
        (f"p99 at half load < {TARGET_P99_MS} ms", half["p99"] < TARGET_P99_MS),
        ("errors == 0", errors == 0),
        (f"RSS per worker <= {TARGET_RSS_MB} MB", max_rss <= TARGET_RSS_MB),
    ]
    for label, ok in checks:
        print(f"target {label}: {'met' if ok else 'NOT met'}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
