"""The OpenAPI document against the real server: schemathesis, and the seeds' real responses validated."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from service_helpers import ndjson, parse_ndjson, seed_texts

SEEDS = seed_texts()
OPENAPI_FILE = Path(__file__).resolve().parents[2] / "service" / "openapi.json"


@schemathesis.serializer("application/x-ndjson")
def _ndjson_body(ctx: Any, value: Any) -> bytes:
    """The schema describes one batch line; a generated value becomes a one-line NDJSON body."""
    return (json.dumps(value) + "\n").encode()


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    """Leave out generated ``extra_rules``: which phrases count as words is the engine's business (a
    phrase of punctuation alone is refused), more than a schema pattern can say in every regex dialect.
    test_service_errors and test_service_clean cover extra_rules."""
    options = body.get("options") if isinstance(body, dict) else None
    return not (isinstance(options, dict) and "extra_rules" in options)


# The file the server serves (test_service_ops checks that they are the same document).
schema = schemathesis.openapi.from_path(OPENAPI_FILE)


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(server, case):
    """Generated requests, valid and invalid: no 5xx, documented statuses, bodies match the schemas."""
    case.call_and_validate(base_url=server.url)


@pytest.fixture(scope="session")
def spec(server) -> dict[str, Any]:
    import requests

    return requests.get(server.url + "/openapi.json", timeout=10).json()


def validator(spec: dict[str, Any], name: str) -> Any:
    """A JSON Schema 2020-12 validator for ``#/components/schemas/<name>`` of the served document."""
    return jsonschema_rs.validator_for({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{name}",
        "components": spec["components"],
    })


@pytest.mark.parametrize(("name", "text"), SEEDS, ids=[name for name, _ in SEEDS])
def test_seed_responses_match_the_documented_schemas(server, http, spec, name, text):
    result = validator(spec, "CleanResult")
    for options in ({}, {"explain": True, "mode": "recall"}):
        response = http.post(server.url + "/v1/clean", json={"text": text, "options": options})
        assert response.status_code == 200
        result.validate(response.json())
    items = parse_ndjson(http.post(server.url + "/v1/clean/batch", data=ndjson([{"id": name, "text": text}, {"id": 7}]),
                                   headers={"Content-Type": "application/x-ndjson"}).content)
    item = validator(spec, "BatchItem")
    for one in items:
        item.validate(one)
    assert "error" in items[1]


def test_problem_bodies_match_the_documented_schema(server, http, spec):
    problem = validator(spec, "Problem")
    responses = [
        http.post(server.url + "/v1/clean", data=b"{", headers={"Content-Type": "application/json"}),
        http.post(server.url + "/v1/clean", json={"text": "x", "options": {"mode": "no"}}),
        http.post(server.url + "/v1/clean", data=b"x", headers={"Content-Type": "image/png"}),
        http.get(server.url + "/nowhere"),
    ]
    for response in responses:
        problem.validate(response.json())
    assert [r.status_code for r in responses] == [400, 422, 415, 404]


def test_the_document_rejects_what_the_server_rejects(spec):
    """The schemas are not vacuous: a body the server refuses is invalid for the schema too."""
    document = validator(spec, "Document")
    assert document.is_valid({"text": "x", "options": {"mode": "recall"}})
    assert not document.is_valid({"url": "https://example.org"})
    assert not document.is_valid({"text": "x", "options": {"mode": "loud"}})
    assert not document.is_valid({"text": "x", "colour": "blue"})
