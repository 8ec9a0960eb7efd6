"""The v1 API: ``POST /v1/clean`` and ``POST /v1/clean/batch``. Parse, validate, call the engine, shape."""
from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO

from flask import Blueprint, Response, current_app, g, request, stream_with_context
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from heuristics import CleanError, CleanResult, DocumentError, clean, clean_many
from heuristics.pipeline import input_chars
from heuristics.settings import SETTINGS

from .documents import document_from_json, engine_problem, options_from_query
from .encoding import encode_line
from .problems import Problem
from .spool import spool_body, too_large

bp = Blueprint("api", __name__, url_prefix="/v1")
log = logging.getLogger("textwash.service")

JSON_TYPES = ("application/json",)
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/jsonlines")
TEXT_TYPES = ("text/plain",)
UTF8_CHARSETS = (None, "utf-8", "utf8", "us-ascii")
READ_STEP = 64 * 1024


@bp.before_request
def authenticate() -> None:
    """With ``TEXTWASH_API_KEYS`` set, every /v1 call needs ``Authorization: Bearer <one of them>``."""
    keys: tuple[str, ...] = current_app.config["API_KEYS"]
    if not keys:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = given.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() == "bearer" and any(hmac.compare_digest(token, key.encode("utf-8")) for key in keys):
        return
    raise Problem(401, "missing or wrong API key: send 'Authorization: Bearer <key>'",
                  "Authorization", headers={"WWW-Authenticate": 'Bearer realm="textwash"'})


def _media_type(accepted: tuple[str, ...]) -> str:
    """The request's media type if it is one of ``accepted`` (in UTF-8); 415 otherwise."""
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset")
    if mimetype not in accepted:
        given = mimetype or "none"
        raise Problem(415, f"Content-Type {given} is not accepted here; use one of {', '.join(accepted)}",
                      "Content-Type")
    if charset is not None and charset.lower() not in UTF8_CHARSETS:
        raise Problem(415, f"charset {charset} is not accepted; send UTF-8", "Content-Type")
    return mimetype


def _body() -> bytes:
    """The whole request body, at most ``MAX_BODY_BYTES`` (413 past it, chunked bodies included).

    For a chunked body werkzeug stops reading at the limit without complaint, so look one byte further.
    """
    try:
        data = request.get_data()
        limit = request.max_content_length
        if request.content_length is None and limit is not None and len(data) >= limit:
            if request.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge()
    except ClientDisconnected as error:  # werkzeug's name for a read that failed, or an early end
        if isinstance(error.__context__, OSError):
            raise _stalled() from None
        raise
    except OSError:  # the connection's receive timeout (gunicorn_conf.CLIENT_TIMEOUT): the client stalled
        raise _stalled() from None
    return data


def _stalled() -> Problem:
    return Problem(408, "the request body stopped arriving; send it without pauses", "body",
                   headers={"Connection": "close"})


def _decode(data: bytes, label: str = "body") -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, f"{label} is not valid UTF-8 (bad byte at offset {error.start})", "body") from None


def _unpaired_surrogate(value: Any, path: str) -> str | None:
    """The path of the first string holding a lone UTF-16 surrogate (a JSON escape like \\ud800), if any."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _unpaired_surrogate(key, path) or _unpaired_surrogate(item, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _unpaired_surrogate(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _parse_json(data: bytes, label: str = "body") -> Any:
    """Parse a JSON body (or NDJSON line) into Python values that are all valid text."""
    payload = _load_json(data, label)
    where = _unpaired_surrogate(payload, "")
    if where is not None:
        raise Problem(400, f"{label} has an unpaired surrogate escape (\\ud800-\\udfff), which is not text",
                      where or "body")
    return payload


def _load_json(data: bytes, label: str) -> Any:
    text = _decode(data, label)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise Problem(400, f"{label} is not valid JSON: {error.msg} at {where}", "body") from None
    except (ValueError, RecursionError) as error:  # e.g. a 5,000-digit number, or arrays nested 100,000 deep
        raise Problem(400, f"{label} is JSON this service does not read: {error}", "body") from None


def _with_budget(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with the service's time budget (``TEXTWASH_TIME_BUDGET``) unless the caller gave one."""
    if kwargs.get("time_budget") is None and current_app.config["TIME_BUDGET"] is not None:
        kwargs["time_budget"] = current_app.config["TIME_BUDGET"]
    return kwargs


def _run(kwargs: dict[str, Any], json_body: bool) -> dict[str, Any]:
    """Clean one document: the engine's own result plus the ``version`` block; counted in the metrics."""
    state = current_app.extensions["textwash"]
    try:
        result = clean(**_with_budget(kwargs), memory=state.memory)
    except CleanError as error:
        state.metrics.observe_document("rejected")
        raise engine_problem(error, json_body) from None
    return _answer(result)


def _answer(result: CleanResult) -> dict[str, Any]:
    """The engine's result as answered, plus the ``version`` block; counted in the metrics."""
    state = current_app.extensions["textwash"]
    body = result.to_dict()
    body["version"] = state.version
    state.metrics.observe_document("cleaned", [line["category"] for line in body["removed"]])
    if state.memory is not None:
        state.metrics.observe_memory(body)
    return body


@bp.post("/clean")
def clean_one() -> Response:
    """One document: the raw text as ``text/plain`` (options in the query), or a JSON document."""
    if _media_type(TEXT_TYPES + JSON_TYPES) in TEXT_TYPES:
        kwargs = {"text": _decode(_body()), **options_from_query(request.args, ("url", "source"))}
        json_body = False
    else:
        kwargs = document_from_json(_parse_json(_body()), options_from_query(request.args, ("url", "source")))
        json_body = True
    g.stats["documents"] = 1
    return current_app.json.response(_run(kwargs, json_body))


# A batch item on its way: its id, and the engine's keyword arguments or (when its document was refused) its answer.
Pending = tuple[Any, "dict[str, Any] | None", "dict[str, Any] | None"]


def _checked(index: int, payload: Any, defaults: Mapping[str, Any]) -> Pending:
    """One batch item's id and engine arguments, or its error answer; never raises."""
    item_id: Any = payload.get("id", index) if isinstance(payload, dict) else index
    try:
        if isinstance(item_id, bool) or not isinstance(item_id, (str, int)):
            item_id = index
            raise Problem(422, "id must be a string or an integer", "id")
        return item_id, _with_budget(document_from_json(payload, defaults, ("id",))), None
    except Problem as problem:
        return item_id, None, {"id": item_id, "error": problem.body()}


def _answered(items: Iterable[Pending], batch: int) -> Iterator[dict[str, Any]]:
    """The items' answers in order: ``{"id", ...result}`` or ``{"id", "error"}``. The checked documents
    of every ``batch`` items (fewer once they hold ``SETTINGS.batch_chars`` characters, so answers keep
    flowing) are cleaned by one ``clean_many`` call (the model runs once for them)."""
    pending: list[Pending] = []
    chars = 0
    for item in items:
        pending.append(item)
        chars += input_chars(item[1])
        if len(pending) >= batch or chars >= SETTINGS.batch_chars:
            yield from _clean_pending(pending)
            pending, chars = [], 0
    yield from _clean_pending(pending)


ENGINE_FIELDS = ("text", "html", "url", "source")


def _clean_pending(pending: Sequence[Pending]) -> Iterator[dict[str, Any]]:
    state = current_app.extensions["textwash"]
    documents = [{**{name: kwargs.pop(name) for name in ENGINE_FIELDS}, "options": kwargs}
                 for _, kwargs, _ in pending if kwargs is not None]
    results = clean_many(documents, memory=state.memory) if documents else iter(())
    for item_id, kwargs, answer in pending:
        yield answer if kwargs is None else {"id": item_id, **_outcome(next(results))}


def _outcome(result: CleanResult | DocumentError) -> dict[str, Any]:
    """A batch item's answer from the engine's result, or its error (a bug on one document must not end
    a 100,000-document stream: it is logged and answered as a 500 item)."""
    if isinstance(result, CleanResult):
        return _answer(result)
    metrics = current_app.extensions["textwash"].metrics
    if result.status == 422:
        metrics.observe_document("rejected")
        return {"error": engine_problem(CleanError(result.field or "body", result.detail), True).body()}
    log.error("unhandled error in batch item", extra={"request_id": g.request_id, "detail": result.detail})
    metrics.observe_document("failed")
    error = Problem(500, "internal error on this document; quote the request id when reporting it").body()
    return {"error": {**error, "request_id": g.request_id}}


def _lines(stream: BinaryIO, line_limit: int, body_limit: int) -> Iterator[bytes | Problem]:
    """Non-blank lines of an NDJSON body, read incrementally; an over-long line becomes a 413 Problem.

    At most ``body_limit`` bytes are read (the Content-Length, or the batch limit for a chunked body);
    a body that goes on past the batch limit ends the stream with a 413 Problem.
    """
    try:
        yield from _read_lines(stream, line_limit, body_limit)
    except OSError:  # the client stalled mid-stream: answered lines stand, the stream ends with a 408 item
        yield _stalled()


def _read_lines(stream: BinaryIO, line_limit: int, body_limit: int) -> Iterator[bytes | Problem]:
    remaining = body_limit
    while remaining > 0:
        line = stream.readline(min(line_limit + 1, remaining))
        if not line:
            return
        remaining -= len(line)
        if len(line) > line_limit and not line.endswith(b"\n"):
            while remaining > 0 and line and not line.endswith(b"\n"):
                line = stream.readline(min(READ_STEP, remaining))
                remaining -= len(line)
            yield Problem(413, f"line is longer than the limit of {line_limit} bytes", "body")
        elif line.strip():
            yield line
    if stream.read(1):
        yield too_large(body_limit)


def _ndjson_item(index: int, line: bytes | Problem, defaults: Mapping[str, Any]) -> Pending:
    if isinstance(line, Problem):
        return index, None, {"id": index, "error": line.body()}
    try:
        payload = _parse_json(line, f"NDJSON line {index + 1}")
    except Problem as problem:
        return index, None, {"id": index, "error": problem.body()}
    return _checked(index, payload, defaults)


def _prefers_duplex() -> bool:
    """``Prefer: duplex`` (RFC 7240 syntax): the client reads the answer while it sends the body."""
    preferences = (part for value in request.headers.getlist("Prefer") for part in value.split(","))
    return any(pref.split(";")[0].split("=")[0].strip().lower() == "duplex" for pref in preferences)


def _batch_source(limit: int, duplex: bool) -> tuple[BinaryIO, int]:
    """Where the NDJSON lines are read from, and how many bytes at most.

    By default the whole body is read first (``spool_body``), so answers never wait on a client that is
    still sending; with ``Prefer: duplex`` lines are read from the connection as they arrive.
    """
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    stream = request.environ["wsgi.input"]
    if duplex:
        return stream, request.content_length if request.content_length is not None else limit
    try:
        return spool_body(stream, limit, current_app.config["BATCH_MEMORY_BYTES"])
    except OSError:  # the receive timeout (gunicorn_conf.CLIENT_TIMEOUT), or the client left mid-body
        raise _stalled() from None


def _ndjson_batch() -> Response:
    """NDJSON in, NDJSON out: one answer line per input line, in order, each written once it is cleaned."""
    defaults = options_from_query(request.args)
    config = current_app.config
    duplex = _prefers_duplex()
    source, size = _batch_source(config["MAX_BATCH_BYTES"], duplex)
    stats = g.stats

    def items() -> Iterator[Pending]:
        for index, line in enumerate(_lines(source, config["MAX_BODY_BYTES"], size)):
            stats["documents"] += 1
            yield _ndjson_item(index, line, defaults)

    def generate() -> Iterator[bytes]:
        # a duplex client may wait for an answer before it sends more: answer each line as it arrives
        for answer in _answered(items(), 1 if duplex else SETTINGS.batch_documents):
            yield encode_line(answer)

    response = Response(stream_with_context(generate()), mimetype="application/x-ndjson")
    if duplex:
        response.headers["Preference-Applied"] = "duplex"
    else:
        response.call_on_close(source.close)
    return response


def _json_batch() -> Response:
    """A small batch as one JSON object ``{"documents": [...]}``; answers ``{"results": [...]}``."""
    payload = _parse_json(_body())
    if not isinstance(payload, dict):
        raise Problem(400, "the body must be a JSON object with a 'documents' list", "body")
    unknown = sorted(set(payload) - {"documents"})
    if unknown:
        raise Problem(422, f"unknown field {unknown[0]!r}; the batch object has only 'documents'", unknown[0])
    documents = payload.get("documents")
    if documents is None:
        raise Problem(400, "missing field: documents", "documents")
    if not isinstance(documents, list):
        raise Problem(422, "documents must be a list of document objects", "documents")
    limit = current_app.config["MAX_JSON_BATCH_DOCUMENTS"]
    if len(documents) > limit:
        raise Problem(413, f"{len(documents)} documents; a JSON batch takes at most {limit}: send NDJSON",
                      "documents")
    defaults = options_from_query(request.args)
    g.stats["documents"] = len(documents)
    items = (_checked(index, document, defaults) for index, document in enumerate(documents))
    return current_app.json.response({"results": list(_answered(items, SETTINGS.batch_documents))})


@bp.post("/clean/batch")
def clean_batch() -> Response:
    """Many documents: NDJSON (read whole, then answered as a stream) or a JSON object (small batches)."""
    if _media_type(NDJSON_TYPES + JSON_TYPES) in NDJSON_TYPES:
        return _ndjson_batch()
    return _json_batch()
