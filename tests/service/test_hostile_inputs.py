"""What the web throws at the service, over real HTTP: each gets a correct answer or a clear 4xx within a
bounded time, never a 5xx, and the workers stay healthy (checked after every test of this module).

Runs against its own gunicorn with short timeouts so that slow clients can be shown within seconds:
``TEXTWASH_CLIENT_TIMEOUT`` 2 s (a connection silent that long mid-request is answered 408 or closed),
the worker timeout 4 s (a trickled body outliving it must not get the worker killed), and a per-document
``TEXTWASH_TIME_BUDGET`` of 2 s (past it the engine degrades and says so in ``warnings``; so does a
document of more than 100,000 lines).
Error statuses in general are test_service_errors.py's; this module is about hostile bodies and clients.
"""
from __future__ import annotations

import functools
import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from service_helpers import Server, jsonable, ndjson, parse_ndjson, start_server, without_version

from heuristics import clean
from service import WARMUP_OTHER_LANGUAGE, WARMUP_TEXT

CLIENT_TIMEOUT = 2.0
DEFAULT_CLIENT_TIMEOUT = 30.0  # TEXTWASH_CLIENT_TIMEOUT's default (service/gunicorn_conf.py): the session server's
WORKER_TIMEOUT = 4
TIME_BUDGET = 2.0
THREADS = 2
WORKERS = 2
ANSWER_BOUND = 60.0  # seconds any single answer below may take; a hang is what this catches
PROBLEM = "application/problem+json"
BODY = ("The council approved the new budget on Tuesday after a long debate about schools, roads "
        "and the future of the town library.")
TEXT = {"Content-Type": "text/plain"}
NDJSON = {"Content-Type": "application/x-ndjson"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"TEXTWASH_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT), "TEXTWASH_TIMEOUT": str(WORKER_TIMEOUT),
           "TEXTWASH_TIME_BUDGET": str(TIME_BUDGET), "TEXTWASH_THREADS": str(THREADS)}
    running = start_server(tmp_path_factory.mktemp("hostile"), env, workers=WORKERS)
    try:
        yield running
        assert_no_5xx_and_no_error_logged(running)  # over the whole module, whatever the order of its tests
    finally:
        running.stop()


def worker_pids(server: Server) -> set[int]:
    """The gunicorn workers: children of the master (``python -m service serve`` execs gunicorn in place)."""
    pid = server.process.pid
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


@pytest.fixture(scope="module")
def first_workers(hostile: Server) -> set[int]:
    """The workers once all have started (/readyz answers as soon as the first one is up)."""
    deadline = time.monotonic() + ANSWER_BOUND
    while len(worker_pids(hostile)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    return worker_pids(hostile)


@pytest.fixture(autouse=True)
def stays_healthy(hostile: Server, first_workers: set[int]) -> Iterator[None]:
    """After each hostile input: the same workers (none killed or restarted) answer a normal document."""
    yield
    for _ in range(WORKERS * 2):
        response = requests.post(hostile.url + "/v1/clean", data=f"Subscribe\n{BODY}".encode(), headers=TEXT,
                                 timeout=ANSWER_BOUND)
        assert response.status_code == 200 and response.json()["paragraphs"] == [BODY]
    assert worker_pids(hostile) == first_workers


def post(server: Server, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(server.url + path, data=body, headers=headers, timeout=ANSWER_BOUND)


def assert_problem(response: requests.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    if field is not None:
        assert body["field"] == field
    return body


@functools.cache
def warm_library() -> None:
    """Load the engine's lazy parts in this process once, as the server does before its first request, so
    that the library side of a comparison spends its time budget on the document whatever test runs first."""
    clean(WARMUP_TEXT)
    clean(WARMUP_OTHER_LANGUAGE)


def library(text: str, **options) -> dict:
    warm_library()
    return jsonable(clean(text, **options).to_dict())


# ---------------------------------------------------------------- bodies

@pytest.mark.parametrize("body", [b"", b"   ", b" \n\t\n\r\n  \n", "\u00a0\u3000\n".encode()])
def test_empty_and_whitespace_bodies_are_empty_results(hostile, body):
    response = post(hostile, "/v1/clean", body, TEXT)
    assert response.status_code == 200
    result = response.json()
    assert result["paragraphs"] == [] and result["removed"] == []
    assert any(w.startswith("empty_body") for w in result["warnings"])
    assert post(hostile, "/v1/clean", json.dumps({"text": body.decode()}).encode(),
                {"Content-Type": "application/json"}).json()["paragraphs"] == []
    batch = post(hostile, "/v1/clean/batch", body, NDJSON)
    items = parse_ndjson(batch.content)
    assert batch.status_code == 200
    if body.strip():  # NBSP is not JSON whitespace: that line is a (bad) document
        assert [item["error"]["status"] for item in items] == [400]
    else:
        assert items == []


def test_a_million_one_character_lines_are_answered_whole(hostile):
    """2 MB of 'a' lines: the first 100,000 are judged, the rest kept as they are (time and memory grow
    with lines); every line is accounted for and a warning says which were not judged."""
    response = post(hostile, "/v1/clean", b"a\n" * 1_000_000, TEXT)
    assert response.status_code == 200
    result = response.json()
    assert len(result["paragraphs"]) + len(result["removed"]) == 1_000_000
    assert any(w.startswith("max_lines: lines 100000 to 999999") for w in result["warnings"])


def test_past_the_time_budget_the_rules_stop_with_a_warning(hostile):
    """A budget too small for any document: the first slice of lines is judged by the rules, the rest
    stay, and the warnings say so; the answer is still whole."""
    text = "\n".join(["Subscribe", BODY] * 1000 + ["Subscribe"])
    response = post(hostile, "/v1/clean?time_budget=0.000001", text.encode(), TEXT)
    assert response.status_code == 200
    result = response.json()
    assert len(result["paragraphs"]) + len(result["removed"]) == 2001
    assert any(w.startswith("time_budget: exceeded in the rules stage; lines 512 to 2000") for w in result["warnings"])
    assert 0 in {r["line"] for r in result["removed"]} and 2000 not in {r["line"] for r in result["removed"]}


def test_one_10_mb_line_is_413_and_one_4_mb_line_is_cleaned(hostile):
    assert_problem(post(hostile, "/v1/clean", b"word" * 2_500_000, TEXT), 413)
    line = "word" * 1_000_000
    response = post(hostile, "/v1/clean", line.encode(), TEXT)
    assert response.status_code == 200 and response.json()["paragraphs"] == [line]


@pytest.mark.parametrize("body", [
    "\ufeffSubscribe\nHello there\n".encode("utf-16"),            # UTF-16 with its BOM
    "Über\n".encode("utf-16-be"),                                 # UTF-16 without one
    f"{BODY}\nCafé".encode() + "\nPrix: 5 €, Ärger".encode("latin-1", "replace"),  # UTF-8, then Latin-1
    b"\xc3\x28 invalid continuation", b"\xed\xa0\x80 encoded surrogate", b"\xf4\x90\x80\x80 above U+10FFFF",
    b"overlong \xc0\xaf slash", b"truncated \xe2\x82",
])
def test_bytes_that_are_not_utf8_are_400_naming_the_offset(hostile, body):
    detail = assert_problem(post(hostile, "/v1/clean", body, TEXT), 400, "body")["detail"]
    assert "UTF-8" in detail and re.search(r"offset \d+", detail)


def test_a_utf8_bom_is_not_text(hostile):
    response = post(hostile, "/v1/clean", f"\ufeffSubscribe\n{BODY}".encode(), TEXT)
    assert response.json()["paragraphs"] == [BODY]


def test_utf16_declared_as_the_charset_is_415(hostile):
    assert_problem(post(hostile, "/v1/clean", "x".encode("utf-16"), {"Content-Type": "text/plain; charset=utf-16"}),
                   415, "Content-Type")


@pytest.mark.parametrize("text", [
    f"{BODY}\x00\x01\x02\x1b[31m\x7f\x00\nSub\x00scribe\n\x00\x00\n\x08\x0e\x1f\u200b\ufeff\n",
    f"\u202eשלום עולם\u202c مرحبا بالعالم\nרוסית\u05b0\u05b1 e\u0301\u0302\u0303 Z\u0335\u0336\u0337\n{BODY}\n",
    f"🔥🔥 Share this 👍🏽\n{BODY} 🇩🇪👨‍👩‍👧‍👦\n" + "😀" * 2000 + "\n\U0010fffd\U000e0001\n",
    "Subscribe\u2028Share\u2029Follow us\x85" + BODY + "\x0b\x0c\x1c\x1d\x1e",
])
def test_control_characters_bidi_combining_marks_and_emoji_equal_the_library(hostile, text):
    """Through text/plain and JSON (NUL as a \\u0000 escape), the answer is the library's."""
    expected = library(text, time_budget=TIME_BUDGET)
    for response in (post(hostile, "/v1/clean", text.encode(), TEXT),
                     requests.post(hostile.url + "/v1/clean", json={"text": text}, timeout=ANSWER_BOUND)):
        assert response.status_code == 200
        assert without_version(response.json()) == expected
        assert "\x00" not in response.json()["text"]


def test_10000_repetitions_of_near_misses_equal_the_library(hostile):
    lines = ["Subscribe to our newsletter for fre", "Share this articl", "Photo: Reuter", "Donate no",
             "Published Marc 4, 2024", "By", "©", "Monthly", BODY]
    text = "\n".join(lines[i % len(lines)] for i in range(10_000))
    response = post(hostile, "/v1/clean", text.encode(), TEXT)
    assert response.status_code == 200
    assert without_version(response.json()) == library(text, time_budget=TIME_BUDGET)


# ---------------------------------------------------------------- JSON

def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


@pytest.mark.parametrize("body", [
    nested(10_000),
    '{"text": "x", "options": {"keep": ' + nested(10_000, '"caption"') + "}}",
    '{"text": ' + nested(10_000, '"x"') + "}",
    '{"text": "x", "options": ' + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "}",
    '{"text": "x", "url": ' + nested(500, '"u"') + "}",
])
def test_json_nested_10000_deep_is_a_4xx(hostile, body):
    response = post(hostile, "/v1/clean", body.encode(), {"Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text[:300]
    assert response.headers["Content-Type"] == PROBLEM
    after = json.dumps({"text": BODY}).encode()
    items = parse_ndjson(post(hostile, "/v1/clean/batch", body.encode() + b"\n" + after + b"\n", NDJSON).content)
    assert [item["id"] for item in items] == [0, 1]
    assert items[0]["error"]["status"] in (400, 422) and items[1]["paragraphs"] == [BODY]


def test_duplicate_keys_take_the_last_value_as_json_parsers_do(hostile):
    body = b'{"text": "Subscribe", "text": "' + BODY.encode() + b'", "options": {"mode": "loud", "mode": "recall"}}'
    response = post(hostile, "/v1/clean", body, {"Content-Type": "application/json"})
    assert response.status_code == 200
    assert without_version(response.json()) == library(BODY, mode="recall", time_budget=TIME_BUDGET)


@pytest.mark.parametrize(("document", "status", "field"), [
    ({"text": ["a", "b"]}, 422, "text"),
    ({"text": {"$gt": ""}}, 422, "text"),
    ({"text": 1e308}, 422, "text"),
    ({"text": "x", "html": False}, 422, "html"),
    ({"text": "x", "options": {"time_budget": "1"}}, 422, "options.time_budget"),
    ({"text": "x", "options": {"time_budget": float("inf")}}, 422, "options.time_budget"),  # 'Infinity'
    ({"text": "x", "options": {"explain": 1}}, 422, "options.explain"),
    ({"text": "x", "__proto__": {"admin": True}}, 422, "__proto__"),
    ({"text": "x", "options": {"mode": "recall", "colour": "red"}}, 422, "options.colour"),
])
def test_wrong_types_and_extra_fields_are_422_single_and_in_a_batch(hostile, document, status, field):
    """Single documents (status and field), and the same inside NDJSON and JSON batches (an error item;
    the documents around it answered)."""
    body = json.dumps(document).encode()
    assert_problem(post(hostile, "/v1/clean", body, {"Content-Type": "application/json"}), status, field)
    around = ndjson([{"text": BODY}])
    items = parse_ndjson(post(hostile, "/v1/clean/batch", around + body + b"\n" + around, NDJSON).content)
    assert [item["id"] for item in items] == [0, 1, 2]
    assert items[1]["error"]["status"] == status and items[1]["error"].get("field", field) == field
    assert items[0]["paragraphs"] == items[2]["paragraphs"] == [BODY]


def test_ndjson_with_broken_lines_in_the_middle_answers_every_line_in_order(hostile):
    broken = [b'{"text": "cut off', b"\xff\xfe{\x00", b"not json at all", b'{"text": "a"}{"text": "b"}', b"null",
              b'"just a string"', b'{"text": "x", "options": {"mode": "loud"}}']
    lines = [json.dumps({"id": f"doc-{i}", "text": f"{i}: {BODY}"}).encode() for i in range(1000)]
    for offset, line in enumerate(broken):
        lines[400 + offset * 30] = line
    body = b"\n".join(lines) + b"\n" + b'{"id": "last", "text": "no newline at the end"'
    response = post(hostile, "/v1/clean/batch", body, NDJSON)
    assert response.status_code == 200
    items = parse_ndjson(response.content)
    assert len(items) == 1001
    broken_at = {400 + offset * 30 for offset in range(len(broken))} | {1000}
    for index, item in enumerate(items):
        if index in broken_at:
            assert item["id"] == index and item["error"]["status"] in (400, 422)
        else:
            assert item["id"] == f"doc-{index}" and item["paragraphs"] == [f"{index}: {BODY}"]


# ---------------------------------------------------------------- limits

def raw_request(server: Server, head: str, body: bytes = b"", read_timeout: float = ANSWER_BOUND) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout)
    sock.sendall(head.encode() + body)
    return sock


def read_answer(sock: socket.socket) -> http.client.HTTPResponse:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response


def test_a_huge_declared_length_is_413_at_once_without_waiting_for_the_body(server):
    """Content-Length of 10 GB and no body sent: refused from the headers alone. Asked of the server with
    the default client timeout: one that waited for the body would send nothing before that timeout, so
    a read given half of it fails (a margin of many seconds, not a speed limit)."""
    sock = raw_request(server, "POST /v1/clean HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                               "Content-Length: 10000000000\r\n\r\n", read_timeout=DEFAULT_CLIENT_TIMEOUT / 2)
    try:
        response = read_answer(sock)
        assert response.status == 413 and response.getheader("Content-Type") == PROBLEM
    finally:
        sock.close()


@pytest.mark.parametrize("path", ["/v1/clean", "/v1/clean/batch"])
def test_a_chunked_body_over_the_limit_is_413(hostile, path):
    """No Content-Length: the limit still holds (5 MB for one document, one NDJSON line likewise)."""
    chunks = (b"a" * 65536 for _ in range(5 * 1024 * 1024 // 65536 + 2))
    response = requests.post(hostile.url + path, data=chunks, headers=TEXT if path == "/v1/clean" else NDJSON,
                             timeout=ANSWER_BOUND)
    if path == "/v1/clean":
        assert_problem(response, 413)
    else:
        items = parse_ndjson(response.content)
        assert [item["error"]["status"] for item in items] == [413]


# ---------------------------------------------------------------- slow clients

def trickle(server: Server, path: str, content_type: str, body: bytes, pause: float) -> http.client.HTTPResponse:
    """Send the headers, then the body one byte at a time with ``pause`` seconds between bytes."""
    sock = raw_request(server, f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    for byte in body:
        sock.sendall(bytes([byte]))
        time.sleep(pause)
    return read_answer(sock)


def test_a_body_trickled_byte_by_byte_past_the_worker_timeout_is_answered(hostile):
    """Bytes keep coming (each well within the client timeout), for longer than the worker timeout: the
    request is answered correctly and the worker is not killed (the fixture checks its pid)."""
    text = f"Subscribe\n{BODY}\nShare this article"
    pause = (WORKER_TIMEOUT + 1) / len(text)
    started = time.monotonic()
    response = trickle(hostile, "/v1/clean", "text/plain", text.encode(), pause)
    assert time.monotonic() - started > WORKER_TIMEOUT
    assert response.status == 200 and json.loads(response.read())["paragraphs"] == [BODY]


def test_a_trickled_ndjson_batch_is_answered_in_order(hostile):
    body = ndjson([{"id": i, "text": f"{BODY} {i}"} for i in range(3)])
    response = trickle(hostile, "/v1/clean/batch", "application/x-ndjson", body, 1.5 / len(body))
    assert response.status == 200
    assert [item["id"] for item in parse_ndjson(response.read())] == [0, 1, 2]


STALLED_PIECE = json.dumps({"text": BODY}).encode() + b'\n{"text": '
STALLED_CHUNK = f"{len(STALLED_PIECE):x}\r\n".encode() + STALLED_PIECE + b"\r\n"
STALLS = {
    "body": ("POST /v1/clean HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n",
             b"Hello wor"),
    "chunked body": ("POST /v1/clean HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n", b"5\r\nHello\r\n"),
    "ndjson body": ("POST /v1/clean/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n", STALLED_CHUNK),
    "duplex ndjson body": ("POST /v1/clean/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                           "Prefer: duplex\r\nTransfer-Encoding: chunked\r\n\r\n", STALLED_CHUNK),
    "headers": ("POST /v1/clean HTTP/1.1\r\nHost: x\r\nContent-Type: te", b""),
}


def read_and_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; then close at once, as a client that got its answer
    does (gunicorn lingers on its main thread until the peer closes, up to 2 s per connection)."""
    try:
        return sock.makefile("rb").read()
    finally:
        sock.close()


def test_stalled_clients_are_answered_or_closed_and_do_not_starve_the_others(hostile):
    """More stalled connections than the service has threads: each is answered 408 (an error item in a
    stream) or closed by the server's client timeout, and a normal request sent while they stall is served."""
    stalled = {name: raw_request(hostile, head, body) for name, (head, body) in STALLS.items()}
    extra = [raw_request(hostile, *STALLS["body"]) for _ in range(WORKERS * THREADS)]
    with ThreadPoolExecutor(len(stalled) + len(extra) + 1) as pool:
        normal = pool.submit(post, hostile, "/v1/clean", f"Subscribe\n{BODY}".encode(), TEXT)
        answers = dict(zip(stalled, pool.map(read_and_close, stalled.values())))
        extra_answers = list(pool.map(read_and_close, extra))
        assert normal.result().status_code == 200 and normal.result().json()["paragraphs"] == [BODY]
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in extra_answers)
    assert all(answers[name].startswith(b"HTTP/1.1 408") for name in ("body", "chunked body", "ndjson body"))
    duplex = answers["duplex ndjson body"]
    assert re.search(rb'"status": ?408', duplex) and duplex.startswith(b"HTTP/1.1 200")
    assert answers["headers"] == b""
    # With Prefer: duplex answers start before the body ends. gunicorn reads a body in 1 KB pieces, so the
    # whole line before the stall may be unanswered: the stream ends with a 408 item whose id says where a
    # retry resumes, after whatever was answered.
    items = [json.loads(line) for line in duplex.split(b"\r\n") if line.startswith(b'{"id"')]
    assert items[-1]["error"]["status"] == 408 and all(item["paragraphs"] == [BODY] for item in items[:-1])


def assert_no_5xx_and_no_error_logged(server: Server) -> str:
    """The server's own counters show no 5xx and no failed document, and its log no error record."""
    metrics = requests.get(server.url + "/metrics", timeout=ANSWER_BOUND).text
    assert not re.search(r'textwash_http_requests_total\{[^}]*status="5\d\d"\}', metrics)  # printed when non-zero
    assert re.search(r'textwash_documents_total\{outcome="failed"\} 0\n', metrics)
    errors = [record for record in server.log_records() if record.get("level") in ("error", "critical")]
    assert not errors, errors[:2]
    assert "Traceback" not in server.log_path.read_text(encoding="utf-8", errors="replace")
    return metrics


def test_a_stalled_and_a_normal_request_leave_no_5xx_and_no_error_logged(hostile):
    """Whatever ran before (in any order), plus a 408 and a 200 made here, are counted and leave no 5xx
    and no error record; the module's fixture checks the same once all of its tests ran."""
    assert read_and_close(raw_request(hostile, *STALLS["body"])).startswith(b"HTTP/1.1 408")
    assert post(hostile, "/v1/clean", BODY.encode(), TEXT).status_code == 200
    metrics = assert_no_5xx_and_no_error_logged(hostile)
    assert re.search(r'textwash_http_requests_total\{route="/v1/clean",status="200"\} [1-9]', metrics)
    assert re.search(r'textwash_http_requests_total\{route="/v1/clean",status="408"\} [1-9]', metrics)
