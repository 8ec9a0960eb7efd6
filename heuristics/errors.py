"""Errors the engine raises for bad input; each names the offending field so callers can report it."""
from __future__ import annotations


class CleanError(ValueError):
    """Bad input or options. ``field`` names the argument at fault (``text``, ``mode``, ``keep`` ...)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail
