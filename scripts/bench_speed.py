"""Engine speed in one process, input in memory: docs/s end to end and the time per stage.

    .venv/bin/python scripts/bench_speed.py [--regime r2|r1|html] [--limit N] [--rounds R] [--repeat K] [--no-model]
                                            [--no-trafilatura] [--many]

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH). Prints numbers; asserts nothing.
``--regime html`` cleans the pages' HTML (``clean(html=...)``, the fast path); r2 and r1 clean the
bench's scraped-text fields. ``--many`` cleans them with ``clean_many`` (batches, one model call per
batch) instead of one ``clean`` call per document, and counts the results equal to ``clean``'s.
Reports docs/s by wall clock and by process CPU time (the latter is
what one process gets on an otherwise idle core; the machine is shared, so quote CPU figures), the
best of ``--rounds`` timed passes (others' load only ever slows a round down).
The stage table comes from a second pass with every stage wrapped, timed in process CPU time
(the wrappers cost a little; the end-to-end figures come from the unwrapped pass). trafilatura's
``extract`` on the same records' HTML is measured in the same run, as the reference.
"""
from __future__ import annotations

import argparse
import collections
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import REGIME_FIELDS, load_records
from heuristics import model, pipeline, rules, scoring, segment
from heuristics.html import model as html_model

STAGES = {
    "segment": (pipeline, "_input_lines"),
    "language": (pipeline.language_id, "detect"),
    "rules": (pipeline, "match_lines"),
    "model": (pipeline.scoring, "score"),
    "model (batch)": (pipeline.scoring, "score_many"),
    "decide": (pipeline, "decide"),
    "metadata": (pipeline, "build_metadata"),
}
# Parts of the model stage (counted inside "model" above as well).
MODEL_PARTS = {
    "features": (model, "line_features"),
    "html features": (html_model, "first_pass_matrix"),
    "trees": (model, "_predict"),
    "score context": (model, "score_context"),
    "html context": (html_model, "second_pass_matrix"),
}


@contextmanager
def timed_stages(totals: dict[str, float], stages: dict[str, tuple[Any, str]] = STAGES,
                 clock: Callable[[], float] = time.perf_counter) -> Iterator[None]:
    """Wrap each stage function (``stages``: name -> (module, attribute), as pipeline.clean looks it
    up at call time), adding its time by ``clock`` to ``totals``; the originals are put back afterwards."""
    originals = {}
    for name, (owner, attr) in stages.items():
        original = getattr(owner, attr)
        originals[name] = (owner, attr, original)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            started = clock()
            try:
                return _original(*args, **kwargs)
            finally:
                totals[_name] += clock() - started

        setattr(owner, attr, wrapper)
    try:
        yield
    finally:
        for owner, attr, original in originals.values():
            setattr(owner, attr, original)


def clean_one(regime: str) -> Callable[[str], Any]:
    if regime == "html":
        return lambda page: pipeline.clean(html=page)
    return pipeline.clean


def clean_all(regime: str, many: bool) -> Callable[[list[str]], None]:
    """Cleans a list of inputs: one ``clean`` call each, or ``clean_many`` over all of them."""
    if not many:
        one = clean_one(regime)
        return lambda inputs: collections.deque(map(one, inputs), maxlen=0)
    if regime == "html":
        return lambda inputs: collections.deque(pipeline.clean_many({"html": page} for page in inputs), maxlen=0)
    return lambda inputs: collections.deque(pipeline.clean_many(inputs), maxlen=0)


def same_as_clean(inputs: list[str], regime: str) -> int:
    """How many inputs ``clean_many`` cleans exactly as ``clean`` does (``to_dict()`` equality)."""
    one = clean_one(regime)
    items = [{"html": page} for page in inputs] if regime == "html" else inputs
    return sum(batched.to_dict() == one(value).to_dict()
               for value, batched in zip(inputs, pipeline.clean_many(items), strict=True))


def run(inputs: list[str], repeat: int, regime: str, many: bool = False) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of ``repeat`` passes."""
    clean = clean_all(regime, many)
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        clean(inputs)
    return time.perf_counter() - started, time.process_time() - cpu_started


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


def trafilatura_rate(pages: list[str], rounds: int) -> tuple[float, float]:
    """docs/s (wall, CPU) of ``trafilatura.extract`` over the pages (best of ``rounds`` passes, after a
    short warm-up)."""
    import trafilatura

    for page in pages[:10]:
        trafilatura.extract(page)
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        started, cpu_started = time.perf_counter(), time.process_time()
        for page in pages:
            trafilatura.extract(page)
        best_wall = min(best_wall, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu_started)
    return len(pages) / best_wall, len(pages) / best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regime", choices=("r2", "r1", "html"), default="r2")
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed end-to-end rounds; the best is reported (a shared machine only slows rounds)")
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--no-trafilatura", action="store_true", help="skip the trafilatura reference")
    parser.add_argument("--many", action="store_true", help="clean with clean_many (batches) instead of clean")
    args = parser.parse_args()
    logging.disable(logging.ERROR)
    records = load_records()[: args.limit]
    inputs = [r.get(REGIME_FIELDS[args.regime]) or "" for r in records]
    docs = len(inputs) * args.repeat
    with scoring.disabled(args.no_model):
        for value in inputs[:50]:  # warm-up: rule compilation, model load, language tables
            clean_one(args.regime)(value)
        timings = [run(inputs, args.repeat, args.regime, args.many) for _ in range(args.rounds)]
        wall, cpu = min(t[0] for t in timings), min(t[1] for t in timings)
        totals: dict[str, float] = defaultdict(float)
        with timed_stages(totals, {**STAGES, **MODEL_PARTS}, clock=time.process_time):
            _, staged_cpu = run(inputs, args.repeat, args.regime, args.many)
    lines = sum(t.count("\n") + 1 for t in inputs) if args.regime != "html" else None
    print(f"regime {args.regime}: {len(inputs)} docs x{args.repeat}"
          + (f", {lines} lines per pass" if lines else "")
          + f", model {'off' if args.no_model or scoring.model_version() is None else scoring.model_version()}")
    entry = "clean_many" if args.many else "clean"
    print(f"end to end ({entry}), best of {args.rounds}: {docs / wall:8.1f} docs/s wall, {docs / cpu:8.1f} docs/s CPU   "
          f"{cpu / docs * 1e3:6.3f} ms/doc CPU (rounds: "
          + ", ".join(f"{docs / t[1]:.0f}" for t in timings) + " docs/s CPU)")
    print("stages (second, wrapped pass; process CPU time):")
    staged = sum(totals[name] for name in STAGES)
    unused = "model" if args.many else "model (batch)"
    for name in STAGES:
        if name == unused:
            continue
        print(f"  {name:<14} {totals[name] / staged_cpu * 100:5.1f}%  {totals[name] / docs * 1e6:8.1f} us/doc")
        if name.startswith("model"):
            for part in MODEL_PARTS:
                if totals[part]:
                    print(f"    {part:<12} {totals[part] / staged_cpu * 100:5.1f}%  "
                          f"{totals[part] / docs * 1e6:8.1f} us/doc")
    print(f"  {'other':<14} {(staged_cpu - staged) / staged_cpu * 100:5.1f}%  "
          f"{(staged_cpu - staged) / docs * 1e6:8.1f} us/doc")
    if args.many:
        print(f"clean_many results equal to clean's: {same_as_clean(inputs, args.regime)} of {len(inputs)} documents")
    if args.regime != "html":
        rules_wall, rules_cpu = rules_only_rate(inputs, args.repeat)
        print(f"rules stage (segment + rules): {rules_wall:8.1f} docs/s wall, {rules_cpu:8.1f} docs/s CPU")
    if not args.no_trafilatura:
        pages = [r.get("html") or "" for r in records]
        trafilatura_wall, trafilatura_cpu = trafilatura_rate(pages, args.rounds)
        print(f"trafilatura.extract (same records' HTML): {trafilatura_wall:8.1f} docs/s wall, "
              f"{trafilatura_cpu:8.1f} docs/s CPU; textwash {args.regime} / trafilatura = "
              f"{docs / cpu / trafilatura_cpu:.1f}x (CPU)")


if __name__ == "__main__":
    main()
