"""The JSON log lines (service/logs.py): written by orjson, what orjson refuses by the standard library,
and the access line's fields read straight from the WSGI environ as werkzeug's request would read them."""
from __future__ import annotations

import io
import json
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from service import create_app
from service.logs import ACCESS, JsonFormatter, dumps


@dataclass
class Point:
    x: int


def reference(fields: dict) -> dict:
    """What the standard library wrote for these fields before orjson did."""
    return json.loads(json.dumps(fields, default=str))


@pytest.mark.parametrize("fields", [
    {"request_id": "abc", "status": 200, "duration_ms": 1.25, "route": None, "bytes_in": None},
    {"user_agent": "naïve – agent", "detail": "line\nbreak \"quoted\" \\ back"},
    {"when": datetime(2026, 12, 8, 1, 2, 3, tzinfo=UTC), "point": Point(3), "ids": (1, 2)},
    {"big": 2**70, "text": "ok"},  # past 64 bits: orjson refuses, the standard library writes it
    {"lone": "\ud800 surrogate"},  # not UTF-8: orjson refuses
    {"nested": {"a": [1, 2.5, True, None]}, "obj": object},
])
def test_dumps_writes_what_the_standard_library_wrote(fields):
    line = dumps(fields)
    assert "\n" not in line
    assert json.loads(line) == reference(fields)


@pytest.mark.parametrize("text", ["naïve", "line\u2028separator", "next\x85line", "\U0006496dR\x12ø=", "tab\tnew\nline"])
def test_dumps_writes_one_ascii_line(text):
    """Non-ASCII text is escaped: a raw U+2028 or U+0085 would split the line for ``str.splitlines``."""
    line = dumps({"path": f"/v1/sources/{text}", "status": 404})
    assert line.isascii() and len(line.splitlines()) == 1
    assert json.loads(line) == {"path": f"/v1/sources/{text}", "status": 404}


def test_dumps_writes_values_it_cannot_encode_as_their_str():
    assert json.loads(dumps({"when": datetime(2026, 12, 8, tzinfo=UTC)}))["when"] == "2026-12-08 00:00:00+00:00"
    assert json.loads(dumps({"point": Point(3)}))["point"] == "Point(x=3)"


def test_formatter_keeps_extra_fields_and_the_exception():
    record = logging.LogRecord("textwash.service", logging.ERROR, __file__, 1, "failed %s", ("here",), None)
    record.request_id = "r1"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    out = json.loads(JsonFormatter().format(record))
    assert (out["level"], out["logger"], out["message"], out["request_id"]) == ("error", "textwash.service",
                                                                                  "failed here", "r1")
    assert "ValueError: boom" in out["exception"] and out["ts"].endswith("+00:00")


@pytest.fixture()
def access_stream():
    """The access logger's lines of one in-process app, in a string buffer."""
    app = create_app({"WARMUP": False})
    handler = ACCESS.handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield app, stream
    finally:
        handler.setStream(previous)


def test_access_line_fields(access_stream):
    app, stream = access_stream
    client = app.test_client()
    response = client.post("/v1/clean?mode=recall", data="A line.\n".encode(), headers={
        "Content-Type": "text/plain", "User-Agent": "probe/1.0", "X-Request-ID": "given-id"})
    response.close()  # the line is written when the answer closes
    [record] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert response.headers["X-Request-ID"] == "given-id"
    assert record["logger"] == "textwash.access" and record["message"] == "request"
    expected = {"request_id": "given-id", "method": "POST", "path": "/v1/clean", "route": "/v1/clean", "status": 200,
                "remote_addr": "127.0.0.1", "user_agent": "probe/1.0", "bytes_in": 8, "documents": 1}
    assert {name: record[name] for name in expected} == expected
    assert record["duration_ms"] >= 0


def test_access_line_without_user_agent_or_valid_id(access_stream):
    app, stream = access_stream
    client = app.test_client()
    response = client.get("/nowhere", headers={"X-Request-ID": "bad id with spaces", "User-Agent": ""})
    response.close()
    [record] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert record["status"] == 404 and record["route"] is None and record["user_agent"] is None
    assert record["request_id"] == response.headers["X-Request-ID"] != "bad id with spaces"
    assert len(record["request_id"]) == 32 and record["bytes_in"] is None and record["documents"] == 0


def test_access_line_respects_the_log_level(access_stream):
    app, stream = access_stream
    level = ACCESS.level
    ACCESS.setLevel(logging.WARNING)
    try:
        app.test_client().get("/healthz").close()
    finally:
        ACCESS.setLevel(level)
    assert stream.getvalue() == ""
