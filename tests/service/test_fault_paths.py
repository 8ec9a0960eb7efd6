"""Fault paths on the real server: gunicorn on a loopback port, with the packaged settings, serving the
real app whose engine was broken on purpose (tests/service/faulty_wsgi.py).

- a worker whose engine raises answers 500 problem+json with the request id, logs the traceback under
  that id, keeps its process and goes on serving; in a batch only that item is an error;
- an engine that cannot load leaves the process up (/healthz 200) but not ready (/readyz 503, saying why).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from faulty_wsgi import BUG, UNREADABLE
from service_helpers import Server, ndjson, parse_ndjson, start_server

PROBLEM = "application/problem+json"
BODY = ("The council approved the new budget on Tuesday after a long debate about schools, roads "
        "and the future of the town library.")
TIMEOUT = 60


@pytest.fixture(scope="module")
def raising(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("raising"), {}, workers=1, app="faulty_wsgi:raising()")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def not_ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("not-ready"), {}, workers=1, app="faulty_wsgi:not_ready()",
                           ready_path="/healthz")
    yield running
    running.stop()


def workers(server: Server) -> set[int]:
    pid = server.process.pid
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def test_an_engine_error_is_a_500_problem_logged_with_the_request_id(raising):
    before = workers(raising)
    response = requests.post(raising.url + "/v1/clean", json={"text": "boom"}, timeout=TIMEOUT)
    assert response.status_code == 500 and response.headers["Content-Type"] == PROBLEM
    problem = response.json()
    request_id = response.headers["X-Request-ID"]
    assert problem["status"] == 500 and problem["request_id"] == request_id and problem["instance"] == "/v1/clean"
    assert BUG not in response.text  # the cause goes to the log, not to the caller
    logged = [r for r in raising.log_records() if r.get("request_id") == request_id and r.get("level") == "error"]
    assert logged and BUG in logged[0]["exception"]
    after = requests.post(raising.url + "/v1/clean", data=f"Subscribe\n{BODY}".encode(),
                          headers={"Content-Type": "text/plain"}, timeout=TIMEOUT)
    assert after.status_code == 200 and after.json()["paragraphs"] == [BODY]
    assert workers(raising) == before  # the worker was not killed or restarted
    metrics = requests.get(raising.url + "/metrics", timeout=TIMEOUT).text
    assert 'textwash_http_requests_total{route="/v1/clean",status="500"} 1' in metrics


def test_an_engine_error_on_one_batch_item_spares_the_others(raising):
    body = ndjson([{"id": "a", "text": BODY}, {"id": "b", "text": "boom"}, {"id": "c", "text": f"{BODY} Again."}])
    response = requests.post(raising.url + "/v1/clean/batch", data=body,
                             headers={"Content-Type": "application/x-ndjson"}, timeout=TIMEOUT)
    assert response.status_code == 200
    items = parse_ndjson(response.content)
    assert [item["id"] for item in items] == ["a", "b", "c"]
    assert items[1]["error"]["status"] == 500 and items[1]["error"]["request_id"] == response.headers["X-Request-ID"]
    assert items[0]["paragraphs"] == [BODY] and items[2]["paragraphs"] == [f"{BODY} Again."]


def test_an_engine_that_cannot_load_is_up_but_not_ready(not_ready):
    assert requests.get(not_ready.url + "/healthz", timeout=TIMEOUT).status_code == 200
    for _ in range(3):  # every worker gives the same answer (the warm-up ran once, before the fork)
        response = requests.get(not_ready.url + "/readyz", timeout=TIMEOUT)
        assert response.status_code == 503
        assert response.json()["status"] == "starting" and UNREADABLE in response.json()["error"]
    assert any(r.get("message") == "engine warm-up failed" and UNREADABLE in r.get("exception", "")
               for r in not_ready.log_records())
