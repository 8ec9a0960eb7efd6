"""Hostile HTML: every page gets its prose through, an empty body when it has none, or a CleanError
naming ``html`` where refusing is right (nesting past the depth bound); never a crash or a hang.

The bound on time is pytest-timeout's (a hang fails the test), not a timed assertion.
"""
from __future__ import annotations

import pytest

from heuristics import CleanError, clean
from heuristics.html.lines import lines_from_html, parse
from heuristics.html.guard import MAX_DEPTH, depth_bound, strip_svg
from heuristics.settings import SETTINGS

PROSE = ("The council approved the new budget on Tuesday after a long debate about schools, roads and the "
         "future of the town library, which had been closed for repairs since the spring floods.")
# A stretch of PROSE without "the " (the mojibake page garbles that word) or characters any repair touches.
PROSE_MARK = "after a long debate about schools, roads and"
PROSE_KEPT, EMPTY, REFUSED = "prose kept", "empty body", "refused"


def page(body: str) -> str:
    """A whole document around ``body`` (trafilatura reads nothing from a bare fragment)."""
    return f"<html><body>{body}</body></html>"


def result_or_refusal(html: str, **options) -> str | None:
    """The body text, or None when the page was refused with a CleanError naming the html field."""
    try:
        result = clean(html=html, **options)
    except CleanError as error:
        assert error.field == "html" and error.detail
        return None
    result.text.encode("utf-8")
    if not result.paragraphs:
        assert any(w.startswith("empty_body") for w in result.warnings)
    return result.text


# name: (page, what the fast extractor must give, what trafilatura must give)
HOSTILE = {
    "unclosed tags": (f"<html><body><div><p>{PROSE}<p>two <b>bold <i>italic <table><tr><td>cell",
                      PROSE_KEPT, PROSE_KEPT),
    "no body": ("<html><head><title>Only a head</title></head></html>", EMPTY, EMPTY),
    "empty": ("", EMPTY, EMPTY),
    "only comments": ("<!-- one --><!-- two -->", EMPTY, EMPTY),
    "only scripts and styles": ("<script>document.write('<p>x</p>')</script><style>p { color: red }</style>",
                                EMPTY, EMPTY),
    # trafilatura finds no document in text without markup; the fast path reads it as one paragraph
    "text without tags": (PROSE, PROSE_KEPT, EMPTY),
    "nul and control bytes": (page(f"<p>{PROSE}\x00\x01\x1b[31m</p>"), PROSE_KEPT, PROSE_KEPT),
    "lone surrogates": (page(f"<p>caf\udce9 \ud800 {PROSE}</p>"), PROSE_KEPT, PROSE_KEPT),
    "replacement characters": (page(f"<p>\ufffd\ufffd {PROSE} \ufffd</p>"), PROSE_KEPT, PROSE_KEPT),
    "mojibake": (page("<p>" + PROSE.replace("the ", "thÃ© ") + " Itâ€™s here.</p>"), PROSE_KEPT, PROSE_KEPT),
    "frameset": ("<frameset><frame src='a.html'></frameset>", EMPTY, EMPTY),
    "huge class attribute": (page('<div class="' + "share-x " * 200_000 + f'"><p>{PROSE}</p></div>'),
                             PROSE_KEPT, PROSE_KEPT),
    # nests 20,000 deep, past html_guard.MAX_DEPTH: the one page here where refusing is right
    "20k unclosed spans": ("<span>" * 20_000 + PROSE, REFUSED, REFUSED),
    "svg never closed": (page(f"<p>{PROSE}</p><svg>" + "<path/>" * 10_000), PROSE_KEPT, PROSE_KEPT),
}


def outcome(text: str | None) -> str:
    if text is None:
        return REFUSED
    return PROSE_KEPT if PROSE_MARK in text else EMPTY if text == "" else f"other body: {text[:80]!r}"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("extractor", ["fast", "trafilatura"])
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_page_keeps_its_prose_or_is_empty_or_refused_where_right(name, extractor):
    html, fast, trafilatura = HOSTILE[name]
    assert outcome(result_or_refusal(html, extractor=extractor)) == (fast if extractor == "fast" else trafilatura)


@pytest.mark.timeout(120)
def test_repairable_text_comes_through_repaired():
    lines, _ = lines_from_html(HOSTILE["lone surrogates"][0])
    assert lines[0].text.startswith("café \ufffd The council")
    lines, _ = lines_from_html(HOSTILE["mojibake"][0])
    assert "thé" in lines[0].text and "It’s here." in lines[0].text


@pytest.mark.timeout(120)
@pytest.mark.parametrize("page", [
    "<div>" * 100_000 + PROSE + "</div>" * 100_000,
    "<html><body>" + "<div>x" * 100_000,
    "<div></span>" * 100_000,
    "<div/>" * 100_000,
    "<table><tr><td>" * 20_000,
    "<svg><path/></svg>" + "<section>" * 50_000,
])
def test_100k_nested_elements_are_refused_fast(page):
    with pytest.raises(CleanError) as info:
        clean(html=page)
    assert info.value.field == "html" and str(MAX_DEPTH) in info.value.detail


@pytest.mark.timeout(120)
def test_20_mb_of_one_text_node_comes_through_whole():
    prose = " ".join([PROSE] * (20_000_000 // (len(PROSE) + 1)))
    assert result_or_refusal(page(f"<p>{prose}</p>")) == prose


@pytest.mark.timeout(120)
def test_more_blocks_than_the_limit_are_refused():
    with pytest.raises(CleanError) as info:
        clean(html="<p>x</p>" * (SETTINGS.html_max_blocks + 1))
    assert info.value.field == "html"


# ---------------------------------------------------------------- the depth bound

def parsed_depth(html: str) -> int:
    """How deep lexbor's tree of ``html`` nests (elements only), walked without recursion."""
    deepest, stack = 0, [(parse(html).root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        child = node.child
        while child is not None:
            if child.tag and not child.tag.startswith("-"):
                stack.append((child, depth + 1))
            child = child.next
    return deepest


@pytest.mark.parametrize("page", [
    "<div><div><p>x</div></div>", "<b>" * 30, "<div></span>" * 300, "<div/>" * 300, "<DIV>" * 50 + "</div>" * 50,
    "<sectiona></sectionb>" * 40, "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaX></aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaY>" * 40,
    "<blockquote>" * 40, "<p>a<p>b<div><p>c<div>d" * 30,
])
def test_depth_bound_is_not_fooled_by_stray_end_tags_or_self_closing_html(page):
    """Up to the <html>/<body> the builder adds itself (2 levels), the bound is at least the real depth."""
    assert depth_bound(page) + 2 >= parsed_depth(page)


@pytest.mark.parametrize("page", ["<ul><li>" * 50, "<table><tr><td>" * 50, "<dl><dd>" * 50])
def test_depth_bound_misses_what_the_builder_inserts_by_a_bounded_factor(page):
    """Nested lists and tables: <li>, <td> count once per name (a new one usually closes the open one),
    <tbody> is inserted by the builder. Four levels per counted one at most: still far from a hang."""
    assert 4 * depth_bound(page) + 2 >= parsed_depth(page) > depth_bound(page)


@pytest.mark.parametrize(("page", "bound"), [
    ("<p>a<p>b<p>c<li>d<li>e<br><img src=x><hr><input><meta>", 2),
    ("<p>x</p>" * 1000, 1),
    ("<div>x</div>" * 1000, 1),
    ("<my-long-custom-element-name>x</my-long-custom-element-name>" * 100, 1),
])
def test_depth_bound_stays_low_on_flat_pages(page, bound):
    assert depth_bound(page) == bound


def test_svg_contents_are_cut_and_an_unclosed_svg_cut_to_the_end():
    assert strip_svg("<p>a</p><svg class='i'><path d='M0'/><g><circle/></g></svg><p>b</p>") == (
        "<p>a</p><svg class='i'></svg><p>b</p>")
    assert strip_svg("<p>a</p><SVG><path/>" + "<div/>" * 10) == "<p>a</p><SVG>"
