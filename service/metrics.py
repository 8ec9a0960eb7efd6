"""Prometheus metrics shared by all gunicorn workers, without a client library or a metrics directory.

The label sets are fixed when the app is built (routes from the URL map, a known list of status codes,
the engine's categories), so every series has a fixed slot in one array of doubles. The array lives in
shared memory created before gunicorn forks (``preload_app``), so whichever worker answers ``/metrics``
reports the totals of all of them. Updates take a process-shared lock with a timeout: a worker killed
while holding it costs a few lost samples, never a hung service.
"""
from __future__ import annotations

import multiprocessing
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from heuristics.memory import StoreStats

LATENCY_BUCKETS: tuple[float, ...] = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)
STATUSES: tuple[str, ...] = ("200", "204", "400", "401", "404", "405", "408", "413", "415", "422", "500", "503", "other")
OUTCOMES: tuple[str, ...] = ("cleaned", "rejected", "failed")
# Source memory, per document: it named repeated lines (hit), named none (miss), or its store failed.
MEMORY_RESULTS: tuple[str, ...] = ("hit", "miss", "error")
MEMORY_RULE = "source.repeated"
UNMATCHED = "unmatched"
OTHER = "other"
LOCK_TIMEOUT = 0.25


class Metrics:
    """Counters and a latency histogram over fixed label sets, in one shared array."""

    def __init__(self, routes: Iterable[str], categories: Sequence[str]) -> None:
        self.routes = tuple(sorted(set(routes))) + (UNMATCHED,)
        self.categories = tuple(categories) + (OTHER,)
        self._route_index = {route: i for i, route in enumerate(self.routes)}
        self._category_index = {category: i for i, category in enumerate(self.categories)}
        self._status_index = {status: i for i, status in enumerate(STATUSES)}
        n_routes, n_buckets = len(self.routes), len(LATENCY_BUCKETS) + 1
        self._requests = 0
        self._buckets = self._requests + n_routes * len(STATUSES)
        self._sums = self._buckets + n_routes * n_buckets
        self._documents = self._sums + n_routes
        self._removed = self._documents + len(OUTCOMES)
        self._memory = self._removed + len(self.categories)
        self._memory_lines = self._memory + len(MEMORY_RESULTS)
        size = self._memory_lines + 1
        self._values = multiprocessing.RawArray("d", size)
        self._lock = multiprocessing.Lock()

    def _add(self, increments: Iterable[tuple[int, float]]) -> None:
        if not self._lock.acquire(timeout=LOCK_TIMEOUT):
            return
        try:
            for index, amount in increments:
                self._values[index] += amount
        finally:
            self._lock.release()

    def observe_request(self, route: str | None, status: int, seconds: float) -> None:
        """Count one answered request and its latency (time until the whole body was sent)."""
        r = self._route_index.get(route or UNMATCHED, self._route_index[UNMATCHED])
        s = self._status_index.get(str(status), self._status_index[OTHER])
        b = bisect_left(LATENCY_BUCKETS, seconds)
        n_buckets = len(LATENCY_BUCKETS) + 1
        self._add([
            (self._requests + r * len(STATUSES) + s, 1.0),
            (self._buckets + r * n_buckets + b, 1.0),
            (self._sums + r, seconds),
        ])

    def observe_document(self, outcome: str, removed_categories: Iterable[str] = ()) -> None:
        """Count one document that reached the engine, and the categories of the lines it lost."""
        other = self._category_index[OTHER]
        increments = [(self._documents + OUTCOMES.index(outcome), 1.0)]
        increments += [(self._removed + self._category_index.get(c, other), 1.0) for c in removed_categories]
        self._add(increments)

    def observe_memory(self, result: Mapping[str, Any]) -> None:
        """Count one cleaned document's use of the source memory, from the engine's result."""
        repeated = sum(1 for line in result["removed"] if line["rule"] == MEMORY_RULE)
        failed = any(warning.startswith("source_memory") for warning in result["warnings"])
        outcome = "error" if failed else "hit" if repeated else "miss"
        self._add([(self._memory + MEMORY_RESULTS.index(outcome), 1.0), (self._memory_lines, float(repeated))])

    def render_memory(self, stats: StoreStats | None) -> str:
        """The source memory's counters, and its size when the store answered (``stats``)."""
        values = list(self._values)
        lines = _labelled_counter(
            "textwash_source_memory_documents_total", "Documents looked up in the source memory: it named"
            " repeated lines (hit), none (miss), or the store failed (error).",
            "result", MEMORY_RESULTS, values[self._memory:])
        lines += [
            "# HELP textwash_source_memory_lines_removed_total Lines removed because their source repeats them.",
            "# TYPE textwash_source_memory_lines_removed_total counter",
            f"textwash_source_memory_lines_removed_total {values[self._memory_lines]:.0f}",
        ]
        if stats is not None:
            for name, value, help_text in (
                    ("sources", stats.sources, "Sources the memory holds."),
                    ("window_documents", stats.documents, "Documents in all sources' windows."),
                    ("bytes", stats.bytes, "Size of the store (SQLite file, or Redis used_memory).")):
                lines += [f"# HELP textwash_source_memory_{name} {help_text}",
                          f"# TYPE textwash_source_memory_{name} gauge", f"textwash_source_memory_{name} {value}"]
        return "\n".join(lines) + "\n"

    def render(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        values = list(self._values)
        lines = [
            "# HELP textwash_http_requests_total HTTP requests answered, by route and status.",
            "# TYPE textwash_http_requests_total counter",
        ]
        for r, route in enumerate(self.routes):
            for s, status in enumerate(STATUSES):
                value = values[self._requests + r * len(STATUSES) + s]
                if value:
                    lines.append(f'textwash_http_requests_total{{route="{route}",status="{status}"}} {value:.0f}')
        lines += [
            "# HELP textwash_http_request_duration_seconds Time to answer a request, body included.",
            "# TYPE textwash_http_request_duration_seconds histogram",
        ]
        n_buckets = len(LATENCY_BUCKETS) + 1
        for r, route in enumerate(self.routes):
            counts = values[self._buckets + r * n_buckets: self._buckets + (r + 1) * n_buckets]
            running = 0.0
            for bound, count in zip([*map(repr, LATENCY_BUCKETS), "+Inf"], counts, strict=True):
                running += count
                labels = f'route="{route}",le="{bound}"'
                lines.append(f"textwash_http_request_duration_seconds_bucket{{{labels}}} {running:.0f}")
            lines.append(f'textwash_http_request_duration_seconds_sum{{route="{route}"}} {values[self._sums + r]:.6f}')
            lines.append(f'textwash_http_request_duration_seconds_count{{route="{route}"}} {running:.0f}')
        lines += _labelled_counter("textwash_documents_total", "Documents given to the engine: cleaned, rejected"
                                   " (bad option), failed (bug).", "outcome", OUTCOMES, values[self._documents:])
        lines += _labelled_counter("textwash_lines_removed_total", "Lines removed from documents, by category.",
                                   "category", self.categories, values[self._removed:])
        return "\n".join(lines) + "\n"


def _labelled_counter(name: str, help_text: str, label: str, label_values: Sequence[str],
                      counts: Sequence[float]) -> list[str]:
    """A counter with one label in the exposition format: HELP, TYPE, then one sample per label value
    (``counts`` starts at the first label value's slot)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
    lines += [f'{name}{{{label}="{value}"}} {count:.0f}' for value, count in zip(label_values, counts)]
    return lines
