"""Large NDJSON batches from ordinary HTTP clients that send the whole body before they read the answer
(http.client, requests, httpx) and from curl: every batch is answered whole and in order, alone and while
other clients load the service, and the mixed load sees no reset.

The engine's speed is not under test here (``scripts/batch_probe.py`` measures real short documents and
quotes the figures in docs/batches.md): nine documents in ten are empty, which the service answers in a
fraction of a millisecond with an ``empty_body`` warning, so that 100,000 documents take tens of seconds,
not minutes; every tenth carries a text to clean, so that answers are checked for content as well as
order. Each document also has a URL and options, about 200 bytes in all, which makes the 100,000-document
body about 22 MB (and 64 MB of answers), far past the socket buffers: a server that answered while the
body was still arriving would block these clients (the issue's 60,000 documents of 21 MB always were).

The module's server has short timeouts: a worker that goes 4 s without a heartbeat is killed and a
connection silent for 5 s mid-request is cut. The largest batch lasts far longer than both: the time
limits are per step of progress, never per request. The body is held in memory up to 256 KiB only, so
every batch here goes through the temporary file.
"""
from __future__ import annotations

import http.client
import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import requests
from service_helpers import Server, ndjson, start_server

SMALL = 20_000
LARGEST = 100_000
WORKERS = 2
THREADS = 4
WORKER_TIMEOUT = 4
CLIENT_TIMEOUT = 5.0
PAUSE = 0.02  # seconds between two load requests: steady traffic, not a flood
ANSWER_BOUND = 300.0  # seconds a client waits between two bytes; a hang is what this catches
PATH = "/v1/clean/batch"
NDJSON = {"Content-Type": "application/x-ndjson"}
STORY = "Report {n}: the council met on Monday and approved the budget for schools and roads."
URL = "https://news.example.org/europe/2026/12/07/city-council-approves-next-years-budget-after-long-debate-{n}.html"
OPTIONS = {"mode": "balanced", "keep": ["byline"]}
LOAD_TEXT = ("Subscribe to our newsletter\nThe museum reopened on Sunday after {n} days of repairs to its roof "
             "and the old east wing.")


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TEXTWASH_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT), "TEXTWASH_TIMEOUT": str(WORKER_TIMEOUT),
           "TEXTWASH_THREADS": str(THREADS), "TEXTWASH_BATCH_MEMORY_BYTES": str(256 * 1024)}
    running = start_server(tmp_path_factory.mktemp("batch-clients"), env, workers=WORKERS)
    yield running
    running.stop()


def worker_pids(server: Server) -> set[int]:
    pid = server.process.pid
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


@pytest.fixture(scope="module")
def first_workers(busy: Server) -> set[int]:
    """The workers once both have started (/readyz answers as soon as the first one is up), before any batch."""
    deadline = time.monotonic() + 90
    while len(worker_pids(busy)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = worker_pids(busy)
    assert len(pids) == WORKERS
    return pids


@pytest.fixture(autouse=True)
def same_workers(busy: Server, first_workers: set[int]) -> Iterator[None]:
    """After each test: no worker was killed or replaced, however long its batches ran."""
    yield
    assert worker_pids(busy) == first_workers


def batch_body(count: int, tag: str) -> bytes:
    """``count`` documents with ids ``<tag>-<n>``: every tenth a story with a share line, the rest empty."""
    def document(n: int) -> dict[str, object]:
        text = f"{STORY.format(n=n)}\nShare this article" if n % 10 == 0 else ""
        return {"id": f"{tag}-{n}", "text": text, "url": URL.format(n=n), "options": OPTIONS}
    return ndjson(document(n) for n in range(count))


def assert_whole_and_in_order(status: int, body: bytes, count: int, tag: str) -> None:
    """One answer line per document, in input order, each the right result (not an error item)."""
    assert status == 200, body[:500]
    lines = body.splitlines()
    assert len(lines) == count, f"{len(lines)} of {count} answers"
    for n, line in enumerate(lines):
        item = json.loads(line)
        assert item["id"] == f"{tag}-{n}", item
        if n % 10 == 0:
            assert item["paragraphs"] == [STORY.format(n=n)], item
            assert [removed["category"] for removed in item["removed"]] == ["share_social"], item
        else:
            assert item["paragraphs"] == [] and item["warnings"][0].startswith("empty_body"), item


def send_http_client(server: Server, body: bytes) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_BOUND)
    try:
        connection.request("POST", PATH, body=body, headers=NDJSON)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def send_requests(server: Server, body: bytes) -> tuple[int, bytes]:
    response = requests.post(server.url + PATH, data=body, headers=NDJSON, timeout=ANSWER_BOUND)
    return response.status_code, response.content


def send_httpx(server: Server, body: bytes) -> tuple[int, bytes]:
    response = httpx.post(server.url + PATH, content=body, headers=NDJSON, timeout=ANSWER_BOUND)
    return response.status_code, response.content


def send_curl(server: Server, body: bytes) -> tuple[int, bytes]:
    """curl reads while it sends; the body goes through a file, as ``--data-binary @file`` users do."""
    with tempfile.TemporaryDirectory(prefix="textwash-curl-") as scratch:
        source, answer = Path(scratch) / "batch.ndjson", Path(scratch) / "answer.ndjson"
        source.write_bytes(body)
        done = subprocess.run(
            ["curl", "-sS", "--speed-time", str(int(ANSWER_BOUND)), "--speed-limit", "1", "-H",
             f"Content-Type: {NDJSON['Content-Type']}", "--data-binary", f"@{source}", "-o", str(answer),
             "-w", "%{http_code}", server.url + PATH],
            capture_output=True, text=True, check=True)
        return int(done.stdout), answer.read_bytes()


CLIENTS: dict[str, Callable[[Server, bytes], tuple[int, bytes]]] = {
    "http.client": send_http_client, "requests": send_requests, "httpx": send_httpx, "curl": send_curl,
}


@pytest.mark.parametrize("client", CLIENTS)
def test_a_batch_is_answered_whole_and_in_order(busy, client):
    body = batch_body(SMALL, client)
    status, answer = CLIENTS[client](busy, body)
    assert_whole_and_in_order(status, answer, SMALL, client)


class Load:
    """Other clients meanwhile, until told to stop (or 2,000 requests): single documents, and 20-document
    batches from each client in turn; any exception (a reset, a timeout) or wrong answer is kept."""

    LIMIT = 2_000

    def __init__(self, server: Server, name: str) -> None:
        self.server, self.name = server, name
        self.stop = threading.Event()
        self.answered = {"single": 0, "batch": 0}
        self.failures: list[str] = []

    def run(self) -> None:
        with requests.Session() as session:
            for n in range(self.LIMIT):
                if self.stop.wait(PAUSE):
                    return
                try:
                    if n % 2:
                        self._single(session, n)
                    else:
                        self._batch(n)
                except Exception as error:  # noqa: BLE001 - what went wrong is the finding
                    self.failures.append(f"{self.name} request {n}: {error!r}")

    def _single(self, session: requests.Session, n: int) -> None:
        text = LOAD_TEXT.format(n=n)
        response = session.post(self.server.url + "/v1/clean", data=text.encode(),
                                headers={"Content-Type": "text/plain"}, timeout=ANSWER_BOUND)
        if response.status_code != 200 or response.json()["paragraphs"] != text.splitlines()[1:]:
            self.failures.append(f"{self.name} single {n}: {response.status_code} {response.text[:200]}")
            return
        self.answered["single"] += 1

    def _batch(self, n: int) -> None:
        tag = f"{self.name}-{n}"
        send = list(CLIENTS.values())[n // 2 % len(CLIENTS)]
        status, body = send(self.server, batch_body(20, tag))
        assert_whole_and_in_order(status, body, 20, tag)
        self.answered["batch"] += 1


def access_records(server: Server, documents: int) -> list[dict]:
    """The access lines of batches of ``documents`` (written when each answer closes: wait for one)."""
    deadline = time.monotonic() + 30
    while True:
        records = [record for record in server.log_records()
                   if record.get("path") == PATH and record.get("documents") == documents]
        if records or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def test_the_largest_batch_while_others_load_the_service(busy):
    """100,000 documents (requests) while two more clients send single documents and small batches (all
    four clients in turn): the batch whole and in order, every small request answered, no reset. The
    batch outlives the worker timeout (it makes progress, so no limit cuts it); no 5xx is answered and
    nothing is logged as an error."""
    loads = [Load(busy, f"load{i}") for i in range(2)]
    with ThreadPoolExecutor(len(loads)) as pool:
        running = [pool.submit(load.run) for load in loads]
        try:
            status, answer = send_requests(busy, batch_body(LARGEST, "big"))
        finally:
            for load in loads:
                load.stop.set()
        for future in running:
            future.result()
    assert_whole_and_in_order(status, answer, LARGEST, "big")
    assert [failure for load in loads for failure in load.failures] == []
    assert all(load.answered["single"] > 0 and load.answered["batch"] > 0 for load in loads)
    [record] = access_records(busy, LARGEST)
    assert record["status"] == 200 and record["duration_ms"] > WORKER_TIMEOUT * 1000
    assert 'status="5' not in requests.get(busy.url + "/metrics", timeout=ANSWER_BOUND).text
    errors = [record for record in busy.log_records() if record.get("level") in ("error", "critical")]
    assert not errors, errors[:2]
