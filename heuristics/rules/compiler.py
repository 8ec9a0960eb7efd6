"""Compiled rules: the ``RuleSet``, and the detectors that try many regexes in one pass and the phrase
automaton, built per set of languages on first use and kept for the process."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from re import _constants as sre_constants  # the parser behind re: the first-character dispatch walks its tree
from re import _parser as sre_parse
from typing import Callable, Iterable, Sequence

import ahocorasick

from .._rules import LineMatcher, PhraseScanner
from ..settings import SETTINGS
from ..vocabulary import CATEGORY_PRIORITY
from .prefilter import LiteralGate, StartGate, ends_at_line_end, required_chars
from .types import FALLBACK_LANGUAGE, NEUTRAL, Block, Hit, Rule

@dataclass(slots=True)
class _Detector:
    """Several regexes tried in one pass; ``lastindex`` names the one that fired.

    Start-anchored patterns are tried at position 0 only (``match``), and only those that can
    start with the line's first character (a per-character sub-detector, built on first use); the
    matcher tries them one by one, only those a ``StartGate`` allows (``candidates``);
    end-anchored ones of bounded width only over the line's last ``tail`` characters; the rest
    are searched.
    """

    entries: list[tuple[Rule, str]]
    anchored: bool
    tail: int | None
    max_words: int
    short_lines: bool | None = None  # True: only lines of <= the set's short_line_words; False: only longer
    firsts: list[frozenset[str] | None] = field(default_factory=list)
    _by_char: dict[str, tuple[re.Pattern[str], list[tuple[Rule, re.Pattern[str]]]] | None] = field(
        default_factory=dict)
    _named: frozenset[str] = frozenset()
    gate: LiteralGate | None = None  # searched detectors: the lines worth searching (``prefilter``)
    start_gate: StartGate | None = None  # start-anchored detectors: the entries a line's start allows
    needs: list[int] = field(default_factory=list)  # start-anchored: per entry, bits of the characters it needs
    end_bits: list[int] = field(default_factory=list)  # per entry, its bit in the set's end gate (0: not gated)
    _singles: list[tuple[Rule, re.Pattern[str]]] = field(default_factory=list)
    _planned: list[Planned] = field(default_factory=list)
    _by_start: dict[str, tuple[tuple[Rule, re.Pattern[str]], ...]] = field(default_factory=dict)
    _plans: dict[str, tuple[Planned, ...]] = field(default_factory=dict)  # read by _rules.LineMatcher
    _by_mask: dict[tuple[int, str], tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._named = frozenset({""}).union(*(first for first in self.firsts if first is not None))
        if not self.anchored:
            self.gate = LiteralGate.for_patterns([_flagged(rule, p) for rule, p in self.entries], self.tail)

    def candidates(self, text: str) -> tuple[tuple[Rule, re.Pattern[str]], ...]:
        """Start-anchored detectors: the entries (rule, pattern matched at 0), in order, that the line's
        first characters allow (``StartGate``) among those its first character names (``find``'s
        dispatch). Trying each of them is what ``find`` and its singles do: the combined pattern names
        the first entry that matches at 0, and the singles from it on are all the entries that do."""
        start = text[:_START_DEPTH]
        found = self._by_start.get(start)
        if found is None:
            found = tuple(self._singles[entry] for entry in self._allowed(text))
            if len(self._by_start) < _MAX_STARTS:  # bounded: a hostile page brings many distinct starts
                self._by_start[start] = found
        return found

    def plan(self, text: str) -> tuple[Planned, ...]:
        """``candidates`` as the compiled matcher reads them: (max_words, bits of the characters the entry
        needs, rule, pattern matched at 0) per entry, kept per line start like ``candidates``."""
        start = text[:_START_DEPTH]
        found = self._plans.get(start)
        if found is None:
            found = tuple(self._planned[entry] for entry in self._allowed(text))
            if len(self._plans) < _MAX_STARTS:
                self._plans[start] = found
        return found

    def searched(self) -> list[tuple[Rule, re.Pattern[str]]]:
        """Searched detectors: each entry's (rule, pattern searched singly), in order: ``find``'s singles."""
        compiled = self._by_char.get("", _UNBUILT)
        if compiled is _UNBUILT:
            compiled = self._by_char[""] = self._build("")
        return compiled[1] if compiled is not None else []  # type: ignore[index]

    def _allowed(self, text: str) -> tuple[int, ...]:
        if self.start_gate is None:
            self.start_gate = StartGate([_flagged(rule, p) for rule, p in self.entries], _START_DEPTH)
            self._singles = [(rule, re.compile("^" + _flagged(rule, p))) for rule, p in self.entries]
            needs = self.needs or [0] * len(self.entries)
            ends = self.end_bits or [0] * len(self.entries)
            self._planned = [(rule.max_words, need, rule, single, end)
                             for (rule, single), need, end in zip(self._singles, needs, ends)]
        char = _dispatch_key(text[:1])
        if char not in self._named:  # as in ``find``: first characters no pattern names share one key
            char = _OTHER
        key = (self.start_gate.mask(text), char)
        found = self._by_mask.get(key)
        if found is None:
            found = tuple(entry for entry in self.start_gate.entries(key[0])
                          if self.firsts[entry] is None or char in self.firsts[entry])  # type: ignore[operator]
            if len(self._by_mask) < _MAX_STARTS:
                self._by_mask[key] = found
        return found

    def find(self, text: str) -> tuple[re.Match[str] | None, list[tuple[Rule, re.Pattern[str]]]]:
        """The first matching alternative, and the alternatives it was chosen from. The matcher calls it for
        searched detectors; for start-anchored ones it is the reference ``candidates`` is tested against."""
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


Planned = tuple[int, int, Rule, re.Pattern[str], int]  # max_words, needed characters, rule, pattern, end bit
_UNBUILT = object()
_START_DEPTH = 4  # characters the start gate reads (3 and 6 closed about as many lines: measured)
_MAX_STARTS = 16384
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
    short_line_words: int  # the short-line detector's lines (``Settings.rule_short_line_words``)
    char_bits: dict[str, int] = field(default_factory=dict)  # characters entries need -> their bit
    guarded_end_bits: list[int] = field(default_factory=list)  # per guarded regex, its bit in the end gate
    end_patterns: list[str | None] = field(default_factory=list)  # per end-gate bit: the pattern, None: not gated
    end_gate: StartGate | None = None
    _ends: dict[str, int] = field(default_factory=dict)  # read by _rules.LineMatcher
    _all_ends: int = 0
    _gated_bits: list[int] = field(default_factory=list)
    _by_end_mask: dict[int, int] = field(default_factory=dict)
    _matcher: LineMatcher | None = None

    def line_matcher(self) -> LineMatcher:
        """The compiled per-line loop for this set (``_rules.LineMatcher``), built on first use."""
        if self._matcher is None:
            self._matcher = LineMatcher(self, Hit)
        return self._matcher

    def allowed_at_end(self, text: str) -> int:
        """The end gate: the bits of the entries that a line ending as this one does may match.

        Patterns whose every match ends where the line ends (``prefilter.ends_at_line_end``) go
        into a ``StartGate`` walked backwards, asked with the line's last characters, last first; the
        other entries are always allowed. Kept per line end, bounded like the start plans."""
        if text.endswith("\n"):  # ``$`` may match before a final newline: no gate (lines hold none)
            return -1
        end = text[-1:-_START_DEPTH - 1:-1]
        found = self._ends.get(end)
        if found is None:
            if self.end_gate is None:
                gated = [pattern for pattern in self.end_patterns if pattern is not None]
                self.end_gate = StartGate(gated, _START_DEPTH, backwards=True)
                self._all_ends = sum(1 << bit for bit, pattern in enumerate(self.end_patterns) if pattern is not None)
                self._gated_bits = [bit for bit, pattern in enumerate(self.end_patterns) if pattern is not None]
            mask = self.end_gate.mask(end)
            found = self._by_end_mask.get(mask)
            if found is None:
                allowed = sum(1 << self._gated_bits[entry] for entry in self.end_gate.entries(mask))
                found = ~self._all_ends | allowed
                if len(self._by_end_mask) < _MAX_STARTS:
                    self._by_end_mask[mask] = found
            if len(self._ends) < _MAX_STARTS:
                self._ends[end] = found
        return found


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
    short_line_words: int = SETTINGS.rule_short_line_words
    _automata: dict[tuple[str, ...], ahocorasick.Automaton | None] = field(default_factory=dict)
    _scanners: dict[tuple[str, ...], PhraseScanner | ahocorasick.Automaton | None] = field(default_factory=dict)
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

    def phrase_scanner(self, langs: tuple[str, ...]) -> PhraseScanner | ahocorasick.Automaton | None:
        """The ``automaton``'s keys and values as a compiled dense table (``_rules.PhraseScanner``): its
        ``scan`` yields what the automaton's ``iter`` yields, three times faster (measured). Keys too
        many for the table keep the automaton."""
        if langs not in self._scanners:
            automaton = self.automaton(langs)
            self._scanners[langs] = _scanner_of(automaton) if automaton is not None else None
        return self._scanners[langs]

    def regex_set(self, langs: tuple[str, ...]) -> _RegexSet:
        """The regex and prefix rules for these languages, compiled into detectors (cached)."""
        if langs not in self._regex_sets:
            entries = [entry for table in (self.regexes, self.prefixes)
                       for lang in langs for entry in table.get(lang, ())]
            self._regex_sets[langs] = _build_regex_set(sorted(entries, key=_specific_first()), self.short_line_words)
        return self._regex_sets[langs]


def _scanner_of(automaton: ahocorasick.Automaton) -> PhraseScanner | ahocorasick.Automaton:
    items = list(automaton.items())
    try:
        return PhraseScanner([key for key, _ in items], [value for _, value in items])
    except ValueError:  # more states or characters than the compiled table holds
        return automaton


def _specific_first() -> Callable[[tuple[Rule, str]], tuple[bool, int]]:
    """Sort key for detector entries: a combined detector reports only the first alternative that
    matches a line, so strong rules of the most specific category (vocabulary.CATEGORY_PRIORITY) come
    first, as decide ranks them; the sort is stable, so languages and files keep their order."""
    rank = {category: position for position, category in enumerate(CATEGORY_PRIORITY)}
    return lambda entry: (entry[0].strength != "strong", rank.get(entry[0].category, len(rank)))


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


def _build_regex_set(entries: list[tuple[Rule, str]], short_line_words: int) -> _RegexSet:
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
            if rule.max_words > short_line_words:
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
    regex_set = _RegexSet(detectors=detectors, guarded=guarded,
                          max_words=max((rule.max_words for rule, _ in entries), default=-1),
                          short_line_words=short_line_words, char_bits=_assign_needs(detectors))
    _assign_ends(regex_set)
    return regex_set


def _assign_ends(regex_set: _RegexSet) -> None:
    """A bit in the end gate (``_RegexSet.allowed_at_end``) for every entry and guarded regex that ends
    where the line ends; the others get 0 (never gated)."""
    patterns: list[str | None] = []

    def bit(flagged: str) -> int:
        patterns.append(flagged if ends_at_line_end(flagged) else None)
        return 1 << (len(patterns) - 1) if patterns[-1] is not None else 0

    for detector in regex_set.detectors:
        detector.end_bits = [bit(_flagged(rule, pattern)) for rule, pattern in detector.entries]
    regex_set.guarded_end_bits = [bit(single.pattern) for _, single, _ in regex_set.guarded]
    regex_set.end_patterns = patterns


_MAX_CHAR_BITS = 64


def _assign_needs(detectors: list[_Detector]) -> dict[str, int]:
    """Give the characters start-anchored entries need (``required_chars``) a bit each, the most needed
    first, and each entry the bits of its characters (0, needing nothing, when one has no bit)."""
    wanted = [[required_chars(_flagged(rule, p)) for rule, p in detector.entries] if detector.anchored else []
              for detector in detectors]
    counts: dict[str, int] = {}
    for chars in (chars for per_detector in wanted for chars in per_detector if chars):
        for char in chars:
            counts[char] = counts.get(char, 0) + 1
    ranked = sorted(counts, key=lambda char: (-counts[char], char))[:_MAX_CHAR_BITS]
    bits = {char: bit for bit, char in enumerate(ranked)}
    for detector, per_detector in zip(detectors, wanted):
        detector.needs = [sum(1 << bits[char] for char in chars) if chars and chars <= bits.keys() else 0
                          for chars in per_detector]
    return bits
