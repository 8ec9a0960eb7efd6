"""The service's source memory: learning through /v1/clean, GET and DELETE /v1/sources/{source},
authentication, metrics, the OpenAPI shapes; over SQLite, a real Redis, and under gunicorn."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema_rs
import pytest
from service_helpers import API_KEYS, start_server

from service import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "heuristics"))  # the memory tests' helpers
from memory_helpers import TEMPLATE_BOTTOM, page, redis_server  # noqa: E402

OPENAPI = Path(__file__).resolve().parents[2] / "service" / "openapi.json"
URL = "https://www.example.org/news/{}"


@pytest.fixture()
def client(tmp_path):
    return create_app({"SOURCE_DB": str(tmp_path / "sources.db"), "WARMUP": False}).test_client()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def validator(name: str):
    import json

    spec = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema",
                                        "$ref": f"#/components/schemas/{name}", "components": spec["components"]})


def send_pages(client, count: int, headers: dict[str, str] | None = None) -> list[dict]:
    return [client.post("/v1/clean", json={"text": page(n), "url": URL.format(n)}, headers=headers).json
            for n in range(count)]


def repeated(result: dict) -> list[dict]:
    return [line for line in result["removed"] if line["rule"] == "source.repeated"]


def test_clean_learns_and_removes_what_the_source_repeats(client):
    results = send_pages(client, 4)
    assert repeated(results[1]) == []
    footer = next(line for line in repeated(results[3]) if line["text"] == TEMPLATE_BOTTOM[0])
    assert (footer["category"], footer["count"]) == ("repeated_line", 4)
    check = validator("CleanResult")
    for result in results:
        check.validate(result)


def test_get_lists_the_most_repeated_lines_and_delete_forgets(client):
    send_pages(client, 3)
    response = client.get("/v1/sources/Example.org?limit=2")
    assert response.status_code == 200
    body = response.json
    validator("SourceSummary").validate(body)
    assert (body["source"], body["documents"], body["window"]) == ("example.org", 3, 64)
    assert len(body["lines"]) == 2 and all(line["count"] == 3 for line in body["lines"])
    assert client.delete("/v1/sources/www.example.org").status_code == 204
    missing = client.get("/v1/sources/example.org")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"
    assert client.delete("/v1/sources/example.org").status_code == 404
    assert repeated(send_pages(client, 1)[0]) == []  # forgotten: learning starts again


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=ten", "limit=-1", "top=3"])
def test_bad_query_is_422_naming_the_parameter(client, query):
    response = client.get(f"/v1/sources/example.org?{query}")
    assert response.status_code == 422
    assert response.json["field"] == query.split("=")[0]


def test_a_source_of_blanks_is_422(client):
    response = client.get("/v1/sources/%20%20")
    assert response.status_code == 422 and response.json["field"] == "source"


def test_without_a_store_the_endpoints_say_so(tmp_path):
    client = create_app({"WARMUP": False}).test_client()
    for method in (client.get, client.delete):
        response = method("/v1/sources/example.org")
        assert response.status_code == 404
        assert "TEXTWASH_SOURCE_DB" in response.json["detail"]
    result = client.post("/v1/clean", json={"text": page(1), "url": URL.format(1)}).json
    assert repeated(result) == []


def test_the_endpoints_are_behind_the_api_key(tmp_path):
    client = create_app({"SOURCE_DB": str(tmp_path / "s.db"), "API_KEYS": ",".join(API_KEYS),
                         "WARMUP": False}).test_client()
    good = {"Authorization": f"Bearer {API_KEYS[0]}"}
    send_pages(client, 3, good)
    for method in (client.get, client.delete):
        assert method("/v1/sources/example.org", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/v1/sources/example.org", headers=good).status_code == 200
    assert client.delete("/v1/sources/example.org", headers=good).status_code == 204


def metric(text: str, name: str) -> float:
    """The value of one series (``name`` with its labels, as exposed) in a Prometheus text page."""
    values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return float(values[name])


def test_metrics_count_hits_lines_and_the_store_size(client):
    send_pages(client, 4)
    client.post("/v1/clean", json={"text": "no source here"})
    text = client.get("/metrics").text
    assert metric(text, 'textwash_source_memory_documents_total{result="hit"}') == 2
    assert metric(text, 'textwash_source_memory_documents_total{result="miss"}') == 3
    assert metric(text, "textwash_source_memory_lines_removed_total") >= 4
    assert metric(text, "textwash_source_memory_sources") == 1
    assert metric(text, "textwash_source_memory_window_documents") == 4
    assert metric(text, "textwash_source_memory_bytes") > 0


def test_the_redis_store_serves_the_same_api(redis_url):
    client = create_app({"REDIS_URL": redis_url, "SOURCE_DB": "/nonexistent/ignored.db", "WARMUP": False}).test_client()
    client.delete("/v1/sources/example.org")
    results = send_pages(client, 3)
    assert any(line["text"] == TEMPLATE_BOTTOM[0] for line in repeated(results[2]))
    assert client.get("/v1/sources/example.org").json["documents"] == 3
    assert client.delete("/v1/sources/example.org").status_code == 204


def test_a_redis_that_is_down_costs_the_memory_not_the_request():
    from memory_helpers import free_port

    client = create_app({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "WARMUP": False}).test_client()
    response = client.post("/v1/clean", json={"text": page(1), "url": URL.format(1)})
    assert response.status_code == 200
    assert any(w.startswith("source_memory: not used") for w in response.json["warnings"])
    assert client.get("/v1/sources/example.org").status_code == 503
    assert 'textwash_source_memory_documents_total{result="error"} 1' in client.get("/metrics").text


def test_gunicorn_workers_share_one_sqlite_memory(tmp_path):
    import requests

    server = start_server(tmp_path, {"TEXTWASH_SOURCE_DB": str(tmp_path / "shared.db"), "TEXTWASH_WARMUP": "false"},
                          workers=2)
    try:
        with requests.Session() as http:
            results = [http.post(server.url + "/v1/clean", json={"text": page(n), "url": URL.format(n)},
                                 headers={"Connection": "close"}).json() for n in range(5)]
            summary = http.get(server.url + "/v1/sources/example.org").json()
        assert summary["documents"] == 5
        assert any(line["text"] == TEMPLATE_BOTTOM[0] and line["count"] == 5 for line in repeated(results[4]))
    finally:
        assert server.stop() == 0
