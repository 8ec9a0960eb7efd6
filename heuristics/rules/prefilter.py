"""Prefilters for the regex detectors: which lines (and, start-anchored, which entries) need not be tried.

Most patterns cannot match without some literal text: ``\\|\\s?\\d{1,6}\\s?comment\\(?s\\)?$`` needs
"comment". ``required_literals`` reads such a set off the parsed pattern (every match contains one
of the strings). When every entry of a searched detector has one, a ``LiteralGate`` finds them all
in one Aho-Corasick pass over the lower-cased document and names the lines where the detector can
match; for the end-anchored detector only literals inside the searched tail of a line count. The
matcher skips the detector on the other lines, where its search would have found nothing, so the
hits are the same; the gate only ever answers "maybe" too often, never "no" wrongly.

Start-anchored detectors have no usable literal (dates, tag lists, bylines); they get a ``StartGate``
instead (below): the entries a line's first characters allow, read off each pattern's parse tree.

The gate rests on one fact: when ``re`` matches a literal character ``x`` (case-insensitively or
not) at a text character ``c``, then ``c.lower() == x.lower()``. Python's ``re`` folds a few
characters more widely than ``str.lower`` (``ſ`` matches ``s``, ``ı`` matches ``i``: ``re._casefix``),
and ``str.lower`` maps ``İ`` to two characters and ``Σ`` by context. Literals are kept only when each
character is its fold class's representative, and a document holding a character that breaks the
fact (``unsafe_text``) is matched without the gate.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from re import _casefix  # re's extra case-insensitive equivalences (ſ ~ s, ı ~ i, ...)
from re import _compiler as sre_compile
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Callable, Mapping, Sequence

import _sre  # re's own character predicates: whether a character has case

import ahocorasick

from .._rules import CharSet, PhraseScanner, entries_by_line

_C = sre_constants
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None))
_MAX_CLASS = 8  # a character class of up to this many literal characters is a literal set


def _representative(lower: int) -> int:
    """The member of ``re``'s case-insensitive class of a lower-case code point that stands for it."""
    return min((lower, *_casefix._EXTRA_CASES.get(lower, ())))


@lru_cache(maxsize=1)
def unsafe_text() -> re.Pattern[str]:
    """Characters whose ``str.lower`` differs from how ``re`` folds them (see the module docstring)."""
    return re.compile("[" + "".join(re.escape(c) for c in _odd_chars()) + "]")


@lru_cache(maxsize=1)
def unsafe_chars() -> CharSet:
    """``unsafe_text``'s characters as a compiled set (``CharSet.found_in``: a table read per character)."""
    return CharSet(_odd_chars())


@lru_cache(maxsize=1)
def _odd_chars() -> str:
    odd = {"\u0130", "\u03a3"}  # İ lowers to two characters; Σ to σ or ς by context
    for lower, others in _casefix._EXTRA_CASES.items():
        for member in (lower, *others):
            if member != _representative(member):
                char = chr(member)
                odd.update(c for c in (char, char.upper(), char.title())
                           if len(c) == 1 and ord(c.lower()) == member)
    return "".join(sorted(odd))


def _fold(literal: str) -> str | None:
    """The lower-cased literal, or None when a character of it is not its class's representative."""
    folded = literal.lower()
    if len(folded) != len(literal) or unsafe_text().search(literal):
        return None
    if any(ord(c) != _representative(ord(c)) for c in folded):
        return None
    return folded


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-cased strings of which every match of ``pattern`` contains one; None when there is no
    usable set (a pattern that can match without literal text, or only with one ASCII character)."""
    found = _sequence(sre_parse.parse(pattern).data)
    if not found or not all(map(_useful, found)):
        return None
    folded = {_fold(literal) for literal in found}
    return None if None in folded else frozenset(folded)  # type: ignore[arg-type]


def required_chars(pattern: str) -> frozenset[str] | None:
    """Characters of which every match of ``pattern`` contains one, each one that ``re`` matches only as
    itself whatever the flags (``uncased``); None when there is no such set. The compiled matcher skips a
    start-anchored entry on a line that holds none of its characters (one pass over the line in C
    instead of a ``re`` call): a tag list needs a separator, ``[,;|·•]``."""
    found = _sequence(sre_parse.parse(pattern).data, _char_score)
    if not found:
        return None
    chars = {_uncased_char(literal) for literal in found}
    return None if None in chars else frozenset(chars)  # type: ignore[arg-type]


def uncased(char: str) -> bool:
    """Whether ``re`` matches this character only as itself, case-insensitively too (re compiles an
    uncased literal as a plain one, and no cased character lowers to it); tables keep the BMP only."""
    return ord(char) < 0x10000 and not _sre.unicode_iscased(ord(char))


def _uncased_char(literal: str) -> str | None:
    """The character of the literal to look for: punctuation before digits before a space (rarer in
    prose first); None when every character has case."""
    chars = [char for char in literal if uncased(char)]
    return min(chars, key=lambda char: (char.isspace(), char.isalnum()), default=None)


def _char_score(found: frozenset[str]) -> tuple[bool, bool, int]:
    """Prefer sets whose every literal has an uncased character, then sets without a space, then fewer."""
    chars = [_uncased_char(literal) for literal in found]
    usable = None not in chars
    return usable, usable and not any(char.isspace() for char in chars), -len(set(chars))  # type: ignore[union-attr]


def _useful(literal: str) -> bool:
    """One ASCII character ('.', ':', 'a') is in most lines and filters nothing; '…' or '©' does."""
    return len(literal) > 1 or not literal.isascii()


def _score(found: frozenset[str]) -> tuple[bool, int, int]:
    """Prefer sets that are usable, then a longer shortest literal (fewer false candidates), then fewer."""
    return all(map(_useful, found)), min(len(literal) for literal in found), -len(found)


_Score = Callable[[frozenset[str]], tuple[object, ...]]


def _sequence(items: Sequence[tuple[object, object]], score: _Score = _score) -> frozenset[str] | None:
    """The best literal set of a sequence (by ``score``): a run of literal characters, or one item's own
    set (every match of a sequence contains a match of each of its items)."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or score(candidate) > score(best)):
            best = candidate

    for op, arg in items:
        if op == _C.LITERAL:
            run.append(chr(arg))  # type: ignore[arg-type]
            continue
        if run:
            consider(frozenset({"".join(run)}))
            run = []
        consider(_item(op, arg, score))
    if run:
        consider(frozenset({"".join(run)}))
    return best


def _item(op: object, arg: object, score: _Score) -> frozenset[str] | None:
    """The literal set of one parsed item; None for what can match without one (assertions too)."""
    if op == _C.SUBPATTERN:
        return _sequence(arg[3].data, score)  # type: ignore[index]
    if op == getattr(_C, "ATOMIC_GROUP", None):
        return _sequence(arg.data, score)  # type: ignore[attr-defined]
    if op in _REPEATS:
        return _sequence(arg[2].data, score) if arg[0] >= 1 else None  # type: ignore[index]
    if op == _C.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:  # type: ignore[index]
            found = _sequence(branch.data, score)
            if not found:
                return None
            union |= found
        return frozenset(union)
    if op == _C.IN:
        return _class_literals(arg)  # type: ignore[arg-type]
    return None


def _class_literals(items: Sequence[tuple[object, object]]) -> frozenset[str] | None:
    chars = set()
    for op, arg in items:
        if op != _C.LITERAL:
            return None
        chars.add(chr(arg))  # type: ignore[arg-type]
    return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None


class LiteralGate:
    """The lines where one of a detector's literals occurs (within the last ``tail`` characters of
    the line when the detector searches only there)."""

    def __init__(self, literals: frozenset[str] | Mapping[str, int], tail: int | None) -> None:
        """``literals``: the strings, or each string with the patterns that need it (bits, ``open_entries``;
        plain strings name none: every open line then gets 0)."""
        self.tail = tail
        owners = literals if isinstance(literals, Mapping) else dict.fromkeys(literals)
        self._automaton = ahocorasick.Automaton()  # the reference of the compiled scanner (tests compare them)
        for literal, bits in owners.items():
            self._automaton.add_word(literal, bits)
        self._automaton.make_automaton()
        keys = sorted(owners)
        try:
            self._scanner: PhraseScanner | None = PhraseScanner(keys, [owners[key] for key in keys])
        except ValueError:  # more states or characters than the compiled table holds
            self._scanner = None

    @classmethod
    def for_patterns(cls, patterns: Sequence[str], tail: int | None) -> LiteralGate | None:
        """A gate for these patterns, or None when one of them has no literal set."""
        owners: dict[str, int] = {}
        for entry, pattern in enumerate(patterns):
            literals = required_literals(pattern)
            if literals is None:
                return None
            for literal in literals:
                owners[literal] = owners.get(literal, 0) | 1 << entry
        return cls(owners, tail)

    def open_lines(self, texts: Sequence[str]) -> set[int] | None:
        """Positions of the texts the detector may match; None when the searched text holds a
        character the gate cannot reason about (then every line is tried)."""
        if self.tail is not None:  # a match starts in the last ``tail`` characters, its literal too
            texts = [text[-self.tail:] for text in texts]
        document = "\n".join(texts)
        if unsafe_text().search(document):
            return None
        starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
        lowered = document.lower()
        found = self._scanner.scan(lowered) if self._scanner is not None else self._automaton.iter(lowered)
        return {bisect_right(starts, end) - 1 for end, _ in found}

    def open_entries(self, texts: Sequence[str]) -> dict[int, int] | None:
        """Per position of a text the detector may match (``open_lines``), its patterns (bits, by their
        index in ``for_patterns``) whose literal occurs there: only those can match that line."""
        if self.tail is not None:
            texts = [text[-self.tail:] for text in texts]
        document = "\n".join(texts)
        if unsafe_chars().found_in(document):
            return None
        lowered = document.lower()
        found = self._scanner.scan(lowered) if self._scanner is not None else self._automaton.iter(lowered)
        return entries_by_line(found, [len(text) for text in texts])


_ONE_CHARACTER = (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY)
_ZERO_WIDTH = (_C.AT, _C.ASSERT, _C.ASSERT_NOT)
_Step = tuple[object, object, int]  # one character of a match: (op, frozen arg, flags), as re parsed it
_Path = tuple[tuple[_Step, ...], bool]  # the first characters of some matches; True: still extendable


class StartGate:
    """Which start-anchored patterns can match a line, read off the line's first ``depth`` characters.

    Each pattern's parse tree is walked into *paths*: sequences of one-character items (a literal,
    a class, ``.``) that the first characters of every match follow, one path per way through the
    pattern's alternations and optional parts, cut short where the walk stops knowing (a repeat's
    extra rounds, a group reference, more than ``cap`` paths); zero-width assertions are skipped.
    Every match of a pattern therefore begins with the characters of one of its paths, so a line whose
    first characters follow none of a pattern's paths cannot match it: the gate only ever answers
    "maybe" too often, never "no" wrongly.

    Whether a character fits an item is asked of ``re`` itself (the item compiled alone, with the
    flags in force there), so case folding is ``re``'s, ``ſ`` and ``K`` included. The answers are
    kept per position and character (at most ``_MAX_CACHED`` each, then computed anew).
    """

    def __init__(self, patterns: Sequence[str], depth: int = 4, cap: int = 256, backwards: bool = False) -> None:
        self.depth = depth
        paths = [(entry, steps) for entry, pattern in enumerate(patterns)
                 for steps in start_paths(pattern, depth, cap, backwards)]
        self._entry_of = [entry for entry, _ in paths]
        self._paths_of = [0] * len(patterns)  # per pattern, its paths (consecutive bits)
        for bit, (entry, _) in enumerate(paths):
            self._paths_of[entry] |= 1 << bit
        self._all = (1 << len(paths)) - 1
        self._ended: list[int] = []  # per position: the paths no longer than it (they accept anything there)
        self._items: list[list[tuple[re.Pattern[str], int]]] = []  # per position: (item, paths using it)
        for position in range(depth + 1):
            by_step: dict[_Step, int] = {}
            ended = 0
            for bit, (_, steps) in enumerate(paths):
                if len(steps) <= position:
                    ended |= 1 << bit
                else:
                    by_step[steps[position]] = by_step.get(steps[position], 0) | 1 << bit
            self._ended.append(ended)
            self._items.append([(_compile_step(step), bits) for step, bits in by_step.items()])
        self._tables: list[dict[str, int]] = [{} for _ in range(depth)]

    def mask(self, text: str) -> int:
        """The paths (bits) that the line's first characters follow."""
        found = self._all
        for position, char in enumerate(text[:self.depth]):
            table = self._tables[position]
            bits = table.get(char)
            if bits is None:
                bits = self._fits(position, char)
                if len(table) < _MAX_CACHED:
                    table[char] = bits
            found &= bits
        if len(text) < self.depth:
            found &= self._ended[len(text)]
        return found

    def entries(self, mask: int) -> list[int]:
        """The patterns (indexes, ascending) that own one of these paths: a pattern's paths are
        consecutive bits, so the lowest bit left names the next pattern, and all its bits go at once."""
        found = []
        while mask:
            entry = self._entry_of[(mask & -mask).bit_length() - 1]
            found.append(entry)
            mask &= ~self._paths_of[entry]
        return found

    def _fits(self, position: int, char: str) -> int:
        bits = self._ended[position]
        for item, paths in self._items[position]:
            if item.fullmatch(char) is not None:
                bits |= paths
        return bits


@lru_cache(maxsize=4096)
def start_paths(pattern: str, depth: int, cap: int, backwards: bool = False) -> tuple[tuple[_Step, ...], ...]:
    """The paths of one pattern (``StartGate``), walked once per process: language sets share patterns.
    ``backwards``: the last characters of its matches, last first (walked from the pattern's end)."""
    parsed = sre_parse.parse(pattern)
    walked = _PathWalker(depth, cap, backwards).sequence(parsed.data, parsed.state.flags, [((), True)])
    return tuple(dict.fromkeys(steps for steps, _ in walked))


def ends_at_line_end(pattern: str) -> bool:
    """Whether every match of the pattern ends where the text ends (its last item is ``$`` outside any
    alternation), so that its last characters are the text's (a text that ends with a newline aside)."""
    items = sre_parse.parse(pattern).data
    while items:
        op, arg = items[-1]
        if op == _C.SUBPATTERN:
            items = arg[3].data  # type: ignore[index]
            continue
        return op == _C.AT and arg in (_C.AT_END, _C.AT_END_STRING)
    return False


class _PathWalker:
    """Walks a parse tree into at most ``cap`` paths of at most ``depth`` steps (from its end when
    ``backwards``: every sequence is read last item first)."""

    def __init__(self, depth: int, cap: int, backwards: bool = False) -> None:
        self.depth = depth
        self._cap = cap
        self._backwards = backwards

    def sequence(self, items: Sequence[tuple[object, object]], flags: int, paths: list[_Path]) -> list[_Path]:
        for op, arg in (reversed(items) if self._backwards else items):
            if not any(open_ for _, open_ in paths):
                break
            paths = self._shrink(self._item(op, arg, flags, paths))
        return paths

    def _item(self, op: object, arg: object, flags: int, paths: list[_Path]) -> list[_Path]:
        if op in _ONE_CHARACTER:
            step = (op, _freeze(arg), flags)
            return [(steps + (step,), True) if open_ and len(steps) < self.depth else (steps, False)
                    for steps, open_ in paths]
        if op in _ZERO_WIDTH:
            return paths  # an assertion only narrows what matches
        if op == _C.SUBPATTERN:
            _, add, remove, sub = arg  # type: ignore[misc]
            return self.sequence(sub.data, sre_compile._combine_flags(flags, add, remove), paths)  # as re does
        if op == getattr(_C, "ATOMIC_GROUP", None):
            return self.sequence(arg.data, flags, paths)  # type: ignore[attr-defined]  # matches a subset
        if op == _C.BRANCH:
            return [path for branch in arg[1] for path in self.sequence(branch.data, flags, paths)]  # type: ignore[index]
        if op in _REPEATS:  # possessive repeats match a subset of the greedy ones
            low, high, sub = arg  # type: ignore[misc]
            for _ in range(min(low, self.depth)):
                paths = self.sequence(sub.data, flags, paths)
            if high > low:  # stop here, or go one round further and stop knowing
                paths = paths + [(steps, False) for steps, _ in self.sequence(sub.data, flags, paths)]
            return paths
        return [(steps, False) for steps, _ in paths]  # anything else: the path stops knowing here

    def _shrink(self, paths: list[_Path]) -> list[_Path]:
        """At most ``cap`` distinct paths: cut them all shorter (which only loosens them) until they fit."""
        if len(paths) <= self._cap:
            return paths
        paths = list(dict.fromkeys(paths))
        length = max((len(steps) for steps, _ in paths), default=0)
        while len(paths) > self._cap and length > 0:
            length -= 1
            paths = list(dict.fromkeys((steps[:length], open_ and len(steps) <= length) for steps, open_ in paths))
        return paths


_MAX_CACHED = 4096


def _freeze(arg: object) -> object:
    return tuple(map(_freeze, arg)) if isinstance(arg, (list, tuple)) else arg


def _compile_step(step: _Step) -> re.Pattern[str]:
    """One parsed one-character item as a pattern of its own, with the flags in force where it stood."""
    op, arg, flags = step
    state = sre_parse.State()
    state.flags = flags
    item = (op, list(arg)) if op == _C.IN else (op, arg)  # type: ignore[call-overload]
    return sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
