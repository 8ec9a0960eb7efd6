"""POST /v1/clean/batch: order, per-item errors, streaming, and the JSON form for small batches."""
from __future__ import annotations

import http.client
import json
import select
import socket

from service_helpers import (
    SMALL_BATCH_LIMIT,
    SMALL_BODY_LIMIT,
    ChunkedUpload,
    jsonable,
    ndjson,
    parse_ndjson,
    seed_texts,
    without_version,
)

from heuristics import clean

SEEDS = seed_texts()
NDJSON = {"Content-Type": "application/x-ndjson"}
DUPLEX = {"Prefer": "duplex"}


def post_ndjson(http, server, body: bytes, query: str = "", headers=None):
    return http.post(server.url + "/v1/clean/batch" + query, data=body, headers={**NDJSON, **(headers or {})})


def test_ndjson_results_follow_input_order_and_equal_library(server, http):
    documents = [{"id": name, "text": text} for name, text in SEEDS] * 3
    response = post_ndjson(http, server, ndjson(documents))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/x-ndjson"
    items = parse_ndjson(response.content)
    assert [item["id"] for item in items] == [doc["id"] for doc in documents]
    for doc, item in zip(documents, items, strict=True):
        assert without_version({k: v for k, v in item.items() if k != "id"}) == jsonable(clean(doc["text"]).to_dict())


def test_ids_default_to_the_line_index_and_blank_lines_are_skipped(server, http):
    body = b'{"text": "first"}\n\n   \n{"text": "second"}\n{"id": "named", "text": "third"}'
    items = parse_ndjson(post_ndjson(http, server, body).content)
    assert [item["id"] for item in items] == [0, 1, "named"]
    assert [item["paragraphs"] for item in items] == [["first"], ["second"], ["third"]]


def test_bad_lines_get_error_items_and_the_rest_go_on(server, http):
    _, text = SEEDS[0]
    lines = [
        json.dumps({"id": "ok-1", "text": text}).encode(),
        json.dumps({"id": "no-text", "url": "https://example.org"}).encode(),
        json.dumps({"id": "bad-mode", "text": "x", "options": {"mode": "loud"}}).encode(),
        b'{"id": "broken", "text": "cut off',
        b"[1, 2, 3]",
        b'{"text": "caf\xe9"}',
        json.dumps({"id": {"nested": 1}, "text": "x"}).encode(),
        json.dumps({"id": "bad-keep", "text": "x", "options": {"keep": ["nonsense"]}}).encode(),
        json.dumps({"id": "ok-2", "text": text}).encode(),
    ]
    response = post_ndjson(http, server, b"\n".join(lines) + b"\n")
    assert response.status_code == 200
    items = parse_ndjson(response.content)
    assert [item["id"] for item in items] == ["ok-1", "no-text", "bad-mode", 3, 4, 5, 6, "bad-keep", "ok-2"]
    errors = {item["id"]: item["error"] for item in items if "error" in item}
    assert set(errors) == {"no-text", "bad-mode", 3, 4, 5, 6, "bad-keep"}
    assert (errors["no-text"]["status"], errors["no-text"]["field"]) == (400, "text")
    assert (errors["bad-mode"]["status"], errors["bad-mode"]["field"]) == (422, "options.mode")
    assert errors[3]["status"] == 400 and "not valid JSON" in errors[3]["detail"]
    assert errors[4]["status"] == 400 and errors[4]["field"] == "body"
    assert errors[5]["status"] == 400 and "UTF-8" in errors[5]["detail"]
    assert (errors[6]["status"], errors[6]["field"]) == (422, "id")
    assert (errors["bad-keep"]["status"], errors["bad-keep"]["field"]) == (422, "options.keep")
    assert items[0]["paragraphs"] == items[-1]["paragraphs"] == jsonable(clean(text).paragraphs)


def test_query_options_are_defaults_and_item_options_override(server, http):
    _, text = SEEDS[1]
    body = ndjson([{"id": "a", "text": text}, {"id": "b", "text": text, "options": {"mode": "precision"}}])
    items = parse_ndjson(post_ndjson(http, server, body, "?mode=recall&explain=true").content)
    assert without_version({k: v for k, v in items[0].items() if k != "id"}) == jsonable(
        clean(text, mode="recall", explain=True).to_dict())
    assert without_version({k: v for k, v in items[1].items() if k != "id"}) == jsonable(
        clean(text, mode="precision", explain=True).to_dict())


def test_no_answer_is_written_before_the_whole_body_has_arrived(server):
    """By default the batch is read whole first: a client that sends everything before it reads (as
    http.client, requests and httpx do) is never blocked by answers it is not reading yet."""
    upload = ChunkedUpload(server, "/v1/clean/batch", "application/x-ndjson")
    try:
        upload.send(ndjson({"id": f"early-{i}", "text": text} for i, (_, text) in enumerate(SEEDS)))
        readable, _, _ = select.select([upload.sock], [], [], 2.0)
        assert readable == []  # a server answering early would have sent its first line by now
        upload.send(ndjson({"id": f"late-{i}", "text": text} for i, (_, text) in enumerate(SEEDS)))
        upload.finish()
        response = upload.read_response()
        assert response.status == 200 and response.getheader("Preference-Applied") is None
        rest = upload.read_rest()
    finally:
        upload.close()
    assert [item["id"] for item in rest] == [f"{when}-{i}" for when in ("early", "late") for i in range(len(SEEDS))]


def test_with_prefer_duplex_answers_stream_while_the_body_is_still_being_sent(server):
    """``Prefer: duplex``: the first result arrives before the client has sent the rest.

    gunicorn reads a chunked body in steps of about 1 KiB, so the first upload is a few seed documents.
    """
    upload = ChunkedUpload(server, "/v1/clean/batch", "application/x-ndjson", DUPLEX)
    try:
        upload.send(ndjson({"id": f"early-{i}", "text": text} for i, (_, text) in enumerate(SEEDS[:3])))
        first = upload.read_item()
        assert first["id"] == "early-0"
        assert upload.read_response().status == 200
        assert upload.read_response().getheader("Preference-Applied") == "duplex"
        upload.send(ndjson({"id": f"late-{i}", "text": text} for i, (_, text) in enumerate(SEEDS)))
        upload.finish()
        rest = upload.read_rest()
    finally:
        upload.close()
    assert [item["id"] for item in rest] == ["early-1", "early-2"] + [f"late-{i}" for i in range(len(SEEDS))]


def test_a_long_duplex_stream_keeps_order(server):
    """Thousands of documents through one ``Prefer: duplex`` request, sent and read at the same time."""
    count = 3000
    upload = ChunkedUpload(server, "/v1/clean/batch", "application/x-ndjson", {"Prefer": "wait=5, duplex"})
    try:
        block = 100
        for start in range(0, count, block):
            documents = ({"id": i, "text": f"Paragraph number {i}.\nShare this"} for i in range(start, start + block))
            upload.send(ndjson(documents))
            if start == 0:
                assert upload.read_item()["id"] == 0
        upload.finish()
        rest = upload.read_rest()
    finally:
        upload.close()
    assert [item["id"] for item in rest] == list(range(1, count))
    assert all("error" not in item for item in rest)


def test_over_long_line_is_an_error_item_and_the_rest_go_on(keyed_server, http):
    big = json.dumps({"id": "big", "text": "word " * (SMALL_BODY_LIMIT // 4)}).encode()
    body = ndjson([{"id": "before", "text": "a"}]) + big + b"\n" + ndjson([{"id": "after", "text": "b"}])
    response = post_ndjson(http, keyed_server, body, headers={"Authorization": "Bearer key-one"})
    assert response.status_code == 200
    items = parse_ndjson(response.content)
    assert [item.get("id") for item in items] == ["before", 1, "after"]
    assert items[1]["error"]["status"] == 413
    assert str(SMALL_BODY_LIMIT) in items[1]["error"]["detail"]


def test_json_batch_returns_results_in_order_with_item_errors(server, http):
    _, text = SEEDS[2]
    documents = [{"id": "x", "text": text}, {"id": "y"}, {"text": text, "options": {"explain": "yes"}}]
    response = http.post(server.url + "/v1/clean/batch", json={"documents": documents})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [item["id"] for item in results] == ["x", "y", 2]
    assert without_version({k: v for k, v in results[0].items() if k != "id"}) == jsonable(clean(text).to_dict())
    assert (results[1]["error"]["status"], results[1]["error"]["field"]) == (400, "text")
    assert (results[2]["error"]["status"], results[2]["error"]["field"]) == (422, "options.explain")


def test_json_batch_needs_a_documents_list(server, http):
    missing = http.post(server.url + "/v1/clean/batch", json={"docs": []})
    assert missing.status_code == 422 and missing.json()["field"] == "docs"
    absent = http.post(server.url + "/v1/clean/batch", json={})
    assert absent.status_code == 400 and absent.json()["field"] == "documents"
    wrong = http.post(server.url + "/v1/clean/batch", json={"documents": "text"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "documents"


def test_json_batch_over_the_document_limit_is_413(keyed_server, http):
    body = {"documents": [{"text": "a"}] * 4}
    response = http.post(keyed_server.url + "/v1/clean/batch", json=body, headers={"Authorization": "Bearer key-two"})
    assert response.status_code == 413
    assert "NDJSON" in response.json()["detail"]


def test_batch_over_the_size_limit_is_413_before_the_body_is_read(keyed_server):
    """A declared Content-Length over the limit: 413 at once, with no byte of the body sent."""
    with socket.create_connection(("127.0.0.1", keyed_server.port), timeout=60) as sock:
        sock.sendall(f"POST /v1/clean/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-one\r\n"
                     f"Content-Type: application/x-ndjson\r\nContent-Length: {SMALL_BATCH_LIMIT + 1}\r\n\r\n".encode())
        response = http.client.HTTPResponse(sock)
        response.begin()
        problem = json.loads(response.read())
    assert response.status == 413 and response.getheader("Content-Type") == "application/problem+json"
    assert problem["field"] == "body" and str(SMALL_BATCH_LIMIT) in problem["detail"]


def test_chunked_batch_over_the_size_limit_is_413_as_soon_as_it_passes(keyed_server):
    """No Content-Length: the 413 comes once the limit is passed, while the client is still sending."""
    auth = {"Authorization": "Bearer key-one"}
    line = json.dumps({"text": "word " * 2000}).encode() + b"\n"
    upload = ChunkedUpload(keyed_server, "/v1/clean/batch", "application/x-ndjson", auth)
    try:
        for _ in range(SMALL_BATCH_LIMIT // len(line) + 5):
            upload.send(line)
        response = upload.read_response()  # the body has not ended: no final chunk was sent
        problem = json.loads(response.read())
    finally:
        upload.close()
    assert response.status == 413 and str(SMALL_BATCH_LIMIT) in problem["detail"]


def test_duplex_batch_over_the_size_limit_ends_with_a_413_item(keyed_server):
    """With ``Prefer: duplex`` answers have started before the limit is passed: the last item is a 413."""
    auth = {"Authorization": "Bearer key-one", **DUPLEX}
    line = json.dumps({"text": "word " * 2000}).encode() + b"\n"
    count = SMALL_BATCH_LIMIT // len(line) + 5
    upload = ChunkedUpload(keyed_server, "/v1/clean/batch", "application/x-ndjson", auth)
    try:
        for _ in range(count):
            upload.send(line)
        upload.finish()
        items = upload.read_rest()
    finally:
        upload.close()
    assert all("error" not in item for item in items[:-2])
    assert items[-1]["error"]["status"] == 413
    assert str(SMALL_BATCH_LIMIT) in items[-1]["error"]["detail"]
    assert len(items) <= count + 1


def test_a_batch_is_scored_with_one_prediction_per_pass_and_answers_as_the_library(monkeypatch):
    """The batch endpoint cleans through ``clean_many``: the model predicts all rows of a batch at once."""
    from heuristics import model as line_model
    from service import create_app

    calls = []
    original = line_model._predict

    def counted(booster, matrix):
        calls.append(len(matrix))
        return original(booster, matrix)

    monkeypatch.setattr(line_model, "_predict", counted)
    documents = [{"id": name, "text": text} for name, text in SEEDS] + [{"id": "bad", "text": 3}]
    client = create_app({"WARMUP": False}).test_client()
    response = client.post("/v1/clean/batch", data=ndjson(documents), headers=NDJSON)
    items = parse_ndjson(response.data)
    assert len(calls) == 2 and calls[0] == sum(len([line for line in text.splitlines() if line.strip()])
                                                for _, text in SEEDS)
    assert [item["id"] for item in items] == [doc["id"] for doc in documents]
    assert items[-1]["error"]["status"] == 422 and items[-1]["error"]["field"] == "text"
    for (_, text), item in zip(SEEDS, items):
        assert without_version({k: v for k, v in item.items() if k != "id"}) == jsonable(clean(text).to_dict())
