"""The HTML-aware line model: the text model's two passes with the page's structure as extra columns.

Artifact in ``heuristics/models/``: a card (``html_model.json``) and two LightGBM boosters, written
by ``textwash train --regime html`` (``train_html.py``). ``scoring.score`` uses it for lines that
carry HTML signals (``Line.html`` from ``html.lines_from_html``) and the text model for plain text.
The card names the columns it was trained on; when they are not the code's (the text features
changed since), the HTML model is not used and the text model scores HTML lines too.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any, Sequence

import numpy as np

from ..forest import compiled
from ..model import LazyBooster, LineModel
from ..rules import Hit
from ..segment import Line
from .features import first_pass_matrix, page_structure, pass_names, second_pass_matrix

CARD_NAME = "html_model.json"
log = logging.getLogger(__name__)


@dataclass(slots=True)
class HtmlLineModel(LineModel):
    """A loaded HTML-aware model (same card fields as the text model's)."""

    def _first_input(self, lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None) -> Any:
        return first_pass_matrix(lines, hits, language)

    def _second_input(self, first: np.ndarray, lines: Sequence[Line], matrix: np.ndarray) -> np.ndarray:
        return second_pass_matrix(first, page_structure(lines), matrix)


def has_signals(lines: Sequence[Line]) -> bool:
    """Whether any line was found in a page (HTML input), so the HTML model applies (a plain loop: this runs
    twice per document, over every line of text input)."""
    for line in lines:
        signals = line.html
        if signals is not None and signals.matched:
            return True
    return False


def load(folder: Any = None) -> HtmlLineModel | None:
    """The HTML model in ``folder`` (default: the package's ``models/``); None when there is none or
    when it was trained on other columns than the code computes (logged; the text model stands in)."""
    base = folder if folder is not None else resources.files("heuristics").joinpath("models")
    card_file = base.joinpath(CARD_NAME)
    if not card_file.is_file():
        return None
    card = json.loads(card_file.read_text(encoding="utf-8"))
    first_names, second_names = pass_names()
    if tuple(card.get("first_features", ())) != first_names or tuple(card.get("second_features", ())) != second_names:
        log.warning("%s was trained on other features than the code's; HTML lines are scored by the text model "
                    "until `textwash train --regime html` is run", CARD_NAME)
        return None
    texts = [base.joinpath(card["files"][key]).read_text(encoding="utf-8") for key in ("first", "second")]
    boosters = [LazyBooster(text) for text in texts]
    return HtmlLineModel(version=card["version"], thresholds={k: float(v) for k, v in card["thresholds"].items()},
                         first=boosters[0], second=boosters[1], names=second_names,
                         first_forest=compiled(texts[0]), second_forest=compiled(texts[1]))
