"""textwash.client against a scripted loopback server (retries, resends, limits) and the real service."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from scripted import CLOSE, Answer, echo_batch, result_for, scripted_server
from service_helpers import seed_texts

import heuristics
from heuristics import CleanError, CleanResult, DocumentError
from textwash.client import READ_AHEAD, AsyncClient, Client, RemoteCleanError, ServiceError, ServiceUnavailable

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [text for _, text in seed_texts()]
FAST = {"backoff": 0.001}
UNAVAILABLE = Answer(503, {"status": 503, "title": "Service Unavailable", "detail": "try later"})


def texts(results):
    return [result.text for result in results]


def test_the_client_module_imports_no_engine_code():
    probe = ("import sys, textwash.client, textwash; "
             "print(sorted(m for m in ('numpy', 'lightgbm', 'scipy', 'flask', 'heuristics.pipeline', "
             "'heuristics.model', 'heuristics.rules') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_clean_retries_a_503_no_sooner_than_retry_after():
    script = [Answer(503, UNAVAILABLE.body, {"Retry-After": "1"}), lambda request: Answer(200, result_for(request.body))]
    with scripted_server(script) as (url, received), Client(url, **FAST) as client:
        result = client.clean("Some text to clean.")
    assert isinstance(result, CleanResult) and result.text == "Some text to clean."
    assert len(received) == 2
    assert received[1].at - received[0].at >= 0.9


def test_resets_408_429_and_5xx_are_retried_until_max_retries_then_raise():
    script = [CLOSE, Answer(408, {}), Answer(429, {}), Answer(502, {})]
    with scripted_server(script) as (url, received), Client(url, max_retries=3, **FAST) as client:
        with pytest.raises(ServiceUnavailable) as raised:
            client.clean("text")
    assert len(received) == 4
    assert raised.value.status == 502


def test_a_refused_value_raises_clean_error_without_a_retry():
    problem = {"status": 422, "title": "Unprocessable Content", "detail": "must be one of ...", "field": "options.mode"}
    with scripted_server([Answer(422, problem)]) as (url, received), Client(url, **FAST) as client:
        with pytest.raises(CleanError) as raised:
            client.clean("text", mode="nope")
    assert isinstance(raised.value, RemoteCleanError) and raised.value.field == "options.mode"
    assert len(received) == 1
    assert received[0].body["options"]["mode"] == "nope"


def test_a_wrong_api_key_is_not_retried():
    problem = {"status": 401, "title": "Unauthorized", "detail": "missing or wrong API key"}
    with scripted_server([Answer(401, problem)]) as (url, received), Client(url, api_key="k1", **FAST) as client:
        with pytest.raises(ServiceError) as raised:
            list(client.clean_many(["a", "b"]))
    assert raised.value.status == 401 and len(received) == 1
    assert received[0].headers["Authorization"] == "Bearer k1"


def test_a_retried_batch_resends_only_the_documents_not_answered():
    def first(request):
        results = [result_for(doc) for doc in request.body["documents"]]
        results[1] = {"id": 1, "error": {"status": 500, "title": "Internal Server Error", "detail": "bug"}}
        results[2] = {"id": 2, "error": {"status": 422, "title": "Unprocessable Content", "detail": "bad", "field": "keep"}}
        return Answer(200, {"results": results})

    docs = ["zero", "one", {"text": "two", "id": "doc-2"}, "three"]
    with scripted_server([first, echo_batch]) as (url, received), Client(url, **FAST) as client:
        results = list(client.clean_many(docs))
    assert [doc["text"] for doc in received[1].body["documents"]] == ["one"]
    assert len(received) == 2
    assert texts([results[0], results[1], results[3]]) == ["zero", "one", "three"]
    assert results[2] == DocumentError(2, 422, "bad", "keep", "doc-2")


def test_a_batch_cut_by_a_reset_is_resent_and_answered_batches_are_not():
    docs = [f"doc {i}" for i in range(6)]
    with scripted_server([echo_batch, CLOSE, echo_batch]) as (url, received), \
            Client(url, concurrency=1, **FAST) as client:
        results = list(client.clean_many(docs, chunk_size=2))
    sent = [[doc["text"] for doc in request.body["documents"]] for request in received]
    assert sent == [["doc 0", "doc 1"], ["doc 2", "doc 3"], ["doc 2", "doc 3"], ["doc 4", "doc 5"]]
    assert texts(results) == docs


def test_a_batch_too_large_for_the_service_is_halved_until_it_fits():
    def limited(request):
        if len(request.body["documents"]) > 2:
            return Answer(413, {"status": 413, "detail": "too many documents", "field": "documents"})
        return echo_batch(request)

    docs = [f"doc {i}" for i in range(7)]
    with scripted_server([limited]) as (url, received), Client(url, **FAST) as client:
        results = list(client.clean_many(docs, chunk_size=7))
    assert texts(results) == docs
    answered = [doc["text"] for request in received if len(request.body["documents"]) <= 2
                for doc in request.body["documents"]]
    assert sorted(answered) == sorted(docs)


def test_documents_that_cannot_be_sent_get_an_error_in_place():
    docs = ["first", 42, {"text": b"bytes"}, "last"]
    with scripted_server([echo_batch]) as (url, received), Client(url, **FAST) as client:
        results = list(client.clean_many(docs))
    assert texts([results[0], results[3]]) == ["first", "last"]
    assert [(r.index, r.status, r.field) for r in results[1:3]] == [(1, 400, "document"), (2, 400, "document")]
    assert [doc["text"] for doc in received[0].body["documents"]] == ["first", "last"]


def test_clean_many_reads_its_input_only_a_few_batches_ahead():
    pulled = []

    def documents():
        for i in range(2_000):
            pulled.append(i)
            yield f"doc {i}"

    with scripted_server([echo_batch]) as (url, _), Client(url, concurrency=2, **FAST) as client:
        stream = client.clean_many(documents(), chunk_size=10)
        first = next(stream)
        read_when_first_came = len(pulled)
        rest = list(stream)
    assert first.text == "doc 0"
    assert read_when_first_came <= (READ_AHEAD * 2 + 1) * 10 + 1  # batches out and read ahead, one being built
    assert len(rest) == 1_999 and rest[-1].text == "doc 1999"


def test_unordered_results_carry_their_index():
    docs = [f"doc {i}" for i in range(9)]
    with scripted_server([echo_batch]) as (url, _), Client(url, **FAST) as client:
        pairs = list(client.clean_many(docs, chunk_size=2, ordered=False))
    assert sorted((index, result.text) for index, result in pairs) == list(enumerate(docs))


def test_async_client_resends_only_what_was_not_answered():
    def first(request):
        results = [result_for(doc) for doc in request.body["documents"]]
        results[0] = {"id": 0, "error": {"status": 503, "detail": "busy"}}
        return Answer(200, {"results": results})

    async def documents():
        for i in range(5):
            yield {"text": f"doc {i}"}

    async def run(url):
        async with AsyncClient(url, **FAST) as client:
            return [result async for result in client.clean_many(documents(), chunk_size=5)]

    with scripted_server([first, echo_batch]) as (url, received):
        results = asyncio.run(run(url))
    assert texts(results) == [f"doc {i}" for i in range(5)]
    assert [doc["text"] for doc in received[1].body["documents"]] == ["doc 0"]


# ---- against the real service (gunicorn on loopback) -------------------------------------------------------

def test_clean_returns_what_the_library_returns(service):
    html = "<html><head><title>T</title></head><body><h1>A title here</h1><p>" + SEEDS[1] + "</p></body></html>"
    with Client(service.url) as client:
        assert client.clean(SEEDS[0]) == heuristics.clean(SEEDS[0])
        assert client.clean(SEEDS[2], keep=["byline"], mode="precision") == heuristics.clean(
            SEEDS[2], keep=["byline"], mode="precision")
        assert client.clean(html=html, url="https://example.org/a") == heuristics.clean(html=html, url="https://example.org/a")
        with pytest.raises(CleanError) as raised:
            client.clean(SEEDS[0], keep=["no-such-category"])
    assert raised.value.field == "options.keep"


def test_clean_many_matches_the_library_in_order_with_errors_in_place(service):
    docs = [*SEEDS, {"id": "bad", "text": "x", "options": {"mode": "nope"}}, {"html": "<p>" + SEEDS[3] + "</p>"}, *SEEDS]
    expected = list(heuristics.clean_many(docs))
    with Client(service.url, concurrency=2) as client:
        got = list(client.clean_many(docs, chunk_size=3))
        pairs = dict(client.clean_many(docs, chunk_size=2, ordered=False))
    assert [type(r) for r in got] == [type(r) for r in expected]
    assert [r for r in got if isinstance(r, CleanResult)] == [r for r in expected if isinstance(r, CleanResult)]
    error = got[len(SEEDS)]
    assert (error.index, error.id, error.status, error.field) == (len(SEEDS), "bad", 422, "options.mode")
    assert [pairs[i] for i in range(len(docs))] == got


def test_async_clean_many_matches_the_sync_client(service):
    async def run():
        async with AsyncClient(service.url, concurrency=3) as client:
            one = await client.clean(SEEDS[1], mode="recall")
            many = [r async for r in client.clean_many(SEEDS * 2, chunk_size=2, mode="recall")]
            return one, many

    one, many = asyncio.run(run())
    assert one == heuristics.clean(SEEDS[1], mode="recall")
    assert many == list(heuristics.clean_many(SEEDS * 2, mode="recall"))


def _workers(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def test_workers_killed_mid_run_cost_no_document(service):
    docs = [{"id": f"doc-{i}", "text": text} for i, text in enumerate(SEEDS * 6)]
    results = []
    killed: set[int] = set()
    with Client(service.url, concurrency=2, max_retries=5, backoff=0.2) as client:
        for result in client.clean_many(docs, chunk_size=3):
            results.append(result)
            if len(results) == 3:
                killed = _workers(service.process.pid)
                for pid in killed:
                    os.kill(pid, signal.SIGKILL)
    assert killed
    assert results == [heuristics.clean(doc["text"]) for doc in docs]
    assert not _workers(service.process.pid) & killed


def _slow_counting_server():
    """An echo batch answer that takes a while and records the most requests it had at once."""
    import threading
    import time

    state = {"active": 0, "most": 0}
    lock = threading.Lock()

    def answer(request):
        with lock:
            state["active"] += 1
            state["most"] = max(state["most"], state["active"])
        time.sleep(0.2)
        with lock:
            state["active"] -= 1
        return echo_batch(request)

    return answer, state


def test_no_more_than_concurrency_requests_at_once_sync_and_async():
    docs = [f"doc {i}" for i in range(24)]
    answer, state = _slow_counting_server()
    with scripted_server([answer]) as (url, _), Client(url, concurrency=2, **FAST) as client:
        assert texts(client.clean_many(docs, chunk_size=2)) == docs
    assert state["most"] == 2

    async def run(url):
        async with AsyncClient(url, concurrency=2, **FAST) as client:
            return [result async for result in client.clean_many(docs, chunk_size=2)]

    answer, state = _slow_counting_server()
    with scripted_server([answer]) as (url, _):
        assert texts(asyncio.run(run(url))) == docs
    assert state["most"] == 2
