"""The HTML fast path's compiled steps against their references, and a fixed workload for callgrind.

    PYTHONPATH=. .venv/bin/python scripts/html_kernels.py [--limit 300] [--rounds 5]
    PYTHONPATH=. valgrind --tool=callgrind --toggle-collect=_operator_countOf \\
        .venv/bin/python scripts/html_kernels.py --clean 20 40

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH). The first form times each compiled step and its
reference (numpy or Python) in the same process, on the same inputs, so both see the same load: process CPU
time per page, best of ``--rounds``. The second cleans pages ``START`` to ``START + N`` with
``clean(html=...)`` after cleaning the first ``START`` (warm-up: rules, models, caches) and runs only the
measured pages inside ``operator.countOf``, so callgrind's ``--toggle-collect=_operator_countOf`` counts
their instructions alone (repeatable under load, unlike CPU time). Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import logging
import operator
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import load_records
from heuristics import _html, pipeline
from heuristics.errors import CleanError
from heuristics.html import features, guard, lines
from heuristics.html.model import load
from heuristics.normalise import valid_unicode
from heuristics.rules import default_ruleset, match_lines


def best_time(step: Callable[[Any], Any], inputs: list[Any], rounds: int) -> float:
    """Process CPU seconds of ``step`` over the inputs, the best of ``rounds`` passes."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for value in inputs:
            step(value)
        best = min(best, time.process_time() - started)
    return best


def compiled_columns(signals: list[lines.Signals], sizes: list[int]) -> np.ndarray:
    """``html_features``' compiled path on prepared signals."""
    matrix = _html.html_matrix(signals, sizes, len(features.HTML_FEATURE_NAMES))
    matrix[:, features._LOG_COLUMNS] = np.log1p(matrix[:, features._LOG_COLUMNS])
    return matrix


def prepared(pages: list[str]) -> dict[str, list[Any]]:
    """Each step's inputs, made once: stripped markup, walked raw lines, signals, first-pass scores."""
    model, ruleset = load(), default_ruleset()
    out: dict[str, list[Any]] = {"markup": [], "raw": [], "signals": [], "context": []}
    for page in pages:
        markup = guard.strip_svg(valid_unicode(page))
        out["markup"].append(markup)
        tree = lines.parse(markup)
        start = tree.body or tree.root
        if start is not None:
            out["raw"].append(lines.walk(start, lines._hidden_ids(tree)).done)
        try:
            page_lines = lines.lines_from_html(page)[0]
        except CleanError:
            continue
        kept = [line for line in page_lines if line.text]
        if not kept or model is None:
            continue
        out["signals"].append(([line.html if isinstance(line.html, lines.Signals) else lines.UNMATCHED
                                for line in kept], [len(line.text) for line in kept]))
        first = features.first_pass_matrix(page_lines, match_lines(page_lines, ruleset, "en"), "en")
        out["context"].append((model.first_forest.predict(first.matrix), features.page_structure(page_lines)))
    return out


def kernel_table(pages: list[str], rounds: int) -> None:
    inputs = prepared(pages)
    steps = [
        ("depth bound", guard.depth_bound, guard.depth_bound_reference, "markup"),
        ("line texts (collapse)", _html.collapsed_texts,
         lambda raw: [" ".join(line.text.split()) for line in raw], "raw"),
        ("HTML columns", lambda a: compiled_columns(*a), lambda a: features.html_features_reference(*a), "signals"),
        ("page context", lambda a: features.html_score_context(*a),
         lambda a: features.html_score_context_reference(*a), "context"),
    ]
    print(f"{len(pages)} pages, process CPU time per page, best of {rounds}")
    for name, compiled, reference, key in steps:
        fast, slow = (best_time(step, inputs[key], rounds) / len(pages) * 1e6 for step in (compiled, reference))
        print(f"  {name:<22} compiled {fast:8.1f} us   reference {slow:8.1f} us   ({slow / fast:4.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clean", type=int, nargs=2, metavar=("START", "N"),
                        help="clean pages START..START+N inside operator.countOf (for callgrind)")
    args = parser.parse_args()
    logging.disable(logging.ERROR)
    if args.clean:
        start, count = args.clean
        pages = [record.get("html") or "" for record in load_records()[:start + count]]
        for page in pages[:start]:
            pipeline.clean(html=page)
        operator.countOf(map(lambda page: pipeline.clean(html=page), pages[start:]), None)
        return
    kernel_table([record.get("html") or "" for record in load_records()[:args.limit]], args.rounds)


if __name__ == "__main__":
    main()
