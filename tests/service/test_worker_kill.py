"""A worker killed mid-stream (SIGKILL): the master forks a replacement, and a client that retries gets its
whole batch, every line once, in order. ``scripts/soak.py`` does the same under 10 minutes of load."""
from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import ChunkedUpload, Server, seed_texts, start_server

WORKERS = 2
DOCUMENTS = [{"id": f"doc-{i}", "text": text} for i, (_, text) in enumerate(seed_texts() * 6)]


@pytest.fixture(scope="module")
def doomed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("kill"), {}, workers=WORKERS)
    yield running
    running.stop()


def workers(server: Server) -> set[int]:
    pid = server.process.pid
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def wait_for_workers(server: Server, count: int, exclude: set[int] = frozenset(), bound: float = 60) -> set[int]:
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        now = workers(server)
        if len(now) == count and not now & exclude:
            return now
        time.sleep(0.05)
    raise AssertionError(f"workers {workers(server)} (wanted {count}, none of {exclude})")


def stream_batch(server: Server, kill_after: int | None) -> list[dict]:
    """Send the batch chunked while reading answers (``Prefer: duplex``); after ``kill_after`` answers, SIGKILL every worker.
    Returns what came back before the stream broke (or all of it)."""
    upload = ChunkedUpload(server, "/v1/clean/batch", "application/x-ndjson", {"Prefer": "duplex"})
    received: list[dict] = []
    try:
        for document in DOCUMENTS[:8]:
            upload.send(json.dumps(document).encode() + b"\n")
        for _ in range(4):
            received.append(upload.read_item())
        if kill_after is not None:
            for pid in workers(server):
                os.kill(pid, signal.SIGKILL)
        for document in DOCUMENTS[8:]:
            upload.send(json.dumps(document).encode() + b"\n")
        upload.finish()
        received.extend(upload.read_rest())
    except (OSError, ValueError, json.JSONDecodeError):
        pass  # the worker died: the stream is cut wherever it was
    finally:
        upload.close()
    return received


def test_a_retrying_client_gets_its_whole_batch_after_the_workers_are_killed(doomed):
    before = wait_for_workers(doomed, WORKERS)
    cut = stream_batch(doomed, kill_after=4)
    assert 4 <= len(cut) < len(DOCUMENTS)
    after = wait_for_workers(doomed, WORKERS, exclude=before)
    for _ in range(3):  # the client retries the whole batch, as a client does after a cut stream
        answer = stream_batch(doomed, kill_after=None)
        if len(answer) == len(DOCUMENTS):
            break
    assert [item["id"] for item in answer] == [doc["id"] for doc in DOCUMENTS]
    assert all("paragraphs" in item for item in answer)
    assert [item["paragraphs"] for item in cut] == [item["paragraphs"] for item in answer[:len(cut)]]
    assert workers(doomed) == after
    records = [r for r in doomed.log_records() if r.get("level") in ("error", "critical")]
    assert not records, records[:2]
