"""The rules stage's literal gate on bench documents: are the hits identical, and what does it save? Prints numbers.

    .venv/bin/python scripts/rules_prefilter_check.py [--regime r2|r1|html] [--limit 600]

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH). Segments and language-identifies the first
``--limit`` records once, then runs ``match_lines`` over them with the gate (as shipped) and without
it (every searched detector tried on every line), compares every hit of every line (rule, named
groups, prefix end) and times both, best of 3 in process CPU time.
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import REGIME_FIELDS, load_records
from heuristics import pipeline
from heuristics.rules import default_ruleset, match_lines, matcher


def _documents(regime: str, limit: int) -> list[tuple[list[Any], str | None]]:
    docs = []
    for record in load_records()[:limit]:
        value = record.get(REGIME_FIELDS[regime]) or ""
        text, html = (None, value) if regime == "html" else (value, None)
        lines, _, _ = pipeline._input_lines(text, html or None, "auto", 100_000)
        docs.append((lines, pipeline.detect_language(lines)[0]))
    return docs


def _best(run: Callable[[], object], rounds: int = 3) -> float:
    run()
    times = []
    for _ in range(rounds):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regime", choices=("r2", "r1", "html"), default="r2")
    parser.add_argument("--limit", type=int, default=600)
    args = parser.parse_args()
    docs = _documents(args.regime, args.limit)
    ruleset = default_ruleset()

    def run() -> list[list[list[tuple]]]:
        return [[[(hit.rule.id, hit.groups, hit.end) for hit in line] for line in match_lines(lines, ruleset, lang)]
                for lines, lang in docs]

    gated_hits, gated = run(), _best(run)
    shipped = matcher._gated_lines
    matcher._gated_lines = lambda regex_set, lines: {}
    try:
        plain_hits, plain = run(), _best(run)
    finally:
        matcher._gated_lines = shipped
    lines = sum(len(doc) for doc, _ in docs)
    differing = sum(a != b for doc_a, doc_b in zip(gated_hits, plain_hits) for a, b in zip(doc_a, doc_b))
    hits = sum(len(line) for doc in plain_hits for line in doc)
    print(f"regime {args.regime}: {len(docs)} documents, {lines:,} lines, {hits:,} hits; "
          f"lines whose hits differ: {differing}")
    print(f"match_lines with the gate   {gated / len(docs) * 1e6:8.0f} us/doc CPU")
    print(f"match_lines without it      {plain / len(docs) * 1e6:8.0f} us/doc CPU")


if __name__ == "__main__":
    main()
