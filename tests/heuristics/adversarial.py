"""Adversarial strings built from a regex itself, and a growth-ratio check of how long matching takes.

A pattern that backtracks badly does so on its own pieces pumped many times: ``pumps`` walks the
parsed pattern and, for every repeat in it, yields (what leads up to the repeat, one copy of the
repeat's body); an attack is the lead, the body ``n`` times and a tail that makes the match fail.
``near_misses`` are strings that almost match (the pattern's sample with its last character cut).
``growth`` times a function at size n and 4n (best of several runs), the ratio a test bounds.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from re import _compiler as sre_compile
from re import _constants as C
from re import _parser as sre_parse

# Characters tried, in order, as the representative of a class (the first the class accepts wins).
CANDIDATES = "ae1 .,:-/|©é»–'\"()[]!?xZя№@#%&*+_;ñß"
FAIL_TAILS = ("\x00", "!", " ")
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}


def _member(item: tuple, flags: int) -> str:
    """A character the single-item pattern ``item`` (a class, a category, a negated literal) accepts."""
    key = (repr(item), flags)
    if key not in _MEMBERS:
        state = sre_parse.State()
        state.flags = flags
        compiled = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags)
        _MEMBERS[key] = next((char for char in CANDIDATES if compiled.fullmatch(char)), "")
    return _MEMBERS[key]


_MEMBERS: dict[tuple[str, int], str] = {}


def sample(sub: sre_parse.SubPattern, reps: int = 1, flags: int = 0) -> str:
    """A string close to what ``sub`` matches; every repeat body is written ``reps`` times (within its bounds)."""
    out = []
    for op, arg in sub.data:
        if op == C.LITERAL:
            out.append(chr(arg))
        elif op in (C.IN, C.NOT_LITERAL, C.ANY):
            out.append(_member((op, arg), flags))
        elif op in _REPEATS:
            low, high, body = arg
            count = max(low, min(high, reps))
            out.append(sample(body, reps, flags) * count)
        elif op == C.SUBPATTERN:
            out.append(sample(arg[3], reps, flags | arg[1]))
        elif op == C.BRANCH:
            out.append(sample(arg[1][0], reps, flags))
        elif op == getattr(C, "ATOMIC_GROUP", None):
            out.append(sample(arg, reps, flags))
        # AT (anchors), ASSERT / ASSERT_NOT (lookarounds) consume nothing
    return "".join(out)


def pumps(sub: sre_parse.SubPattern, flags: int = 0) -> Iterator[tuple[str, str]]:
    """(lead, body) for every repeat that may run more than once, nested ones and branches included."""
    items = sub.data
    for i, (op, arg) in enumerate(items):
        lead = sample(sre_parse.SubPattern(sub.state, items[:i]), 1, flags)
        if op in _REPEATS:
            low, high, body = arg
            if high > 1:
                yield lead, sample(body, 1, flags) or " "
            for inner_lead, inner_body in pumps(body, flags):
                yield lead + inner_lead, inner_body
        elif op == C.SUBPATTERN:
            for inner_lead, inner_body in pumps(arg[3], flags | arg[1]):
                yield lead + inner_lead, inner_body
        elif op == C.BRANCH:
            for alternative in arg[1]:
                for inner_lead, inner_body in pumps(alternative, flags):
                    yield lead + inner_lead, inner_body
        elif op == getattr(C, "ATOMIC_GROUP", None):
            for inner_lead, inner_body in pumps(arg, flags):
                yield lead + inner_lead, inner_body


def parse(pattern: str, flags: int = 0) -> sre_parse.SubPattern:
    return sre_parse.parse(pattern, flags)


MAX_ATTACKS = 60


def attacks(pattern: str, flags: int = 0) -> list[Callable[[int], str]]:
    """Builders of adversarial strings of size ~n for ``pattern``: pumped repeats with failing tails,
    its near-miss repeated, and all its pieces repeated; at most ``MAX_ATTACKS``, spread evenly over
    the pattern (a date pattern with dozens of alternatives yields hundreds of pumps)."""
    tree = parse(pattern, flags)
    builders: list[Callable[[int], str]] = []
    seen: set[tuple[str, str]] = set()
    for lead, body in pumps(tree, flags):
        if (lead, body) in seen:
            continue
        seen.add((lead, body))
        for tail in FAIL_TAILS:
            builders.append(lambda n, lead=lead, body=body, tail=tail: lead + body * n + tail)
    near = near_miss(pattern, flags)
    if near:
        builders.append(lambda n, near=near: " ".join([near] * max(1, n // len(near))))
        builders.append(lambda n, near=near: near * max(1, n // len(near)))
    pieces = sample(tree, 3, flags)
    if pieces:
        builders.append(lambda n, pieces=pieces: (pieces[:-1] * max(1, n // len(pieces)))[:n + len(pieces)])
    stride = -(-len(builders) // MAX_ATTACKS)
    return builders[::stride]


def near_miss(pattern: str, flags: int = 0) -> str:
    """The pattern's sample with its last character cut: a line that nearly matches."""
    return sample(parse(pattern, flags), 2, flags)[:-1]


def best_of(fn: Callable[[], object], runs: int) -> float:
    """The best of ``runs`` timings, with the garbage collector off: a collection walks every object the
    process holds, so its pauses grow with whatever the tests that ran before left on the heap."""
    best = float("inf")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - started)
    finally:
        if was_enabled:
            gc.enable()
    return best


def growth(run: Callable[[int], Callable[[], object]], n: int, runs: int = 5) -> tuple[float, float]:
    """(best time at n, best time at 4n) of ``run(size)()``; the builders are made before timing."""
    small, large = run(n), run(4 * n)
    return best_of(small, runs), best_of(large, runs)


def linear_enough(run: Callable[[int], Callable[[], object]], n: int, bound: float, slack: float,
                  runs: int = 3) -> tuple[bool, float, float]:
    """Whether time(4n) <= bound * time(n) + slack; measured again with more runs before saying no,
    so that a busy machine (other engineers' benchmarks on the two cores) does not fail the test."""
    small = large = 0.0
    for attempt in range(3):
        small, large = growth(run, n, runs * (attempt + 1))
        if large <= bound * small + slack:
            return True, small, large
    return False, small, large
