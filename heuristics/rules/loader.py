"""Loading the rules: the packaged TOML files (and a caller's extra phrases) parsed, checked and compiled
into a ``RuleSet``."""
from __future__ import annotations

import hashlib
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Iterable, Mapping, Sequence

from ..errors import CleanError
from ..segment import line_key, phrase_form
from ..settings import SETTINGS, Settings
from ..vocabulary import CATEGORIES
from .compiler import RuleSet
from .lint import UnsafePattern, lint_pattern
from .types import KINDS, NEUTRAL, STRENGTHS, WHERES, Block, Rule

def rule_files() -> list[tuple[str, str]]:
    """(file name, content) of every packaged rule file, in name order."""
    folder = resources.files(__package__)
    return sorted((entry.name, entry.read_text(encoding="utf-8"))
                  for entry in folder.iterdir() if entry.name.endswith(".toml"))


def _parse_rule(category: str, spec: Mapping[str, object], source: str, max_words: int) -> Rule:
    kind = spec.get("kind", "line")
    strength = spec.get("strength", "strong")
    where = spec.get("where", "any")
    if kind not in KINDS or strength not in STRENGTHS or where not in WHERES:
        raise ValueError(f"{source}: rule {spec.get('id')!r} has a bad kind/strength/where")
    return Rule(id=f"{category}.{spec['id']}", category=category, kind=str(kind), strength=str(strength),
                max_words=int(spec.get("max_words", 1_000_000 if kind in ("line", "prefix") else max_words)),
                where=str(where), case=bool(spec.get("case", False)),
                requires=tuple(str(literal).casefold() for literal in spec.get("requires", ())))


def build_ruleset(files: Iterable[tuple[str, str]], max_words: int = SETTINGS.rule_max_words,
                  short_line_words: int = SETTINGS.rule_short_line_words) -> RuleSet:
    """The rule files compiled; ``max_words``: the longest line a phrase or regex rule looks at unless it
    says otherwise (``Settings.rule_max_words``); ``short_line_words``: the longest line start-anchored
    patterns meant for short lines are tried on (``Settings.rule_short_line_words``)."""
    rules: dict[str, Rule] = {}
    blocks: dict[str, Block] = {}
    line_table: dict[str, list[Rule]] = {}
    containers: dict[str, list[Rule]] = {}
    line_rules_by_lang: list[tuple[str, Rule]] = []
    phrases: dict[str, list[tuple[str, Rule]]] = {}
    regexes: dict[str, list[tuple[Rule, str]]] = {}
    prefixes: dict[str, list[tuple[Rule, str]]] = {}
    languages: set[str] = set()
    for name, content in files:
        data = tomllib.loads(content)
        category = data.get("category")
        if category not in CATEGORIES:
            raise ValueError(f"{name}: unknown category {category!r}")
        if "block" in data:
            blocks[category] = Block(**data["block"])
        defs = data.get("defs", {})
        for spec in data.get("rule", []):
            rule = _parse_rule(category, spec, name, max_words)
            if rule.id in rules:
                raise ValueError(f"{name}: duplicate rule id {rule.id}")
            rules[rule.id] = rule
            for lang, patterns in spec.get("patterns", {}).items():
                languages.add(lang)
                for pattern in patterns:
                    if rule.kind in ("regex", "prefix"):
                        pattern = expand_defs(pattern, lang, defs, name)
                    if rule.kind == "container":
                        containers.setdefault(pattern.casefold(), []).append(rule)
                        continue
                    _add_pattern(rule, lang, pattern, name, line_table, line_rules_by_lang,
                                 phrases, regexes, prefixes)
    return RuleSet(rules=rules, blocks=blocks, line_table=line_table, containers=containers, phrases=phrases,
                   regexes=regexes, prefixes=prefixes, languages=tuple(sorted(languages)),
                   line_rules_by_lang=line_rules_by_lang, short_line_words=short_line_words,
                   line_words=max((key.count(" ") + 1 for key in line_table), default=0))


_DEF_RE = re.compile(r"<<(\w+)>>")


def expand_defs(pattern: str, lang: str, defs: Mapping[str, Mapping[str, str]], source: str) -> str:
    """Replace every ``<<NAME>>`` with the language's fragment (falling back to ``xx``)."""
    for _ in range(10):
        if "<<" not in pattern:
            return pattern

        def fragment(match: re.Match[str]) -> str:
            name = match.group(1)
            for scope in (lang, NEUTRAL):
                if name in defs.get(scope, {}):
                    return defs[scope][name]
            raise ValueError(f"{source}: <<{name}>> is not defined for language {lang!r}")

        pattern = _DEF_RE.sub(fragment, pattern)
    raise ValueError(f"{source}: fragments nest too deep in {pattern[:80]!r}")


def _add_pattern(rule: Rule, lang: str, pattern: str, source: str,
                 line_table: dict[str, list[Rule]], line_rules_by_lang: list[tuple[str, Rule]],
                 phrases: dict[str, list[tuple[str, Rule]]], regexes: dict[str, list[tuple[Rule, str]]],
                 prefixes: dict[str, list[tuple[Rule, str]]]) -> None:
    if rule.kind in ("line", "phrase"):
        key = line_key(pattern) if rule.kind == "line" else phrase_form(pattern)
        if not line_key(pattern):
            raise ValueError(f"{source}: {rule.id} has a pattern without words: {pattern!r}")
        if rule.kind == "line":
            bucket = line_table.setdefault(key, [])
            if rule not in bucket:
                bucket.append(rule)
            line_rules_by_lang.append((lang, rule))
        else:
            phrases.setdefault(lang, []).append((key, rule))
        return
    try:
        lint_pattern(pattern)
        re.compile(pattern)
    except (UnsafePattern, re.error) as exc:
        raise ValueError(f"{source}: {rule.id} pattern {pattern!r}: {exc}") from exc
    (prefixes if rule.kind == "prefix" else regexes).setdefault(lang, []).append((rule, pattern))


def rules_digest() -> str:
    """sha256 over the packaged rule files (names and contents): rule hits are model features, so a model
    card records the digest of the rules it was trained with."""
    digest = hashlib.sha256()
    for name, content in rule_files():
        digest.update(name.encode("utf-8"))
        digest.update(content.encode("utf-8"))
    return digest.hexdigest()


def default_ruleset(settings: Settings = SETTINGS) -> RuleSet:
    """The packaged rules, compiled once per process (and per ``settings.rule_max_words`` and
    ``settings.rule_short_line_words``)."""
    return _packaged_ruleset(settings.rule_max_words, settings.rule_short_line_words)


@lru_cache(maxsize=2)
def _packaged_ruleset(max_words: int, short_line_words: int) -> RuleSet:
    return build_ruleset(rule_files(), max_words, short_line_words)


def ruleset_with_extra(extra_rules: Mapping[str, Sequence[str]] | None, settings: Settings = SETTINGS) -> RuleSet:
    """The packaged rules plus caller phrases for one call (category -> phrases)."""
    if not extra_rules:
        return default_ruleset(settings)
    if not isinstance(extra_rules, Mapping):
        raise CleanError("extra_rules", "must map a category to a list of phrases")
    for category, phrases in extra_rules.items():
        if category not in CATEGORIES:
            raise CleanError("extra_rules", f"unknown category {category!r}")
        if isinstance(phrases, str) or not isinstance(phrases, Sequence) or not all(
                isinstance(p, str) and line_key(p) for p in phrases):
            raise CleanError("extra_rules", f"{category}: give a list of phrases with words in them")
    return _merged_ruleset(tuple((category, tuple(phrases)) for category, phrases in extra_rules.items()),
                           settings.rule_max_words, settings.rule_short_line_words)


@lru_cache(maxsize=4)
def _merged_ruleset(extra_rules: tuple[tuple[str, tuple[str, ...]], ...], max_words: int,
                    short_line_words: int) -> RuleSet:
    """Building a rule set takes about 0.15 s: a client sending the same phrases with every document of a
    batch pays it once (a few sets are kept, each with the detectors it compiles as it is used)."""
    extra_files = [(f"zz_caller_{category}.toml", _caller_toml(category, phrases)) for category, phrases in extra_rules]
    merged = build_ruleset(rule_files() + extra_files, max_words, short_line_words)
    merged.blocks = _packaged_ruleset(max_words, short_line_words).blocks
    return merged


def _caller_toml(category: str, phrases: Sequence[str]) -> str:
    import json

    # TOML reads neither JSON's surrogate-pair escapes (emoji) nor a raw DEL: write the text as it is.
    quoted = ", ".join(json.dumps(p, ensure_ascii=False).replace("\x7f", "\\u007f") for p in phrases)
    return (f'category = "{category}"\n[[rule]]\nid = "caller"\nkind = "phrase"\nmax_words = 1000000\n'
            f'[rule.patterns]\nxx = [{quoted}]\n')
