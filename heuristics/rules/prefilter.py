"""A literal prefilter for the searched regex detectors: which lines a detector need not try.

Most patterns cannot match without some literal text: ``\\|\\s?\\d{1,6}\\s?comment\\(?s\\)?$`` needs
"comment". ``required_literals`` reads such a set off the parsed pattern (every match contains one
of the strings). When every entry of a searched detector has one, a ``LiteralGate`` finds them all
in one Aho-Corasick pass over the lower-cased document and names the lines where the detector can
match; for the end-anchored detector only literals inside the searched tail of a line count. The
matcher skips the detector on the other lines, where its search would have found nothing, so the
hits are the same; the gate only ever answers "maybe" too often, never "no" wrongly.

Start-anchored detectors are not gated: their costly patterns (dates, tag lists, bylines) have no
usable literal, so they are tried on every line anyway (measured: docs/speed.md).

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
from re import _constants as sre_constants
from re import _parser as sre_parse
from typing import Sequence

import ahocorasick

_C = sre_constants
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None))
_MAX_CLASS = 8  # a character class of up to this many literal characters is a literal set


def _representative(lower: int) -> int:
    """The member of ``re``'s case-insensitive class of a lower-case code point that stands for it."""
    return min((lower, *_casefix._EXTRA_CASES.get(lower, ())))


@lru_cache(maxsize=1)
def unsafe_text() -> re.Pattern[str]:
    """Characters whose ``str.lower`` differs from how ``re`` folds them (see the module docstring)."""
    odd = {"\u0130", "\u03a3"}  # İ lowers to two characters; Σ to σ or ς by context
    for lower, others in _casefix._EXTRA_CASES.items():
        for member in (lower, *others):
            if member != _representative(member):
                char = chr(member)
                odd.update(c for c in (char, char.upper(), char.title())
                           if len(c) == 1 and ord(c.lower()) == member)
    return re.compile("[" + "".join(re.escape(c) for c in sorted(odd)) + "]")


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


def _useful(literal: str) -> bool:
    """One ASCII character ('.', ':', 'a') is in most lines and filters nothing; '…' or '©' does."""
    return len(literal) > 1 or not literal.isascii()


def _score(found: frozenset[str]) -> tuple[bool, int, int]:
    """Prefer sets that are usable, then a longer shortest literal (fewer false candidates), then fewer."""
    return all(map(_useful, found)), min(len(literal) for literal in found), -len(found)


def _sequence(items: Sequence[tuple[object, object]]) -> frozenset[str] | None:
    """The best literal set of a sequence: a run of literal characters, or one item's own set (every
    match of a sequence contains a match of each of its items)."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(candidate: frozenset[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or _score(candidate) > _score(best)):
            best = candidate

    for op, arg in items:
        if op == _C.LITERAL:
            run.append(chr(arg))  # type: ignore[arg-type]
            continue
        if run:
            consider(frozenset({"".join(run)}))
            run = []
        consider(_item(op, arg))
    if run:
        consider(frozenset({"".join(run)}))
    return best


def _item(op: object, arg: object) -> frozenset[str] | None:
    """The literal set of one parsed item; None for what can match without one (assertions too)."""
    if op == _C.SUBPATTERN:
        return _sequence(arg[3].data)  # type: ignore[index]
    if op == getattr(_C, "ATOMIC_GROUP", None):
        return _sequence(arg.data)  # type: ignore[attr-defined]
    if op in _REPEATS:
        return _sequence(arg[2].data) if arg[0] >= 1 else None  # type: ignore[index]
    if op == _C.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:  # type: ignore[index]
            found = _sequence(branch.data)
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

    def __init__(self, literals: frozenset[str], tail: int | None) -> None:
        self.tail = tail
        self._automaton = ahocorasick.Automaton()
        for literal in literals:
            self._automaton.add_word(literal, None)
        self._automaton.make_automaton()

    @classmethod
    def for_patterns(cls, patterns: Sequence[str], tail: int | None) -> LiteralGate | None:
        """A gate for these patterns, or None when one of them has no literal set."""
        union: set[str] = set()
        for pattern in patterns:
            literals = required_literals(pattern)
            if literals is None:
                return None
            union |= literals
        return cls(frozenset(union), tail)

    def open_lines(self, texts: Sequence[str]) -> set[int] | None:
        """Positions of the texts the detector may match; None when the searched text holds a
        character the gate cannot reason about (then every line is tried)."""
        if self.tail is not None:  # a match starts in the last ``tail`` characters, its literal too
            texts = [text[-self.tail:] for text in texts]
        document = "\n".join(texts)
        if unsafe_text().search(document):
            return None
        starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
        return {bisect_right(starts, end) - 1 for end, _ in self._automaton.iter(document.lower())}
