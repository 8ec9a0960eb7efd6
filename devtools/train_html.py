"""Train the HTML-aware line model from the DEV bench's ``html`` field (``textwash train --regime html``).

Lines are what ``clean(html=...)`` judges on both paths: the fast path's walk (one line per block,
R1's lines) and trafilatura's recall-mode lines with the walk's signals (a model fitted on the walk
alone scores trafilatura's lines badly). Labels, weights, the held-back split (sha1(id) % 5 == 0)
and the out-of-fold second pass are the text model's (``train.py``); the columns are
``html.features.pass_names()``. The mode thresholds are calibrated end to end on the held-back
pages: rules, model and the decide stage, scored with the bench's scorer (the decide stage keeps
whole sentences and subheadings the model alone would drop, so row-level calibration sets them too
low). Single-threaded and seeded: the artifact is reproduced bit for bit.
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable, Sequence

import numpy as np

from .bench import in_slice, load_records
from heuristics.decide import decide
from heuristics.errors import CleanError
from heuristics.html.lines import lines_from_html
from heuristics.html.features import first_pass_matrix, page_structure, pass_names, second_pass_matrix
from heuristics.html.model import CARD_NAME, HtmlLineModel
from heuristics.rules import Hit, default_ruleset, match_lines
from heuristics.segment import Line
from heuristics.vocabulary import EXTRACTORS
from .train import (DEFAULT_PARAMS, HOLDOUT_MODULO, LABEL_SHARE, MODE_BETA, MODES, STACK_FOLDS, TOKEN_RE, DocData,
                    _row_states, _short, _with_matrix, f_beta, fit, fold_of, format_summary, gold_ngrams,
                    gold_share, language_of, save_trained, stack_rows)

# More leaves and trees than the text model: the HTML columns carry interactions (where x what).
PARAMS: dict[str, Any] = {**DEFAULT_PARAMS, "num_threads": 1, "num_leaves": 31, "learning_rate": 0.06}
FIRST_ROUNDS = 250
SECOND_ROUNDS = 150
FILES = {"first": "html_model_1.txt", "second": "html_model_2.txt"}
CALIBRATION_GRID: tuple[float, ...] = tuple(float(t) for t in np.round(np.arange(0.1, 0.81, 0.04), 2))


def build_html_doc(record: dict[str, Any], extractor: str) -> tuple[DocData, np.ndarray] | None:
    """Features, labels and rule decisions of one page as ``clean(html=...)`` sees it, and the page
    structure the second pass pools over; None for a page the engine refuses."""
    try:
        lines, _ = lines_from_html(record.get("html") or "", extractor=extractor)
    except CleanError:
        return None
    ruleset = default_ruleset()
    lang = language_of(lines)
    hits = match_lines(lines, ruleset, lang)
    feats = first_pass_matrix(lines, hits, lang)
    rows = feats.rows.tolist()
    grams = gold_ngrams(record.get("gold") or "")
    share = np.array([gold_share(lines[i].text, grams) for i in rows], dtype=np.float32)
    tokens = np.array([len(TOKEN_RE.findall(lines[i].text)) for i in rows], dtype=np.float32)
    states, pieces = {}, []
    for mode in ("balanced", "recall"):
        decision = decide(lines, hits, ruleset.blocks, scores=None, mode=mode)
        states[mode] = _row_states(decision.verdicts, feats.rows)
        if mode == "balanced":
            for index in rows:
                verdict, text = decision.verdicts[index], lines[index].text
                pieces.append(text[verdict.strip_to:].strip() if verdict.strip_to else text)
    states["precision"] = states["balanced"]
    doc = DocData(record["id"], record["dataset"], extractor, feats.matrix.astype(np.float32), feats.rows, share,
                  tokens, pieces, states)
    return doc, page_structure(lines).astype(np.float32)


def build_html_docs(records: Sequence[dict[str, Any]], extractor: str) -> tuple[list[DocData], list[np.ndarray]]:
    docs, structures = [], []
    for record in records:
        built = build_html_doc(record, extractor)
        if built is not None:
            docs.append(built[0])
            structures.append(built[1])
    return docs, structures


def predict(booster: Any, matrices: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Scores per document from one single-threaded batch."""
    if not matrices:
        return []
    scores = booster.predict(np.vstack(matrices), num_threads=1)
    return np.split(scores, np.cumsum([len(m) for m in matrices])[:-1])


def _second_docs(docs: Sequence[DocData], structures: Sequence[np.ndarray], first: Sequence[np.ndarray]
                 ) -> list[DocData]:
    return [_with_matrix(doc, second_pass_matrix(scores, structure, doc.matrix).astype(np.float32))
            for doc, structure, scores in zip(docs, structures, first)]


def fit_html(docs: Sequence[DocData], structures: Sequence[np.ndarray]) -> tuple[Any, Any]:
    """First pass on the line and HTML columns; second pass on those plus the first pass's scores
    along the lines and over the elements, learnt from out-of-fold first-pass scores."""
    first_names, second_names = pass_names()
    first = fit(*stack_rows(docs), PARAMS, FIRST_ROUNDS, first_names)
    oof: list[np.ndarray] = [np.empty(0)] * len(docs)
    for fold in range(STACK_FOLDS):
        inside = [d for d in docs if fold_of(d.id) != fold]
        outside = [i for i, d in enumerate(docs) if fold_of(d.id) == fold]
        booster = fit(*stack_rows(inside), PARAMS, FIRST_ROUNDS, first_names)
        for i, scores in zip(outside, predict(booster, [docs[i].matrix for i in outside])):
            oof[i] = scores
    second = fit(*stack_rows(_second_docs(docs, structures, oof)), PARAMS, SECOND_ROUNDS, second_names)
    return first, second


def predict_html(first: Any, second: Any, docs: Sequence[DocData], structures: Sequence[np.ndarray]
                 ) -> list[np.ndarray]:
    scores = predict(first, [d.matrix for d in docs])
    return predict(second, [d.matrix for d in _second_docs(docs, structures, scores)])


# ---------------------------------------------------------------- calibration, end to end

Judged = tuple[list[Line], list[list[Hit]], Any]


def judge(records: Sequence[dict[str, Any]], model: HtmlLineModel | None, extractor: str) -> dict[str, Judged]:
    """Lines, rule hits and model scores (None: rules only) per page, as ``clean(html=...)`` makes them."""
    ruleset = default_ruleset()
    out = {}
    for record in records:
        try:
            lines, _ = lines_from_html(record.get("html") or "", extractor=extractor)
        except CleanError:
            continue
        lang = language_of(lines)
        hits = match_lines(lines, ruleset, lang)
        out[record["id"]] = (lines, hits, model.score(lines, hits, lang)[0] if model is not None else None)
    return out


def bodies(judged: dict[str, Judged], mode: str, threshold: float) -> dict[str, str]:
    """The body text ``clean`` would return for each page at this mode and threshold."""
    from heuristics.pipeline import shape

    blocks = default_ruleset().blocks
    out = {}
    for record_id, (lines, hits, scores) in judged.items():
        decision = decide(lines, hits, blocks, scores=scores, mode=mode, thresholds={mode: threshold})
        out[record_id] = shape(lines, hits, decision).text
    return out


def calibrate_end_to_end(judged: dict[str, dict[str, Judged]], records: Sequence[dict[str, Any]],
                         grid: Sequence[float] = CALIBRATION_GRID) -> dict[str, float]:
    """Per mode, the threshold maximising that mode's F-beta of the real output (rules, model and the
    decide stage, scored with the bench's scorer), averaged over the extractor paths."""
    from .bench import load_scorer

    scorer = load_scorer()
    best: dict[str, tuple[float, float]] = {}
    for threshold in grid:
        for mode in MODES:
            runs = [scorer.score(records, bodies(pages, mode, threshold))[0]["shingle"]["ALL"]
                    for pages in judged.values()]
            value = float(np.mean([f_beta(summary, MODE_BETA[mode]) for summary in runs]))
            if mode not in best or value > best[mode][0]:
                best[mode] = (value, threshold)
    balanced = best["balanced"][1]
    return {"precision": max(best["precision"][1], balanced), "balanced": balanced,
            "recall": min(best["recall"][1], balanced)}


def train_html_model(records: list[dict[str, Any]], extractors: Sequence[str], log: Callable[[str], None] = print
                     ) -> tuple[Any, Any, dict[str, Any]]:
    """Fit on the training pages of each extractor path; calibrate and score on the held-back ones."""
    from .bench import load_scorer

    docs: dict[str, list[DocData]] = {}
    structures: dict[str, list[np.ndarray]] = {}
    for extractor in extractors:
        started = time.perf_counter()
        docs[extractor], structures[extractor] = build_html_docs(records, extractor)
        log(f"{extractor}: features for {len(docs[extractor])} pages in {time.perf_counter() - started:.0f}s")
    training = [(d, s) for e in extractors for d, s in zip(docs[e], structures[e]) if not in_slice(d.id, HOLDOUT_MODULO)]
    del docs, structures
    started = time.perf_counter()
    first, second = fit_html([d for d, _ in training], [s for _, s in training])
    log(f"fitted on {len(training)} page inputs in {time.perf_counter() - started:.0f}s")
    first_names, second_names = pass_names()
    model = HtmlLineModel(version="", thresholds={}, first=first, second=second, names=second_names)
    held = [r for r in records if in_slice(r["id"], HOLDOUT_MODULO)]
    judged = {extractor: judge(held, model, extractor) for extractor in extractors}
    thresholds = calibrate_end_to_end(judged, held)
    scorer = load_scorer()
    metrics: dict[str, Any] = {}
    for extractor in extractors:
        rules_only = scorer.score(held, bodies(judge(held, None, extractor), "balanced", 0.0))[0]["shingle"]
        with_model = scorer.score(held, bodies(judged[extractor], "balanced", thresholds["balanced"]))[0]["shingle"]
        metrics[extractor] = {"rules_only": _short(rules_only), "model_balanced": _short(with_model)}
        log("\n".join(format_summary(f"held-back {extractor}, rules only", rules_only)))
        log("\n".join(format_summary(f"held-back {extractor}, rules + model", with_model)))
    card = {
        "version": "",
        "kind": "html",
        "extractors": list(extractors),
        "thresholds": thresholds,
        "label_share": LABEL_SHARE,
        "holdout": f"sha1(id) % {HOLDOUT_MODULO} == 0 (textwash bench --regime html --slice {HOLDOUT_MODULO}); "
                   "the thresholds are calibrated on these pages too",
        "params": PARAMS,
        "rounds": {"first": FIRST_ROUNDS, "second": SECOND_ROUNDS},
        "stack_folds": STACK_FOLDS,
        "first_features": list(first_names),
        "second_features": list(second_names),
        "heldback": metrics,
        "training_pages": len({d.id for d, _ in training}),
    }
    return first, second, card


def train_html_main(args: argparse.Namespace) -> int:
    """``textwash train --regime html``: rebuild the HTML model from the bench and write it with its card."""
    from .bench import bench_dir

    started = time.perf_counter()
    data = bench_dir() / "data"
    extractors = tuple(getattr(args, "extractors", None) or EXTRACTORS)
    first, second, card = train_html_model(load_records(data), extractors)
    save_trained(first, second, card, kind=f"html-{'+'.join(extractors)}", data=data, output=args.output,
                 started=started, files=FILES, card_name=CARD_NAME)
    return 0
