"""Train the line model from the DEV bench (``textwash train``); also the evaluation harness.

Labels follow the bench's census method: a line is content when at least ``LABEL_SHARE`` of its
lower-cased token 4-gram shingles occur in the gold text (lines of 1-3 tokens: the token sequence
must occur in the gold). One label set per regime (R2 ``residue``, R1 ``fulltext``); the text model
is trained on both, because callers send text without saying which kind it is.

Split: documents whose sha1(id) % 5 == 0 are held back (the same pages ``textwash bench --slice 5``
scores); the model is fitted on the rest and the mode thresholds are calibrated on the held-back
pages, end to end (rules + model through the decide stage, scored with the bench's metric).
Everything is seeded and single-order, so the artifact is reproduced bit for bit.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from . import language as language_id
from .bench import in_slice, load_records
from .decide import Verdict, decide
from .features import FEATURE_NAMES, line_features
from .rules import default_ruleset, match_lines
from .segment import Line, segment_text

REGIME_FIELDS = {"r2": "residue", "r1": "fulltext"}
HOLDOUT_MODULO = 5
LABEL_SHARE = 0.8
SHINGLE = 4
SEED = 20240601
TOKEN_RE = re.compile(r"\w+")
MODES = ("precision", "balanced", "recall")
# F-beta each mode's threshold maximises on the held-back pages (precision mode favours precision).
MODE_BETA = {"precision": 0.5, "balanced": 1.0, "recall": 2.0}

# ---------------------------------------------------------------- labels


def gold_ngrams(gold: str) -> set[tuple[str, ...]]:
    """Every lower-cased token 1- to 4-gram of the gold text."""
    tokens = TOKEN_RE.findall(gold.lower())
    grams: set[tuple[str, ...]] = set()
    for n in range(1, SHINGLE + 1):
        grams.update(zip(*(tokens[i:] for i in range(n))))
    return grams


def gold_share(text: str, grams: set[tuple[str, ...]]) -> float:
    """Share of the line's shingles found in the gold; -1 for a line without tokens."""
    tokens = TOKEN_RE.findall(text.lower())
    if not tokens:
        return -1.0
    if len(tokens) < SHINGLE:
        return float(tuple(tokens) in grams)
    shingles = list(zip(*(tokens[i:] for i in range(SHINGLE))))
    return sum(s in grams for s in shingles) / len(shingles)


# ---------------------------------------------------------------- documents


@dataclass(slots=True)
class DocData:
    """One bench page in one regime: features and labels per non-blank line, and what the rules did."""

    id: str
    dataset: str
    regime: str
    matrix: np.ndarray          # (rows, features) float32
    rows: np.ndarray            # line index of each row
    share: np.ndarray           # gold share per row (-1: no token)
    tokens: np.ndarray          # token count per row
    pieces: list[str]           # the text each row contributes when kept (prefix cut)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # per mode: 0 open, 1 removed, 2 context-removed

    @property
    def labels(self) -> np.ndarray:
        return (self.share >= LABEL_SHARE).astype(np.float32)


# Rule ids ending like these are decisions from context (runs growing over neighbours), not a rule
# naming the line itself.
CONTEXT_SUFFIXES = (".block", ".between_removed")


def _row_states(verdicts: Sequence[Verdict], rows: np.ndarray) -> np.ndarray:
    state = np.zeros(len(rows), dtype=np.int8)
    for r, index in enumerate(rows.tolist()):
        verdict = verdicts[index]
        if verdict.removed:
            state[r] = 2 if (verdict.rule or "").endswith(CONTEXT_SUFFIXES) else 1
    return state


def language_of(lines: Sequence[Line]) -> str | None:
    """The language the pipeline would detect for these lines."""
    from .pipeline import _language_sample

    return language_id.detect(_language_sample(lines))[0]


def build_doc(record: dict[str, Any], regime: str) -> DocData:
    """Features, labels and rule decisions of one page in one regime."""
    ruleset = default_ruleset()
    lines = segment_text(record.get(REGIME_FIELDS[regime]) or "")
    lang = language_of(lines)
    hits = match_lines(lines, ruleset, lang)
    feats = line_features(lines, hits, lang)
    grams = gold_ngrams(record.get("gold") or "")
    share = np.array([gold_share(lines[i].text, grams) for i in feats.rows.tolist()], dtype=np.float32)
    tokens = np.array([len(TOKEN_RE.findall(lines[i].text)) for i in feats.rows.tolist()], dtype=np.float32)
    states, pieces = {}, []
    for mode in ("balanced", "recall"):
        decision = decide(lines, hits, ruleset.blocks, scores=None, mode=mode)
        states[mode] = _row_states(decision.verdicts, feats.rows)
        if mode == "balanced":
            for index in feats.rows.tolist():
                verdict = decision.verdicts[index]
                text = lines[index].text
                pieces.append(text[verdict.strip_to:].strip() if verdict.strip_to else text)
    states["precision"] = states["balanced"]
    return DocData(record["id"], record["dataset"], regime, feats.matrix.astype(np.float32), feats.rows,
                   share, tokens, pieces, states)


def build_docs(records: Iterable[dict[str, Any]], regime: str) -> list[DocData]:
    return [build_doc(record, regime) for record in records]


def stack_rows(docs: Sequence[DocData], weighting: str = "tokens") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of all documents (lines with tokens only), labels and sample weights.

    ``tokens``: a line weighs its share of the document's tokens times sqrt(document lines), so a
    long page does not drown the short ones while a long line still outweighs a short one.
    """
    xs, ys, ws = [], [], []
    for doc in docs:
        keep = doc.share >= 0
        if not keep.any():
            continue
        xs.append(doc.matrix[keep])
        ys.append(doc.labels[keep])
        ws.append(_weights(doc.tokens[keep], weighting))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def _weights(tokens: np.ndarray, weighting: str) -> np.ndarray:
    if weighting == "uniform":
        return np.ones(len(tokens), dtype=np.float32)
    if weighting == "sqrt":
        return np.sqrt(tokens).astype(np.float32)
    share = tokens / max(tokens.sum(), 1)
    return (share * np.sqrt(len(tokens)) * 4 + 0.05).astype(np.float32)


# ---------------------------------------------------------------- model fitting

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 15,
    "max_depth": 6,
    "min_data_in_leaf": 60,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 63,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "seed": SEED,
    "verbosity": -1,
}
DEFAULT_ROUNDS = 150


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, params: dict[str, Any] | None = None,
        rounds: int = DEFAULT_ROUNDS, names: Sequence[str] = FEATURE_NAMES) -> Any:
    import lightgbm

    merged = {**DEFAULT_PARAMS, **(params or {})}
    data = lightgbm.Dataset(x, label=y, weight=w, feature_name=list(names), free_raw_data=True,
                            params={"max_bin": merged["max_bin"], "verbosity": -1})
    return lightgbm.train(merged, data, num_boost_round=rounds)


def predict_docs(booster: Any, docs: Sequence[DocData]) -> list[np.ndarray]:
    """Content score per row of each document (one batch for speed; split back per document)."""
    if not docs:
        return []
    scores = booster.predict(np.vstack([d.matrix for d in docs]), num_threads=2)
    bounds = np.cumsum([len(d.rows) for d in docs])[:-1]
    return np.split(scores, bounds)


# ---------------------------------------------------------------- end-to-end evaluation


def _shingles(tokens: list[str]) -> Counter:
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(zip(*(tokens[i:] for i in range(SHINGLE))))


class Scorer:
    """The bench metric (score.py's shingle F1), with each page's gold shingles counted once."""

    def __init__(self, records: Iterable[dict[str, Any]], aggregate: Callable[[list[dict]], dict]):
        self.gold = {r["id"]: _shingles(TOKEN_RE.findall(r.get("gold") or "")) for r in records}
        self.gold_tokens = {k: sum(v.values()) for k, v in self.gold.items()}
        self.aggregate = aggregate
        self._piece_tokens: dict[tuple[str, str], list[list[str]]] = {}

    def row(self, doc: DocData, kept: np.ndarray) -> dict[str, Any]:
        key = (doc.id, doc.regime)
        if key not in self._piece_tokens:
            self._piece_tokens[key] = [TOKEN_RE.findall(p) for p in doc.pieces]
        tokens = [t for keep, piece in zip(kept.tolist(), self._piece_tokens[key]) if keep for t in piece]
        pred, gold = _shingles(tokens), self.gold[doc.id]
        tp = sum((pred & gold).values())
        fp = sum(pred.values()) - tp
        fn = sum(gold.values()) - tp
        total = tp + fp + fn
        tp, fp, fn = (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)
        precision = 1.0 if fp == 0 and fn == 0 else (tp / (tp + fp) if tp + fp > 0 else 0.0)
        recall = 1.0 if fp == 0 and fn == 0 else (tp / (tp + fn) if tp + fn > 0 else 0.0)
        return {"id": doc.id, "dataset": doc.dataset, "tp": tp, "fp": fp, "fn": fn, "precision": precision,
                "recall": recall, "exact": False, "pred_tokens": len(tokens)}

    def summary(self, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out = {"ALL": self.aggregate(rows)}
        for name in sorted({r["dataset"] for r in rows}):
            out[name] = self.aggregate([r for r in rows if r["dataset"] == name])
        return out


def kept_rows(doc: DocData, scores: np.ndarray | None, threshold: float, mode: str = "balanced",
              rescue: float | None = None) -> np.ndarray:
    """Which rows survive: open rows scoring at or above the threshold (all open rows without scores);
    with ``rescue``, context-removed rows scoring at or above it come back."""
    state = doc.state[mode]
    kept = state == 0
    if scores is not None:
        kept &= scores >= threshold
        if rescue is not None:
            kept |= (state == 2) & (scores >= rescue)
    return kept


def evaluate(scorer: Scorer, docs: Sequence[DocData], scores: Sequence[np.ndarray] | None, threshold: float,
             mode: str = "balanced", rescue: float | None = None) -> dict[str, dict[str, Any]]:
    rows = [scorer.row(doc, kept_rows(doc, None if scores is None else scores[i], threshold, mode, rescue))
            for i, doc in enumerate(docs)]
    return scorer.summary(rows)


def f_beta(summary: dict[str, Any], beta: float) -> float:
    p, r = summary["precision"], summary["recall"]
    return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0


def calibrate(scorer: Scorer, docs_by_regime: dict[str, list[DocData]],
              scores_by_regime: dict[str, list[np.ndarray]], grid: Sequence[float] | None = None
              ) -> dict[str, float]:
    """Per mode, the threshold maximising that mode's F-beta averaged over the regimes."""
    grid = list(grid if grid is not None else np.round(np.arange(0.02, 0.8, 0.02), 2))
    best: dict[str, tuple[float, float]] = {}
    for threshold in grid:
        for mode in MODES:
            value = np.mean([f_beta(evaluate(scorer, docs, scores_by_regime[regime], threshold, mode)["ALL"],
                                    MODE_BETA[mode]) for regime, docs in docs_by_regime.items()])
            if mode not in best or value > best[mode][0]:
                best[mode] = (float(value), float(threshold))
    return {mode: best[mode][1] for mode in MODES}


def train_main(args: argparse.Namespace) -> int:
    raise NotImplementedError
