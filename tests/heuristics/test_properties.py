"""Properties of clean() on generated documents (hypothesis, bounded examples, no deadline).

Documents are lines drawn from prose (12-40 words in English, German and French), short heading-like
lines, the rules' own residue (line rules and phrases of every language, so real hits and blocks
occur), arbitrary unicode and blank lines.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heuristics import CATEGORIES, CleanError, clean
from heuristics.decide import _absorb_weak
from heuristics.rules import default_ruleset
from heuristics.segment import normalise_space, split_lines

RULESET = default_ruleset()
RESIDUE = sorted(key for key in RULESET.line_table if key)
PHRASES = sorted({phrase for entries in RULESET.phrases.values() for phrase, _ in entries})
WORDS = ("the council approved budget on tuesday after long debate about schools roads and future of town "
         "library der rat hat am dienstag den haushalt beschlossen nach langer debatte über schulen le conseil "
         "a adopté mayor said residents would vote next month while critics warned costs could rise").split()

words = st.lists(st.sampled_from(WORDS), min_size=12, max_size=40)
prose = st.builds(lambda ws, end: " ".join(ws).capitalize() + end, words, st.sampled_from([".", "!", "?", ".\"", ""]))
heading = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(lambda ws: " ".join(ws).title())
residue = st.sampled_from(RESIDUE).map(str.capitalize)
phrase_line = st.builds(lambda phrase, ws: f"{phrase} {' '.join(ws)}".capitalize(), st.sampled_from(PHRASES),
                        st.lists(st.sampled_from(WORDS), max_size=6))
spaced = st.builds(lambda pad, text, tail: pad + text + tail, st.sampled_from(["", "  ", "\t", "\u00a0"]),
                   st.one_of(residue, heading), st.sampled_from(["", " ", "  \t"]))
line = st.one_of(prose, prose, heading, residue, residue, phrase_line, spaced, st.text(max_size=40), st.just(""))
documents = st.lists(line, max_size=40).map("\n".join)

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# Rules that look at a line's neighbours or position rather than its own text.
CONTEXT_RULES = ("title.first_heading", "title.repeat", "navigation.outside_body", "duplicate.repeat",
                 "duplicate.near_copy")


def kept_lines(text: str, result) -> list[int]:
    """Indices of the non-blank input lines the result kept, in input order."""
    removed = {removal.line for removal in result.removed}
    return [i for i, raw in enumerate(split_lines(text)) if raw.split() and i not in removed]


@SETTINGS
@given(documents)
def test_the_body_is_the_kept_input_lines_in_order(text):
    """Every paragraph is an input line (whitespace normalised, a stripped prefix cut), in input order;
    every non-blank line is either kept or removed, once."""
    result = clean(text)
    raw_lines = split_lines(text)
    kept = kept_lines(text, result)
    removed = [removal.line for removal in result.removed]
    assert len(set(removed)) == len(removed)
    assert sorted(kept + removed) == [i for i, raw in enumerate(raw_lines) if raw.split()]
    stripped = {prefix.line: prefix.text for prefix in result.stripped}
    assert len(kept) == len(result.paragraphs)
    for index, paragraph in zip(kept, result.paragraphs, strict=True):
        whole = normalise_space(raw_lines[index])
        if index in stripped:
            assert whole.startswith(stripped[index]) and paragraph == whole[len(stripped[index]):].strip()
        else:
            assert paragraph == whole


@SETTINGS
@given(documents)
def test_cleaning_the_result_again_keeps_what_the_first_pass_kept(text):
    """The body, cleaned again (with its title in front, in the language first detected), loses no line
    to a rule on its own text; only rules that read the context (the title, menu runs outside the
    body, repeats) may see the shorter page differently."""
    first = clean(text)
    title = first.metadata["title"]
    again = ([title] if title else []) + first.paragraphs
    second = clean("\n".join(again), language=first.metadata["language"])
    offset = 1 if title else 0
    lost = [(removal.text, removal.rule) for removal in second.removed if removal.line >= offset]
    assert all(rule in CONTEXT_RULES for _, rule in lost), lost


@SETTINGS
@given(documents, st.data())
def test_removing_a_residue_line_barely_changes_the_other_decisions(text, data):
    """Take one removed line out of the input: the other lines keep their decisions, but for a few
    (a block that loses its anchor, a sandwich that loses a side, a title or body edge that moves)."""
    language = "en"
    first = clean(text, language=language)
    if not first.removed:
        return
    gone = data.draw(st.sampled_from([removal.line for removal in first.removed]))
    raw_lines = split_lines(text)
    second = clean("\n".join(raw_lines[:gone] + raw_lines[gone + 1:]), language=language)
    before = {r.line for r in first.removed} - {gone}
    after = {r.line + (r.line >= gone) for r in second.removed}
    changed = before ^ after
    non_blank = sum(1 for raw in raw_lines if raw.split())
    assert len(changed) <= 4 + non_blank // 10, (sorted(changed), gone)


OPTION_VALUES = st.fixed_dictionaries({}, optional={
    "mode": st.sampled_from(["precision", "balanced", "recall", "loud", ""]),
    "keep": st.lists(st.sampled_from([*CATEGORIES, "nope"]), max_size=3),
    "explain": st.booleans(),
    "language": st.sampled_from(["de", "en", "fr", "xx", "toolong", "1"]) | st.none(),
    "extra_rules": st.dictionaries(st.sampled_from([*CATEGORIES[:3], "nope"]),
                                   st.lists(st.text(max_size=12), max_size=2), max_size=2),
    "time_budget": st.sampled_from([None, 0.0, 1e-6, 5.0]),
    "extractor": st.sampled_from(["fast", "trafilatura", "magic"]),
})
HTML_PIECES = st.sampled_from(["<p>", "</p>", "<div class='share'>", "</div>", "<nav>", "<li>", "<br>", "<figcaption>",
                               "<h1>", "</h1>", "<!--", "-->", "<script>", "</script>", "&amp;", "&#0;", "<", ">"])
html_pages = st.lists(st.one_of(HTML_PIECES, line), max_size=30).map("".join)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(documents, st.text(max_size=300)), st.one_of(st.none(), html_pages), OPTION_VALUES)
def test_clean_answers_or_refuses_with_a_clean_error(text, html, options):
    """Fuzzing clean() directly: any text, HTML and options give a result or a CleanError naming a
    field, never another exception; the result's text is valid UTF-8."""
    try:
        result = clean(text, html=html, **options)
    except CleanError as error:
        assert error.field in ("text", "html", "mode", "keep", "language", "extra_rules", "extractor")
        return
    result.text.encode("utf-8")
    assert result.to_dict()["mode"] in ("precision", "balanced", "recall")


def _absorb_weak_fixpoint(in_run: set[int], weak: set[int], gap: int) -> None:
    """The former definition: add any weak position within gap + 1 of a member, until nothing changes."""
    changed = True
    while changed:
        changed = False
        for pos in sorted(weak - in_run):
            if any(abs(pos - member) <= gap + 1 for member in in_run):
                in_run.add(pos)
                changed = True


positions = st.sets(st.integers(0, 60), max_size=25)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(positions, positions, st.integers(0, 4))
def test_weak_hints_join_a_run_as_the_fixpoint_did(members, weak, gap):
    fast, slow = set(members), set(members)
    _absorb_weak(fast, weak, gap)
    _absorb_weak_fixpoint(slow, weak, gap)
    assert fast == slow


@pytest.mark.parametrize("text", ["Subscribe\n" * 3, "Photo: Reuters\nShare this\n", ""])
def test_results_do_not_depend_on_what_was_cleaned_before(text):
    """No state leaks between calls: the same text cleans the same after other documents."""
    fresh = clean(text).to_dict()
    clean("Donate now\nMonthly\n" * 50, extra_rules={"caption": ["Subscribe"]}, mode="precision")
    assert clean(text).to_dict() == fresh
