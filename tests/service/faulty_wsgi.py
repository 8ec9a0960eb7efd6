"""Test-only WSGI entry points: the real app (``service.create_app``) with its engine broken on purpose,
served by the real gunicorn with the packaged settings (``start_server(..., app="faulty_wsgi:...")``).

Nothing in service/ knows about them: each replaces the engine function a service module calls, then
builds the app, before gunicorn forks its workers (``preload_app``).

- ``raising``: the engine (``clean`` and ``clean_many`` alike) raises RuntimeError on any document
  containing "boom" (an engine bug, in its first stage); every other document is cleaned by the real engine.
- ``not_ready``: the engine fails its start-up documents (an unreadable model), so the service is up
  (/healthz) but never ready (/readyz 503).
"""
from __future__ import annotations

from typing import Any

import service
from heuristics import pipeline

BUG = "engine bug on purpose"
UNREADABLE = "model file unreadable on purpose"


_real_input_lines = pipeline._input_lines


def _input_lines_raising_on_boom(text: str | None, *args: Any) -> Any:
    if text and "boom" in text:
        raise RuntimeError(BUG)
    return _real_input_lines(text, *args)


def _clean_that_cannot_load(*args: Any, **options: Any) -> Any:
    raise OSError(UNREADABLE)


def raising() -> Any:
    """App factory (gunicorn's ``faulty_wsgi:raising()``): the API's engine raises on "boom"."""
    pipeline._input_lines = _input_lines_raising_on_boom
    return service.create_app()


def not_ready() -> Any:
    """App factory (``faulty_wsgi:not_ready()``): the warm-up's engine cannot load."""
    service.clean = _clean_that_cannot_load
    return service.create_app()
