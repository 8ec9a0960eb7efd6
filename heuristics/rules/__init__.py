"""Stage 2, rules: hand-written rules kept as data, one TOML file per category in this folder.

This module compiles those files once and applies them to lines; it knows no phrase itself.

A rule file::

    category = "subscription_prompt"
    description = "..."
    [block]            # optional: a run of this category grows over its neighbours (see decide.py)
    gap = 2            #   lines between two hits at most `gap` non-blank lines apart join the run
    edge_words = 4     #   short lines (<= this many words) touching the run join it ...
    edges = 3          #   ... up to this many on each side

    [[rule]]
    id = "button"              # stable id, reported as "subscription_prompt.button"
    kind = "line"              # line | phrase | regex | prefix
    strength = "strong"        # strong removes the line; weak is a hint for context and the model
    max_words = 12             # phrase/regex: only lines with at most this many words
    where = "any"              # any | head | tail | outside (relative to the article body)
    requires = ["©", "(c)"]    # regex without ^: try it only on lines containing one of these
    [rule.patterns]            # patterns grouped by language (ISO 639-1; "xx" = any language)
    en = ["subscribe", "subscribe now"]
    de = ["abonnieren"]

    [defs.en]                  # optional: regex fragments; <<MONTH>> in an English pattern becomes
    MONTH = '(?:jan|feb)'      # defs.en.MONTH (else defs.xx.MONTH), so one pattern serves all languages

Kinds:
- ``line``: the line's key (its words, case-folded) equals a pattern's key. A dict lookup.
- ``phrase``: the line contains the phrase on word boundaries, case-folded, hyphens read as
  spaces (``segment.phrase_form``). Aho-Corasick over the line.
- ``regex``: a Python regex searched in the whitespace-normalised line, case-insensitive unless
  ``case = true``. Named groups (``date``, ``author``, ``source``, ``dateline``, ``tags``) feed the
  metadata stage. Patterns must be linear-time: see ``lint_pattern``.
- ``prefix``: like regex but anchored at the start; the match is cut from the line, the rest stays.
- ``container``: HTML input only. Patterns are tokens of the elements around the line (tag names
  such as ``figcaption``, class/id words such as ``newsletter``); see ``html.py`` for how a line's
  ``html["tokens"]`` are made.

Line rules of every language apply to every document (a line that is only "Abonnieren" is residue
whatever the page language); phrase, regex and prefix rules apply for the document's language,
English (the web's lingua franca for widgets) and "xx".
"""
from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from importlib import resources
from re import _constants as sre_constants  # the parser behind re: the lint walks its tree
from re import _parser as sre_parse
from typing import AbstractSet as Set
from typing import Callable, Iterable, Mapping, Sequence

import ahocorasick

from ..errors import CleanError
from ..vocabulary import CATEGORIES, CATEGORY_PRIORITY
from ..segment import Line, line_key, phrase_form

KINDS = ("line", "phrase", "regex", "prefix", "container")
STRENGTHS = ("strong", "weak")
WHERES = ("any", "head", "tail", "outside")
NEUTRAL = "xx"
FALLBACK_LANGUAGE = "en"
DEFAULT_MAX_WORDS = 40
METADATA_GROUPS = ("date", "updated", "author", "source", "dateline", "tags")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    kind: str
    strength: str
    max_words: int
    where: str
    case: bool
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """How a run of one category absorbs its neighbours (read by the decide stage).

    gap: a line sandwiched between two lines of the run, at most this many non-blank lines apart,
    joins it; weak hits of the category within this distance of the run join it too.
    edge_words / edges: up to ``edges`` short lines (at most ``edge_words`` words) touching the run
    join it (``edges_before`` caps the side above the run when set); ``edge_no_period``: only lines
    that do not end a sentence (headline stubs, buttons).
    """

    gap: int = 0
    edge_words: int = 0
    edges: int = 0
    edges_before: int | None = None
    edge_no_period: bool = False


@dataclass(slots=True)
class Hit:
    """One rule firing on one line. ``groups`` holds named regex groups; ``end`` the prefix length."""

    rule: Rule
    groups: dict[str, str] | None = None
    end: int = 0

    @property
    def category(self) -> str:
        return self.rule.category

    @property
    def strong(self) -> bool:
        return self.rule.strength == "strong"


@dataclass(slots=True)
class _Detector:
    """Several regexes tried in one pass; ``lastindex`` names the one that fired.

    Start-anchored patterns are tried at position 0 only (``match``), and only those that can
    start with the line's first character (a per-character sub-detector, built on first use);
    end-anchored ones of bounded width only over the line's last ``tail`` characters; the rest
    are searched.
    """

    entries: list[tuple[Rule, str]]
    anchored: bool
    tail: int | None
    max_words: int
    short_lines: bool | None = None  # True: only lines of <= SHORT_LINE_WORDS words; False: only longer
    firsts: list[frozenset[str] | None] = field(default_factory=list)
    _by_char: dict[str, tuple[re.Pattern[str], list[tuple[Rule, re.Pattern[str]]]] | None] = field(
        default_factory=dict)
    _named: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._named = frozenset({""}).union(*(first for first in self.firsts if first is not None))

    def find(self, text: str) -> tuple[re.Match[str] | None, list[tuple[Rule, re.Pattern[str]]]]:
        """The first matching alternative, and the alternatives it was chosen from."""
        char = _dispatch_key(text[:1]) if self.anchored else ""
        if char not in self._named:  # no pattern names this first character: one shared sub-detector
            char = _OTHER  # (a cache per character would grow with every script a hostile page uses)
        compiled = self._by_char.get(char, _UNBUILT)
        if compiled is _UNBUILT:
            compiled = self._by_char[char] = self._build(char)
        if compiled is None:
            return None, []
        combined, singles = compiled
        if self.anchored:
            return combined.match(text), singles
        if self.tail is not None:
            return combined.search(text, max(0, len(text) - self.tail)), singles
        return combined.search(text), singles

    def _build(self, char: str) -> tuple[re.Pattern[str], list[tuple[Rule, re.Pattern[str]]]] | None:
        chosen = [entry for entry, first in zip(self.entries, self.firsts)
                  if not self.anchored or first is None or char in first]
        if not chosen:
            return None
        singles = [(rule, re.compile(("^" if self.anchored else "") + _flagged(rule, p))) for rule, p in chosen]
        alternatives = "|".join(f"({_NAMED_GROUP_RE.sub('(?:', _flagged(rule, p))})" for rule, p in chosen)
        return re.compile(f"(?:{alternatives})"), singles


_UNBUILT = object()
_DIGIT = "0"
_OTHER = "other"  # not a single character, so no pattern's first characters contain it


def _dispatch_key(char: str) -> str:
    """Every decimal digit (any script) shares one bucket; other characters are lower-cased."""
    return _DIGIT if char.isdecimal() else char.lower()


def _first_chars(items: Sequence[tuple[object, object]]) -> tuple[frozenset[str] | None, bool]:
    """(lower-cased characters a match can start with, or None for any; whether it can be empty)."""
    found: set[str] = set()
    for op, arg in items:
        chars, nullable = _first_of(op, arg)
        if chars is None:
            return None, False
        found |= chars
        if not nullable:
            return frozenset(found), False
    return frozenset(found), True


def _first_of(op: object, arg: object) -> tuple[frozenset[str] | None, bool]:
    c = sre_constants
    if op == c.LITERAL:
        return frozenset({_dispatch_key(chr(arg)), _dispatch_key(chr(arg).upper())}), False
    if op == c.IN:
        return _class_chars(arg), False
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset(), True
    if op == c.SUBPATTERN:
        return _first_chars(arg[3].data)
    if op == getattr(c, "ATOMIC_GROUP", None):
        return _first_chars(arg.data)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        chars, nullable = _first_chars(arg[2].data)
        return chars, nullable or arg[0] == 0
    if op == c.BRANCH:
        union: set[str] = set()
        any_empty = False
        for branch in arg[1]:
            chars, nullable = _first_chars(branch.data)
            if chars is None:
                return None, False
            union |= chars
            any_empty = any_empty or nullable
        return frozenset(union), any_empty
    return None, False


def _class_chars(items: Sequence[tuple[object, object]], limit: int = 400) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        if op == sre_constants.LITERAL:
            chars.add(_dispatch_key(chr(arg)))
        elif op == sre_constants.RANGE and arg[1] - arg[0] <= limit:
            chars.update(_dispatch_key(chr(code)) for code in range(arg[0], arg[1] + 1))
        elif op == sre_constants.CATEGORY and arg == sre_constants.CATEGORY_DIGIT:
            chars.add(_DIGIT)
        elif op == sre_constants.CATEGORY and arg == sre_constants.CATEGORY_SPACE:
            chars.add(" ")  # lines are stripped: never a first character, kept for safety
        else:
            return None
    return frozenset(chars)


def _pattern_firsts(rule: Rule, pattern: str) -> frozenset[str] | None:
    firsts, nullable = _first_chars(sre_parse.parse(_flagged(rule, pattern)).data)
    return None if nullable else firsts


@dataclass(slots=True)
class _RegexSet:
    """All regexes of one kind for a set of languages: combined detectors, and guarded singles
    (unanchored patterns tried only on lines that contain one of their ``requires`` literals)."""

    detectors: list[_Detector]
    guarded: list[tuple[Rule, re.Pattern[str], int | None]]
    max_words: int


@dataclass(slots=True)
class RuleSet:
    """All rules, compiled. Build once (``default_ruleset()``); apply with ``match_lines``."""

    rules: dict[str, Rule]
    blocks: dict[str, Block]
    line_table: dict[str, list[Rule]]
    containers: dict[str, list[Rule]]
    phrases: dict[str, list[tuple[str, Rule]]]
    regexes: dict[str, list[tuple[Rule, str]]]
    prefixes: dict[str, list[tuple[Rule, str]]]
    languages: tuple[str, ...]
    line_rules_by_lang: list[tuple[str, Rule]] = field(default_factory=list)
    line_words: int = 0
    _automata: dict[tuple[str, ...], ahocorasick.Automaton | None] = field(default_factory=dict)
    _regex_sets: dict[tuple[str, ...], _RegexSet] = field(default_factory=dict)
    _phrase_words: dict[tuple[str, ...], int] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, dict[str, int]]]:
        """Number of patterns per language, category and kind (for docs and the closing notes)."""
        out: dict[str, dict[str, dict[str, int]]] = {}

        def bump(lang: str, rule: Rule) -> None:
            per_cat = out.setdefault(lang, {}).setdefault(rule.category, {})
            per_cat[rule.kind] = per_cat.get(rule.kind, 0) + 1

        for lang, entries in self.phrases.items():
            for _, rule in entries:
                bump(lang, rule)
        for table in (self.regexes, self.prefixes):
            for lang, entries in table.items():
                for rule, _ in entries:
                    bump(lang, rule)
        for lang, rule in self.line_rules_by_lang:
            bump(lang, rule)
        return out

    def languages_for(self, language: str | None) -> tuple[str, ...]:
        """The languages whose rules apply. A language without rules of its own adds nothing, so it
        shares the neutral set and its compiled detectors: each set is cached for the process's life,
        and callers may name any of the 18,000 two- and three-letter codes."""
        langs = [NEUTRAL, FALLBACK_LANGUAGE]
        if language and language not in langs and language in self.languages:
            langs.append(language)
        return tuple(langs)

    def phrase_words(self, langs: tuple[str, ...]) -> int:
        """The largest ``max_words`` of the phrase rules and guarded regexes for these languages."""
        if langs not in self._phrase_words:
            self._phrase_words[langs] = self._max_phrase_words(langs)
        return self._phrase_words[langs]

    def _max_phrase_words(self, langs: tuple[str, ...]) -> int:
        guarded = (rule for rule, _, _ in self.regex_set(langs).guarded)
        phrases = (rule for lang in langs for _, rule in self.phrases.get(lang, ()))
        return max((rule.max_words for rule in (*phrases, *guarded)), default=-1)

    def automaton(self, langs: tuple[str, ...]) -> ahocorasick.Automaton | None:
        """Phrases and the ``requires`` literals of guarded regexes, in one automaton per languages."""
        if langs not in self._automata:
            guards = [(literal, rule) for rule, _, _ in self.regex_set(langs).guarded
                      for literal in rule.requires]
            self._automata[langs] = _build_automaton(
                (entry for lang in langs for entry in self.phrases.get(lang, ())), guards)
        return self._automata[langs]

    def regex_set(self, langs: tuple[str, ...]) -> _RegexSet:
        """The regex and prefix rules for these languages, compiled into detectors (cached)."""
        if langs not in self._regex_sets:
            entries = [entry for table in (self.regexes, self.prefixes)
                       for lang in langs for entry in table.get(lang, ())]
            self._regex_sets[langs] = _build_regex_set(sorted(entries, key=_specific_first()))
        return self._regex_sets[langs]


def _specific_first() -> Callable[[tuple[Rule, str]], tuple[bool, int]]:
    """Sort key for detector entries: a combined detector reports only the first alternative that
    matches a line, so strong rules of the most specific category (vocabulary.CATEGORY_PRIORITY) come
    first, as decide ranks them; the sort is stable, so languages and files keep their order."""
    rank = {category: position for position, category in enumerate(CATEGORY_PRIORITY)}
    return lambda entry: (entry[0].strength != "strong", rank.get(entry[0].category, len(rank)))


# ---------------------------------------------------------------- linear-time lint

class UnsafePattern(ValueError):
    pass


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)


def _contains_repeat(subpattern: sre_parse.SubPattern) -> bool:
    for op, arg in subpattern.data:
        if op in _REPEATS and arg[1] > 1:
            return True
        for child in _children(op, arg):
            if _contains_repeat(child):
                return True
    return False


def _children(op: object, arg: object) -> list[sre_parse.SubPattern]:
    if op in _REPEATS or op == getattr(sre_constants, "POSSESSIVE_REPEAT", None):
        return [arg[2]]
    if op == sre_constants.SUBPATTERN:
        return [arg[3]]
    if op == sre_constants.BRANCH:
        return list(arg[1])
    if op == getattr(sre_constants, "ATOMIC_GROUP", None):
        return [arg]
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [arg[1]]
    return []


def _check_nesting(subpattern: sre_parse.SubPattern) -> None:
    for op, arg in subpattern.data:
        if op in _REPEATS and arg[1] > 1 and _contains_repeat(arg[2]):
            raise UnsafePattern("a repeated group contains another repeat (possible catastrophic "
                                "backtracking); make the inner one possessive (x++, x{1,9}+) or atomic")
        if op == sre_constants.GROUPREF or op == sre_constants.GROUPREF_EXISTS:
            raise UnsafePattern("backreferences are not allowed")
        for child in _children(op, arg):
            _check_nesting(child)


def lint_pattern(pattern: str) -> None:
    """Reject what can backtrack catastrophically: nested repeats, backreferences, bare groups.

    Bare capturing groups are refused too, because the combined detector numbers its own groups.
    """
    if re.search(r"(?<!\\)\((?!\?)", _strip_classes(pattern)):
        raise UnsafePattern("use (?:...) or (?P<name>...) instead of a bare capturing group")
    _check_nesting(sre_parse.parse(pattern))


def _strip_classes(pattern: str) -> str:
    """The pattern with [...] classes blanked, so a literal '(' inside a class is not a group."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append("[]")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- loading

def _rule_files() -> list[tuple[str, str]]:
    folder = resources.files(__name__)
    return sorted((entry.name, entry.read_text(encoding="utf-8"))
                  for entry in folder.iterdir() if entry.name.endswith(".toml"))


def _parse_rule(category: str, spec: Mapping[str, object], source: str) -> Rule:
    kind = spec.get("kind", "line")
    strength = spec.get("strength", "strong")
    where = spec.get("where", "any")
    if kind not in KINDS or strength not in STRENGTHS or where not in WHERES:
        raise ValueError(f"{source}: rule {spec.get('id')!r} has a bad kind/strength/where")
    return Rule(id=f"{category}.{spec['id']}", category=category, kind=str(kind), strength=str(strength),
                max_words=int(spec.get("max_words", 1_000_000 if kind in ("line", "prefix") else DEFAULT_MAX_WORDS)),
                where=str(where), case=bool(spec.get("case", False)),
                requires=tuple(str(literal).casefold() for literal in spec.get("requires", ())))


def build_ruleset(files: Iterable[tuple[str, str]]) -> RuleSet:
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
            rule = _parse_rule(category, spec, name)
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
                   line_rules_by_lang=line_rules_by_lang,
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


def _build_automaton(phrases: Iterable[tuple[str, Rule]], guards: Iterable[tuple[str, Rule]]
                     ) -> ahocorasick.Automaton | None:
    """One automaton; each value is (length, phrase rules, ids of regexes this literal unlocks)."""
    merged: dict[str, tuple[list[Rule], list[str]]] = {}
    for phrase, rule in phrases:
        merged.setdefault(phrase, ([], []))[0].append(rule)
    for literal, rule in guards:
        merged.setdefault(literal, ([], []))[1].append(rule.id)
    if not merged:
        return None
    automaton = ahocorasick.Automaton()
    for text, (rules, guard_ids) in merged.items():
        automaton.add_word(text, (len(text), tuple(rules), frozenset(guard_ids)))
    automaton.make_automaton()
    return automaton


def _document_phrase_hits(automaton: ahocorasick.Automaton | None, lines: Sequence[Line], max_words: int
                          ) -> tuple[dict[int, list[Hit]], dict[int, set[str]]]:
    """Phrase hits (on word boundaries) per line position, and the guarded regexes each line unlocked.

    One automaton pass over the whole document: the lines are folded together and joined by
    newlines (which count as word boundaries), so no line pays for a call of its own.
    """
    hits: dict[int, list[Hit]] = {}
    unlocked: dict[int, set[str]] = {}
    if automaton is None:
        return hits, unlocked
    folded_lines = [phrase_form(line.text) if 0 < line.words <= max_words else "" for line in lines]
    document = "\n".join(folded_lines)
    starts = list(accumulate((len(folded) + 1 for folded in folded_lines), initial=0))
    for end, (length, rules, guard_ids) in automaton.iter(document):
        position = bisect_right(starts, end) - 1
        if guard_ids:
            unlocked.setdefault(position, set()).update(guard_ids)
        if not rules:
            continue
        start = end - length + 1
        if (start > 0 and document[start - 1].isalnum()) or (end + 1 < len(document) and document[end + 1].isalnum()):
            continue
        words = lines[position].words
        hits.setdefault(position, []).extend(Hit(rule) for rule in rules if words <= rule.max_words)
    return hits, unlocked


_NAMED_GROUP_RE = re.compile(r"\(\?P<\w+>")


def _flagged(rule: Rule, pattern: str) -> str:
    return pattern if rule.case else f"(?i:{pattern})"


_MAX_TAIL = 600


def _shape(pattern: str) -> tuple[bool, int | None]:
    """(starts with ^, max width when the pattern ends with $ and is bounded, else None)."""
    parsed = sre_parse.parse(pattern)
    items = parsed.data
    starts = bool(items) and items[0] == (sre_constants.AT, sre_constants.AT_BEGINNING)
    ends = bool(items) and items[-1][0] == sre_constants.AT and items[-1][1] == sre_constants.AT_END
    width = parsed.getwidth()[1]
    return starts, (width if ends and width <= _MAX_TAIL else None)


def _detector(entries: list[tuple[Rule, str]], anchored: bool, tail: int | None = None,
              short_lines: bool | None = None) -> _Detector:
    return _Detector(entries=entries, anchored=anchored, tail=tail, short_lines=short_lines,
                     max_words=max(rule.max_words for rule, _ in entries),
                     firsts=[_pattern_firsts(rule, p) if anchored else None for rule, p in entries])


SHORT_LINE_WORDS = 24


def _build_regex_set(entries: list[tuple[Rule, str]]) -> _RegexSet:
    """Group patterns so a line pays for one regex call or two.

    Start-anchored patterns (and every prefix rule) go into two detectors tried at position 0:
    one for short lines holding all of them, one for longer lines holding those meant for long
    lines. Unanchored patterns with ``requires`` literals run only where the phrase automaton saw
    a literal; the rest are searched (over the line's tail when end-anchored and bounded).
    """
    short: list[tuple[Rule, str]] = []
    long: list[tuple[Rule, str]] = []
    tailed: list[tuple[Rule, str]] = []
    free: list[tuple[Rule, str]] = []
    guarded: list[tuple[Rule, re.Pattern[str], int | None]] = []
    tail_width = 0
    for rule, pattern in entries:
        starts, width = _shape(pattern)
        if rule.requires:
            guarded.append((rule, re.compile(_flagged(rule, pattern)), width))
        elif rule.kind == "prefix" or starts:
            body = pattern[1:] if starts else pattern
            short.append((rule, body))
            if rule.max_words > SHORT_LINE_WORDS:
                long.append((rule, body))
        elif width is not None:
            tailed.append((rule, pattern))
            tail_width = max(tail_width, width)
        else:
            free.append((rule, pattern))
    detectors = []
    if short:
        detectors.append(_detector(short, anchored=True, short_lines=True))
    if long:
        detectors.append(_detector(long, anchored=True, short_lines=False))
    if tailed:
        detectors.append(_detector(tailed, anchored=False, tail=tail_width))
    if free:
        detectors.append(_detector(free, anchored=False))
    return _RegexSet(detectors=detectors, guarded=guarded,
                     max_words=max((rule.max_words for rule, _ in entries), default=-1))


@lru_cache(maxsize=1)
def default_ruleset() -> RuleSet:
    """The packaged rules, compiled once per process."""
    return build_ruleset(_rule_files())


def ruleset_with_extra(extra_rules: Mapping[str, Sequence[str]] | None) -> RuleSet:
    """The packaged rules plus caller phrases for one call (category -> phrases)."""
    if not extra_rules:
        return default_ruleset()
    if not isinstance(extra_rules, Mapping):
        raise CleanError("extra_rules", "must map a category to a list of phrases")
    for category, phrases in extra_rules.items():
        if category not in CATEGORIES:
            raise CleanError("extra_rules", f"unknown category {category!r}")
        if isinstance(phrases, str) or not isinstance(phrases, Sequence) or not all(
                isinstance(p, str) and line_key(p) for p in phrases):
            raise CleanError("extra_rules", f"{category}: give a list of phrases with words in them")
    return _merged_ruleset(tuple((category, tuple(phrases)) for category, phrases in extra_rules.items()))


@lru_cache(maxsize=4)
def _merged_ruleset(extra_rules: tuple[tuple[str, tuple[str, ...]], ...]) -> RuleSet:
    """Building a rule set takes about 0.15 s: a client sending the same phrases with every document of a
    batch pays it once (a few sets are kept, each with the detectors it compiles as it is used)."""
    extra_files = [(f"zz_caller_{category}.toml", _caller_toml(category, phrases)) for category, phrases in extra_rules]
    merged = build_ruleset(_rule_files() + extra_files)
    merged.blocks = default_ruleset().blocks
    return merged


def _caller_toml(category: str, phrases: Sequence[str]) -> str:
    import json

    # TOML reads neither JSON's surrogate-pair escapes (emoji) nor a raw DEL: write the text as it is.
    quoted = ", ".join(json.dumps(p, ensure_ascii=False).replace("\x7f", "\\u007f") for p in phrases)
    return (f'category = "{category}"\n[[rule]]\nid = "caller"\nkind = "phrase"\nmax_words = 1000000\n'
            f'[rule.patterns]\nxx = [{quoted}]\n')


# ---------------------------------------------------------------- applying

def match_lines(lines: Sequence[Line], ruleset: RuleSet, language: str | None) -> list[list[Hit]]:
    """Every rule hit of every line (context-free: each line judged on its own text)."""
    langs = ruleset.languages_for(language)
    automaton = ruleset.automaton(langs)
    regex_set = ruleset.regex_set(langs)
    line_table = ruleset.line_table
    line_words = ruleset.line_words
    phrase_hits, unlocked_by = _document_phrase_hits(automaton, lines, ruleset.phrase_words(langs))
    out: list[list[Hit]] = []
    by_tokens: dict[frozenset[str], list[Rule]] = {}  # lines of one element share their token set
    for position, line in enumerate(lines):
        if not line.text:
            out.append([])
            continue
        hits: list[Hit] = []
        rules = line_table.get(line.key) if line.words <= line_words else None
        if rules:
            hits.extend(Hit(rule) for rule in rules)
        if position in phrase_hits:
            hits.extend(phrase_hits[position])
        hits.extend(_regex_hits(regex_set, line, unlocked_by.get(position, _NOTHING)))
        if line.html and ruleset.containers:
            hits.extend(_container_hits(line.html.get("tokens", _NOTHING), ruleset.containers, line.words, by_tokens))
        out.append(_dedupe(hits) if len(hits) > 1 else hits)
    return out


_NOTHING: frozenset[str] = frozenset()


def _regex_hits(regex_set: _RegexSet, line: Line, unlocked: Set[str]) -> list[Hit]:
    found_hits = []
    text, words = line.text, line.words
    is_short = words <= SHORT_LINE_WORDS
    for detector in regex_set.detectors:
        if words > detector.max_words or (detector.short_lines is not None and detector.short_lines != is_short):
            continue
        found, singles = detector.find(text)
        if found is None:
            continue
        # The detector names the first alternative that matches; the ones after it may match too
        # (a rule whose position constraint fails later must not hide another), so try those singly.
        for rule, single in singles[found.lastindex - 1:]:
            if words <= rule.max_words:
                match = single.match(text) if detector.anchored else single.search(text, found.start())
                if match is not None:
                    found_hits.append(_hit(rule, match))
    if unlocked:
        for rule, single, width in regex_set.guarded:
            if rule.id in unlocked and words <= rule.max_words:
                match = single.search(text, 0 if width is None else max(0, len(text) - width))
                if match is not None:
                    found_hits.append(_hit(rule, match))
    return found_hits


def _hit(rule: Rule, match: re.Match[str]) -> Hit:
    groups = {k: v for k, v in match.groupdict().items() if v} or None
    return Hit(rule, groups=groups, end=match.end() if rule.kind == "prefix" else 0)


def _container_hits(tokens: frozenset[str], containers: dict[str, list[Rule]], words: int,
                    memo: dict[frozenset[str], list[Rule]]) -> list[Hit]:
    """Container rules whose token is among the line's; ``max_words`` keeps long prose out.

    The rules of a token set are looked up once per document (``memo``)."""
    rules = memo.get(tokens)
    if rules is None:
        rules = memo[tokens] = [rule for token in tokens for rule in containers.get(token, ())]
    return [Hit(rule) for rule in rules if words <= rule.max_words]


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    unique = []
    for hit in hits:
        if hit.rule.id not in seen:
            seen.add(hit.rule.id)
            unique.append(hit)
    return unique
