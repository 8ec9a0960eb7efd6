"""textwash's cleaning engine: segment -> rules -> model -> decide -> metadata.

    from heuristics import clean
    result = clean(text)            # or clean(html=page), or both
    result.text, result.removed, result.metadata
"""
from __future__ import annotations

from .errors import CleanError
from .options import Options
from .pipeline import clean, engine_info
from .result import CleanResult, Removal
from .vocabulary import CATEGORIES, MODES
from .vocabulary import VERSION as __version__

__all__ = ["clean", "engine_info", "CleanError", "Options", "CleanResult", "Removal", "CATEGORIES", "MODES", "__version__"]
