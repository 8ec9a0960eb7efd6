"""Shared checks for the per-language rule packs (test_lang_packs.py over lang/<code>.toml).

Each language data file gives realistic body paragraphs, residue lines with the category they
must be removed as, residue blocks that only go as a run (a donation box, a newsletter form), and
look-alike body sentences that must stay. The checks run the whole engine with the model switched
off, so they test what the rules and their context (decide.grow_blocks) do, not a trained model.
"""
from __future__ import annotations

from typing import Sequence

from heuristics import clean, scoring
from heuristics.result import CleanResult
from heuristics.rules import default_ruleset, match_lines
from heuristics.segment import make_line
from heuristics.vocabulary import CATEGORY_PRIORITY

_RANK = {category: rank for rank, category in enumerate(CATEGORY_PRIORITY)}


def line_verdict(text: str, language: str) -> tuple[str, str] | None:
    """(category, rule id) of the strongest strong rule hit on ``text`` alone, None without one."""
    hits = match_lines([make_line(0, text)], default_ruleset(), language)[0]
    strong = [hit for hit in hits if hit.strong and hit.rule.kind != "prefix"]
    if not strong:
        return None
    best = min(strong, key=lambda hit: _RANK.get(hit.category, 99))
    return best.category, best.rule.id


def run(lines: Sequence[str], language: str | None = None) -> CleanResult:
    """clean() without the model over the lines (one per input line)."""
    with scoring.disabled():
        return clean("\n".join(lines), language=language)


def document(title: str, body: Sequence[str], insert: Sequence[str], at: int | None = None) -> list[str]:
    """A scraped page: title, the body paragraphs, and ``insert`` after paragraph ``at`` (end if None)."""
    at = len(body) if at is None else at
    return [title, "", *body[:at], *insert, *body[at:]]


def removed_by_line(result: CleanResult) -> dict[int, tuple[str, str]]:
    return {removal.line: (removal.category, removal.rule) for removal in result.removed}


def assert_block_removed(title: str, body: Sequence[str], block: Sequence[tuple[str, str]], language: str,
                         at: int | None = None) -> CleanResult:
    """Every line of ``block`` ((category, text) pairs) goes as its category; every body paragraph stays."""
    lines = document(title, body, [text for _, text in block], at)
    result = run(lines)
    assert result.metadata["language"] == language
    removed = removed_by_line(result)
    offset = 2 + (len(body) if at is None else at)
    for position, (category, text) in enumerate(block):
        got = removed.get(offset + position)
        assert got is not None, f"kept: {text!r}"
        assert got[0] == category and got[1].startswith(category + "."), f"{text!r} went as {got}, not {category}"
    for paragraph in body:
        assert paragraph in result.paragraphs, f"body paragraph removed: {paragraph[:80]!r}"
    return result


def assert_body_kept(title: str, body: Sequence[str], lookalikes: Sequence[str], language: str) -> None:
    """Look-alike sentences, each placed after a body paragraph, stay in the body, and so does the body.

    They go in batches of one fewer than the body's paragraphs, so each sits inside the body.
    """
    batch = len(body) - 1
    for start in range(0, len(lookalikes), batch):
        chunk = lookalikes[start:start + batch]
        lines = [title, ""]
        for index, paragraph in enumerate(body):
            lines.append(paragraph)
            if index < len(chunk):
                lines.append(chunk[index])
        result = run(lines)
        assert result.metadata["language"] == language
        for sentence in [*body, *chunk]:
            assert sentence in result.paragraphs, f"body sentence removed: {sentence[:90]!r}"
