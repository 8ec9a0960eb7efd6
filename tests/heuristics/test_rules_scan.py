"""The compiled phrase scan (heuristics/_rules.pyx) yields what its reference, pyahocorasick's
``Automaton.iter``, yields: the same (end, value) pairs in the same order, on real documents and on
strings built to stress it; and ``match_lines`` finds the same hits with either."""
from __future__ import annotations

import random

import ahocorasick
import pytest
from test_rules_prefilter import _documents

from heuristics._rules import PhraseScanner
from heuristics.rules import default_ruleset, match_lines
from heuristics.rules.prefilter import LiteralGate
from heuristics.segment import phrase_form, segment_text

RULESET = default_ruleset()
LANGUAGE_SETS = sorted({RULESET.languages_for(lang) for lang in RULESET.languages})


def _automaton(keys: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for index, key in enumerate(keys):
        automaton.add_word(key, index)
    automaton.make_automaton()
    return automaton


def _folded(lines: list[str]) -> str:
    return "\n".join(phrase_form(line) for line in lines)


@pytest.mark.parametrize("langs", LANGUAGE_SETS, ids="-".join)
def test_the_scan_of_a_language_set_is_its_automatons_iter(langs):
    automaton, scanner = RULESET.automaton(langs), RULESET.phrase_scanner(langs)
    documents = [_folded(lines) for _, _, lines in _documents()]
    documents += [document.upper() + "\n" + document[::-1] for document in documents[:20]]
    found = 0
    for document in documents:
        expected = list(automaton.iter(document))
        assert scanner.scan(document) == expected
        found += len(expected)
    assert found > 100


def test_overlapping_keys_are_reported_longest_first_as_the_automaton_does():
    keys = ["he", "she", "his", "hers", "e", "s", "ſ", "𝔘x", "x", "a b", "b\nc"]
    scanner, automaton = PhraseScanner(keys, list(range(len(keys)))), _automaton(keys)
    rng = random.Random(14)
    pool = "hesirxab \nſ𝔘İ"
    texts = ["ushers", "she his hers", "𝔘x𝔘𝔘xx", "", "a b\nc", "ſſhe"]
    texts += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(5_000)]
    for text in texts:
        assert scanner.scan(text) == list(automaton.iter(text)), text


def test_a_scanner_needs_distinct_non_empty_keys():
    with pytest.raises(ValueError):
        PhraseScanner(["a", "a"], [1, 2])
    with pytest.raises(ValueError):
        PhraseScanner([""], [1])
    with pytest.raises(ValueError):
        PhraseScanner(["a"], [])


def test_match_lines_finds_the_same_hits_with_the_reference_automaton(monkeypatch):
    documents = [(language, "\n".join(lines)) for _, language, lines in _documents()]

    def hits() -> list:
        return [[(hit.rule.id, hit.groups, hit.end) for hit in line]
                for language, text in documents for line in match_lines(segment_text(text), RULESET, language)]

    compiled = hits()
    monkeypatch.setattr(type(RULESET), "phrase_scanner", lambda self, langs: self.automaton(langs))
    assert compiled == hits()
    assert sum(map(len, compiled)) > 100


def test_the_literal_gates_scan_is_its_automatons_iter():
    gates = [detector.gate for langs in LANGUAGE_SETS for detector in RULESET.regex_set(langs).detectors
             if detector.gate is not None]
    assert gates
    documents = ["\n".join(lines).lower() for _, _, lines in _documents()]
    for gate in gates:
        for document in documents:
            assert gate._scanner.scan(document) == list(gate._automaton.iter(document))
    assert LiteralGate(frozenset({"comment", "…"}), None)._scanner.scan("12 comments…") == [(9, None), (11, None)]


def test_keys_past_the_tables_size_keep_the_automaton(monkeypatch):
    from heuristics.rules import compiler

    with pytest.raises(ValueError):
        PhraseScanner(["".join(chr(0x4E00 + i) for i in range(300))], [0])
    automaton = _automaton(["".join(chr(0x4E00 + i) for i in range(300))])
    assert compiler._scanner_of(automaton) is automaton
    gate = LiteralGate(frozenset({"".join(chr(0x4E00 + i) for i in range(300)), "comment"}), None)
    assert gate._scanner is None and gate.open_lines(["no", "3 comments"]) == {1}
