"""textwash's cleaning engine: segment -> rules -> model -> decide -> metadata.

    from heuristics import clean
    result = clean(text)            # or clean(html=page), or both
    result.text, result.removed, result.metadata
"""
from __future__ import annotations

from .errors import CleanError
from .pipeline import clean, engine_info
from .result import CATEGORIES, MODES, CleanResult, Removal

__version__ = "0.1.0"

__all__ = ["clean", "engine_info", "CleanError", "CleanResult", "Removal", "CATEGORIES", "MODES", "__version__"]
