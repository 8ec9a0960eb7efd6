"""Soak test of the HTTP service on loopback: steady load for minutes, a worker killed mid-load, every answer checked.

    python scripts/soak.py [--duration 600] [--load 0.8] [--rate DOCS_PER_S] [--workers N] [--kill-at 0.5]

1. starts ``python -m service serve`` on 127.0.0.1 (the packaged gunicorn config) and nothing else is targeted;
2. capacity: this script's own client, closed loop (16 connections, ``--capacity-seconds``), in documents/s,
   unless ``--rate`` gives the documents/s to offer;
3. soak: open loop at ``--load`` x capacity for ``--duration`` seconds (default 600). Requests are issued on
   a fixed schedule by a pool of client threads: single documents as ``text/plain`` to ``/v1/clean``, and
   every ``--batch-every``-th request an NDJSON batch of ``--batch-size`` documents with ids, whose answer
   must hold exactly those ids, once each, in order, each with a result. Clients retry (a new connection,
   up to ``--retries`` times) on a reset, a 5xx or an incomplete stream, as a real client would;
4. at ``--kill-at`` of the soak one gunicorn worker (a child of the master) gets SIGKILL; the master must
   fork a replacement; requests it was serving must come back whole on retry;
5. every worker's RSS is read from /proc at the start of the soak and at its end (and every 10 s).

``--engine-passes N`` skips the server: the documents are cleaned N times in-process and the RSS after each
pass is printed (whether the engine itself leaks).

Prints requests, documents, errors (answers that were not right even after retries), lost and duplicated
documents, retries, p50/p99 latency (from the scheduled send time, so queueing counts), the kill and its
replacement, RSS per worker at start and end, and the server's own 5xx count. Bounded: the schedule ends
after ``--duration`` seconds and every request has a timeout. Exit status 1 if anything was lost or wrong.
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadtest  # noqa: E402  (r2_documents, children, free_port: the load benchmark's helpers)

HOST = "127.0.0.1"  # loopback only
REQUEST_TIMEOUT = 60.0
SAMPLE_EVERY = 10.0


@dataclass
class Tally:
    """What the clients saw; guarded by ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0          # requests answered right (after retries)
    attempts: int = 0          # HTTP attempts, retries included
    retries: int = 0
    documents: int = 0         # documents answered with a result
    errors: int = 0            # requests never answered right
    lost: int = 0              # documents sent and never answered (after retries)
    duplicated: int = 0        # documents answered twice in one answer
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    retry_reasons: Counter = field(default_factory=Counter)  # what made a client retry (kill, resets)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"single": [], "batch": []})
    service_times: list[float] = field(default_factory=list)  # from the first send to the answer
    late_starts: int = 0       # requests that left more than a second after their slot (client saturated)


class Client(threading.Thread):
    """Takes (kind, scheduled time, payload) jobs and runs them on a kept-alive connection, with retries."""

    def __init__(self, port: int, jobs: queue.Queue, tally: Tally, retries: int) -> None:
        super().__init__(daemon=True)
        self.port, self.jobs, self.tally, self.retries = port, jobs, tally, retries
        self.conn: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            self.handle(*job)

    def connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        return self.conn

    def reset(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def handle(self, kind: str, scheduled: float, payload: object) -> None:
        if time.monotonic() - scheduled > 1.0:
            with self.tally.lock:
                self.tally.late_starts += 1
        outcome, problem = None, "not tried"
        sent = time.monotonic()
        for attempt in range(self.retries + 1):
            with self.tally.lock:
                self.tally.attempts += 1
                self.tally.retries += attempt > 0
            try:
                outcome, problem = (self.single(payload) if kind == "single" else self.batch(payload))
            except (OSError, http.client.HTTPException) as error:
                outcome, problem = None, type(error).__name__
            if outcome is not None or problem.startswith("final"):
                break
            with self.tally.lock:
                self.tally.retry_reasons[f"{kind}: {problem}"] += 1
            self.reset()
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
        self.record(kind, scheduled, sent, payload, outcome, problem)

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        conn = self.connection()
        conn.request("POST", path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        data = response.read()
        with self.tally.lock:
            self.tally.statuses[response.status] += 1
        if response.will_close:
            self.reset()
        return response.status, data

    def single(self, text: str) -> tuple[int | None, str]:
        status, data = self.post("/v1/clean", text.encode("utf-8"), "text/plain")
        if status >= 500:
            return None, f"status {status}"
        if status != 200:
            return None, f"final status {status}"
        result = json.loads(data)
        return (1, "") if "paragraphs" in result else (None, "final: no result")

    def batch(self, documents: list[dict]) -> tuple[int | None, str]:
        body = b"".join(json.dumps(doc).encode("utf-8") + b"\n" for doc in documents)
        status, data = self.post("/v1/clean/batch", body, "application/x-ndjson")
        if status >= 500:
            return None, f"status {status}"
        if status != 200:
            return None, f"final status {status}"
        try:
            items = [json.loads(line) for line in data.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return None, "cut-off line"  # the stream broke mid-line: retry
        ids = [item.get("id") for item in items]
        expected = [doc["id"] for doc in documents]
        if len(ids) < len(expected) and ids == expected[:len(ids)]:
            return None, "incomplete stream"  # a worker died mid-stream: retry
        if ids != expected:
            return None, f"final: ids {ids[:3]}... not {expected[:3]}..."
        if any("error" in item or "paragraphs" not in item for item in items):
            return None, "final: error item"
        return len(items), ""

    def record(self, kind: str, scheduled: float, sent_at: float, payload: object, outcome: int | None,
               problem: str) -> None:
        sent = 1 if kind == "single" else len(payload)  # type: ignore[arg-type]
        with self.tally.lock:
            if outcome is None:
                self.tally.errors += 1
                self.tally.lost += sent
                self.tally.failures[problem] += 1
                return
            self.tally.requests += 1
            self.tally.documents += outcome
            self.tally.duplicated += max(0, outcome - sent)
            now = time.monotonic()
            self.tally.latencies[kind].append(now - scheduled)
            self.tally.service_times.append(now - sent_at)


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def worker_rss(master: int) -> dict[int, float]:
    found = {}
    for pid in loadtest.children(master):
        rss = rss_mb(pid)
        if rss is not None:
            found[pid] = rss
    return found


def server_5xx(port: int) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    total = 0
    for line in text.splitlines():
        if line.startswith("textwash_http_requests_total{") and 'status="5' in line:
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def start_server(port: int, workers: int | None, log_path: Path) -> subprocess.Popen[bytes]:
    process = loadtest.start_server(port, workers, log_path)
    deadline = time.monotonic() + 60
    expected = workers or None
    while time.monotonic() < deadline:  # every worker forked (readyz answers once the first is up)
        count = len(loadtest.children(process.pid))
        if count and (expected is None or count >= expected):
            break
        time.sleep(0.2)
    return process


def closed_loop(port: int, documents: list[str], seconds: float, connections: int) -> float:
    """Documents per second this client gets answered with ``connections`` requests always in flight."""
    tally = Tally()
    jobs: queue.Queue = queue.Queue(maxsize=connections)
    clients = [Client(port, jobs, tally, retries=0) for _ in range(connections)]
    for client in clients:
        client.start()
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < seconds:
        jobs.put(("single", time.monotonic(), documents[n % len(documents)]))
        n += 1
    for _ in clients:
        jobs.put(None)
    for client in clients:
        client.join(REQUEST_TIMEOUT)
    return tally.documents / (time.monotonic() - started)


def schedule(port: int, documents: list[str], args: argparse.Namespace, rate_docs: float, master: int
             ) -> tuple[Tally, dict, list[tuple[float, dict[int, float]]]]:
    """The soak: jobs on a fixed schedule for ``args.duration`` seconds; the kill; RSS samples."""
    tally = Tally()
    jobs: queue.Queue = queue.Queue()
    clients = [Client(port, jobs, tally, args.retries) for _ in range(args.clients)]
    for client in clients:
        client.start()
    docs_per_request = (args.batch_every - 1 + args.batch_size) / args.batch_every
    interval = docs_per_request / rate_docs
    kill: dict = {}
    samples = [(0.0, worker_rss(master))]
    started = time.monotonic()
    next_sample, n, batch_no = started + SAMPLE_EVERY, 0, 0
    while True:
        slot = started + n * interval
        if slot - started >= args.duration:
            break
        now = time.monotonic()
        if slot > now:
            time.sleep(slot - now)
        if args.kill_at is not None and not kill and slot - started >= args.kill_at * args.duration:
            kill = kill_a_worker(master)
        if time.monotonic() >= next_sample:
            samples.append((time.monotonic() - started, worker_rss(master)))
            next_sample += SAMPLE_EVERY
        if n % args.batch_every == args.batch_every - 1:
            batch = [{"id": f"b{batch_no}-{i}", "text": documents[(n + i) % len(documents)]}
                     for i in range(args.batch_size)]
            jobs.put(("batch", slot, batch))
            batch_no += 1
        else:
            jobs.put(("single", slot, documents[n % len(documents)]))
        n += 1
    for _ in clients:
        jobs.put(None)
    for client in clients:
        client.join(REQUEST_TIMEOUT * (args.retries + 1))
    samples.append((time.monotonic() - started, worker_rss(master)))
    if kill:
        kill.update(replacement(master, kill))
    return tally, kill, samples


def kill_a_worker(master: int) -> dict:
    """SIGKILL the first worker; a watcher thread notes when the master has forked its replacement."""
    workers = loadtest.children(master)
    victim = workers[0]
    kill = {"victim": victim, "before": workers, "at": time.monotonic()}
    os.kill(victim, signal.SIGKILL)
    threading.Thread(target=watch_replacement, args=(master, kill), daemon=True).start()
    return kill


def watch_replacement(master: int, kill: dict) -> None:
    deadline = kill["at"] + 60
    while time.monotonic() < deadline:
        now = loadtest.children(master)
        new = sorted(set(now) - set(kill["before"]))
        if kill["victim"] not in now and new:
            kill["replaced_in"] = time.monotonic() - kill["at"]
            return
        time.sleep(0.02)


def replacement(master: int, kill: dict) -> dict:
    """The workers at the end: the victim gone, as many as before, the new one among them."""
    now = loadtest.children(master)
    return {"after": now, "new": sorted(set(now) - set(kill["before"]))}


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def report(tally: Tally, kill: dict, samples: list, args: argparse.Namespace, rate_docs: float, capacity: float | None,
           server_errors: int, log_errors: int) -> bool:
    all_latency = tally.latencies["single"] + tally.latencies["batch"]
    print(f"offered:    {rate_docs:.0f} docs/s for {args.duration:.0f} s "
          + (f"({args.load:.0%} of a measured capacity of {capacity:.0f} docs/s)" if capacity else "(--rate)"))
    print(f"requests:   {tally.requests} answered right ({len(tally.latencies['single'])} single, "
          f"{len(tally.latencies['batch'])} batches of {args.batch_size}), {tally.attempts} HTTP attempts, "
          f"{tally.retries} retries; statuses {dict(sorted(tally.statuses.items()))}")
    print(f"documents:  {tally.documents} answered; lost {tally.lost}; duplicated {tally.duplicated}; "
          f"errors {tally.errors} {dict(tally.failures) if tally.failures else ''}")
    print(f"retried:    {dict(sorted(tally.retry_reasons.items())) or 'nothing'}")
    print(f"latency:    p50 {percentile(all_latency, 50) * 1000:.0f} ms, p99 {percentile(all_latency, 99) * 1000:.0f} ms "
          f"(single p99 {percentile(tally.latencies['single'], 99) * 1000:.0f} ms, batch p99 "
          f"{percentile(tally.latencies['batch'], 99) * 1000:.0f} ms; from the scheduled send time); "
          f"{tally.late_starts} requests left over 1 s late")
    print(f"            from the actual send: p50 {percentile(tally.service_times, 50) * 1000:.0f} ms, "
          f"p99 {percentile(tally.service_times, 99) * 1000:.0f} ms")
    if kill:
        print(f"kill:       SIGKILL worker {kill['victim']} at {args.kill_at:.0%}; workers before {kill['before']}, "
              f"after {kill['after']}; replacement {kill.get('new')} seen "
              + (f"{kill['replaced_in']:.2f} s after the kill" if kill.get("replaced_in") is not None else "(not seen)"))
    first, last = samples[0][1], samples[-1][1]
    survivors = sorted(set(first) & set(last))
    print("RSS (MB):   start " + ", ".join(f"{first[p]:.0f}" for p in sorted(first))
          + " | end " + ", ".join(f"{last[p]:.0f}" for p in sorted(last))
          + " | workers alive throughout: " + ", ".join(f"{first[p]:.0f} -> {last[p]:.0f}" for p in survivors))
    marks = [samples[min(len(samples) - 1, round(q * (len(samples) - 1)))] for q in (0, 0.25, 0.5, 0.75, 1)]
    trend = [statistics.mean(sample[p] for p in survivors if p in sample) for _, sample in marks] if survivors else []
    print("            mean of those at 0/25/50/75/100% of the soak: " + " / ".join(f"{mb:.0f}" for mb in trend))
    if survivors:
        every = [statistics.mean(sample[p] for p in survivors if p in sample) for _, sample in samples]
        print("            every sample: " + " ".join(f"{mb:.0f}" for mb in every))
    peak = max((rss for _, sample in samples for rss in sample.values()), default=float("nan"))
    print(f"            peak {peak:.0f} MB over {len(samples)} samples every {SAMPLE_EVERY:.0f} s")
    print(f"server:     {server_errors} 5xx counted by the server; {log_errors} error records in its log")
    print(f"machine:    {os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f} (shared with other work)")
    replaced = not kill or (kill.get("new") and kill["victim"] not in kill["after"])
    ok = tally.lost == 0 and tally.duplicated == 0 and tally.errors == 0 and server_errors == 0 and bool(replaced)
    print("result:     " + ("OK: nothing lost, duplicated or wrong" if ok else "FAILED"))
    return ok


def engine_memory(documents: list[str], passes: int) -> int:
    """No server: clean the documents ``passes`` times in this process (every tenth with explain) and
    print the RSS after each pass; a leak shows as growth after the first passes."""
    from heuristics import clean

    print(f"engine alone: RSS {rss_mb(os.getpid()):.0f} MB before", flush=True)
    for number in range(1, passes + 1):
        started = time.monotonic()
        for index, text in enumerate(documents):
            clean(text, explain=index % 10 == 0)
        gc.collect()
        print(f"pass {number}: RSS {rss_mb(os.getpid()):.0f} MB ({time.monotonic() - started:.1f} s)", flush=True)
    return 0


def log_error_records(log_path: Path) -> int:
    count = 0
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            count += json.loads(line).get("level") in ("error", "critical")
        elif "[ERROR]" in line and "Worker (pid:" not in line:
            count += 1  # gunicorn's own errors, but not its notice that the killed worker died
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600, help="seconds of soak (default 600)")
    parser.add_argument("--load", type=float, default=0.8, help="fraction of the measured capacity to offer")
    parser.add_argument("--rate", type=float, help="documents/s to offer (skips the capacity measurement)")
    parser.add_argument("--capacity-seconds", type=float, default=20, help="length of the capacity run")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the packaged config)")
    parser.add_argument("--clients", type=int, default=64, help="client threads (open loop)")
    parser.add_argument("--batch-every", type=int, default=10, help="every n-th request is an NDJSON batch")
    parser.add_argument("--batch-size", type=int, default=20, help="documents per batch")
    parser.add_argument("--retries", type=int, default=5, help="retries per request on resets and 5xx")
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the soak at which a worker is killed")
    parser.add_argument("--docs", type=int, default=1000, help="R2 documents to cycle through (../shared/bench)")
    parser.add_argument("--engine-passes", type=int, help="no server: clean the documents this many times "
                        "in-process and print RSS after each pass (a leak check of the engine alone)")
    args = parser.parse_args()
    if not 0 < args.duration <= 3600:
        parser.error("--duration must be in (0, 3600] seconds")

    try:
        documents = loadtest.r2_documents(args.docs)
    except FileNotFoundError:  # no bench next to the checkout
        documents = []
    if not documents:
        documents = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    if args.engine_passes:
        return engine_memory(documents, args.engine_passes)
    with tempfile.TemporaryDirectory(prefix="textwash-soak-") as tmp:
        port = loadtest.free_port()
        log_path = Path(tmp) / "server.log"
        server = start_server(port, args.workers, log_path)
        try:
            print(f"documents:  {len(documents)}, mean {statistics.mean(map(len, documents)):.0f} chars; server "
                  f"{len(loadtest.children(server.pid))} workers on {HOST}:{port}; "
                  f"load average before {os.getloadavg()[0]:.1f}", flush=True)
            capacity = None
            if args.rate:
                rate = args.rate
            else:
                closed_loop(port, documents, 5, 16)  # warm-up
                capacity = closed_loop(port, documents, args.capacity_seconds, 16)
                rate = args.load * capacity
                print(f"capacity:   {capacity:.0f} docs/s (closed loop, 16 connections, "
                      f"{args.capacity_seconds:.0f} s) -> offering {rate:.0f} docs/s", flush=True)
            errors_before = server_5xx(port)
            tally, kill, samples = schedule(port, documents, args, rate, server.pid)
            server_errors = server_5xx(port) - errors_before
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        log_errors = log_error_records(log_path)
    return 0 if report(tally, kill, samples, args, rate, capacity, server_errors, log_errors) else 1


if __name__ == "__main__":
    socket.setdefaulttimeout(REQUEST_TIMEOUT)
    sys.exit(main())
