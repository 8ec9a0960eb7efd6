"""HTML input speed in one process, pages in memory: docs/s end to end and the share of time per stage.

    .venv/bin/python scripts/bench_html_speed.py [--slice 10] [--limit 200] [--repeat K] [--extractor fast]
                                                 [--no-model]

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH). Prints numbers; asserts nothing.
Every page is cleaned once before the timed passes (rule detectors compile lazily per first
character and language, the model and language tables load once). Reports docs/s by wall clock
and by process CPU time (the latter is steadier on a busy machine); the per-stage shares are of
wall time, measured by wrapping each stage function as the engine calls it.
"""
from __future__ import annotations

import argparse
import logging
import time
from collections import defaultdict
from typing import Any

from heuristics import pipeline, scoring
from heuristics.html import lines as html
from heuristics.html import meta as html_meta
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import in_slice, load_records
from heuristics.vocabulary import EXTRACTORS

from bench_speed import timed_stages  # scripts/ is on sys.path when run as a script

# name -> (module, attribute): the functions as the engine looks them up at call time
STAGES: dict[str, tuple[Any, str]] = {
    "guard": (html, "guard"),
    "parse": (html, "parse"),
    "walk": (html, "walk"),
    "signals": (html, "_signals"),
    "page metadata": (html_meta, "page_metadata"),
    "trafilatura": (html, "trafilatura_text"),
    "language": (pipeline.language_id, "detect"),
    "rules": (pipeline, "match_lines"),
    "model": (pipeline.scoring, "score"),
    "decide": (pipeline, "decide"),
    "text metadata": (pipeline, "build_metadata"),
}


def run(pages: list[str], repeat: int, extractor: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``repeat`` passes over the pages."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for page in pages:
            pipeline.clean(html=page, extractor=extractor)
    return time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slice", type=int, default=10, help="pages with sha1(id) %% N == 0 (0: all)")
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--extractor", choices=EXTRACTORS, default="fast")
    parser.add_argument("--no-model", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.ERROR)
    records = [r for r in load_records() if not args.slice or in_slice(r["id"], args.slice)][: args.limit]
    pages = [r.get("html") or "" for r in records]
    with scoring.disabled(args.no_model):
        run(pages, 1, args.extractor)  # warm-up
        wall, cpu = run(pages, args.repeat, args.extractor)
        totals: dict[str, float] = defaultdict(float)
        with timed_stages(totals, STAGES):
            staged_wall, _ = run(pages, args.repeat, args.extractor)
    docs = len(pages) * args.repeat
    size = sum(len(page) for page in pages) / max(1, len(pages))
    html_version = getattr(scoring._html_artifact(), "version", "none (text model)")
    version = "off" if args.no_model else f"{html_version} (text: {scoring.model_version()})"
    print(f"html, extractor {args.extractor}: {len(pages)} pages x{args.repeat} (mean {size / 1000:.0f} kB), "
          f"model {version}")
    print(f"end to end (clean(html=...)): {docs / wall:8.1f} docs/s wall, {docs / cpu:8.1f} docs/s CPU   "
          f"{wall / docs * 1e3:6.2f} ms/doc")
    print("per stage (a second, wrapped pass; share of its wall time):")
    for name in STAGES:
        if totals[name]:
            print(f"  {name:<14} {totals[name] / staged_wall * 100:5.1f}%  {totals[name] / docs * 1e3:7.3f} ms/doc")
    other = staged_wall - sum(totals.values())
    print(f"  {'other':<14} {other / staged_wall * 100:5.1f}%  {other / docs * 1e3:7.3f} ms/doc")
    print("(CPU-time rates are what one process gets on an otherwise idle core; wall rates include "
          "whatever else the machine was doing)")


if __name__ == "__main__":
    main()
