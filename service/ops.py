"""Operations and people: health, readiness, metrics, the OpenAPI document and the playground page."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, send_from_directory

from heuristics.memory import StoreError

bp = Blueprint("ops", __name__)

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answering; says nothing about the engine."""
    return current_app.json.response({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Ready once the engine answered the start-up document (so its model is loaded); 503 before."""
    state = current_app.extensions["textwash"]
    body = {"status": "ready" if state.ready else "starting", "version": state.version}
    if state.error:
        body["error"] = state.error
    response = current_app.json.response(body)
    response.status_code = 200 if state.ready else 503
    return response


@bp.get("/metrics")
def metrics() -> Response:
    state = current_app.extensions["textwash"]
    body = state.metrics.render()
    if state.memory is not None:
        try:
            stats = state.memory.store.stats()
        except StoreError:
            stats = None
        body += state.metrics.render_memory(stats)
    return Response(body, content_type=PROMETHEUS_TYPE)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description, written by hand and checked against real responses by the tests."""
    return send_from_directory(current_app.root_path, "openapi.json", mimetype="application/json")


@bp.get("/")
def playground() -> Response:
    """A page to paste text into and see which lines go and why (static HTML + JS, no template)."""
    return send_from_directory(current_app.static_folder or "static", "index.html")
