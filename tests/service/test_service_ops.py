"""Health, readiness, metrics, access logs, process settings and graceful shutdown on the real server."""
from __future__ import annotations

import argparse
import json
import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from service_helpers import ChunkedUpload, jsonable, ndjson, seed_texts, start_server

from heuristics import CATEGORIES, MODES, clean, engine_info

SEEDS = seed_texts()
OPENAPI_FILE = Path(__file__).resolve().parents[2] / "service" / "openapi.json"


def metric_values(text: str) -> dict[str, float]:
    """``name{labels}`` -> value for every sample line of a Prometheus text page."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def test_healthz(server, http):
    response = http.get(server.url + "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_loaded_engine(server, http):
    response = http.get(server.url + "/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "version": jsonable(engine_info())}


def test_readyz_is_503_while_the_engine_cannot_answer(monkeypatch):
    """The app factory alone, in this process; the same through gunicorn is test_fault_paths.py's."""
    import service

    def broken_clean(*args, **kwargs):
        raise OSError("model file unreadable")

    monkeypatch.setattr(service, "clean", broken_clean)
    response = service.create_app().test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "starting" and "model file unreadable" in body["error"]


def test_metrics_count_requests_latency_documents_and_removed_lines_across_workers(server, http):
    _, text = max(SEEDS, key=lambda seed: len(clean(seed[1]).removed))
    removed = Counter(line.category for line in clean(text).removed)
    before = metric_values(http.get(server.url + "/metrics").text)
    rounds = 6  # two workers: several requests land on both, and the totals must still add up
    for _ in range(rounds):
        assert http.post(server.url + "/v1/clean", data=text.encode(), headers={"Content-Type": "text/plain"}).ok
    http.get(server.url + "/v1/clean")
    response = http.get(server.url + "/metrics")
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    after = metric_values(response.text)

    def delta(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    assert delta('textwash_http_requests_total{route="/v1/clean",status="200"}') == rounds
    assert delta('textwash_http_requests_total{route="unmatched",status="405"}') == 1
    assert delta('textwash_http_request_duration_seconds_count{route="/v1/clean"}') == rounds
    assert delta('textwash_http_request_duration_seconds_bucket{route="/v1/clean",le="+Inf"}') == rounds
    assert delta('textwash_http_request_duration_seconds_sum{route="/v1/clean"}') > 0
    assert delta('textwash_documents_total{outcome="cleaned"}') == rounds
    assert removed, "the chosen seed should lose some lines"
    for category in CATEGORIES:
        assert delta(f'textwash_lines_removed_total{{category="{category}"}}') == rounds * removed[category]


def test_access_log_is_one_json_line_per_request(server, http):
    http.post(server.url + "/v1/clean", json={"text": "A line."}, headers={"X-Request-ID": "access-log-check"})
    deadline = time.monotonic() + 10  # the line is written when the response closes, just after it is sent
    records = []
    while not records and time.monotonic() < deadline:
        records = [r for r in server.log_records() if r.get("request_id") == "access-log-check"]
        time.sleep(0.05)
    assert len(records) == 1
    record = records[0]
    assert record["logger"] == "textwash.access"
    assert (record["method"], record["route"], record["status"], record["documents"]) == ("POST", "/v1/clean", 200, 1)
    assert record["duration_ms"] >= 0 and record["ts"]


def test_the_warm_up_prepares_the_date_parser_for_every_rule_language(monkeypatch):
    """dateparser builds a language's tables on its first dates (0.2 s): the master does it before the
    fork, so no worker pays it in a request."""
    import service
    from heuristics.rules import default_ruleset

    prepared: list[str] = []
    monkeypatch.setattr(service, "prepare_dates", lambda languages: prepared.extend(languages))
    assert service.create_app().test_client().get("/readyz").status_code == 200
    assert set(default_ruleset().languages) - {"xx"} <= set(prepared) and "de" in prepared
    assert service.create_app({"WARMUP": False}) and len(prepared) == len(set(prepared))  # no warm-up, no call


def test_openapi_document_is_served_and_matches_the_engine(server, http):
    response = http.get(server.url + "/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec == json.loads(OPENAPI_FILE.read_text())
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["schemas"]["Category"]["enum"] == list(CATEGORIES)
    assert spec["components"]["schemas"]["Mode"]["enum"] == list(MODES)


def test_environment_sets_port_and_worker_count(keyed_server, http):
    """The keyed server was started with PORT and WEB_CONCURRENCY=3 only (no --bind, no --workers)."""
    assert http.get(keyed_server.url + "/healthz").status_code == 200
    deadline = time.monotonic() + 20  # gunicorn forks its workers one by one, a short random pause apart
    while len(_children(keyed_server.process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_children(keyed_server.process.pid)) == 3


def _children(pid: int) -> list[Path]:
    return [stat for stat in Path("/proc").glob("[0-9]*/stat") if _parent_pid(stat) == pid]


def _parent_pid(stat: Path) -> int | None:
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1])


def test_sigterm_lets_the_request_in_flight_finish(tmp_path):
    server = start_server(tmp_path, {}, workers=1)
    upload = ChunkedUpload(server, "/v1/clean/batch", "application/x-ndjson", {"Prefer": "duplex"})
    try:
        upload.send(ndjson({"id": f"a{i}", "text": text} for i, (_, text) in enumerate(SEEDS[:3])))
        assert upload.read_item()["id"] == "a0"
        server.process.send_signal(signal.SIGTERM)
        upload.send(ndjson({"id": f"b{i}", "text": text} for i, (_, text) in enumerate(SEEDS)))
        upload.finish()
        rest = upload.read_rest()
    finally:
        upload.close()
        code = server.stop()
    assert [item["id"] for item in rest] == ["a1", "a2"] + [f"b{i}" for i in range(len(SEEDS))]
    assert all("error" not in item for item in rest)
    assert code == 0
    assert re.search(r"Handling signal: term", server.log_path.read_text())


def test_default_worker_count_is_one_per_core_plus_one_capped():
    from service.gunicorn_conf import MAX_DEFAULT_WORKERS, default_workers

    assert [default_workers(cores) for cores in (1, 2, 3)] == [2, 3, 4]
    assert default_workers(64) == MAX_DEFAULT_WORKERS


def test_serve_command_line_becomes_gunicorn_flags():
    from service.__main__ import gunicorn_argv, main

    argv = gunicorn_argv(argparse.Namespace(bind="127.0.0.1:9000", workers=3))
    assert argv[1:] == ["-m", "gunicorn", "--config", "python:service.gunicorn_conf",
                        "--bind", "127.0.0.1:9000", "--workers", "3"]
    assert gunicorn_argv(argparse.Namespace(bind=None, workers=None))[-1] == "python:service.gunicorn_conf"
    with pytest.raises(SystemExit):
        main(["serve", "--workers", "0"])
