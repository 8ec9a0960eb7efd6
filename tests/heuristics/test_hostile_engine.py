"""clean() on what the web throws at it: it answers (or refuses with a CleanError naming the field),
never raises anything else, never hangs; the growth of its time is checked as a ratio, never a limit."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from adversarial import linear_enough

from heuristics import CleanError, clean
from heuristics.html.guard import MAX_DEPTH as MAX_HTML_DEPTH
from heuristics.settings import SETTINGS

BODY = ("The council approved the new budget on Tuesday after a long debate about schools, roads "
        "and the future of the town library.")


def kept_and_removed(text: str, **options) -> tuple[list[str], list[int]]:
    result = clean(text, **options)
    return result.paragraphs, [removal.line for removal in result.removed]


def non_blank(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.split())


HOSTILE_TEXTS = {
    "empty": "",
    "whitespace only": " \t\n\n\u00a0\u3000\r\n   \n",
    "nul and control characters": f"{BODY}\x00\x01\x02\x1b[31m\x7f\n\x00\x00\x00\nSubscribe\x00\n",
    "right-to-left and combining marks": ("\u202eשלום עולם\u202c مرحبا بالعالم\n"
                                          + "e\u0301\u0302\u0303" * 200
                                          + "\n\u05d0\u05b0\u05b1\u05b2 " * 50 + f"\n{BODY}\n"),
    "emoji": f"🔥🔥 Share this 👍🏽\n{BODY} 🇩🇪👨‍👩‍👧‍👦\n" + "😀" * 5000 + "\n",
    "unicode line separators": "Subscribe\u2028Share\u2029Follow us\x85" + BODY + "\x0b\x0c\x1c\x1d\x1e",
    "latin-1 read as text (mojibake)": "CafÃ© Ã¼ber Â© AFP\n" + BODY.replace("e", "Ã©") + "\n",
    "utf-16 with BOM read as latin-1": "\xff\xfeS\x00u\x00b\x00s\x00c\x00r\x00i\x00b\x00e\x00\n\x00",
    "lone surrogates": f"Half a pair \ud800 and \udfff here.\n{BODY}\nSubscribe\n",
    "only punctuation and digits": "!!!\n???\n...\n----\n1234567890\n|||\n" * 50,
    "one 10 MB line": "word" * 2_500_000,
    "carriage returns only": f"Subscribe\r{BODY}\rShare this article\r",
}


@pytest.mark.parametrize("name", HOSTILE_TEXTS)
def test_hostile_text_gets_a_whole_answer(name):
    """Every non-blank input line is kept or removed (none lost), and the body is valid text."""
    text = HOSTILE_TEXTS[name]
    result = clean(text)
    assert len(result.paragraphs) + len(result.removed) == non_blank(text.replace("\x00", ""))
    result.text.encode("utf-8")
    if not result.paragraphs:
        assert any(w.startswith("empty_body") for w in result.warnings)


# (page, whether the fast extractor must keep BODY, whether trafilatura must); every page is answered
# (never refused), and one without BODY comes back without markup or control characters (empty, with
# the empty_body warning, but for the one-line page "ab").
HOSTILE_PAGES = [
    ("", False, False),
    ("   ", False, False),
    ("<<<>>>&&&#x110000;&#0;&#xD800;", False, False),
    ("<p>a\x00b</p>\x01<script>x</script>", False, False),
    (f"<p>{BODY}\x00</p>\x01<script>x</script>", True, True),
    ("<p><b><i>" * 300, False, False),
    ("<p><b><i>" * 300 + BODY, True, True),
    ("<svg>" + "<path d='M0 0'/>" * 5000 + "</svg><p>" + BODY + "</p>", True, True),
    # trafilatura itself extracts nothing from a paragraph 1,000 elements deep
    ("<div>" * (MAX_HTML_DEPTH // 2) + f"<p>{BODY}</p>" + "</div>" * (MAX_HTML_DEPTH // 2), True, False),
    (f"<p>Half \ud800 a pair</p><p>{BODY}</p>", True, True),
]


@pytest.mark.parametrize("extractor", ["fast", "trafilatura"])
@pytest.mark.parametrize(("page", "fast_keeps", "trafilatura_keeps"), HOSTILE_PAGES,
                         ids=[f"page{i}" for i in range(len(HOSTILE_PAGES))])
def test_hostile_html_keeps_its_prose_and_is_never_refused(page, fast_keeps, trafilatura_keeps, extractor):
    result = clean(html=f"<html><body>{page}</body></html>", extractor=extractor)
    result.text.encode("utf-8")
    if (fast_keeps if extractor == "fast" else trafilatura_keeps):
        assert BODY in result.paragraphs
    elif BODY not in page:
        assert not any(mark in result.text for mark in ("\x00", "\x01", "<", "&#", "script"))
        assert result.text in ("", "ab")   # "a\x00b", a one-line page, is left to the rules, which keep it
        assert bool(result.text) != any(w.startswith("empty_body") for w in result.warnings)


@pytest.mark.parametrize("extractor", ["fast", "trafilatura"])
def test_html_nested_deeper_than_the_limit_is_refused_naming_html(extractor):
    """HTML parsers are quadratic in nesting depth (100,000 nested divs: minutes); refuse, do not parse."""
    depth = 100_000
    with pytest.raises(CleanError) as info:
        clean(html="<div>" * depth + "x" + "</div>" * depth, extractor=extractor)
    assert info.value.field == "html" and str(MAX_HTML_DEPTH) in info.value.detail


def test_time_budget_stops_the_rules_stage_with_a_warning_and_keeps_the_rest():
    """Past the budget, lines after the first slice are not matched: kept (unless context removes them)."""
    prose = [f"On day {i} the council approved the new budget after a long debate about schools and roads."
             for i in range(4 * SETTINGS.budget_slice_lines)]
    lines = prose[:3] + ["Subscribe"] + prose[3:] + ["Subscribe"]
    text = "\n".join(lines)
    result = clean(text, time_budget=1e-9)
    assert [r.line for r in result.removed] == [3]
    assert any(w.startswith("time_budget") and f"lines {SETTINGS.budget_slice_lines} to {len(lines) - 1}" in w
               for w in result.warnings)
    assert len(result.paragraphs) == len(lines) - 1
    unbudgeted = clean(text)
    assert [r.line for r in unbudgeted.removed] == [3, len(lines) - 1]
    assert not any(w.startswith("time_budget") for w in unbudgeted.warnings)


def _clean_run(make: Callable[[int], str]) -> Callable[[int], Callable[[], object]]:
    return lambda n: (lambda text=make(n): clean(text))


def test_thousands_of_weak_hints_beside_a_strong_line_grow_linearly():
    """A run of 'Monthly' payment-widget hints next to a 'Donate now' button joins the donation box; the
    fixpoint that grew it was cubic (2,000 hints: a minute; 10,000: hours)."""
    make = lambda n: "Monthly\n" * n + "Donate now\n"  # noqa: E731
    removed = clean(make(2000)).removed
    assert len(removed) == 2001 and {r.category for r in removed} == {"donation_appeal"}
    ok, small, large = linear_enough(_clean_run(make), 500, 8.0, 0.05, runs=2)
    assert ok, f"{small:.3f} s -> {large:.3f} s"


RESIDUE_LINES = ["Support us", "Monthly", "Photo: Reuters", "Share this article", BODY, "© AFP 2023 / Jane Doe",
                 "Published March 4, 2024, 10:15 a.m.", "By Anna Petrova", "Tags: politics, budget",
                 "Subscribe to our newsletter for fre", "Share this articl", "Donate no"]


@pytest.mark.parametrize("line", RESIDUE_LINES[:6])
def test_10000_repetitions_of_one_line_get_a_whole_answer(line):
    paragraphs, removed = kept_and_removed((line + "\n") * 10_000)
    assert len(paragraphs) + len(removed) == 10_000


def test_runs_of_repeated_residue_and_near_misses_grow_linearly():
    """Each line of RESIDUE_LINES (residue, prose, near misses) repeated in a run, 2,500 vs 10,000 lines."""
    def make(n: int) -> str:
        per = n // len(RESIDUE_LINES)
        return "".join((line + "\n") * per for line in RESIDUE_LINES)

    ok, small, large = linear_enough(_clean_run(make), 2500, 8.0, 0.05, runs=2)
    assert ok, f"{small:.3f} s -> {large:.3f} s"


def test_interleaved_residue_and_prose_grow_linearly():
    """Every block category's hits and hints between prose lines: runs, edges and sandwiches everywhere."""
    pattern = ["Support us", "Monthly", BODY, "Share this article", "Facebook", "Twitter", BODY, "Related",
               "Read more", "Photo: Reuters", BODY + " Again.", "Comments (3)", "Subscribe"]
    make = lambda n: "\n".join(pattern[i % len(pattern)] + ("" if i % 7 else f" {i}") for i in range(n))  # noqa: E731
    ok, small, large = linear_enough(_clean_run(make), 2500, 8.0, 0.05, runs=2)
    assert ok, f"{small:.3f} s -> {large:.3f} s"


BODY2 = ("Opposition members said the plan relied on optimistic forecasts and would need to be "
         "revisited before the end of the year.")


@pytest.mark.parametrize("phrase", ["📷 Photo gallery", "a\x7fb", "tab\there", 'say "cheese" \\ now', "\u2028x"])
def test_caller_phrases_with_emoji_and_control_characters_are_accepted(phrase):
    """extra_rules phrases pass through TOML: emoji (JSON writes them as surrogate-pair escapes, which
    TOML refuses) and DEL used to raise TOMLDecodeError, a 500 through the service."""
    result = clean(f"{BODY}\n{phrase}\n{BODY2}", extra_rules={"caption": [phrase]})
    assert len(result.paragraphs) + len(result.removed) == 3


def test_a_caller_phrase_with_an_emoji_removes_its_line():
    result = clean(f"{BODY}\n📷 Photo gallery: the vote\n{BODY2}", extra_rules={"caption": ["📷 Photo gallery"]})
    assert [(r.line, r.category, r.rule) for r in result.removed] == [(1, "caption", "caption.caller")]


def test_lines_starting_with_thousands_of_distinct_characters_do_not_grow_the_detectors():
    """Start-anchored detectors remember the entries a line's start allows per gate answer and first
    character; characters no pattern starts with share one key, so a page of 5,000 CJK first characters
    adds one entry, not 5,000 (per worker, for the life of the process). The memo per line start is
    capped (``_MAX_STARTS``)."""
    from heuristics.rules import default_ruleset
    from heuristics.rules.compiler import _MAX_STARTS

    text = "\n".join(chr(0x4E00 + i) + " x" for i in range(5000))
    detectors = default_ruleset().regex_set(default_ruleset().languages_for("en")).detectors
    earlier = [len(detector._by_mask) + len(detector._by_char) for detector in detectors]  # other tests' lines
    before = clean(text, language="en").to_dict()
    sizes = [len(detector._by_mask) + len(detector._by_char) - size for detector, size in zip(detectors, earlier)]
    assert all(len(detector._by_start) <= _MAX_STARTS for detector in detectors)
    assert any(detector._by_mask for detector in detectors if detector.anchored)  # the live cache was used
    with_residue = clean(text.replace(chr(0x4E00 + 100) + " x", "Subscribe"), language="en")
    assert (100, "subscription_prompt") in [(r.line, r.category) for r in with_residue.removed]
    assert all(size < 200 for size in sizes), sizes
    assert clean(text, language="en").to_dict() == before


def test_language_codes_without_rules_share_the_compiled_rules():
    """Every language set's detectors and automaton are cached for the life of a worker; a caller who
    names hundreds of made-up language codes must not make hundreds of copies (0.4 MB each)."""
    from heuristics.rules import default_ruleset

    ruleset = default_ruleset()
    text = f"Subscribe\n{BODY}\nFoto: dpa\nTeilen auf Facebook"
    def removals(result: dict) -> list[tuple]:  # the model's score may differ: stopwords follow the language
        return [(r["line"], r["category"], r["rule"]) for r in result["removed"]]

    expected = clean(text, language="en").to_dict()
    before = len(ruleset._regex_sets)
    for code in ("qq", "zzz", "xyz", "abc", "tlh"):
        result = clean(text, language=code).to_dict()
        assert removals(result) == removals(expected) and result["metadata"]["language"] == code
    assert len(ruleset._regex_sets) == before
    assert ruleset.languages_for("de") == ("xx", "en", "de") and ruleset.languages_for("zzz") == ("xx", "en")


def test_the_same_caller_phrases_reuse_one_rule_set():
    """Building the rules with caller phrases costs ~0.15 s; a batch whose every document carries the same
    phrases must not pay it per document (1,000 documents: minutes of CPU)."""
    from heuristics.rules import ruleset_with_extra

    first = ruleset_with_extra({"caption": ["Zwiebelfisch extra"], "credit": ["Foto privat"]})
    assert ruleset_with_extra({"caption": ["Zwiebelfisch extra"], "credit": ["Foto privat"]}) is first
    assert ruleset_with_extra({"caption": ["Zwiebelfisch extra", "Galerie"]}) is not first
    text = f"{BODY}\nZwiebelfisch extra\n{BODY2}"
    for _ in range(2):
        result = clean(text, extra_rules={"caption": ["Zwiebelfisch extra"]})
        assert [(r.line, r.rule) for r in result.removed] == [(1, "caption.caller")]
    assert clean(text).removed == []


def test_lines_past_max_lines_are_kept_unjudged_with_a_warning():
    """Time and memory grow with the number of lines; past ``max_lines`` (100,000 by default) the rest
    of the page stays in the body as it is: nothing is lost, nothing more is judged or explained."""
    lines = [BODY, "Subscribe", BODY2, "Share this article", "  Subscribe  ", "", BODY]
    result = clean("\n".join(lines), max_lines=3, explain=True)
    assert [r.line for r in result.removed] == [1]
    assert result.paragraphs == [BODY, BODY2, "Share this article", "Subscribe", BODY]
    assert result.text == "\n\n".join(result.paragraphs)
    assert [trace.line for trace in result.lines] == [0, 1, 2]
    assert any(w.startswith("max_lines: lines 3 to 6") for w in result.warnings)
    assert result.metadata["word_count"] == len(result.text.split())
    html = "".join(f"<p>{line}</p>" for line in lines if line)
    assert any(w.startswith("max_lines") for w in clean(html=html, max_lines=2).warnings)


def test_a_million_one_character_lines_are_cheap_past_max_lines():
    result = clean("a\n" * 1_000_000)
    assert len(result.paragraphs) + len(result.removed) == 1_000_000
    assert any(w.startswith("max_lines: lines 100000 to 999999") for w in result.warnings)
