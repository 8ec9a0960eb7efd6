"""clean(): options, errors that name the field, explain, warnings, HTML input."""
import pytest

from heuristics import CATEGORIES, CleanError, clean, engine_info
from heuristics import scoring

BODY = ("The council approved the new budget on Tuesday after a long debate about schools, roads "
        "and the future of the town library.")
DOC = f"Budget passes in town\nSubscribe\n{BODY}\nFollow us on Twitter\n{BODY}x"


@pytest.mark.parametrize("kwargs,field", [
    ({}, "text"),
    ({"text": 5}, "text"),
    ({"text": "x", "mode": "fast"}, "mode"),
    ({"text": "x", "keep": ["nope"]}, "keep"),
    ({"text": "x", "keep": "byline"}, "keep"),
    ({"text": "x", "extractor": "magic"}, "extractor"),
    ({"text": "x", "language": "german"}, "language"),
    ({"text": "x", "extra_rules": {"nope": ["a"]}}, "extra_rules"),
    ({"text": "x" * 50, "max_input_chars": 10}, "text"),
])
def test_bad_options_raise_an_error_naming_the_field(kwargs, field):
    with pytest.raises(CleanError) as info:
        clean(**kwargs)
    assert info.value.field == field
    assert info.value.detail


def test_removed_lines_carry_category_and_rule():
    result = clean(DOC)
    removed = {r.line: (r.category, r.rule) for r in result.removed}
    assert removed[1] == ("subscription_prompt", "subscription_prompt.button")
    assert removed[3][0] == "share_social"
    assert all(r.category in CATEGORIES for r in result.removed)
    assert result.paragraphs == [BODY, BODY + "x"]


def test_explain_returns_every_non_blank_line_with_both_labels():
    result = clean(DOC, explain=True)
    assert [t.line for t in result.lines] == [0, 1, 2, 3, 4]
    trace = result.lines[1]
    assert trace.initial == "bad" and trace.final == "remove" and not trace.keep
    assert "subscription_prompt.button" in trace.hits
    assert result.to_dict()["lines"][2]["keep"] is True


def test_without_explain_there_are_no_traces():
    assert "lines" not in clean(DOC).to_dict()


def test_language_override_is_reported():
    assert clean(BODY, language="de").metadata["language"] == "de"


def test_an_empty_result_warns():
    result = clean("Subscribe\nShare\n")
    assert result.paragraphs == []
    assert any(w.startswith("empty_body") for w in result.warnings)


def test_a_zero_time_budget_falls_back_to_rules_with_a_warning():
    """On a page where the model removes a line the rules leave, a spent budget gives the rules' answer."""
    page = f"{DOC}\nTop stories this week"
    full = clean(page)
    assert [r.line for r in full.removed if r.rule == "model"] == [5], "the model should take the last line"
    result = clean(page, time_budget=0.0)
    assert any(w.startswith("time_budget") for w in result.warnings)
    with scoring.disabled():
        rules_only = clean(page)
    assert result.paragraphs == rules_only.paragraphs != full.paragraphs
    assert not any(r.rule == "model" for r in result.removed)


def test_html_input_gives_a_body():
    page = f"<html><body><nav><a>Home</a></nav><article><h1>Budget passes</h1><p>{BODY}</p><p>{BODY}x</p></article></body></html>"
    result = clean(html=page)
    assert BODY in result.text


def test_engine_info_names_the_versions():
    info = engine_info()
    assert info["package"]
    assert "model" in info


def test_the_language_a_page_declares_is_taken_only_when_the_text_does_not_tell():
    from heuristics.options import Options
    from heuristics.pipeline import _before_model, default_ruleset
    from heuristics.segment import segment_text as segment
    from heuristics.settings import SETTINGS

    def language(text: str, stated: str | None) -> str | None:
        return _before_model(segment(text), Options(), default_ruleset(), None, [], SETTINGS, stated=stated)[0]

    results = "\n".join(f"{i}. 199{i} 13,2{i} 7,4{i} 28,6{i}" for i in range(1, 6))
    assert language(results, None) is None  # years and times: no language to read
    assert language(results, "de") == "de"
    prose = "The government said on Thursday that it would extend the support for companies until the end of the year."
    assert language(prose, "de") == "en"  # the text's own language wins over a template's lang attribute
