"""``GET /v1/sources/{source}`` (what the source memory learned of a site) and ``DELETE`` (forget it)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from heuristics.memory import SourceMemory, StoreError, source_key

from .api import authenticate
from .problems import Problem

bp = Blueprint("sources", __name__, url_prefix="/v1")
bp.before_request(authenticate)

LIMIT_DEFAULT = 50
LIMIT_MAX = 1000


def _memory() -> SourceMemory:
    memory = current_app.extensions["textwash"].memory
    if memory is None:
        raise Problem(404, "this service keeps no source memory (set TEXTWASH_SOURCE_DB or TEXTWASH_REDIS_URL)",
                      "source")
    return memory


def _key(source: str) -> str:
    key = source_key(source, None)
    if key is None:
        raise Problem(422, "source must name a site or a publication", "source")
    return key


def _limit() -> int:
    raw = request.args.get("limit", str(LIMIT_DEFAULT))
    unknown = sorted(set(request.args) - {"limit"})
    if unknown:
        raise Problem(422, f"unknown query parameter {unknown[0]!r}; known: limit", unknown[0])
    if not raw.isdigit() or not 1 <= int(raw) <= LIMIT_MAX:
        raise Problem(422, f"limit must be an integer from 1 to {LIMIT_MAX}", "limit")
    return int(raw)


def _unavailable(error: StoreError) -> Problem:
    return Problem(503, f"the source memory is unavailable: {error}", "source")


@bp.get("/sources/<path:source>")
def show(source: str) -> Response:
    """The source's most repeated lines, with the number of its recent documents carrying each."""
    memory, key, limit = _memory(), _key(source), _limit()
    try:
        summary = memory.store.summary(key, limit)
    except StoreError as error:
        raise _unavailable(error) from None
    if summary is None:
        raise Problem(404, f"nothing learned about source {key!r}", "source")
    return current_app.json.response({**summary.to_dict(), "window": memory.store.limits.window})


@bp.delete("/sources/<path:source>")
def forget(source: str) -> Response:
    """Forget everything learned about the source; 404 if nothing was."""
    memory, key = _memory(), _key(source)
    try:
        forgotten = memory.store.forget(key)
    except StoreError as error:
        raise _unavailable(error) from None
    if not forgotten:
        raise Problem(404, f"nothing learned about source {key!r}", "source")
    return Response(status=204)
