"""Stage 3, model: a learned content score per line, for what the rules cannot name.

The artifact (LightGBM text model plus its card: version, training-data hash, mode thresholds)
lives in ``heuristics/models/`` and is loaded once per process. Without an artifact the stage
returns no scores and the rules decide alone.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence

from .rules import Hit
from .segment import Line


_switched_off = False


@lru_cache(maxsize=1)
def _artifact() -> Any:
    return None


def _loaded() -> Any:
    return None if _switched_off else _artifact()


@contextmanager
def disabled(flag: bool = True) -> Iterator[None]:
    """Run the engine without the model (rules only), e.g. to measure what the rules earn alone."""
    global _switched_off
    previous, _switched_off = _switched_off, flag
    try:
        yield
    finally:
        _switched_off = previous


def model_version() -> str | None:
    loaded = _loaded()
    return None if loaded is None else loaded.version


def thresholds() -> dict[str, float] | None:
    loaded = _loaded()
    return None if loaded is None else loaded.thresholds


def score(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None, *,
          explain: bool = False) -> tuple[Any, list[list[tuple[str, float]]] | None]:
    """Content probability per line (None without a model) and, with ``explain``, top contributions."""
    loaded = _loaded()
    if loaded is None:
        return None, None
    return loaded.score(lines, hits, language, explain=explain)
