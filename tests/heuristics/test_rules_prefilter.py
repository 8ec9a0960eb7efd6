"""The literal gate in front of the searched regex detectors (heuristics/rules/prefilter.py): it skips
lines, and the hits stay exactly those of trying every detector on every line."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Iterator

import pytest
from adversarial import attacks, near_miss

from heuristics.rules import default_ruleset, match_lines, matcher
from heuristics.rules.compiler import _flagged
from heuristics.rules.prefilter import LiteralGate, required_literals, unsafe_text
from heuristics.segment import segment_text

ROOT = Path(__file__).resolve().parents[2]
RULESET = default_ruleset()


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _documents() -> list[tuple[str, str | None, list[str]]]:
    """(name, language, lines): the seeds, every language pack's strings, the multilingual test
    pages, and per pattern a near miss and two attack strings (lines built to almost match)."""
    docs = [(path.name, None, path.read_text(encoding="utf-8").splitlines())
            for path in sorted((ROOT / "seeds").glob("*.txt"))]
    for path in sorted((ROOT / "tests/heuristics/rules/lang").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        docs.append((path.name, data.get("language"), list(_strings(data))))
    for path in sorted((ROOT / "tests/data/multilingual").glob("*.jsonl")):
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            docs.append((row["id"], row.get("language"), [line["text"] for line in row["lines"]]))
    sources = sorted({pattern for table in (RULESET.regexes, RULESET.prefixes) for entries in table.values()
                      for _, pattern in entries})
    crafted = [near_miss(source.lstrip("^"), re.IGNORECASE) for source in sources]
    crafted += [build(3) for source in sources for build in attacks(source.lstrip("^"), re.IGNORECASE)[:2]]
    docs.append(("crafted", "en", crafted))
    return docs


def _hits(lines: list[str], language: str | None) -> list[list[tuple]]:
    found = match_lines(segment_text("\n".join(lines)), RULESET, language)
    return [[(hit.rule.id, hit.groups, hit.end) for hit in line] for line in found]


@pytest.mark.parametrize("name,language,lines", _documents(), ids=lambda value: value if isinstance(value, str) else "")
def test_gated_hits_are_the_hits_of_every_detector_on_every_line(monkeypatch, name, language, lines):
    gated = _hits(lines, language)
    monkeypatch.setattr(matcher, "_gated_lines", lambda regex_set, doc_lines: {})
    assert gated == _hits(lines, language)


def _tail_detector():
    (detector,) = [d for d in RULESET.regex_set(("xx", "en")).detectors if d.tail is not None]
    return detector


def test_the_gate_closes_prose_lines_and_opens_those_with_a_literal_in_the_tail():
    gate = _tail_detector().gate
    prose = "The council approved the new budget for the city library on Tuesday after a long debate."
    comments = "Share this story | 12 comments"
    late = "Comments are welcome below, as long as they stay civil and on topic, says the editor."
    assert gate.open_lines([prose, comments, "Read the full story …", late]) == {1, 2}


def test_every_match_of_a_gated_pattern_contains_one_of_its_literals():
    """On the language packs' lines: each match of each pattern that has a literal set holds one."""
    lines = [line for _, _, doc in _documents()[:-1] for line in doc if line and not unsafe_text().search(line)]
    checked = 0
    for table in (RULESET.regexes, RULESET.prefixes):
        for entries in table.values():
            for rule, pattern in entries:
                literals = required_literals(_flagged(rule, pattern))
                if literals is None:
                    continue
                compiled = re.compile(_flagged(rule, pattern))
                for line in lines:
                    for match in compiled.finditer(line):
                        checked += 1
                        assert any(literal in match.group(0).lower() for literal in literals), (pattern, line)
    assert checked > 100


@pytest.mark.parametrize("pattern,expected", [
    (r"\|\s?\d{1,6}\s?comment\(?s\)?$", {"comment"}),
    (r"(?:\.\.\.|…)\s?(?:»|›|>)?$", {"...", "…"}),
    (r"(?i:\b(?:dpa|afp)\s?(?:photo|/ ?\w+))", {"dpa", "afp"}),
    (r"(?:ap|afp)/", None),  # re's parser factors this into a(?:p|fp): no literal of two characters
    (r"(?:foo)?barbaz", {"barbaz"}),
    (r"[©℗] ?(?P<year>\d{4})", {"©", "℗"}),
    (r"[^\w]{1,200}$", None),
    (r"(?:x|yz)\d", None),
    (r"a{0,3}b", None),
])
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == (frozenset(expected) if expected else None)


@pytest.mark.parametrize("line", [
    "A protester in the main square of the capital. Reuterſ/Jane Doe",   # ſ folds to s in re only
    "A protester in the main square of the capital. REUTERS/JANE DOE İ",  # İ lowers to two characters
])
def test_a_document_with_characters_re_folds_otherwise_is_not_gated(monkeypatch, line):
    assert _tail_detector().gate.open_lines([line]) is None
    gated = _hits([line], "en")
    assert ("caption.ends_with_agency", None, 0) in gated[0]
    monkeypatch.setattr(matcher, "_gated_lines", lambda regex_set, doc_lines: {})
    assert gated == _hits([line], "en")


def test_a_gate_needs_a_literal_set_for_every_pattern():
    assert LiteralGate.for_patterns([r"comment\d", r"[^\w]+$"], None) is None
    assert LiteralGate.for_patterns([r"comment\d", r"…$"], 5) is not None


# The start gate (prefilter.StartGate, _Detector.candidates): start-anchored detectors try only the
# entries a line's first characters allow; the hits must be those of the combined detector.

_FOLDING = "ſſKkİıiIµμΜßẞσςΣǅǄǆﬁ"  # characters re folds more widely than str.lower, and their partners


def _anchored(langs: tuple[str, ...]):
    return [d for d in RULESET.regex_set(langs).detectors if d.anchored]


def _reference(detector, text: str) -> list[str]:
    """What the combined detector finds: the first entry that matches at 0, and every later one that does."""
    found, singles = detector.find(text)
    if found is None:
        return []
    return [rule.id for rule, single in singles[found.lastindex - 1:] if single.match(text) is not None]


def _gated(detector, text: str) -> list[str]:
    return [rule.id for rule, single in detector.candidates(text) if single.match(text) is not None]


def _tricky(line: str) -> list[str]:
    """The line, and copies with its cased letters swapped for characters re folds onto them."""
    swaps = {"s": "ſ", "k": "\u212a", "i": "ı", "I": "İ", "S": "ſ", "K": "\u212a", "µ": "μ"}
    swapped = "".join(swaps.get(char, char) for char in line)
    return [line, swapped, line.upper(), line.swapcase(), "|" + line, " " + line]


@pytest.mark.parametrize("langs", sorted({RULESET.languages_for(lang) for lang in RULESET.languages}), ids="-".join)
def test_the_start_gate_never_drops_a_hit(langs):
    lines = [line for _, _, doc in _documents() for line in doc if line]
    checked = matched = 0
    for detector in _anchored(langs):
        for line in lines:
            for text in _tricky(line):
                expected = _reference(detector, text)
                assert _gated(detector, text) == expected, (text, expected)
                checked += 1
                matched += bool(expected)
    assert checked > 10_000 and matched > 100


def test_the_start_gate_on_characters_re_folds_otherwise():
    from heuristics.rules.prefilter import StartGate

    patterns = ["(?i:story)", "(?i:kilo)", "(?i:i\\d)", "(?i:µs)", "(?i:[a-z]{2}\\d)", "STRASSE", "[^\\w]{1,3}$",
                "\\|?\\s?(?i:on)\\s\\d"]
    gate = StartGate(patterns)
    compiled = [re.compile(pattern) for pattern in patterns]
    import random

    pool = _FOLDING + "abcdefghiklnorstuyzASTORIKL0123456789 |-•’…" + "\u0130\u0131\u212a\u017f"
    rng = random.Random(14)
    texts = ["ſtory", "\u212ailo", "İ1", "ı1", "μs", "Μs", "ﬁ1", "STRAẞE", "| ON 4", "•"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 6))) for _ in range(20_000)]
    for text in texts:
        allowed = set(gate.entries(gate.mask(text)))
        matching = {entry for entry, pattern in enumerate(compiled) if pattern.match(text)}
        assert matching <= allowed, (text, matching, allowed)
    assert gate.entries(gate.mask("Hello")) == []  # and it does close lines


def test_the_start_gate_closes_most_lines_of_prose():
    (detector, *_) = _anchored(("xx", "en"))
    prose = "The council approved the new budget for the city library on Tuesday after a long debate."
    assert len(detector.candidates(prose)) < len(detector.entries) // 4


def test_lines_with_thousands_of_distinct_starts_keep_the_gate_caches_bounded():
    from heuristics.rules import compiler

    (detector, *_) = _anchored(("xx", "en"))
    for code in range(0x4E00, 0x4E00 + compiler._MAX_STARTS + 500):
        detector.candidates(chr(code) + chr(code + 1) + " x")
    assert len(detector._by_start) <= compiler._MAX_STARTS and len(detector._by_mask) <= compiler._MAX_STARTS
    assert all(len(table) <= 4096 for table in detector.start_gate._tables)


def test_combined_start_detectors_name_one_group_per_entry():
    """``find`` maps ``lastindex`` to its entries, which holds while the patterns capture nothing but
    named groups (turned into ``(?:``): then trying each allowed entry finds what ``find`` finds."""
    from heuristics.rules.compiler import _NAMED_GROUP_RE

    for langs in sorted({RULESET.languages_for(lang) for lang in RULESET.languages}):
        for detector in _anchored(langs):
            for rule, pattern in detector.entries:
                assert re.compile(_NAMED_GROUP_RE.sub("(?:", _flagged(rule, pattern))).groups == 0, pattern

