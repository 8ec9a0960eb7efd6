"""The one entry point, ``clean()``: it runs the stages in order and shapes the result."""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from .errors import CleanError
from .result import CATEGORIES, MODES, CleanResult, empty_metadata


def engine_info() -> dict[str, Any]:
    return {"package": "0.1.0", "model": None}


def clean(
    text: str | None = None,
    *,
    html: str | None = None,
    url: str | None = None,
    source: str | None = None,
    mode: str = "balanced",
    keep: Iterable[str] = (),
    extra_rules: Mapping[str, Sequence[str]] | None = None,
    language: str | None = None,
    explain: bool = False,
    extractor: str = "fast",
    time_budget: float | None = None,
) -> CleanResult:
    """Placeholder until the stages land: identity on the text."""
    if text is None and html is None:
        raise CleanError("text", "give text, html or both")
    if mode not in MODES:
        raise CleanError("mode", f"must be one of {', '.join(MODES)}")
    for category in keep:
        if category not in CATEGORIES:
            raise CleanError("keep", f"unknown category {category!r}")
    paragraphs = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return CleanResult(text="\n\n".join(paragraphs), paragraphs=paragraphs, removed=[], stripped=[],
                       metadata=empty_metadata(), mode=mode)
