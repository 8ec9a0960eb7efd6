"""The compiled per-line loop of the rules stage (``_rules.LineMatcher``, ``fold_lines``, ``phrase_hits``,
``CharSet``) against its Python reference (``matcher._match_lines_python``), and the two cuts it adds
(entries that need a character, the end gate): neither may drop a hit."""
from __future__ import annotations

import random
import re

import pytest
from test_rules_prefilter import RULESET, _documents, _tricky

from heuristics._rules import CharSet, fold_lines
from heuristics.html.lines import lines_from_html
from heuristics.rules import match_lines, matcher
from heuristics.rules.compiler import _flagged
from heuristics.rules.prefilter import ends_at_line_end, required_chars, uncased, unsafe_chars, unsafe_text
from heuristics.segment import Line, phrase_form, segment_text

LANGUAGE_SETS = sorted({RULESET.languages_for(lang) for lang in RULESET.languages})


def _as_tuples(found: list[list]) -> list[list[tuple]]:
    return [[(hit.rule.id, hit.groups, hit.end) for hit in line] for line in found]


def _both(lines: list[Line], language: str | None) -> tuple[list[list[tuple]], list[list[tuple]]]:
    return (_as_tuples(match_lines(lines, RULESET, language)),
            _as_tuples(matcher._match_lines_python(lines, RULESET, language)))


@pytest.mark.parametrize("name,language,lines", _documents(), ids=lambda value: value if isinstance(value, str) else "")
def test_the_compiled_loop_finds_the_hits_of_the_python_loop(name, language, lines):
    variants = [variant for line in lines if line for variant in _tricky(line)]
    for language_ in {language, "de"}:
        compiled, reference = _both(segment_text("\n".join(variants)), language_)
        assert compiled == reference
    assert any(compiled)


_WORDS = ("Facebook", "Twitter", "X", "Email", "Share", "comments", "Comment", "photo", "Photo:", "AP", "Reuters",
          "Getty Images", "by", "By", "Published", "Updated", "May", "June", "2024", "12:30", "Tags:", "Home",
          "News", "›", "»", "|", "•", "·", "…", "...", "(", ")", "©", "/", "-", ",", ";", ":", "Read", "more",
          "min", "read", "ago", "hours", "Foto:", "dpa", "Teilen", "Kommentare", "Seite", "page", "of", "1", "2")


def _random_lines(rng: random.Random, count: int) -> list[str]:
    lines = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.choice((1, 2, 3, 5, 8, 30, 130)))]
        glue = rng.choice((" ", " ", ", ", " | ", "-", " \u00a0"))
        line = glue.join(words)
        lines.append(rng.choice((line, line.upper(), line + ".", "(" + line + ")", line.replace("s", "ſ"))))
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_the_compiled_loop_on_random_lines(seed):
    rng = random.Random(seed)
    lines = segment_text("\n".join(_random_lines(rng, 600)))
    for language in ("en", "de", "fr", None):
        compiled, reference = _both(lines, language)
        assert compiled == reference
    assert sum(map(len, compiled)) > 50


def test_the_compiled_loop_on_html_lines_with_containers():
    tokens = sorted(RULESET.containers)[:40]
    blocks = "".join(f'<div class="{token}"><p>Share this story</p><p>{"Word " * (index % 9 + 1)}</p>'
                     f'<a href="/x">Read more ›</a></div>' for index, token in enumerate(tokens))
    body = "<p>" + "The council approved the new budget after a long debate. " * 8 + "</p>"
    lines, _ = lines_from_html(f"<html><body><article>{body}{blocks}{body}</article></body></html>")
    assert sum(bool(line.html) for line in lines) > 40
    compiled, reference = _both(lines, "en")
    assert compiled == reference
    assert sum(map(len, compiled)) > 40


def test_fold_lines_is_phrase_form():
    rng = random.Random(3)
    pool = "aBc-–—’'  \u00a0\u2003\t\u3000ßİΣﬁ-x-"
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    texts += ["- a -", "--", "a--b", " -x- ", "Anti-Bias  -  Rules’"]
    lines = [Line(index, text, text, len(text.split())) for index, text in enumerate(texts)]
    expected = [phrase_form(text) if 0 < len(text.split()) <= 3 else "" for text in texts]
    assert fold_lines(lines, 3) == expected


def test_the_unsafe_character_set_is_the_regex():
    rng = random.Random(5)
    pool = "abcİıſKkΣσ μµ\u212a\U0001f600é"
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 6))) for _ in range(5000)]
    assert [unsafe_chars().found_in(text) for text in texts] == [bool(unsafe_text().search(text)) for text in texts]
    assert CharSet("\U0001f600").found_in("a\U0001f600") and not CharSet("x").found_in("\U0001f600")


def _all_characters() -> str:
    return "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)


def test_needed_characters_are_matched_by_re_only_as_themselves():
    """``required_chars`` keeps characters without case: ``re`` then matches each only as itself, with
    ``IGNORECASE`` too (as a literal and inside a class), so a line without it cannot match."""
    needed = {char for table in (RULESET.regexes, RULESET.prefixes) for entries in table.values()
              for rule, pattern in entries for char in required_chars(_flagged(rule, pattern)) or ()}
    assert {",", "|"} <= needed
    everything = _all_characters()
    for char in sorted(needed):
        assert uncased(char)
        assert re.findall("(?i)" + re.escape(char), everything) == [char]
        assert re.findall("(?i)[" + re.escape(char) + "x]", everything) == sorted([char, "x", "X"], key=ord)


def test_every_match_of_a_pattern_holds_a_character_it_needs():
    lines = [line for _, _, doc in _documents() for line in doc if line]
    checked = 0
    for table in (RULESET.regexes, RULESET.prefixes):
        for entries in table.values():
            for rule, pattern in entries:
                chars = required_chars(_flagged(rule, pattern))
                if chars is None:
                    continue
                compiled = re.compile(_flagged(rule, pattern))
                for line in lines:
                    for text in _tricky(line)[:2]:
                        for match in compiled.finditer(text):
                            checked += 1
                            assert chars & set(match.group(0)), (pattern, text)
    assert checked > 100


@pytest.mark.parametrize("pattern,expected", [
    (r"(?P<tags>[A-Z]\w*(?:\s?[,;|]\s?[A-Z]\w*){1,15}+)$", {",", ";", "|"}),
    (r"\d+ comments?$", {" "}),
    (r"(?i:share|tweet)", None),
    (r"a{0,3}b", None),
    (r"(?:\(|\[)photo", {"(", "["}),
])
def test_required_chars(pattern, expected):
    assert required_chars(pattern) == (frozenset(expected) if expected else None)


@pytest.mark.parametrize("pattern,expected", [
    (r"\d+ comments?$", True), (r"(?i:(?:a|b)c$)", True), (r"(?:a$|b)", False), (r"abc", False), (r"a$\d?", False),
])
def test_ends_at_line_end(pattern, expected):
    assert ends_at_line_end(pattern) is expected


def test_the_end_gate_never_drops_a_hit():
    """Every pattern in a set's end gate, searched anywhere in the line (a superset of how the matcher
    tries it), matches only lines whose end the gate allows for it."""
    regex_set = RULESET.regex_set(("xx", "en"))
    gated = [(bit, re.compile(pattern)) for bit, pattern in enumerate(regex_set.end_patterns) if pattern is not None]
    lines = [text for _, _, doc in _documents() for line in doc if line for text in _tricky(line)]
    checked = matched = closed = 0
    for text in lines:
        allowed = regex_set.allowed_at_end(text)
        for bit, pattern in gated:
            checked += 1
            if pattern.search(text) is not None:
                matched += 1
                assert allowed & 1 << bit, (pattern.pattern, text)
            closed += not allowed & 1 << bit
    assert matched > 100 and closed > checked // 2


def test_the_end_paths_of_every_language_keep_their_matches():
    """The end-gated patterns of every language set in one backwards gate: a pattern that matches a line
    is among those the line's last characters allow."""
    from heuristics.rules.prefilter import StartGate

    patterns = sorted({pattern for langs in LANGUAGE_SETS for pattern in RULESET.regex_set(langs).end_patterns
                       if pattern is not None})
    gate = StartGate(patterns, backwards=True)
    compiled = [re.compile(pattern) for pattern in patterns]
    lines = [text for _, _, doc in _documents() for line in doc if line for text in _tricky(line)[:2]]
    matched = 0
    for text in lines:
        allowed = set(gate.entries(gate.mask(text[-1:-5:-1])))
        for entry, pattern in enumerate(compiled):
            if entry not in allowed:
                assert pattern.search(text) is None, (pattern.pattern, text)
            else:
                matched += pattern.search(text) is not None
    assert len(patterns) > 60 and matched > 1000


def test_the_end_gate_on_characters_re_folds_otherwise():
    from heuristics.rules.prefilter import StartGate

    patterns = ["(?i:story)$", "(?i:kilo)$", "(?i:\\di)$", "(?i:sµ)$", "(?i:\\d[a-z]{2})$", "STRASSE$", "[^\\w]{1,3}$"]
    gate = StartGate(patterns, backwards=True)
    compiled = [re.compile(pattern) for pattern in patterns]
    rng = random.Random(14)
    pool = "ſſKkİıiIµμΜßẞσςΣǅǄǆﬁ" + "abcdefghiklnorstuyzASTORIKL0123456789 |-•’…" + "\u0130\u0131\u212a\u017f"
    texts = ["ſtory", "\u212ailo", "1İ", "1ı", "sμ", "sΜ", "1ﬁ", "STRAẞE", "•"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 7))) for _ in range(20_000)]
    for text in texts:
        allowed = set(gate.entries(gate.mask(text[-1:-5:-1])))
        matching = {entry for entry, pattern in enumerate(compiled) if pattern.search(text)}
        assert matching <= allowed, (text, matching, allowed)
    assert gate.entries(gate.mask("olleH")) == []  # and it does close lines


def test_line_end_and_start_caches_stay_bounded():
    from heuristics.rules import compiler

    regex_set = RULESET.regex_set(("xx", "en"))
    (detector, *_) = [d for d in regex_set.detectors if d.anchored]
    for code in range(0x4E00, 0x4E00 + compiler._MAX_STARTS + 500):
        detector.plan(chr(code) + chr(code + 1) + " x")
        regex_set.allowed_at_end("x " + chr(code) + chr(code + 1))
    assert len(detector._plans) <= compiler._MAX_STARTS and len(regex_set._ends) <= compiler._MAX_STARTS
    assert len(regex_set._by_end_mask) <= compiler._MAX_STARTS
