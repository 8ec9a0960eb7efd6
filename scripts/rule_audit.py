"""Which rules remove gold text? Per rule: lines removed, how many of them were gold (bench labels).

    .venv/bin/python scripts/rule_audit.py [--regime r2|r1] [--no-model] [--examples N]

A line counts as gold when most of its token 4-gram shingles occur in the page's gold text (the
bench README's census method). Needs the DEV bench. Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

from heuristics import clean, scoring
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import REGIME_FIELDS, load_records

TOKEN_RE = re.compile(r"\w+")


def shingles(tokens: list[str], size: int = 4) -> list[tuple[str, ...]]:
    if len(tokens) < size:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]


def is_gold(line: str, gold_set: set[tuple[str, ...]], gold_text: str) -> bool | None:
    tokens = TOKEN_RE.findall(line.lower())
    if not tokens:
        return None
    if len(tokens) < 4:
        return " ".join(tokens) in gold_text
    grams = shingles(tokens)
    return sum(g in gold_set for g in grams) / len(grams) >= 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regime", default="r2", choices=("r2", "r1"))
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    removed = Counter()
    removed_gold = Counter()
    examples = defaultdict(list)
    kept_nongold = 0
    kept_nongold_examples = []
    with scoring.disabled(args.no_model):
        for record in load_records()[: args.limit]:
            text = record.get(REGIME_FIELDS[args.regime]) or ""
            gold_tokens = TOKEN_RE.findall(record["gold"].lower())
            gold_set = set(shingles(gold_tokens))
            gold_text = " ".join(gold_tokens)
            result = clean(text)
            removed_lines = {r.line for r in result.removed}
            for r in result.removed:
                label = is_gold(r.text, gold_set, gold_text)
                removed[r.rule] += 1
                if label:
                    removed_gold[r.rule] += 1
                    if len(examples[r.rule]) < args.examples:
                        examples[r.rule].append(f"{record['id']}: {r.text.strip()[:110]}")
            for index, line in enumerate(text.splitlines()):
                if index not in removed_lines and line.strip() and is_gold(line, gold_set, gold_text) is False:
                    kept_nongold += 1
                    if len(kept_nongold_examples) < 40 and hash(line) % 50 == 0:
                        kept_nongold_examples.append(f"{record['id']}: {line.strip()[:110]}")
    print(f"{'rule':<42}{'removed':>9}{'gold':>7}{'prec':>7}")
    for rule, count in removed.most_common():
        print(f"{rule:<42}{count:>9}{removed_gold[rule]:>7}{1 - removed_gold[rule] / count:>7.2f}")
        for example in examples[rule]:
            print(f"    GOLD  {example}")
    print(f"\nkept non-gold lines: {kept_nongold}")
    for example in kept_nongold_examples:
        print(f"    KEPT  {example}")


if __name__ == "__main__":
    main()
