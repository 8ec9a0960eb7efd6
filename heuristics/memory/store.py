"""What a source-memory store keeps, and the interface both stores (SQLite, Redis) implement.

Per source: a window of its last ``window`` distinct documents (each with the fingerprints of its lines),
and for every line fingerprint the number of documents in that window that carry it. A new document
enters the window, the oldest leaves it (its lines are counted down), so counts decay with the site's
own publishing rate and a redesign is forgotten after ``window`` pages. A document already in the window
(same fingerprint) is not counted again. Sources are evicted least recently used first when there are
more than ``max_sources`` of them or more than ``max_documents`` documents in all windows together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Protocol, Sequence

from ..settings import SETTINGS

# A document's learned lines: fingerprint -> a sample of the line's text (kept once a line repeats).
LineSamples = Mapping[int, str]


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """How much a store keeps, fixed when it is opened; the defaults (with their reasons) are the
    ``Settings`` fields ``memory_window``, ``memory_max_sources`` and ``memory_max_documents``.

    window: documents per source that count. max_sources / max_documents: the total bound (least recently
    used sources go first); a document takes about 6.4 kB in SQLite and 10 kB in Redis
    (docs/source-memory.md).
    """

    window: int = SETTINGS.memory_window
    max_sources: int = SETTINGS.memory_max_sources
    max_documents: int = SETTINGS.memory_max_documents


@dataclass(slots=True)
class Counts:
    """What a store knows of one source after looking at (and maybe learning) one document."""

    documents: int                     # documents in the source's window, the current one included
    lines: dict[int, int] = field(default_factory=dict)  # fingerprint -> documents carrying it
    learned: bool = False              # the document was new to the window and was counted


@dataclass(frozen=True, slots=True)
class RepeatedLine:
    text: str
    count: int


@dataclass(slots=True)
class SourceSummary:
    """``GET /v1/sources/{source}``: the source's window size and its most repeated lines."""

    source: str
    documents: int
    lines: list[RepeatedLine]

    def to_dict(self) -> dict[str, object]:
        return {"source": self.source, "documents": self.documents,
                "lines": [{"text": line.text, "count": line.count} for line in self.lines]}


@dataclass(frozen=True, slots=True)
class StoreStats:
    sources: int
    documents: int
    bytes: int


class StoreError(RuntimeError):
    """The store could not be reached or answered wrongly; cleaning goes on without the memory."""


class Store(Protocol):
    """A shared, bounded memory of line fingerprints per source (see the module docstring)."""

    limits: StoreLimits

    def observe(self, source: str, document: int, lines: LineSamples) -> Counts:
        """Count ``document`` (its fingerprint) with its ``lines`` once, then return the counts of
        those lines. Atomic: concurrent writers lose no count."""

    def observe_many(self, documents: Iterable[tuple[str, int, LineSamples]]) -> list[Counts]:
        """``observe`` for many ``(source, document, lines)`` at once (one transaction or round trip)."""

    def counts(self, source: str, fingerprints: Sequence[int]) -> Counts:
        """The counts of ``fingerprints`` without learning anything."""

    def summary(self, source: str, limit: int) -> SourceSummary | None:
        """The source's most repeated lines (seen in two documents or more), or None if unknown."""

    def forget(self, source: str) -> bool:
        """Drop everything learned about ``source``; False if nothing was known."""

    def stats(self) -> StoreStats:
        """Sources, documents in all windows, and the store's size in bytes."""

    def close(self) -> None:
        """Release connections (the store can be used again: it reconnects)."""
