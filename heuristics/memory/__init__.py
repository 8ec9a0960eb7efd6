"""Source memory: the lines a site repeats on its pages, learned across documents, are its boilerplate.

    from heuristics.memory import open_memory
    memory = open_memory(path="sources.db")                 # or open_memory(redis_url="redis://...")
    clean(text, url="https://example.org/a", memory=memory)  # source defaults to the URL's host

``policy`` decides which lines are repeated (thresholds: the ``memory_*`` fields of ``heuristics.settings``,
passed by ``clean``), ``evidence`` turns them
into removals in the decide stage, ``sqlite_store`` and ``redis_store`` keep the counts (``store``).
"""
from __future__ import annotations

import os

from .policy import Evidence, SourceMemory, document_fingerprint, source_key
from .store import Counts, SourceSummary, Store, StoreError, StoreLimits, StoreStats

__all__ = ["Counts", "Evidence", "SourceMemory", "SourceSummary", "Store", "StoreError",
           "StoreLimits", "StoreStats", "document_fingerprint", "open_memory", "source_key"]


def open_memory(path: str | os.PathLike[str] | None = None, redis_url: str | None = None,
                limits: StoreLimits | None = None) -> SourceMemory | None:
    """A memory over Redis when ``redis_url`` is given, else over the SQLite file ``path``; None when
    neither is (the memory is off)."""
    if redis_url:
        from .redis_store import RedisStore

        return SourceMemory(RedisStore(redis_url, limits))
    if path:
        from .sqlite_store import SQLiteStore

        return SourceMemory(SQLiteStore(path, limits))
    return None
