"""Train the HTML-aware two-pass line model on the DEV bench and score it on the held-back slice.

    .venv/bin/python scripts/html_model_eval.py [--extractor fast|trafilatura] [--save DIR]

Held back: pages with sha1(id) % 5 == 0 (the slice ``textwash bench --slice 5`` scores); the model
is fitted on the rest. Lines come from ``html.lines_from_html``; features from
``html_features.first_pass_matrix`` / ``second_pass_matrix`` (see that module for how the variant
plugs into model.py); the second pass learns from out-of-fold first-pass scores. Held-back pages
go through the real rules and decide stage with the model's scores, and the output text is scored
with the bench's own scorer, so the figures are what ``clean(html=...)`` would score with this
model. docs/s: the held-back pages end to end in one process (HTML to body text, model included).
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heuristics import language as language_id  # noqa: E402
from heuristics import model as line_model  # noqa: E402
from heuristics.bench import format_table, in_slice, load_records, load_scorer  # noqa: E402
from heuristics.decide import decide  # noqa: E402
from heuristics.html import lines_from_html  # noqa: E402
from heuristics.html_features import first_pass_matrix, pass_names, second_pass_matrix  # noqa: E402
from heuristics.pipeline import _language_sample, _shape  # noqa: E402
from heuristics.rules import default_ruleset, match_lines  # noqa: E402
from heuristics.train import LABEL_SHARE, fit, gold_ngrams, gold_share  # noqa: E402

HOLDOUT = 5
INNER = 4
THRESHOLDS = (0.35, 0.4, 0.45, 0.5)
BLANK = 1.0


def inner_fold(record_id: str) -> int:
    return int(hashlib.sha1(f"{record_id}#inner".encode()).hexdigest(), 16) % INNER


def prepare(record: dict, extractor: str) -> dict:
    lines, _ = lines_from_html(record["html"], extractor=extractor)
    language = language_id.detect(_language_sample(lines))[0]
    hits = match_lines(lines, default_ruleset(), language)
    feats = first_pass_matrix(lines, hits, language)
    grams = gold_ngrams(record.get("gold") or "")
    share = np.array([gold_share(lines[i].text, grams) for i in feats.rows.tolist()])
    tokens = np.array([max(1, lines[i].words) for i in feats.rows.tolist()], dtype=np.float64)
    return {"id": record["id"], "lines": lines, "hits": hits, "matrix": feats.matrix.astype(np.float32),
            "rows": feats.rows, "share": share, "tokens": tokens}


def stacked(docs: list[dict], matrices: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with tokens, labels (gold share >= LABEL_SHARE) and weights (each page weighs alike)."""
    xs, ys, ws = [], [], []
    for doc, matrix in zip(docs, matrices):
        keep = doc["share"] >= 0
        if not keep.any():
            continue
        tokens = doc["tokens"][keep]
        xs.append(matrix[keep])
        ys.append((doc["share"][keep] >= LABEL_SHARE).astype(np.float32))
        ws.append((tokens / tokens.sum() * np.sqrt(len(tokens)) * 4 + 0.05).astype(np.float32))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def train(docs: list[dict]) -> tuple[object, object]:
    first_names, second_names = pass_names()
    out_of_fold: dict[str, np.ndarray] = {}
    for fold in range(INNER):
        fitted_on = [d for d in docs if inner_fold(d["id"]) != fold]
        booster = fit(*stacked(fitted_on, [d["matrix"] for d in fitted_on]), names=first_names)
        for doc in docs:
            if inner_fold(doc["id"]) == fold:
                out_of_fold[doc["id"]] = booster.predict(doc["matrix"])
    first = fit(*stacked(docs, [d["matrix"] for d in docs]), names=first_names)
    second_inputs = [second_pass_matrix(out_of_fold[d["id"]], d["lines"], d["matrix"]) for d in docs]
    second = fit(*stacked(docs, second_inputs), names=second_names)
    return first, second


def line_scores(doc: dict, first: object, second: object) -> np.ndarray:
    scores = np.full(len(doc["lines"]), BLANK)
    if len(doc["rows"]):
        first_scores = first.predict(doc["matrix"])
        scores[doc["rows"]] = second.predict(second_pass_matrix(first_scores, doc["lines"], doc["matrix"]))
    return scores


def body(doc: dict, scores: np.ndarray, threshold: float) -> str:
    decision = decide(doc["lines"], doc["hits"], default_ruleset().blocks, scores=scores, mode="balanced",
                      thresholds={"balanced": threshold})
    return _shape(doc["lines"], doc["hits"], decision, False, None).text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extractor", choices=("fast", "trafilatura"), default="fast")
    parser.add_argument("--save", help="write the two boosters here (model_first.txt, model_second.txt)")
    args = parser.parse_args()
    logging.disable(logging.ERROR)
    line_model.disabled(True).__enter__()
    records = load_records()
    held = [r for r in records if in_slice(r["id"], HOLDOUT)]
    started = time.perf_counter()
    fitting = [prepare(r, args.extractor) for r in records if not in_slice(r["id"], HOLDOUT)]
    print(f"prepared {len(fitting)} training pages in {time.perf_counter() - started:.0f} s", flush=True)
    first, second = train(fitting)
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
        first.save_model(str(Path(args.save) / "model_first.txt"))
        second.save_model(str(Path(args.save) / "model_second.txt"))
    started = time.perf_counter()
    prepared = [prepare(r, args.extractor) for r in held]
    scored = [(doc, line_scores(doc, first, second)) for doc in prepared]
    outputs = {doc["id"]: body(doc, scores, THRESHOLDS[2]) for doc, scores in scored}
    docs_per_s = len(held) / (time.perf_counter() - started)
    scorer = load_scorer()
    for threshold in THRESHOLDS:
        predictions = outputs if threshold == THRESHOLDS[2] else {
            doc["id"]: body(doc, scores, threshold) for doc, scores in scored}
        summary, _, _ = scorer.score(held, predictions)
        title = f"html model {args.extractor} th={threshold}"
        print("\n".join(format_table(summary, title)), flush=True)
    print(f"held-back pages: {len(held)}   end to end docs/s (one process, th={THRESHOLDS[2]}): {docs_per_s:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
