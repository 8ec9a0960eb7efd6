"""The shapes the engine returns: what was kept, what went and why, and the page's metadata."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .vocabulary import CATEGORIES, MODES

__all__ = ["CATEGORIES", "MODES", "CleanResult", "LineTrace", "Removal", "StrippedPrefix", "empty_metadata"]

METADATA_FIELDS: tuple[str, ...] = (
    "title",
    "published",
    "updated",
    "dateline",
    "authors",
    "source",
    "tags",
    "language",
    "language_confidence",
    "word_count",
    "fingerprint",
    "url",
    "sources",
)


def empty_metadata() -> dict[str, Any]:
    """Every metadata field present, null or empty when unknown."""
    return {
        "title": None,
        "published": None,
        "updated": None,
        "dateline": None,
        "authors": [],
        "source": None,
        "tags": [],
        "language": None,
        "language_confidence": None,
        "word_count": 0,
        "fingerprint": None,
        "url": None,
        "sources": {},
    }


@dataclass(slots=True)
class Removal:
    """One removed input line: where it was, what it said, and which rule (or the model) took it.
    ``count``: for ``source.repeated``, in how many of the source's recent documents the line was seen."""

    line: int
    text: str
    category: str
    rule: str
    score: float | None = None
    count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "line": self.line,
            "text": self.text,
            "category": self.category,
            "rule": self.rule,
        }
        if self.score is not None:
            out["score"] = round(self.score, 4)
        if self.count is not None:
            out["count"] = self.count
        return out


@dataclass(slots=True)
class StrippedPrefix:
    """A prefix cut from a kept line (e.g. ``date 2022-02-04 MOSCOW:``); the rest of the line stays."""

    line: int
    text: str
    category: str
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "category": self.category, "rule": self.rule}


@dataclass(slots=True)
class LineTrace:
    """Everything the engine thought about one non-blank line (returned with ``explain=True``)."""

    line: int
    text: str
    initial: str
    final: str
    keep: bool
    category: str | None = None
    rule: str | None = None
    score: float | None = None
    hits: list[str] = field(default_factory=list)
    contributions: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "text": self.text,
            "initial": self.initial,
            "final": self.final,
            "keep": self.keep,
            "category": self.category,
            "rule": self.rule,
            "score": None if self.score is None else round(self.score, 4),
            "hits": list(self.hits),
            "contributions": [[name, round(value, 4)] for name, value in self.contributions],
        }


@dataclass(slots=True)
class CleanResult:
    text: str
    paragraphs: list[str]
    removed: list[Removal]
    stripped: list[StrippedPrefix]
    metadata: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    lines: list[LineTrace] | None = None
    mode: str = "balanced"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "paragraphs": list(self.paragraphs),
            "removed": [r.to_dict() for r in self.removed],
            "stripped": [s.to_dict() for s in self.stripped],
            "metadata": dict(self.metadata),
            "warnings": list(self.warnings),
            "mode": self.mode,
        }
        if self.lines is not None:
            out["lines"] = [t.to_dict() for t in self.lines]
        return out


@dataclass(slots=True)
class DocumentError:
    """One document of a batch that could not be cleaned; the batch goes on (``clean_many``, the client).

    ``index`` is the document's 0-based position in the input, ``id`` the caller's own id if it gave one;
    ``status``, ``detail`` and ``field`` follow the service's problem details (422: a bad value, 400: not a
    document, 413: too large, 5xx: the engine or the service failed on it).
    """

    index: int
    status: int
    detail: str
    field: str | None = None
    id: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "status": self.status, "detail": self.detail,
                "field": self.field}
