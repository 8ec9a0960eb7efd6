"""The engine on the multilingual snippet set, per input and language, and what removed each lost snippet.

    .venv/bin/python scripts/multilingual_eval.py [--regimes r2 r1 html] [--mode balanced] [--no-model]
                                                  [--attribute] [--show N] [--data FILE]

For every page of ``../shared/bench/multilingual/trafilatura_eval_dev.jsonl.gz`` (or ``--data``) the
engine cleans the R2 residue, the R1 fulltext and/or the HTML (fast path), and the bench's own scorer
(snippet metric) scores the output: with-recall (body kept), w/o-removal (residue gone), hmean, per
language and for all pages. ``--attribute`` also names, per removal rule, how many ``with`` snippets
that were in the input it cost (a removed line overlaps the snippet) and how many ``without`` snippets
it earned; ``--show N`` prints up to N lost snippets per rule. A measuring tool: the set judges the
engine, nothing is tuned on it. Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout

from devtools.bench import REGIME_FIELDS, bench_dir, load_scorer, read_jsonl  # noqa: E402
from heuristics import clean, scoring  # noqa: E402
from heuristics.html.lines import lines_from_html  # noqa: E402
from heuristics.settings import SETTINGS, Settings  # noqa: E402

LANGUAGES = ("de", "en", "es", "fr", "pl")


def default_data() -> Path:
    return bench_dir() / "multilingual" / "trafilatura_eval_dev.jsonl.gz"


def norm(text: str) -> str:
    return " ".join(text.split())


def run_one(record: dict[str, Any], regime: str, mode: str, settings: Settings = SETTINGS
            ) -> tuple[str, list[str], dict[int, str]]:
    """Output text, the judged input lines and the removing rule per removed line."""
    if regime == "html":
        html = record.get("html") or ""
        result = clean(html=html, mode=mode, settings=settings)
        texts = [line.text for line in lines_from_html(html, settings=settings)[0]]
    else:
        raw = record.get(REGIME_FIELDS[regime]) or ""
        result = clean(raw, mode=mode, settings=settings)
        texts = [norm(line) for line in raw.splitlines()]
    rules = {r.line: f"{r.category}:{r.rule}" for r in result.removed}
    for stripped in result.stripped:
        rules.setdefault(-1 - stripped.line, f"{stripped.category}:{stripped.rule}(prefix)")
    return result.text, texts, rules


def culprits(snippet: str, texts: list[str], rules: dict[int, str]) -> list[str]:
    """Rules of the removed lines that overlap where ``snippet`` sits in the input (joined by spaces)."""
    spans, pos, parts = [], 0, []
    for index, text in enumerate(texts):
        if text:
            spans.append((pos, pos + len(text), index))
            parts.append(text)
            pos += len(text) + 1
    joined = " ".join(parts)
    at = joined.find(norm(snippet))
    if at < 0:
        return []
    end = at + len(norm(snippet))
    found = [rules[i] for s, e, i in spans if s < end and e > at and i in rules]
    found += [rules[-1 - i] for s, e, i in spans if s < end and e > at and -1 - i in rules]
    return found or ["(not removed: joined/stripped)"]


def evaluate(records: list[dict[str, Any]], regime: str, mode: str, attribute: bool,
             settings: Settings = SETTINGS) -> dict[str, Any]:
    scorer = load_scorer()
    predictions: dict[str, str] = {}
    lost: dict[str, list[str]] = defaultdict(list)
    earned: Counter = Counter()
    for record in records:
        text, texts, rules = run_one(record, regime, mode, settings)
        predictions[record["id"]] = text
        if not attribute:
            continue
        out, source = norm(text), norm(" ".join(texts))
        for snippet in record.get("with") or []:
            if norm(snippet) in source and norm(snippet) not in out:
                for rule in sorted(set(culprits(snippet, texts, rules))):
                    lost[rule].append(f"{record['lang']} {snippet!r}")
        for snippet in record.get("without") or []:
            if norm(snippet) in source and norm(snippet) not in out:
                for rule in sorted(set(culprits(snippet, texts, rules))):
                    earned[rule] += 1
    by_lang: dict[str, dict[str, str]] = defaultdict(dict)
    for record in records:
        key = record["lang"] if record["lang"] in LANGUAGES else "other"
        by_lang[key][record["id"]] = predictions[record["id"]]
    table = {"ALL": scorer.score(records, predictions)[0]["snippets"]["ALL"]}
    for lang in (*LANGUAGES, "other"):
        chosen = [r for r in records if (r["lang"] if r["lang"] in LANGUAGES else "other") == lang]
        if chosen:
            table[lang] = scorer.score(chosen, predictions)[0]["snippets"]["ALL"]
    return {"table": table, "lost": lost, "earned": earned}


def identity(records: list[dict[str, Any]], regime: str) -> dict[str, float]:
    scorer = load_scorer()
    field = REGIME_FIELDS[regime]
    if field == "html":
        return {}
    return scorer.score(records, {r["id"]: r.get(field) or "" for r in records})[0]["snippets"]["ALL"]


def settings_with(assignments: list[str]) -> Settings:
    """``SETTINGS`` with some fields changed (to measure what a threshold does)."""
    changes = {}
    for assignment in assignments:
        name, value = assignment.split("=", 1)
        current = getattr(SETTINGS, name)
        changes[name] = value.lower() in ("1", "true", "yes") if isinstance(current, bool) else type(current)(value)
    return dataclasses.replace(SETTINGS, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--regimes", nargs="*", default=["r2", "r1", "html"], choices=sorted(REGIME_FIELDS))
    parser.add_argument("--mode", default="balanced", choices=("precision", "balanced", "recall"))
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--attribute", action="store_true", help="per rule: with snippets lost, without earned")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print up to N lost snippets per rule")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="override Settings fields for this run (e.g. outside_min_run=3)")
    args = parser.parse_args()
    settings = settings_with(args.set)
    records = list(read_jsonl(args.data or default_data()))
    with scoring.disabled(args.no_model):
        for regime in args.regimes:
            result = evaluate(records, regime, args.mode, args.attribute, settings)
            print(f"## {regime} ({args.mode}{', rules only' if args.no_model else ''})")
            print("| lang | pages | with-recall | w/o-removal | hmean |")
            print("|---|---:|---:|---:|---:|")
            for lang, s in result["table"].items():
                print(f"| {lang} | {s['docs']} | {s['with_recall']:.3f} | {s['without_removal']:.3f} | {s['hmean']:.3f} |")
            base = identity(records, regime)
            if base:
                print(f"| identity | {base['docs']} | {base['with_recall']:.3f} | {base['without_removal']:.3f} "
                      f"| {base['hmean']:.3f} |")
            if args.attribute:
                print("\nrule | with lost | without earned")
                rules = sorted(set(result["lost"]) | set(result["earned"]),
                               key=lambda r: (-len(result["lost"].get(r, [])), -result["earned"][r]))
                for rule in rules:
                    print(f"  {rule:<48} {len(result['lost'].get(rule, [])):>4} {result['earned'][rule]:>5}")
                    for example in result["lost"].get(rule, [])[: args.show]:
                        print(f"      {example}")
            print(flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
