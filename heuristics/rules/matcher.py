"""Applying the rules: every rule hit of every line of a document, each line judged on its own text."""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import AbstractSet as Set
from typing import Sequence

import ahocorasick

from .._rules import PhraseScanner, fold_lines, phrase_hits
from ..segment import Line, phrase_form
from .compiler import RuleSet, _RegexSet
from .types import Hit, Rule

def match_lines(lines: Sequence[Line], ruleset: RuleSet, language: str | None) -> list[list[Hit]]:
    """Every rule hit of every line (context-free: each line judged on its own text). The per-line loop
    runs compiled (``_rules.LineMatcher``); ``_match_lines_python`` is its reference."""
    langs = ruleset.languages_for(language)
    regex_set = ruleset.regex_set(langs)
    lines = lines if isinstance(lines, list) else list(lines)
    found, unlocked_by = _document_phrase_hits(ruleset.phrase_scanner(langs), lines, ruleset.phrase_words(langs))
    return regex_set.line_matcher().match(lines, ruleset.line_table, ruleset.line_words, found, unlocked_by,
                                          _gated_lines(regex_set, lines), ruleset.containers)


def _match_lines_python(lines: Sequence[Line], ruleset: RuleSet, language: str | None) -> list[list[Hit]]:
    """``match_lines`` with the per-line loop in Python: the reference the compiled loop is tested against."""
    langs = ruleset.languages_for(language)
    scanner = ruleset.phrase_scanner(langs)
    regex_set = ruleset.regex_set(langs)
    line_table = ruleset.line_table
    line_words = ruleset.line_words
    phrase_hits, unlocked_by = _document_phrase_hits_python(scanner, lines, ruleset.phrase_words(langs))
    open_lines = _gated_lines(regex_set, lines)
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
        hits.extend(_regex_hits(regex_set, line, unlocked_by.get(position, _NOTHING), open_lines, position))
        if line.html and ruleset.containers:
            hits.extend(_container_hits(line.html.tokens, ruleset.containers, line.words, by_tokens))
        out.append(_dedupe(hits) if len(hits) > 1 else hits)
    return out


_NOTHING: frozenset[str] = frozenset()
_ALL = None  # an ungated detector, or a gate that could not judge the document: every line is tried


def _gated_lines(regex_set: _RegexSet, lines: Sequence[Line]) -> dict[int, dict[int, int] | None]:
    """Per gated detector (by its index), the positions of the lines it may match, each with the
    entries (bits) whose literal occurs there (``LiteralGate.open_entries``; None: every line)."""
    open_lines: dict[int, dict[int, int] | None] = {}
    for index, detector in enumerate(regex_set.detectors):
        if detector.gate is not None:
            limit = detector.max_words
            open_lines[index] = detector.gate.open_entries(
                [line.text if line.words <= limit else "" for line in lines])
    return open_lines


def _regex_hits(regex_set: _RegexSet, line: Line, unlocked: Set[str], open_lines: dict[int, dict[int, int] | None],
                position: int) -> list[Hit]:
    """The line's regex hits; a gated detector is searched only on the lines its gate left open (on
    the others it would find nothing)."""
    found_hits = []
    text, words = line.text, line.words
    is_short = words <= regex_set.short_line_words
    for index, detector in enumerate(regex_set.detectors):
        if words > detector.max_words or (detector.short_lines is not None and detector.short_lines != is_short):
            continue
        gated = open_lines.get(index, _ALL)
        if gated is not None and position not in gated:
            continue
        if detector.anchored:
            for rule, single in detector.candidates(text):
                if words <= rule.max_words:
                    match = single.match(text)
                    if match is not None:
                        found_hits.append(_hit(rule, match))
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

    The rules of a token set are looked up once per document (``memo``), in token order: a set's own
    order changes with the process's string hashing, and a line's hits must not."""
    rules = memo.get(tokens)
    if rules is None:
        rules = memo[tokens] = [rule for token in sorted(tokens) for rule in containers.get(token, ())]
    return [Hit(rule) for rule in rules if words <= rule.max_words]


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    unique = []
    for hit in hits:
        if hit.rule.id not in seen:
            seen.add(hit.rule.id)
            unique.append(hit)
    return unique


def _document_phrase_hits(automaton: PhraseScanner | ahocorasick.Automaton | None, lines: Sequence[Line],
                          max_words: int) -> tuple[dict[int, list[Hit]], dict[int, set[str]]]:
    """Phrase hits (on word boundaries) per line position, and the guarded regexes each line unlocked.

    One automaton pass over the whole document: the lines are folded together and joined by
    newlines (which count as word boundaries), so no line pays for a call of its own. ``automaton``:
    the ruleset's compiled ``phrase_scanner``, or the pyahocorasick automaton it was built from
    (the reference: both yield the same matches in the same order). Folding and reading the matches
    are compiled (``_rules.fold_lines``, ``_rules.phrase_hits``); ``_document_phrase_hits_python``
    is their reference.
    """
    if automaton is None:
        return {}, {}
    lines = lines if isinstance(lines, list) else list(lines)
    folded_lines = fold_lines(lines, max_words)
    document = "\n".join(folded_lines)
    found = automaton.scan(document) if isinstance(automaton, PhraseScanner) else list(automaton.iter(document))
    return phrase_hits(found, document, [len(folded) for folded in folded_lines], lines, Hit)


def _document_phrase_hits_python(automaton: PhraseScanner | ahocorasick.Automaton | None, lines: Sequence[Line],
                          max_words: int) -> tuple[dict[int, list[Hit]], dict[int, set[str]]]:
    """``_document_phrase_hits`` with the folding and the reading of the matches in Python (its reference)."""
    hits: dict[int, list[Hit]] = {}
    unlocked: dict[int, set[str]] = {}
    if automaton is None:
        return hits, unlocked
    folded_lines = [phrase_form(line.text) if 0 < line.words <= max_words else "" for line in lines]
    document = "\n".join(folded_lines)
    starts = list(accumulate((len(folded) + 1 for folded in folded_lines), initial=0))
    found = automaton.scan(document) if isinstance(automaton, PhraseScanner) else automaton.iter(document)
    for end, (length, rules, guard_ids) in found:
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
