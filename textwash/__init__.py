"""textwash for users: the engine in-process, a client for the service, and pipeline integrations.

    import textwash
    result = textwash.clean(text)                       # in-process (loads the engine on first use)
    for result in textwash.clean_many(docs): ...        # strings or {"text", "html", "url", ...} dicts

    from textwash.client import Client                  # the same results from a textwash service
    from textwash.scrapy import TextwashPipeline          # extra: textwash[scrapy]
    from textwash.datatrove import TextwashFilter        # extra: textwash[datatrove]

``clean`` and ``clean_many`` are the engine's own (``heuristics``), loaded lazily so that importing
``textwash.client`` never loads numpy or LightGBM. Guide and measured figures: docs/pipelines.md.
"""
from __future__ import annotations

from typing import Any

from heuristics import CATEGORIES, MODES, CleanError, CleanResult, DocumentError, Removal, __version__

__all__ = ["clean", "clean_many", "CleanError", "CleanResult", "DocumentError", "Removal", "CATEGORIES", "MODES",
           "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("clean", "clean_many"):
        import heuristics

        return getattr(heuristics, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
