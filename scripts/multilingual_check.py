"""What the engine does on the multilingual check set (tests/data/multilingual/<lang>.jsonl).

    .venv/bin/python scripts/multilingual_check.py [--mode balanced] [--show] [--languages de fr ...]

The check set is hand-written: per language three pages (news site, blog with a donation box,
paywalled daily) of real-looking article paragraphs with residue lines of every category around
them, each line labelled title / content / residue (with its category). Those pages ("split":
"tuned") were written alongside the rule packs, which were corrected on them; one more page per
language (two for German, "split": "holdout") was written after the packs were frozen and is
reported apart. Every page is cleaned twice, rules only and with the learned model (when
heuristics/models/ holds one), and per language the script prints:

    residue   residue lines removed / residue lines (and how many of those with the labelled category)
    body      content lines wrongly removed / content lines
    title     pages whose title line was found

--show lists the wrongly removed body lines and the residue lines left in. --rules neutral drops
every language's own patterns but English and "xx" (what a page in a language without a pack gets),
to see what the learned model does on its own with text it was not trained on. Prints numbers;
asserts nothing (tests/heuristics/rules/test_multilingual_check.py holds the regression bound).
"""
from __future__ import annotations

import argparse
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from heuristics import clean, engine_info, rules, scoring

DATA_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "multilingual"


@dataclass
class Tally:
    """Counts for one language (or all), plus the lines that went wrong."""

    residue: int = 0
    residue_removed: int = 0
    residue_right_category: int = 0
    body: int = 0
    body_removed: int = 0
    pages: int = 0
    titles_found: int = 0
    language_right: int = 0
    lost_body: list[str] = field(default_factory=list)
    kept_residue: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        for name in ("residue", "residue_removed", "residue_right_category", "body", "body_removed", "pages",
                     "titles_found", "language_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.lost_body += other.lost_body
        self.kept_residue += other.kept_residue

    @property
    def body_loss(self) -> float:
        return self.body_removed / self.body if self.body else 0.0


def load_pages(languages: Iterable[str] | None = None, folder: Path = DATA_DIR) -> list[dict[str, Any]]:
    wanted = set(languages) if languages else None
    pages = []
    for path in sorted(folder.glob("*.jsonl")):
        if wanted is None or path.stem in wanted:
            pages += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pages


def score_page(page: dict[str, Any], mode: str = "balanced") -> Tally:
    """Clean one page (line i of the input is line i of the page) and compare with its labels."""
    lines = page["lines"]
    result = clean("\n".join(line["text"] for line in lines), mode=mode)
    removed = {removal.line: removal.category for removal in result.removed}
    tally = Tally(pages=1, language_right=int(result.metadata["language"] == page["language"]))
    for index, line in enumerate(lines):
        label = line["label"]
        if label == "title":
            tally.titles_found += int(removed.get(index) == "title")
        elif label == "content":
            tally.body += 1
            if index in removed:
                tally.body_removed += 1
                tally.lost_body.append(f"{page['id']}:{index} [{removed[index]}] {line['text']}")
        elif label == "residue":
            tally.residue += 1
            if index in removed:
                tally.residue_removed += 1
                tally.residue_right_category += int(removed[index] == line["category"])
            else:
                tally.kept_residue.append(f"{page['id']}:{index} [{line['category']}] {line['text']}")
    return tally


def evaluate(pages: list[dict[str, Any]], use_model: bool, mode: str = "balanced") -> dict[str, Tally]:
    """Per language tallies (and "all"), rules only or with the model."""
    tallies: dict[str, Tally] = {}
    with scoring.disabled(not use_model):
        for page in pages:
            tallies.setdefault(page["language"], Tally()).add(score_page(page, mode))
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    tallies["all"] = total
    return tallies


def _row(name: str, tally: Tally) -> str:
    return (f"{name:5} {tally.residue_removed:4}/{tally.residue:<4} ({tally.residue_right_category:3} right category)"
            f"   {tally.body_removed:3}/{tally.body:<4} {100 * tally.body_loss:5.1f}%"
            f"   {tally.titles_found}/{tally.pages}     {tally.language_right}/{tally.pages}")


def report(tallies: dict[str, Tally], heading: str, show: bool) -> None:
    print(heading)
    print("lang  residue removed                    body wrongly removed   titles  language")
    for name, tally in tallies.items():
        print(_row(name, tally))
    if show:
        for line in tallies["all"].lost_body:
            print("  LOST BODY   ", line)
        for line in tallies["all"].kept_residue:
            print("  KEPT RESIDUE", line)
    print()


SPLITS = ("tuned", "holdout")
NEUTRAL_LANGUAGES = ("en", "xx")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def neutral_rule_files() -> list[tuple[str, str]]:
    """The packaged rule files with only the English and neutral ("xx") pattern groups and defs."""
    out = []
    for name, text in rules.rule_files():
        data = tomllib.loads(text)
        lines = [f"category = {_toml_value(data['category'])}"]
        if "block" in data:
            lines += ["[block]"] + [f"{key} = {_toml_value(value)}" for key, value in data["block"].items()]
        for lang, fragments in data.get("defs", {}).items():
            if lang in NEUTRAL_LANGUAGES:
                lines += [f"[defs.{lang}]"] + [f"{key} = {_toml_value(value)}" for key, value in fragments.items()]
        for spec in data.get("rule", []):
            patterns = {lang: found for lang, found in spec.get("patterns", {}).items() if lang in NEUTRAL_LANGUAGES}
            if not patterns:
                continue
            lines += ["[[rule]]"] + [f"{key} = {_toml_value(value)}" for key, value in spec.items() if key != "patterns"]
            lines += ["[rule.patterns]"] + [f"{lang} = {_toml_value(found)}" for lang, found in patterns.items()]
        out.append((name, "\n".join(lines) + "\n"))
    return out


def use_neutral_rules() -> None:
    """From now on clean() matches only English and neutral patterns (for this process)."""
    neutral = rules.build_ruleset(neutral_rule_files())
    rules.default_ruleset = lambda: neutral


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", default="balanced", choices=("precision", "balanced", "recall"))
    parser.add_argument("--languages", nargs="*")
    parser.add_argument("--show", action="store_true", help="list lost body lines and kept residue lines")
    parser.add_argument("--rules", default="all", choices=("all", "neutral"),
                        help="neutral: only the English and 'xx' patterns (no language pack)")
    args = parser.parse_args()
    pages = load_pages(args.languages)
    if args.rules == "neutral":
        use_neutral_rules()
        print("rules: English and neutral patterns only (the language packs are off)\n")
    try:
        version = engine_info()["model"]
    except ValueError as exc:  # an artifact that does not fit the engine's features: rules only, say why
        version = None
        print(f"the model artifact cannot be used ({exc}): rules only\n")
    else:
        if version is None:
            print("no model artifact in heuristics/models/: the rules decide alone, so only that is shown\n")
    for split in SPLITS:
        chosen = [page for page in pages if page.get("split", "tuned") == split]
        report(evaluate(chosen, use_model=False, mode=args.mode), f"[{split}] rules only ({args.mode})", args.show)
        if version is not None:
            report(evaluate(chosen, use_model=True, mode=args.mode), f"[{split}] with the model {version} ({args.mode})",
                   args.show)


if __name__ == "__main__":
    main()
