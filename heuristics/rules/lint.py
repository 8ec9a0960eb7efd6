"""The linear-time lint: a pattern that could backtrack catastrophically is refused when the rules load."""
from __future__ import annotations

import re
from re import _constants as sre_constants  # the parser behind re: the lint walks its tree
from re import _parser as sre_parse

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
