"""JSON out by orjson: a cleaned document's answer is large (17 kB on average for the load test's R2
documents), and the standard library's encoder spent 71 µs on one where orjson spends 10
(measured in docs/service.md). Non-ASCII text is written as UTF-8, not as ``\\u`` escapes.

What orjson refuses (an integer past 64 bits, such as a batch item's id of 2**70) is written by the
standard library instead, so every answer that could be written before still is.
"""
from __future__ import annotations

import json
from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider


def encode(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8 (orjson; the standard library for what orjson refuses)."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is one
        return _standard(value)


def encode_line(value: Any) -> bytes:
    """``encode(value)`` and a newline: an answer, or one NDJSON line. orjson writes the newline into
    the same buffer (``encode(value) + b"\n"`` copied the 17 kB of an average answer: 7.9 µs, not 3.0)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return _standard(value) + b"\n"


def _standard(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider with ``encode`` for answers (parsing stays the standard library's: its
    error messages name the line and column, which the 400 answers quote)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return encode(obj).decode("utf-8") if not kwargs else super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        return self._app.response_class(encode_line(self._prepare_response_obj(args, kwargs)),
                                        mimetype=self.mimetype)
