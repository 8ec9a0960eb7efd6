"""Run the engine over the DEV bench (``../shared/bench``) and score it with the bench's own scorer.

A development tool: it needs the bench data, which is not part of the package.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

REGIME_FIELDS = {"r2": "residue", "r1": "fulltext", "html": "html"}
DEFAULT_BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"


def bench_dir() -> Path:
    """The bench folder: $TEXTWASH_BENCH, else ../shared/bench next to the repository."""
    return Path(os.environ.get("TEXTWASH_BENCH", DEFAULT_BENCH))


def load_scorer(bench: Path | None = None) -> ModuleType:
    """The bench's score.py, imported from where it lives (never copied)."""
    path = (bench or bench_dir()) / "score.py"
    spec = importlib.util.spec_from_file_location("bench_score", path)
    if spec is None or spec.loader is None or not path.exists():
        raise FileNotFoundError(f"no scorer at {path}; set TEXTWASH_BENCH to the bench folder")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of one gzipped JSONL file, one at a time."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        yield from (json.loads(line) for line in handle if line.strip())


def load_records(data: Path | None = None, datasets: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every bench record (all datasets, or the named ones), in file then line order."""
    folder = data or bench_dir() / "data"
    wanted = set(datasets) if datasets else None
    records = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        if wanted is not None and path.name.split(".")[0] not in wanted:
            continue
        records.extend(read_jsonl(path))
    if not records:
        raise FileNotFoundError(f"no bench records under {folder}")
    return records


def in_slice(record_id: str, modulo: int, remainder: int = 0) -> bool:
    """A fixed, content-independent slice: pages whose sha1(id) falls in one residue class."""
    return int(hashlib.sha1(record_id.encode("utf-8")).hexdigest(), 16) % modulo == remainder


def run_engine(records: list[dict[str, Any]], regime: str, clean_one: Callable[[dict[str, Any]], str]
               ) -> tuple[dict[str, str], float]:
    """Predictions by id and the engine's docs/s (scoring excluded)."""
    predictions: dict[str, str] = {}
    started = time.perf_counter()
    for record in records:
        predictions[record["id"]] = clean_one(record)
    elapsed = time.perf_counter() - started
    return predictions, len(records) / elapsed if elapsed else float("inf")


def format_table(summary: dict[str, Any], title: str) -> list[str]:
    rows = [f"{title:<34}{'docs':>6}{'P':>8}{'R':>8}{'F1':>8}{'acc':>8}{'empty':>7}"]
    for name, m in summary.get("shingle", {}).items():
        rows.append(f"{name:<34}{m['docs']:>6}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                    f"{m['accuracy']:>8.3f}{m['empty_pred']:>7}")
    snippets = summary.get("snippets", {}).get("ALL")
    if snippets:
        rows.append(f"{'snippets (wcxb) with-R / w/o-removal / hmean':<48}{snippets['with_recall']:>8.3f}"
                    f"{snippets['without_removal']:>8.3f}{snippets['hmean']:>8.3f}")
    return rows


def bench_main(regime: str, mode: str, use_model: bool, limit: int | None, slice_modulo: int | None,
               datasets: list[str] | None, out: str | None, extractor: str = "fast") -> dict[str, Any]:
    from heuristics import scoring
    from heuristics.pipeline import clean

    scorer = load_scorer()
    records = load_records(datasets=datasets)
    if slice_modulo:
        records = [r for r in records if in_slice(r["id"], slice_modulo)]
    if limit:
        records = records[:limit]
    field = REGIME_FIELDS[regime]

    def clean_one(record: dict[str, Any]) -> str:
        if regime == "html":
            return clean(html=record.get("html") or "", mode=mode, extractor=extractor).text
        return clean(record.get(field) or "", mode=mode).text

    with scoring.disabled(not use_model):
        clean(records[0].get(REGIME_FIELDS["r2"]) or "x")  # warm caches outside the timing
        predictions, docs_per_s = run_engine(records, regime, clean_one)
    summary, _, _ = scorer.score(records, predictions)
    lines = format_table(summary, f"textwash {regime} ({mode}{'' if use_model else ', rules only'})")
    if regime != "html":
        identity, _, _ = scorer.score(records, {r["id"]: r.get(field) or "" for r in records})
        lines += [""] + format_table(identity, f"identity {regime}")
    lines += ["", f"docs: {len(records)}   engine docs/s (one process): {docs_per_s:.1f}"]
    print("\n".join(lines))
    if out:
        opener = gzip.open if out.endswith(".gz") else open
        with opener(out, "wt", encoding="utf-8") as handle:
            for record_id, text in predictions.items():
                handle.write(json.dumps({"id": record_id, "text": text}, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return {"summary": summary, "docs_per_s": docs_per_s}
