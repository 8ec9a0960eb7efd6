"""textwash's cleaning engine: segment -> rules -> model -> decide -> metadata.

    from heuristics import clean
    result = clean(text)            # or clean(html=page), or both
    result.text, result.removed, result.metadata

The result types and errors import nothing heavy; ``clean``, ``clean_many`` and ``engine_info`` load the
pipeline (numpy, LightGBM, the rules) on first use (PEP 562), so that ``textwash.client`` can return a
``CleanResult`` in a process that never loads the engine.
"""
from __future__ import annotations

from typing import Any

from .errors import CleanError
from .options import Options
from .result import CleanResult, DocumentError, Removal
from .settings import SETTINGS, Settings
from .vocabulary import CATEGORIES, MODES
from .vocabulary import VERSION as __version__

_PIPELINE_NAMES = ("clean", "clean_many", "engine_info")

__all__ = ["clean", "clean_many", "engine_info", "CleanError", "Options", "CleanResult", "DocumentError", "Removal",
           "SETTINGS", "Settings", "CATEGORIES", "MODES", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _PIPELINE_NAMES:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
