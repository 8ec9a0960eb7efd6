"""Stage 3, model: a learned content score per line, for what the rules cannot name.

The artifact lives in ``heuristics/models/``: a card (``line_model.json``: version, training-data
hash, mode thresholds, feature names, held-back scores) and two LightGBM text models. The first
pass scores every line from its own features and its neighbours'; the second pass sees the same
features plus the first-pass scores around each line (residue comes in runs, the body is one run).
It is loaded once per process. Which model scores a document (this one or the HTML-aware one) is
``scoring.py``'s choice; without an artifact the stage returns no scores and the rules decide alone.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import numpy as np

from . import _core
from .forest import Forest, compiled
from .features import FEATURE_NAMES, SCORE_FEATURES, DocFeatures, line_features, score_context
from .rules import Hit
from .segment import Line

CARD_NAME = "line_model.json"
TOP_CONTRIBUTIONS = 5
BLANK_SCORE = 1.0



class LazyBooster:
    """A LightGBM booster built from its model text on first use.

    The compiled forests predict; LightGBM's booster serves only ``explain``'s SHAP contributions
    (and a model the forest cannot compile). Building it at load time imported LightGBM (and
    SciPy) and kept both boosters in every worker that never explains a line. Attribute access
    goes to the booster, so this stands wherever a ``lightgbm.Booster`` does.
    """

    __slots__ = ("_text", "_booster")

    def __init__(self, text: str) -> None:
        self._text = text
        self._booster: Any = None

    @property
    def loaded(self) -> bool:
        return self._booster is not None

    def booster(self) -> Any:
        """The ``lightgbm.Booster`` (built, and LightGBM imported, on the first call)."""
        if self._booster is None:
            import lightgbm

            self._booster = lightgbm.Booster(model_str=self._text)
        return self._booster

    def __getattr__(self, name: str) -> Any:
        if name in LazyBooster.__slots__:  # not set yet (an object being copied or unpickled)
            raise AttributeError(name)
        return getattr(self.booster(), name)


@dataclass(slots=True)
class LineModel:
    """A loaded text model: two boosters, the card's thresholds and version."""

    version: str
    thresholds: dict[str, float]
    first: Any
    second: Any
    names: tuple[str, ...]
    stay: float | None = None   # run smoothing (``smooth_runs``); None: the second pass's scores as they are
    # the boosters' trees compiled (``forest.compiled``), which predict what they do; None: LightGBM predicts
    first_forest: Any = None
    second_forest: Any = None

    def score(self, lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None, *,
              explain: bool = False) -> tuple[np.ndarray, list[list[tuple[str, float]]] | None]:
        scores = np.full(len(lines), BLANK_SCORE)
        contributions: list[list[tuple[str, float]]] | None = [[] for _ in lines] if explain else None
        feats = self._first_input(lines, hits, language)
        if not len(feats.rows):
            return scores, contributions
        first = _predict(self.first_forest or self.first, feats.matrix)
        second_input = self._second_input(first, lines, feats.matrix)
        scores[feats.rows] = smooth_open_runs(_predict(self.second_forest or self.second, second_input),
                                              feats.matrix, self.stay)
        if contributions is not None:
            for row, values in zip(feats.rows.tolist(), self._contributions(second_input)):
                contributions[row] = values
        return scores, contributions

    def score_many(self, docs: Sequence[Document]) -> list[tuple[np.ndarray, list[list[tuple[str, float]]] | None]]:
        """``score`` of each document (lines, hits, language, explain), every pass predicted in one call for
        the rows of all of them (stacked, then split back). A row's prediction depends on that row alone, so
        the scores are the ones ``score`` gives document by document; the calls' fixed cost is paid once."""
        feats = [self._first_input(lines, hits, language) for lines, hits, language, _ in docs]
        rows = [len(f.rows) for f in feats]
        first = _split(_predict_stacked(self.first_forest or self.first, [f.matrix for f in feats]), rows)
        second_inputs = [self._second_input(scores, lines, f.matrix) if len(f.rows) else None
                         for scores, (lines, *_), f in zip(first, docs, feats)]
        second = _split(_predict_stacked(self.second_forest or self.second, second_inputs), rows)
        out = []
        for (lines, _, _, explain), f, probs, second_input in zip(docs, feats, second, second_inputs):
            scores = np.full(len(lines), BLANK_SCORE)
            contributions: list[list[tuple[str, float]]] | None = [[] for _ in lines] if explain else None
            if len(f.rows):
                scores[f.rows] = smooth_open_runs(probs, f.matrix, self.stay)
                if contributions is not None:
                    for row, values in zip(f.rows.tolist(), self._contributions(second_input)):
                        contributions[row] = values
            out.append((scores, contributions))
        return out

    def _first_input(self, lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None) -> DocFeatures:
        """The first pass's rows and columns (the text features; a variant appends its own)."""
        return line_features(lines, hits, language)

    def _second_input(self, first: np.ndarray, lines: Sequence[Line], matrix: np.ndarray) -> np.ndarray:
        """The second pass's columns: the first pass's, plus its scores around each line."""
        return np.hstack([matrix, score_context(first, matrix)])

    def _contributions(self, matrix: np.ndarray) -> list[list[tuple[str, float]]]:
        """Per row the features that moved the score most (SHAP values in log-odds, from LightGBM)."""
        values = self.second.predict(matrix, pred_contrib=True, num_threads=1)[:, :-1]
        top = np.argsort(-np.abs(values), axis=1)[:, :TOP_CONTRIBUTIONS]
        return [[(self.names[j], float(values[i, j])) for j in row] for i, row in enumerate(top)]


Document = tuple[Sequence[Line], Sequence[Sequence[Hit]], "str | None", bool]


def _predict_stacked(booster: Any, matrices: Sequence[np.ndarray | None]) -> np.ndarray:
    """``_predict`` over the rows of all ``matrices`` (None: a document without rows) in one call."""
    present = [matrix for matrix in matrices if matrix is not None and len(matrix)]
    return _predict(booster, np.vstack(present)) if present else np.zeros(0)


def _split(values: np.ndarray, rows: Sequence[int]) -> list[np.ndarray]:
    """``values`` cut back into consecutive pieces of ``rows`` lengths (one per document)."""
    return np.split(values, np.cumsum(rows)[:-1]) if rows else []


SMOOTH_EPSILON = 1e-4


def smooth_runs(probs: np.ndarray, stay: float | None) -> np.ndarray:
    """Content probabilities revised by their neighbours: the posterior of a two-state (content /
    residue) hidden Markov chain over the document's lines, forward-backward, whose emissions are
    ``probs`` and which keeps its state from one line to the next with probability ``stay``.

    Residue comes in runs and the body is one run, so a lone doubtful line inside the body rises
    and a lone confident-looking line inside a menu falls. ``stay=None`` returns ``probs``. Two
    states reduce each step to a few float operations, so this is a plain loop, linear in lines (in the
    compiled core for float64 scores; ``smooth_runs_reference`` is the Python loop and serves other dtypes).
    """
    if stay is None or len(probs) < 2:
        return probs
    if np.asarray(probs).dtype != np.float64:   # e.g. float32: numpy clips in that precision, so the reference
        return smooth_runs_reference(probs, stay)
    return _core.smooth_runs(np.ascontiguousarray(probs), stay, SMOOTH_EPSILON, 1 - SMOOTH_EPSILON)


def smooth_runs_reference(probs: np.ndarray, stay: float | None) -> np.ndarray:
    """``smooth_runs`` in Python (the compiled core's reference; the tests hold the two equal)."""
    if stay is None or len(probs) < 2:
        return probs
    p = np.clip(probs, SMOOTH_EPSILON, 1 - SMOOTH_EPSILON).tolist()
    move = 1.0 - stay
    forward = [0.0] * len(p)
    belief = p[0]
    forward[0] = belief
    for i in range(1, len(p)):
        prior = stay * belief + move * (1.0 - belief)
        content = prior * p[i]
        belief = content / (content + (1.0 - prior) * (1.0 - p[i]))
        forward[i] = belief
    out = forward[:]
    ahead = 0.5   # share of the backward message on "content" (uniform after the last line)
    for i in range(len(p) - 2, -1, -1):
        on, off = p[i + 1] * ahead, (1.0 - p[i + 1]) * (1.0 - ahead)
        to_content, to_residue = stay * on + move * off, move * on + stay * off
        ahead = to_content / (to_content + to_residue)
        content = forward[i] * ahead
        out[i] = content / (content + (1.0 - forward[i]) * (1.0 - ahead))
    return np.asarray(out)


_STRONG_HIT = FEATURE_NAMES.index("hit_strong")


def smooth_open_runs(probs: np.ndarray, matrix: np.ndarray, stay: float | None) -> np.ndarray:
    """``smooth_runs`` over the lines no strong rule named (``matrix``: their ``line_features``).

    What the rules already took keeps its score and does not pull its neighbours down: a body
    subheading right under a removed caption or newsletter box is judged next to the body.
    """
    open_rows = matrix[:, _STRONG_HIT] == 0
    if stay is None or open_rows.sum() < 2:
        return probs
    out = probs.copy()
    out[open_rows] = smooth_runs(probs[open_rows], stay)
    return out


def _predict(booster: Any, matrix: np.ndarray) -> np.ndarray:
    """Probabilities from one call for the whole document: the compiled forest's, or LightGBM's,
    single-threaded.

    For LightGBM goes straight to its C entry point (the checks in ``Booster.predict`` cost more
    than predicting a short document); falls back to ``Booster.predict`` if that entry point moved.
    """
    if isinstance(booster, Forest):
        return booster.predict(matrix)
    try:
        return _predict_direct(booster, matrix)
    except (AttributeError, TypeError):
        return booster.predict(matrix, num_threads=1)


_PREDICT_PARAMETERS = b"num_threads=1"


def _predict_direct(booster: Any, matrix: np.ndarray) -> np.ndarray:
    import ctypes

    from lightgbm import basic

    data = np.ascontiguousarray(matrix, dtype=np.float64)
    rows, columns = data.shape
    out = np.empty(rows, dtype=np.float64)
    produced = ctypes.c_int64(0)
    basic._safe_call(basic._LIB.LGBM_BoosterPredictForMat(
        booster._handle, data.ctypes.data_as(ctypes.c_void_p), ctypes.c_int(basic._C_API_DTYPE_FLOAT64),
        ctypes.c_int32(rows), ctypes.c_int32(columns), ctypes.c_int(basic._C_API_IS_ROW_MAJOR),
        ctypes.c_int(basic._C_API_PREDICT_NORMAL), ctypes.c_int(0), ctypes.c_int(-1),
        ctypes.c_char_p(_PREDICT_PARAMETERS), ctypes.byref(produced),
        out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))))
    if produced.value != rows:
        raise ValueError("LightGBM returned a wrong number of predictions")
    return out


def load(folder: Any = None) -> LineModel | None:
    """The model in ``folder`` (default: the package's ``models/``), or None when there is none."""
    base = folder if folder is not None else resources.files(__package__).joinpath("models")
    card_file = base.joinpath(CARD_NAME) if hasattr(base, "joinpath") else None
    if card_file is None or not card_file.is_file():
        return None
    card = json.loads(card_file.read_text(encoding="utf-8"))
    texts = [base.joinpath(name).read_text(encoding="utf-8") for name in (card["files"]["first"], card["files"]["second"])]
    boosters = [LazyBooster(text) for text in texts]
    names = tuple(card["second_features"])
    if tuple(card["first_features"]) != FEATURE_NAMES or names != FEATURE_NAMES + SCORE_FEATURES:
        raise ValueError(f"{CARD_NAME}: the model was trained on other features; run `textwash train`")
    return LineModel(version=card["version"], thresholds={k: float(v) for k, v in card["thresholds"].items()},
                     first=boosters[0], second=boosters[1], names=names, stay=card.get("smoothing"),
                     first_forest=compiled(texts[0]), second_forest=compiled(texts[1]))


@lru_cache(maxsize=1)
def _artifact() -> LineModel | None:
    return load()
