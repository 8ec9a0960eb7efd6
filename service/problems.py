"""RFC 9457 problem details: every error the service answers is ``application/problem+json``.

Views raise ``Problem``; the app-wide handlers in ``register`` turn it, werkzeug's HTTP errors
(404, 405, 413 ...) and unexpected exceptions (500, logged with the request id) into one shape:
``{"type", "title", "status", "detail", "instance", "request_id", "field"?}``.
"""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

PROBLEM_TYPE = "application/problem+json"
# After a 413, read (and drop) up to this much of the rest of the body, so that the client, still
# sending, gets to read the answer instead of a connection reset. Past it the connection just closes.
DRAIN_LIMIT = 16 * 1024 * 1024
DRAIN_STEP = 64 * 1024
log = logging.getLogger("textwash.service")


class Problem(Exception):
    """An error answer: HTTP status, a human-readable detail and, for bad input, the field at fault."""

    def __init__(self, status: int, detail: str, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The problem object, also used for per-item errors in a batch."""
        out: dict[str, Any] = {
            "type": "about:blank",
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            out["field"] = self.field
        return out


def problem_response(problem: Problem) -> Response:
    body = problem.body()
    body["instance"] = request.path
    body["request_id"] = g.get("request_id")
    response = Response(json.dumps(body), status=problem.status, mimetype=PROBLEM_TYPE)
    response.headers.update(problem.headers)
    return response


def _from_http_exception(error: HTTPException) -> Response:
    headers = {}
    status = error.code or 500
    detail = error.description or HTTPStatus(status).phrase
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
        detail = f"{request.method} is not allowed on {request.path}; allowed: {headers['Allow']}"
    elif status == 404:
        detail = f"no resource at {request.path}; the API is described at /openapi.json"
    elif status == 413:
        detail = f"request body is larger than the limit of {request.max_content_length} bytes"
        _drain_body()
    return problem_response(Problem(status, detail, headers=headers))


def _drain_body() -> None:
    stream = request.environ.get("wsgi.input")
    remaining = DRAIN_LIMIT
    if stream is None or (request.content_length or 0) > DRAIN_LIMIT:
        return
    while remaining > 0:
        try:
            data = stream.read(min(DRAIN_STEP, remaining))
        except OSError:  # the client stalled (receive timeout): nothing more to drain
            return
        if not data:
            return
        remaining -= len(data)


def _from_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", extra={"request_id": g.get("request_id")})
    return problem_response(
        Problem(500, "internal error; quote the X-Request-ID header when reporting it")
    )


def register(app: Flask) -> None:
    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(Exception, _from_unexpected)
