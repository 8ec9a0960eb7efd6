"""The largest NDJSON batch through the service, sent the way http.client, requests and httpx send it.

    python scripts/batch_probe.py [--documents N | --fill] [--client requests|http.client|httpx] [--workers 1]

1. starts ``python -m service serve`` on 127.0.0.1 with one worker (so that the batch's memory is that
   worker's), with the packaged settings: the batch limit and memory threshold are the defaults;
2. builds N short news documents (about 330 bytes each: byline, headline, two sentences, a caption, a
   share line; each one distinct), or with ``--fill`` as many as fit under the batch limit;
3. POSTs them in one request, the whole body first, then reads the answer line by line: seconds to the
   first answer line and to the last, every answer present, in order, and no error item;
4. prints documents, body and answer size, times, the worker's CPU seconds, and memory: the worker's RSS
   before the batch and its peak (VmHWM) after, and the master's RSS.
Only loopback is targeted; the run ends with the batch. docs/batches.md quotes what this prints.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from loadtest import cpu_seconds, served  # the load benchmark's server set-up
from service.config import DEFAULTS  # (the probe runs from a checkout, not an install: loadtest put it on the path)

CITIES = ("Geneva", "Lyon", "Porto", "Gdansk", "Leipzig", "Bologna", "Utrecht", "Tartu")
NAMES = ("Anna Petrova", "Jonas Weber", "Marta Silva", "Luca Ferri", "Eva Nowak", "Tom Hughes")


def document(n: int) -> dict[str, str]:
    """A short news document: three lines of body and the residue around them, distinct for each ``n``."""
    city, name = CITIES[n % len(CITIES)], NAMES[n % len(NAMES)]
    text = (f"By {name}\n{city} council approves budget {n}\n"
            f"The council of {city} approved the budget for next year on Monday after a long debate about "
            f"schools, roads and the library; the vote was {n % 40 + 10} to {n % 9 + 1}.\n"
            f"Work on the new bridge starts in spring, officials said.\nPhoto: Reuters\nShare this article")
    return {"id": f"doc-{n}", "text": text}


def batch_body(count: int | None, limit: int) -> tuple[bytes, int]:
    """``count`` documents as NDJSON, or (``count`` None) as many as fit in ``limit`` bytes."""
    lines, size = [], 0
    while count is None or len(lines) < count:
        line = json.dumps(document(len(lines))).encode() + b"\n"
        if size + len(line) > limit:
            break
        lines.append(line)
        size += len(line)
    return b"".join(lines), len(lines)


def workers_of(pid: int, count: int) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if len(children) == count:
            return children
        time.sleep(0.1)
    sys.exit(f"expected {count} workers under {pid}")


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def answer_lines(client: str, port: int, body: bytes) -> Iterator[bytes]:
    """POST the whole body, then yield the answer's lines as they arrive."""
    headers = {"Content-Type": "application/x-ndjson"}
    url = f"http://127.0.0.1:{port}/v1/clean/batch"
    if client == "requests":
        with requests.post(url, data=body, headers=headers, stream=True, timeout=600) as response:
            response.raise_for_status()
            yield from response.raw
    elif client == "httpx":
        import httpx

        with httpx.stream("POST", url, content=body, headers=headers, timeout=600) as response:
            response.raise_for_status()
            yield from (line.encode() for line in response.iter_lines())
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("POST", "/v1/clean/batch", body=body, headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            sys.exit(f"answer {response.status}: {response.read()[:500]!r}")
        yield from response
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--documents", type=int, default=100_000, help="documents in the batch (default 100,000)")
    size.add_argument("--fill", action="store_true", help="as many documents as fit under the batch limit")
    parser.add_argument("--client", choices=("requests", "http.client", "httpx"), default="requests")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    limit = DEFAULTS["MAX_BATCH_BYTES"]
    body, count = batch_body(None if args.fill else args.documents, limit)
    if not args.fill and count < args.documents:
        sys.exit(f"{args.documents} documents do not fit under the batch limit of {limit} bytes")
    with tempfile.TemporaryDirectory(prefix="textwash-probe-") as scratch, served(args.workers, Path(scratch)) as (
            server, port):
        measure(server.pid, args, port, body, count, limit)


def measure(master: int, args: argparse.Namespace, port: int, body: bytes, count: int, limit: int) -> None:
    workers = workers_of(master, args.workers)
    rss_before = {pid: status_kib(pid, "VmRSS") for pid in workers}
    peak_before = {pid: status_kib(pid, "VmHWM") for pid in workers}
    cpu_before = cpu_seconds(workers)
    started = time.perf_counter()
    first = None
    answered, answer_bytes, errors = 0, 0, 0
    for line in answer_lines(args.client, port, body):
        if first is None:
            first = time.perf_counter() - started
        item = json.loads(line)
        if item["id"] != f"doc-{answered}":
            sys.exit(f"answer {answered} has id {item['id']!r}: out of order")
        errors += "error" in item
        answered += 1
        answer_bytes += len(line)
    total = time.perf_counter() - started
    cpu = cpu_seconds(workers) - cpu_before
    peak = {pid: status_kib(pid, "VmHWM") for pid in workers}
    print(f"client                     {args.client} (whole body sent before the answer is read)")
    print(f"documents                  {count:,} ({'filling' if args.fill else 'under'} the batch limit of "
          f"{limit / 2**20:.0f} MiB)")
    print(f"body / answer              {len(body) / 1e6:.1f} MB in, {answer_bytes / 1e6:.1f} MB out")
    print(f"answered                   {answered:,} lines, in order, {errors} error items")
    print(f"first answer line after    {first:.2f} s (the whole body is read first)")
    print(f"whole batch                {total:.1f} s, {answered / total:,.0f} documents/s")
    print(f"worker CPU                 {cpu:.1f} s ({cpu / max(answered, 1) * 1000:.2f} ms per document)")
    for pid in workers:
        print(f"worker {pid} RSS          {rss_before[pid] / 1024:.0f} MB before (peak so far "
              f"{peak_before[pid] / 1024:.0f} MB), peak {peak[pid] / 1024:.0f} MB after")
    print(f"master RSS                 {status_kib(master, 'VmRSS') / 1024:.0f} MB")
    print(f"load average (1 min)       {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if answered != count or errors:
        sys.exit("the batch was not answered whole")


if __name__ == "__main__":
    main()
