"""Where the HTML fast path's segment stage (``html.lines.lines_from_html``) spends its time, step by step.

    .venv/bin/python scripts/html_profile.py [--limit 300] [--rounds 2]

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH). Runs the steps of ``lines_from_html`` one by
one on each page (the same calls, in the same order) and prints the process CPU time per page of each,
best of ``--rounds``; the Python walk (``walk_reference``) is timed beside the compiled one, and the line
texts on their own (they are part of ``signals``). The machine is shared: CPU time.
Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import logging
import time
from collections import defaultdict
from typing import Any, Callable

import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import load_records
from heuristics.html import guard as html_guard
from heuristics.html import lines as html_lines
from heuristics.html import meta as html_meta
from heuristics.normalise import valid_unicode
from heuristics.segment import make_lines
from heuristics.settings import SETTINGS, Settings


def timed(totals: dict[str, float], name: str, step: Callable[..., Any], *args: Any) -> Any:
    started = time.process_time()
    try:
        return step(*args)
    finally:
        totals[name] += time.process_time() - started


def one_page(page: str, totals: dict[str, float], settings: Settings = SETTINGS) -> None:
    """``lines_from_html(page)`` (fast extractor, no text) with every step timed; the Python walk
    (``walk_reference``, what the compiled walk replaced) is timed on the side."""
    html = timed(totals, "valid_unicode", valid_unicode, page)
    html = timed(totals, "guard", html_guard.guard, html, settings.html_max_depth)
    tree = timed(totals, "parse", html_lines.parse, html)
    start = tree.body or tree.root
    if start is None:
        return
    hidden = timed(totals, "hidden elements", html_lines._hidden_ids, tree)
    walked = timed(totals, "walk", html_lines.walk, start, hidden)
    timed(totals, "  (walk_reference)", html_lines.walk_reference, start, hidden)
    few = settings.html_few_words
    shown = html_lines._words(walked, few)
    if shown < few:
        revealed = timed(totals, "walk again (few words)", html_lines._revealed, tree, start, settings.html_max_blocks)
        if html_lines._words(revealed, max(2 * shown, few)) >= max(2 * shown, few):
            walked = revealed
    texts = timed(totals, "line texts", html_lines._line_texts, walked.done)
    for frame in walked.frames:   # _signals computes the texts again: the frames back as the walk left them
        frame.prose = frame.majority = frame.lines = 0
        frame.resolved = None
    signals = timed(totals, "signals (with line texts)", html_lines._signals, walked, settings.html_prose_chars)
    timed(totals, "page metadata", html_meta.page_metadata, tree)
    timed(totals, "make_lines", make_lines, [text for text, _ in signals])
    del texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.ERROR)
    pages = [record.get("html") or "" for record in load_records()[: args.limit]]
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        totals: dict[str, float] = defaultdict(float)
        for page in pages:
            one_page(page, totals)
        best = {name: min(value, best.get(name, float("inf"))) for name, value in totals.items()}
    print(f"{len(pages)} pages, best of {args.rounds} rounds, process CPU ms per page:")
    for name, seconds in best.items():
        print(f"  {name:<24} {seconds / len(pages) * 1e3:7.3f}")
    steps = sum(seconds for name, seconds in best.items() if not name.startswith(" ") and name != "line texts")
    print(f"  {'all steps':<24} {steps / len(pages) * 1e3:7.3f}")


if __name__ == "__main__":
    main()
