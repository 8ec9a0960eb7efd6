"""Generalisation of the line model: held-back split and leave-one-dataset-out (LODO) tables.

    .venv/bin/python -m devtools.model_eval [--lodo] [--cache DOCS.pkl] [--rounds N] [--smoothing STAY]

Held-back split: fit on pages with sha1(id) % 5 != 0, calibrate the thresholds and score on the
rest (what `textwash train` does). LODO: for each bench dataset, fit on the other five datasets'
training pages, calibrate on their held-back pages, and score every page of the left-out dataset;
nothing of the left-out dataset is seen. Scores are end to end (rules + model through the decide
stage, balanced mode) with the bench's shingle metric. Prints markdown tables; asserts nothing.
Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH).
"""
from __future__ import annotations

import argparse
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from devtools import train
from devtools.bench import in_slice, load_records, load_scorer

REGIMES = train.TEXT_REGIMES


def load_docs(records: list[dict], cache: Path | None) -> dict[str, list[train.DocData]]:
    if cache is not None and cache.exists():
        with cache.open("rb") as handle:
            return pickle.load(handle)
    docs = {regime: train.build_docs(records, regime) for regime in REGIMES}
    if cache is not None:
        with cache.open("wb") as handle:
            pickle.dump(docs, handle, protocol=5)
    return docs


def zero_columns(docs: dict[str, list[train.DocData]], names: list[str]) -> list[str]:
    """Hold the named feature columns (``doc_*``: every name with that prefix) at zero in every page's rows."""
    from heuristics.features import FEATURE_NAMES

    chosen = [i for i, name in enumerate(FEATURE_NAMES)
              if any(name == want or (want.endswith("*") and name.startswith(want[:-1])) for want in names)]
    for pages in docs.values():
        for doc in pages:
            doc.matrix[:, chosen] = 0
    if chosen:
        print(f"feature columns held at zero: {', '.join(FEATURE_NAMES[i] for i in chosen)}", file=sys.stderr)
    return [FEATURE_NAMES[i] for i in chosen]


def fit_and_score(fit_docs: list[train.DocData], calibration: dict[str, list[train.DocData]],
                  test: dict[str, list[train.DocData]], scorer: train.Scorer, rounds: int,
                  stay: float | None = train.SMOOTHING_STAY, saved: dict[tuple[str, str], Any] | None = None,
                  weighting: str = "tokens") -> tuple[dict[str, float], dict[str, list[dict]]]:
    """Thresholds calibrated on ``calibration`` and the per-page scorer rows of ``test`` (whose scores go
    into ``saved`` by (regime, page id) when given: out-of-domain predictions for calibration)."""
    recipe = replace(train.TEXT, smoothing=stay)
    first, second = train.fit_stacked(fit_docs, rounds=rounds, recipe=recipe, weighting=weighting)
    calibration_scores = {r: train.predict_stacked(first, second, d, recipe) for r, d in calibration.items()}
    thresholds = train.calibrate(train.RowRuns(scorer, calibration, calibration_scores), recipe.grid)
    rows = {}
    for regime, docs in test.items():
        scores = train.predict_stacked(first, second, docs, recipe)
        if saved is not None:
            saved.update({(regime, doc.id): doc_scores for doc, doc_scores in zip(docs, scores)})
        rows[regime] = train.evaluate_rows(scorer, docs, scores, thresholds["balanced"])
    return thresholds, rows


def split_table(docs: dict[str, list[train.DocData]], scorer: train.Scorer, rounds: int,
                stay: float | None = train.SMOOTHING_STAY) -> list[str]:
    fit_docs = [d for r in REGIMES for d in docs[r] if not in_slice(d.id, train.HOLDOUT_MODULO)]
    held = {r: [d for d in docs[r] if in_slice(d.id, train.HOLDOUT_MODULO)] for r in REGIMES}
    thresholds, rows = fit_and_score(fit_docs, held, held, scorer, rounds, stay)
    results = {regime: scorer.summary(regime_rows) for regime, regime_rows in rows.items()}
    out = [f"Held-back split (sha1(id) % 5 == 0), thresholds {thresholds}", ""]
    names = list(next(iter(results.values())))
    out.append("| input | run | " + " | ".join(names) + " |")
    out.append("|---|---|" + "---:|" * len(names))
    for regime in REGIMES:
        identity = train.evaluate(scorer, held[regime], None, 0.0, mode="identity")
        rules = train.evaluate(scorer, held[regime], None, 0.0)
        for label, summary in (("identity", identity), ("rules only", rules), ("rules + model", results[regime])):
            out.append(f"| {regime} | {label} | " + " | ".join(f"{summary[n]['f1']:.3f}" for n in names) + " |")
    return out


def lodo_table(docs: dict[str, list[train.DocData]], scorer: train.Scorer, rounds: int,
               stay: float | None = train.SMOOTHING_STAY, save: Path | None = None, weighting: str = "tokens"
               ) -> list[str]:
    datasets = sorted({d.dataset for d in docs["r2"]})
    out = ["Leave one dataset out (fit on the other five, calibrate on their held-back pages)", "",
           "| left out | pages | R2 identity | R2 rules | R2 rules + model | R1 identity | R1 rules | R1 rules + model |"
           " threshold |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    pooled: dict[str, dict[str, list[dict]]] = {r: {"identity": [], "rules": [], "model": []} for r in REGIMES}
    saved: dict[tuple[str, str], Any] = {}
    for name in datasets:
        started = time.perf_counter()
        fit_docs = [d for r in REGIMES for d in docs[r]
                    if d.dataset != name and not in_slice(d.id, train.HOLDOUT_MODULO)]
        calibration = {r: [d for d in docs[r] if d.dataset != name and in_slice(d.id, train.HOLDOUT_MODULO)]
                       for r in REGIMES}
        test = {r: [d for d in docs[r] if d.dataset == name] for r in REGIMES}
        thresholds, model_rows = fit_and_score(fit_docs, calibration, test, scorer, rounds, stay, saved, weighting)
        if save is not None:
            with save.open("wb") as handle:
                pickle.dump(saved, handle, protocol=5)
        cells = []
        for regime in REGIMES:
            runs = {"identity": train.evaluate_rows(scorer, test[regime], None, 0.0, mode="identity"),
                    "rules": train.evaluate_rows(scorer, test[regime], None, 0.0), "model": model_rows[regime]}
            for run, run_rows in runs.items():
                pooled[regime][run] += run_rows
                cells.append(f"{scorer.summary(run_rows)['ALL']['f1']:.3f}")
        out.append(f"| {name} | {len(test['r2'])} | " + " | ".join(cells) + f" | {thresholds['balanced']:.2f} |")
        print(f"  {name}: {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    cells = [f"{scorer.summary(pooled[r][run])['ALL']['f1']:.3f}" for r in REGIMES for run in ("identity", "rules", "model")]
    out.append(f"| ALL (pooled) | {len(pooled['r2']['model'])} | " + " | ".join(cells) + " | |")
    return out


GRID = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


def _decided_text(lines: list, hits: list, blocks: dict, language: str | None, scores: Any, threshold: float) -> str:
    from heuristics.decide import decide

    decision = decide(lines, hits, blocks, scores=scores, thresholds={"balanced": threshold}, language=language)
    out = []
    for line, verdict in zip(lines, decision.verdicts):
        if verdict.final == "blank" or verdict.removed:
            continue
        out.append(line.text[verdict.strip_to:].strip() if verdict.strip_to else line.text)
    return "\n\n".join(out)


def lodo_from_scores(records: list[dict], saved: dict, card_threshold: float) -> tuple[list[str], float]:
    """End to end through the current decide stage, with each page scored by the model fitted without its
    dataset (``saved``). Per left-out dataset: identity, rules only, the card's threshold, and a threshold
    calibrated on the other datasets' out-of-domain scores (max. mean F1 over R2 and R1). Also returns the
    threshold calibrated the same way on all datasets' out-of-domain scores: the balanced threshold for a
    model that meets sites it was not trained on."""
    import numpy as np

    from heuristics.rules import default_ruleset, match_lines
    from heuristics.segment import segment_text

    bench = load_scorer()
    ruleset = default_ruleset()
    texts: dict[tuple[str, str, str], str] = {}
    for record in records:
        for regime in REGIMES:
            if (regime, record["id"]) not in saved:
                continue
            lines = segment_text(record.get(train.TEXT_REGIME_FIELDS[regime]) or "")
            language = train.language_of(lines)
            hits = match_lines(lines, ruleset, language)
            full = np.ones(len(lines))
            rows = [line.index for line in lines if line.text]
            full[rows] = saved[(regime, record["id"])]
            texts[(regime, record["id"], "rules")] = _decided_text(lines, hits, ruleset.blocks, language, None, 0.0)
            for threshold in (*GRID, card_threshold):
                texts[(regime, record["id"], str(threshold))] = _decided_text(lines, hits, ruleset.blocks, language,
                                                                             full, threshold)
    scored = [r for r in records if ("r2", r["id"]) in saved]
    datasets = sorted({r["dataset"] for r in scored})

    def f1(chosen: list[dict], regime: str, run: str) -> float:
        if run == "identity":
            pred = {r["id"]: r.get(train.TEXT_REGIME_FIELDS[regime]) or "" for r in chosen}
        else:
            pred = {r["id"]: texts[(regime, r["id"], run)] for r in chosen}
        return bench.score(chosen, pred)[0]["shingle"]["ALL"]["f1"]

    out = ["| left out | pages | R2 identity | R2 rules | R2 card thr | R2 OOD thr | R1 identity | R1 rules "
           "| R1 card thr | R1 OOD thr | OOD threshold |", "|---|---:|" + "---:|" * 9]
    pooled: dict[tuple[str, str], dict[str, str]] = {}
    for name in datasets:
        others = [r for r in scored if r["dataset"] != name]
        best = max(GRID, key=lambda t: np.mean([f1(others, regime, str(t)) for regime in REGIMES]))
        mine = [r for r in scored if r["dataset"] == name]
        cells = []
        for regime in REGIMES:
            for label, run in (("identity", "identity"), ("rules", "rules"), ("card", str(card_threshold)),
                               ("ood", str(best))):
                cells.append(f"{f1(mine, regime, run):.3f}")
                key = (regime, label)
                for r in mine:
                    pooled.setdefault(key, {})[r["id"]] = (r.get(train.TEXT_REGIME_FIELDS[regime]) or "") \
                        if run == "identity" else texts[(regime, r["id"], run)]
        out.append(f"| {name} | {len(mine)} | " + " | ".join(cells) + f" | {best:.2f} |")
    cells = [f"{bench.score(scored, pooled[(regime, run)])[0]['shingle']['ALL']['f1']:.3f}"
             for regime in REGIMES for run in ("identity", "rules", "card", "ood")]
    out.append(f"| ALL (pooled) | {len(scored)} | " + " | ".join(cells) + " | |")
    pooled_best = max(GRID, key=lambda t: np.mean([f1(scored, regime, str(t)) for regime in REGIMES]))
    out += ["", f"Calibrated on every dataset's out-of-domain scores: balanced threshold {pooled_best:.2f} "
                f"(card: {card_threshold:.2f})"]
    return out, pooled_best


def shipped_card() -> Path:
    """The text model's card in the package (what ``textwash train`` writes and the engine loads)."""
    from importlib import resources

    from heuristics.model import CARD_NAME

    return Path(str(resources.files("heuristics").joinpath("models"))) / CARD_NAME


def write_balanced_threshold(threshold: float, source: str, card_path: Path | None = None) -> dict[str, float]:
    """Put the out-of-domain balanced threshold on a text model's card (default: the shipped one);
    precision and recall keep theirs, moved only as far as recall <= balanced <= precision needs."""
    import json

    path = card_path or shipped_card()
    card = json.loads(path.read_text(encoding="utf-8"))
    thresholds = card["thresholds"]
    thresholds["balanced"] = threshold
    thresholds["recall"] = min(thresholds["recall"], threshold)
    thresholds["precision"] = max(thresholds["precision"], threshold)
    card["calibration"] = {"balanced": f"out of domain: {source}", "precision and recall": card.get("holdout", "")}
    path.write_text(json.dumps(card, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{path}: thresholds {thresholds}")
    return thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lodo", action="store_true", help="also the leave-one-dataset-out table (6 fits)")
    parser.add_argument("--cache", type=Path, help="pickle of the built pages (made if missing)")
    parser.add_argument("--save-lodo-scores", type=Path, metavar="PKL",
                        help="pickle each left-out page's scores {(regime, id): scores} (out-of-domain predictions)")
    parser.add_argument("--threads", type=int, default=None, help="LightGBM threads (default: the training default)")
    parser.add_argument("--from-scores", type=Path, metavar="PKL",
                        help="no fitting: the LODO table end to end through the current decide stage from saved "
                             "out-of-domain scores (--save-lodo-scores), card threshold vs one calibrated on the "
                             "other datasets' out-of-domain scores")
    parser.add_argument("--write-threshold", action="store_true",
                        help="with --from-scores: write the out-of-domain balanced threshold to the shipped card")
    parser.add_argument("--skip-split", action="store_true", help="only the LODO table")
    parser.add_argument("--rounds", type=int, default=train.DEFAULT_ROUNDS)
    parser.add_argument("--smoothing", type=float, default=train.SMOOTHING_STAY, metavar="STAY",
                        help="run smoothing over the open lines with this stay probability (default: the shipped setting)")
    parser.add_argument("--weighting", choices=("tokens", "dataset"), default="tokens",
                        help="LODO sample weights: per token (the shipped recipe) or every dataset weighing the same")
    parser.add_argument("--zero-features", nargs="*", default=[], metavar="NAME",
                        help="LODO: hold these feature columns at zero (names, or a prefix ending in *): a stand-in "
                             "for dropping them")
    args = parser.parse_args()
    records = load_records()
    scorer = train.Scorer(records, load_scorer().aggregate_shingle)
    if args.from_scores:
        from heuristics.model import load

        with args.from_scores.open("rb") as handle:
            saved = pickle.load(handle)
        card = load()
        table, pooled_best = lodo_from_scores(records, saved, card.thresholds["balanced"] if card else 0.35)
        print("\n".join(table))
        if args.write_threshold:
            write_balanced_threshold(pooled_best, f"the LODO scores of {args.from_scores.name} (python -m "
                                                  "devtools.model_eval --from-scores), mean F1 over R2 and R1")
        return
    if args.threads:
        train.DEFAULT_PARAMS["num_threads"] = args.threads
    docs = load_docs(records, args.cache)
    zero_columns(docs, args.zero_features)
    if not args.skip_split:
        print("\n".join(split_table(docs, scorer, args.rounds, args.smoothing)), flush=True)
    if args.lodo:
        print()
        print("\n".join(lodo_table(docs, scorer, args.rounds, args.smoothing, args.save_lodo_scores, args.weighting)))


if __name__ == "__main__":
    main()
