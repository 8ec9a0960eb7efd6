"""Stage 3, which model scores a document: the HTML-aware model for lines found in a page (when it is shipped
and fits the code), the text model otherwise, or none (switched off, or no artifact: the rules decide alone).

One floor above both models (``model.py``, ``html/model.py``), so neither imports the other.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Sequence

from .html import model as html_model
from . import model as line_model
from .rules import Hit
from .segment import Line

_switched_off = False


def _loaded() -> line_model.LineModel | None:
    return None if _switched_off else line_model._artifact()


@lru_cache(maxsize=1)
def _html_artifact() -> line_model.LineModel | None:
    return html_model.load()


def _for(lines: Sequence[Line] | None) -> line_model.LineModel | None:
    """The HTML-aware model for lines from a page (when it is shipped and fits the code), else the text model."""
    if _switched_off:
        return None
    if lines is not None and html_model.has_signals(lines):
        return _html_artifact() or line_model._artifact()
    return line_model._artifact()


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


def thresholds(lines: Sequence[Line] | None = None) -> dict[str, float] | None:
    """The mode thresholds of the model that scores ``lines`` (the text model's without lines)."""
    loaded = _for(lines)
    return None if loaded is None else loaded.thresholds


def score(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None, *,
          explain: bool = False) -> tuple[Any, list[list[tuple[str, float]]] | None]:
    """Content probability per line (None without a model) and, with ``explain``, top contributions."""
    loaded = _for(lines)
    if loaded is None:
        return None, None
    return loaded.score(lines, hits, language, explain=explain)


def score_many(docs: Sequence[line_model.Document]) -> list[tuple[Any, list[list[tuple[str, float]]] | None]]:
    """``score`` of each document (lines, hits, language, explain): the documents one model scores are
    scored together (``LineModel.score_many``: one prediction call per pass for all their rows)."""
    out: list[tuple[Any, list[list[tuple[str, float]]] | None]] = [(None, None)] * len(docs)
    groups: dict[int, tuple[line_model.LineModel, list[int]]] = {}
    for index, doc in enumerate(docs):
        loaded = _for(doc[0])
        if loaded is not None:
            groups.setdefault(id(loaded), (loaded, []))[1].append(index)
    for loaded, indices in groups.values():
        for index, scored in zip(indices, loaded.score_many([docs[i] for i in indices])):
            out[index] = scored
    return out
