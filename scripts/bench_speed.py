"""Engine speed in one process, input in memory: docs/s end to end and the share of time per stage.

    .venv/bin/python scripts/bench_speed.py [--regime r2|r1] [--limit N] [--repeat K] [--no-model]

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH). Prints numbers; asserts nothing.
Reports docs/s by wall clock and by process CPU time (the latter is steadier on a busy machine).
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any, Iterator

from heuristics import pipeline, rules, scoring, segment
from devtools.bench import REGIME_FIELDS, load_records

STAGES = {
    "segment": (pipeline, "_input_lines"),
    "language": (pipeline.language_id, "detect"),
    "rules": (pipeline, "match_lines"),
    "model": (pipeline.scoring, "score"),
    "decide": (pipeline, "decide"),
    "metadata": (pipeline, "build_metadata"),
}


@contextmanager
def timed_stages(totals: dict[str, float], stages: dict[str, tuple[Any, str]] = STAGES) -> Iterator[None]:
    """Wrap each stage function (``stages``: name -> (module, attribute), as pipeline.clean looks it
    up at call time), adding its wall time to ``totals``; the originals are put back afterwards."""
    originals = {}
    for name, (owner, attr) in stages.items():
        original = getattr(owner, attr)
        originals[name] = (owner, attr, original)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                totals[_name] += time.perf_counter() - started

        setattr(owner, attr, wrapper)
    try:
        yield
    finally:
        for owner, attr, original in originals.values():
            setattr(owner, attr, original)


def run(texts: list[str], repeat: int) -> tuple[float, dict[str, float], float, float]:
    """(wall seconds, per-stage wall seconds, docs/s by wall clock, docs/s by process CPU time)."""
    totals: dict[str, float] = defaultdict(float)
    with timed_stages(totals):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            for text in texts:
                pipeline.clean(text)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    docs = len(texts) * repeat
    return elapsed, totals, docs / elapsed, docs / cpu


def rules_only_rate(texts: list[str], repeat: int) -> tuple[float, float]:
    """docs/s (wall, CPU) of segment + rules alone (the rules stage figure of the engine issue)."""
    ruleset = rules.default_ruleset()
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for text in texts:
            lines = segment.segment_text(text)
            rules.match_lines(lines, ruleset, "en")
    docs = len(texts) * repeat
    return docs / (time.perf_counter() - started), docs / (time.process_time() - cpu_started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regime", choices=("r2", "r1"), default="r2")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-model", action="store_true")
    args = parser.parse_args()
    records = load_records()
    texts = [r.get(REGIME_FIELDS[args.regime]) or "" for r in records[: args.limit]]
    with scoring.disabled(args.no_model):
        for text in texts[:50]:  # warm-up: rule compilation, model load, language tables
            pipeline.clean(text)
        elapsed, totals, rate, cpu_rate = run(texts, args.repeat)
    lines = sum(t.count("\n") + 1 for t in texts)
    print(f"regime {args.regime}: {len(texts)} docs x{args.repeat}, {lines} lines per pass, "
          f"model {'off' if args.no_model or scoring.model_version() is None else scoring.model_version()}")
    print(f"end to end (clean):       {rate:8.1f} docs/s wall, {cpu_rate:8.1f} docs/s CPU   "
          f"{elapsed / (len(texts) * args.repeat) * 1e3:6.3f} ms/doc")
    staged = sum(totals.values())
    for name in STAGES:
        print(f"  {name:<10} {totals[name] / elapsed * 100:5.1f}%  {totals[name] / (len(texts) * args.repeat) * 1e6:8.1f} us/doc")
    print(f"  {'other':<10} {(elapsed - staged) / elapsed * 100:5.1f}%")
    wall, cpu = rules_only_rate(texts, args.repeat)
    print(f"rules stage (segment + rules): {wall:8.1f} docs/s wall, {cpu:8.1f} docs/s CPU")
    print("(CPU-time rates are what one process gets on an otherwise idle core; wall rates include "
          "whatever else the machine was doing)")


if __name__ == "__main__":
    main()
