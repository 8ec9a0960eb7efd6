"""Bad input gets a clear 4xx problem+json naming the field; never a 500."""
from __future__ import annotations

import json
import logging

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import SMALL_BODY_LIMIT, parse_ndjson

from service import create_app

PROBLEM = "application/problem+json"
DEFAULT_LIMIT = 5 * 1024 * 1024
# The server fixture is shared by every example on purpose; derandomized so that CI runs the same inputs.
FIXTURE_CHECKS = [HealthCheck.function_scoped_fixture]


def assert_problem(response: requests.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    if field is not None:
        assert body["field"] == field
    return body


@pytest.mark.parametrize(("body", "detail_word"), [
    (b'{"text": "unterminated', "JSON"),
    (b"", "JSON"),
    (b'{"text": "caf\xe9"}', "UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    (b'{"text": "x", "n": ' + b"9" * 5000 + b"}", "JSON"),
])
def test_unreadable_json_is_400(server, http, body, detail_word):
    response = http.post(server.url + "/v1/clean", data=body, headers={"Content-Type": "application/json"})
    assert detail_word in assert_problem(response, 400, "body")["detail"]


def test_json_that_is_not_an_object_is_400(server, http):
    assert_problem(http.post(server.url + "/v1/clean", json=["text"]), 400, "body")


@pytest.mark.parametrize("body", [{}, {"url": "https://example.org"}, {"options": {"mode": "recall"}}])
def test_missing_text_and_html_is_400(server, http, body):
    detail = assert_problem(http.post(server.url + "/v1/clean", json=body), 400, "text")["detail"]
    assert "text" in detail and "html" in detail


def test_unpaired_surrogate_escapes_are_400_and_pairs_are_fine(server, http):
    lone = b'{"text": "Half a pair: \\ud800 and the rest."}'
    response = http.post(server.url + "/v1/clean", data=lone, headers={"Content-Type": "application/json"})
    assert "surrogate" in assert_problem(response, 400, "text")["detail"]
    pair = b'{"id": "pair", "text": "A whole pair: \\ud83d\\ude00 is fine."}'
    ndjson_type = {"Content-Type": "application/x-ndjson"}
    batch = http.post(server.url + "/v1/clean/batch", data=lone + b"\n" + pair, headers=ndjson_type)
    items = parse_ndjson(batch.content)
    assert [item["id"] for item in items] == [0, "pair"]
    assert items[0]["error"]["status"] == 400 and "error" not in items[1]


def test_plain_text_not_utf8_is_400(server, http):
    response = http.post(server.url + "/v1/clean", data=b"caf\xe9 au lait", headers={"Content-Type": "text/plain"})
    assert "UTF-8" in assert_problem(response, 400, "body")["detail"]


def test_body_over_the_default_limit_is_413(server, http):
    body = b"a" * (DEFAULT_LIMIT + 1)
    response = http.post(server.url + "/v1/clean", data=body, headers={"Content-Type": "text/plain"})
    assert str(DEFAULT_LIMIT) in assert_problem(response, 413)["detail"]


def test_body_limit_comes_from_the_environment(keyed_server, http):
    auth = {"Authorization": "Bearer key-one", "Content-Type": "text/plain"}
    ok = http.post(keyed_server.url + "/v1/clean", data=b"a" * (SMALL_BODY_LIMIT - 10), headers=auth)
    assert ok.status_code == 200
    too_big = http.post(keyed_server.url + "/v1/clean", data=b"a" * (SMALL_BODY_LIMIT + 1), headers=auth)
    assert_problem(too_big, 413)


def test_chunked_body_over_the_limit_is_413(server, http):
    chunks = (b"a" * 65536 for _ in range(DEFAULT_LIMIT // 65536 + 2))
    response = http.post(server.url + "/v1/clean", data=chunks, headers={"Content-Type": "text/plain"})
    assert_problem(response, 413)


@pytest.mark.parametrize("content_type",
                         [None, "application/xml", "text/plain; charset=latin-1", "multipart/form-data"])
def test_wrong_content_type_is_415(server, http, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    request = requests.Request("POST", server.url + "/v1/clean", data=b"text", headers=headers).prepare()
    if content_type is None:
        request.headers.pop("Content-Type", None)
    assert_problem(http.send(request), 415, "Content-Type")


def test_batch_wrong_content_type_is_415(server, http):
    response = http.post(server.url + "/v1/clean/batch", data="text", headers={"Content-Type": "text/plain"})
    assert "application/x-ndjson" in assert_problem(response, 415, "Content-Type")["detail"]


@pytest.mark.parametrize(("options", "field"), [
    ({"mode": "aggressive"}, "options.mode"),
    ({"mode": 3}, "options.mode"),
    ({"keep": ["not_a_category"]}, "options.keep"),
    ({"keep": "caption"}, "options.keep"),
    ({"explain": "yes"}, "options.explain"),
    ({"extractor": "magic"}, "options.extractor"),
    ({"extra_rules": {"caption": "Photo:"}}, "options.extra_rules"),
    ({"time_budget": -1}, "options.time_budget"),
    ({"time_budget": 61}, "options.time_budget"),
    ({"language": "english"}, "options.language"),
    ({"language": None}, "options.language"),
    ({"colour": "blue"}, "options.colour"),
])
def test_bad_option_values_are_422(server, http, options, field):
    assert_problem(http.post(server.url + "/v1/clean", json={"text": "x", "options": options}), 422, field)


@pytest.mark.parametrize(("body", "field"), [
    ({"text": 42}, "text"),
    ({"text": None, "html": "<p>x</p>"}, "text"),
    ({"text": "x", "options": None}, "options"),
    ({"text": "x", "url": ["a"]}, "url"),
    ({"text": "x", "txt": "y"}, "txt"),
    ({"text": "x", "options": "fast"}, "options"),
])
def test_bad_field_values_are_422(server, http, body, field):
    assert_problem(http.post(server.url + "/v1/clean", json=body), 422, field)


@pytest.mark.parametrize(("query", "field"), [
    ("mode=loud", "mode"),
    ("explain=maybe", "explain"),
    ("time_budget=soon", "time_budget"),
    ("keep=caption,nonsense", "keep"),
    ("colour=blue", "colour"),
    ("mode=recall&mode=precision", "mode"),
])
def test_bad_query_options_are_422(server, http, query, field):
    response = http.post(f"{server.url}/v1/clean?{query}", data=b"x", headers={"Content-Type": "text/plain"})
    assert_problem(response, 422, field)


def test_wrong_method_is_405_with_allow(server, http):
    response = http.get(server.url + "/v1/clean")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]
    assert_problem(http.delete(server.url + "/healthz"), 405)


def test_unknown_path_is_404(server, http):
    assert "/openapi.json" in assert_problem(http.get(server.url + "/v2/clean"), 404)["detail"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
documents = st.fixed_dictionaries({}, optional={
    "text": st.text(max_size=200) | json_values, "html": st.text(max_size=200) | json_values,
    "url": st.text(max_size=20) | json_values, "options": st.dictionaries(
        st.sampled_from(["mode", "explain", "keep", "extra_rules", "language", "extractor", "time_budget", "x"]),
        json_values, max_size=3),
})


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=FIXTURE_CHECKS)
@given(document=documents)
def test_arbitrary_documents_never_get_a_500(server, http, document):
    response = http.post(server.url + "/v1/clean", json=document)
    assert response.status_code in (200, 400, 422), response.text
    if response.status_code != 200:
        assert response.headers["Content-Type"] == PROBLEM


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=FIXTURE_CHECKS)
@given(body=st.binary(max_size=300),
       content_type=st.sampled_from(["text/plain", "application/json", "application/x-ndjson"]))
def test_arbitrary_bytes_never_get_a_500(server, http, body, content_type):
    response = http.post(server.url + "/v1/clean/batch", data=body, headers={"Content-Type": content_type})
    assert response.status_code in (200, 400, 413, 415, 422), response.text


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture()
def broken_engine_app(monkeypatch):
    """An app whose engine (``clean`` and ``clean_many`` alike) fails on documents containing 'boom' in its
    first stage (a stand-in for an engine bug)."""
    from heuristics import pipeline

    real_input_lines = pipeline._input_lines

    def failing_input_lines(text, *args):
        if text and "boom" in text:
            raise RuntimeError("engine bug")
        return real_input_lines(text, *args)

    monkeypatch.setattr(pipeline, "_input_lines", failing_input_lines)
    app = create_app({"WARMUP": False})
    handler = ListHandler()
    logging.getLogger("textwash.service").addHandler(handler)
    yield app, handler
    logging.getLogger("textwash.service").removeHandler(handler)


def test_a_bug_is_a_500_logged_with_the_request_id(broken_engine_app):
    """Flask's test client; the same through gunicorn is test_fault_paths.py's."""
    app, handler = broken_engine_app
    response = app.test_client().post("/v1/clean", json={"text": "boom"})
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    request_id = response.headers["X-Request-ID"]
    assert response.get_json()["request_id"] == request_id
    assert "engine bug" not in response.get_data(as_text=True)
    logged = [r for r in handler.records if getattr(r, "request_id", None) == request_id]
    assert logged and logged[0].exc_info and "engine bug" in str(logged[0].exc_info[1])


def test_a_bug_on_one_batch_item_spares_the_others(broken_engine_app):
    app, _ = broken_engine_app
    body = b'{"text": "fine"}\n{"text": "boom"}\n{"text": "also fine"}\n'
    response = app.test_client().post("/v1/clean/batch", data=body, content_type="application/x-ndjson")
    items = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert response.status_code == 200
    assert [item["id"] for item in items] == [0, 1, 2]
    assert items[1]["error"]["status"] == 500
    assert items[1]["error"]["request_id"] == response.headers["X-Request-ID"]
    assert "error" not in items[0] and "error" not in items[2]
