"""Every rule pattern runs in time linear in the line's length, on adversarial strings built from itself.

No wall-clock limits: each check compares the best time on an adversarial string of size n with the
best time at 4n (``adversarial.py`` builds the strings: the pattern's repeats pumped with failing
tails, its near miss repeated, its pieces repeated). Linear matching grows about 4x, quadratic 16x,
catastrophic backtracking without bound; the assert allows ``BOUND`` x plus ``SLACK`` seconds (timer
noise on a busy two-core machine), and re-measures with more runs before failing.

Patterns are compiled as the engine compiles them (case-insensitive unless the rule says otherwise).
Prefixes and start-anchored regexes are tried with ``match`` (the engine tries them at the line's
start only); the rest with ``search`` over the whole string, which is stricter than the engine (it
searches end-anchored ones only in the line's tail and guarded ones only where their literal occurs).
The combined detectors of every language set and ``match_lines`` itself are checked the same way.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from adversarial import attacks, linear_enough, near_miss

from heuristics.rules import Rule, default_ruleset, match_lines
from heuristics.segment import make_line, segment_text

N = 2000          # pumps of a pattern's repeated piece (a few thousand characters); 4N is compared
BOUND = 8.0       # linear: ~4; quadratic: ~16
SLACK = 0.002     # seconds: below this a difference is timer noise, not growth

RULESET = default_ruleset()


def _compiled(rule: Rule, pattern: str) -> re.Pattern[str]:
    return re.compile(pattern if rule.case else f"(?i:{pattern})")


def _engine_patterns() -> dict[str, tuple[re.Pattern[str], str]]:
    """Every regex and prefix pattern of every language: (compiled, ``match`` or ``search``)."""
    found: dict[str, tuple[re.Pattern[str], str]] = {}
    for table in (RULESET.regexes, RULESET.prefixes):
        for entries in table.values():
            for rule, pattern in entries:
                how = "match" if rule.kind == "prefix" or pattern.startswith("^") else "search"
                found.setdefault(pattern, (_compiled(rule, pattern), how))
    return found


PATTERNS = _engine_patterns()
LANGUAGE_SETS = sorted({RULESET.languages_for(lang) for lang in RULESET.languages})


def _attacks(source: str) -> list[Callable[[int], str]]:
    compiled, _ = PATTERNS[source]
    return attacks(source.lstrip("^"), compiled.flags & re.IGNORECASE)


def test_every_rule_pattern_is_under_test():
    languages = {lang for table in (RULESET.regexes, RULESET.prefixes) for lang in table}
    assert len(PATTERNS) > 250 and languages == set(RULESET.languages)
    assert {how for _, how in PATTERNS.values()} == {"match", "search"}


@pytest.mark.parametrize("source", sorted(PATTERNS), ids=lambda s: s[:60])
def test_pattern_time_grows_linearly_on_its_own_pieces(source):
    compiled, how = PATTERNS[source]
    run = compiled.match if how == "match" else compiled.search
    builders = _attacks(source)
    assert builders, "no adversarial string could be built"
    slow = []
    for build in builders:
        ok, small, large = linear_enough(lambda n, build=build: (lambda text=build(n): run(text)), N, BOUND, SLACK)
        if not ok:
            slow.append((build(8)[:60], f"{small * 1e3:.2f} ms -> {large * 1e3:.2f} ms"))
    assert not slow, slow[:3]


@pytest.mark.parametrize("langs", LANGUAGE_SETS, ids="-".join)
def test_combined_detectors_grow_linearly(langs):
    """The one-pass detectors of a language set (``regex_set(langs)``) on its patterns' attack strings."""
    detectors = RULESET.regex_set(langs).detectors
    sources = {pattern for table in (RULESET.regexes, RULESET.prefixes) for lang in langs
               for _, pattern in table.get(lang, ())}
    slow = []
    for source in sorted(sources):
        for build in _attacks(source)[:2]:
            def run(n: int, build: Callable[[int], str] = build) -> Callable[[], object]:
                text = build(n)
                return lambda: [detector.find(text) for detector in detectors]

            ok, small, large = linear_enough(run, N // 4, BOUND, SLACK, runs=2)
            if not ok:
                slow.append((source[:60], f"{small * 1e3:.2f} ms -> {large * 1e3:.2f} ms"))
    assert not slow, slow[:3]



@pytest.mark.parametrize("langs", LANGUAGE_SETS, ids="-".join)
def test_start_gate_and_its_candidates_grow_linearly(langs):
    """The start gate (``_Detector.candidates``) and the candidate patterns it leaves, on the attack
    strings of the start-anchored patterns (the gate reads four characters; the candidates are tried
    with ``match`` as the matcher tries them)."""
    detectors = [d for d in RULESET.regex_set(langs).detectors if d.anchored]
    sources = {pattern for table in (RULESET.regexes, RULESET.prefixes) for lang in langs
               for rule, pattern in table.get(lang, ()) if PATTERNS[pattern][1] == "match"}
    slow = []
    for source in sorted(sources):
        for build in _attacks(source)[:2]:
            def run(n: int, build: Callable[[int], str] = build) -> Callable[[], object]:
                text = build(n)
                return lambda: [single.match(text) for d in detectors for _, single in d.candidates(text)]

            ok, small, large = linear_enough(run, N // 4, BOUND, SLACK, runs=2)
            if not ok:
                slow.append((source[:60], f"{small * 1e3:.2f} ms -> {large * 1e3:.2f} ms"))
    assert not slow, slow[:3]


def _near_miss_lines() -> list[str]:
    """One nearly-matching line per pattern and per line/phrase rule (its text with the last letter cut)."""
    lines = [near_miss(source.lstrip("^"), compiled.flags & re.IGNORECASE)
             for source, (compiled, _) in PATTERNS.items()]
    lines += [key[:-1] for key in RULESET.line_table]
    lines += [phrase[:-1] + " and more" for entries in RULESET.phrases.values() for phrase, _ in entries]
    return [line for line in lines if line.strip()]


NEAR_MISSES = _near_miss_lines()


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_match_lines_on_10000_near_miss_lines_grows_linearly(language):
    def run(n: int) -> Callable[[], object]:
        lines = segment_text("\n".join(NEAR_MISSES[i % len(NEAR_MISSES)] for i in range(n)))
        return lambda: match_lines(lines, RULESET, language)

    ok, small, large = linear_enough(run, 2500, BOUND, SLACK * 10, runs=2)
    assert ok, f"2,500 lines {small:.3f} s, 10,000 lines {large:.3f} s"


@pytest.mark.parametrize("piece", ["a", "1", "©", "Foto:", "Published", "-", "|", "GettyImages/", "Foto: ", "© AFP "])
def test_one_long_line_of_a_repeated_piece_grows_linearly(piece):
    """One huge 'word' passes every max_words gate, so every detector runs on it; a spaced piece makes a
    line of many words, which prefix rules (no word limit) still see."""
    def run(n: int) -> Callable[[], object]:
        lines = [make_line(0, piece * (n // len(piece)))]
        return lambda: match_lines(lines, RULESET, "en")

    ok, small, large = linear_enough(run, 50_000, BOUND, SLACK * 5)
    assert ok, f"{small * 1e3:.1f} ms -> {large * 1e3:.1f} ms"


def test_the_growth_check_catches_a_quadratic_pattern():
    """The check can fail: an unanchored ``\\d++\\s?x`` searched in a long run of digits rescans the
    rest of the line from every start (quadratic), which the loader's lint does not refuse."""
    compiled = re.compile(r"\d++\s?x")
    ok, small, large = linear_enough(lambda n: (lambda text="1" * n: compiled.search(text)), N // 2, BOUND, SLACK)
    assert not ok, f"a quadratic search passed as linear: {small * 1e3:.2f} ms -> {large * 1e3:.2f} ms"
