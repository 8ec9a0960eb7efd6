"""HTML input: the walk (lines per block), the structural signals, text+HTML alignment, the two paths."""
from __future__ import annotations

import pytest

from heuristics import clean
from heuristics.html.lines import class_tokens, html_lines, lines_from_html, parse
from heuristics.html.features import HTML_FEATURE_NAMES, html_features

PROSE = ("The council approved the new budget on Tuesday after a long debate about schools, roads and the "
         "future of the town library, which had been closed for repairs since the spring floods.")
PROSE2 = ("Residents who spoke at the meeting asked for more money for the bus service, and the mayor promised "
          "a decision before the summer holidays begin in July.")


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html lang='en-GB'><head>{head}</head><body>{body}</body></html>"


ARTICLE = page(
    "<header class='site-header'><nav class='mainMenu'><ul><li><a href='/'>Home</a></li>"
    "<li><a href='/news'>News</a></li></ul></nav></header>"
    "<main><article class='post'><h1>Budget approved after long debate</h1>"
    f"<p>{PROSE}</p><figure><img src='a.jpg'><figcaption class='wp-caption-text'>The town hall at dusk.</figcaption>"
    f"</figure><p>{PROSE2}</p>"
    "<div class='newsletter_signup'><p>Get our best stories in your inbox every morning.</p></div>"
    "</article></main>"
    "<aside class='sidebar'><h3>Most read</h3><ul><li><a href='/a'>Another story about the weather</a></li></ul></aside>"
    "<footer><p>Copyright 2024 Town Courier</p></footer>")


def texts(html: str) -> list[str]:
    return [text for text, _ in html_lines(parse(html))]


def signals_of(html: str, fragment: str) -> dict:
    for text, signals in html_lines(parse(html)):
        if fragment in text:
            return signals
    raise AssertionError(f"no line with {fragment!r}")


# ---------------------------------------------------------------- the walk

def test_one_line_per_block_inline_elements_join_and_br_breaks():
    assert texts(page("<div>Intro <b>bold</b> and <a href='#'>a link</a>.<br>After the break</div>"
                      "<p>Second <span>block</span></p><ul><li>one</li><li>two</li></ul>")) == [
        "Intro bold and a link.", "After the break", "Second block", "one", "two"]


def test_table_cells_of_a_row_are_joined_with_spaces():
    assert texts(page("<table><tr><td>Name</td><td>Score</td></tr><tr><th>Ann</th><td>12</td></tr></table>")) == [
        "Name Score", "Ann 12"]


def test_invisible_content_is_not_text():
    html = page("<p>visible</p><script>var x = 'script';</script><style>p{}</style><noscript>noscript</noscript>"
                "<template><p>template</p></template><div hidden>hidden attr</div>"
                "<div style='color:red; display: none'>display none</div><p style='VISIBILITY:hidden'>invisible</p>"
                "<select><option>option</option></select><!-- comment -->")
    assert texts(html) == ["visible"]


def test_svg_contents_are_not_text():
    lines, _ = lines_from_html(page(f"<svg><text>chart label</text><path d='M0 0'/></svg><p>{PROSE}</p>"))
    assert [line.text for line in lines] == [PROSE]


# ---------------------------------------------------------------- signals

def test_tokens_hold_semantic_ancestors_and_split_class_words():
    tokens = signals_of(ARTICLE, "Home").tokens
    assert {"nav", "header", "main", "menu", "site"} <= tokens
    assert "mainmenu" not in tokens
    assert "figcaption" in signals_of(ARTICLE, "town hall at dusk").tokens
    assert {"newsletter", "signup"} <= signals_of(ARTICLE, "inbox every morning").tokens


def test_class_tokens_split_on_separators_and_camel_case_and_drop_generated_words():
    assert class_tokens("shareBar social-links__item col-md-6 x1408px a") == (
        "share", "bar", "social", "links", "item", "col", "md")


def test_wrappers_holding_most_of_the_text_give_no_tokens():
    html = page(f"<div class='page has-related-sidebar'><p>{PROSE}</p><p>{PROSE2}</p>"
                "<div class='related'><a href='/x'>Other story</a></div></div>")
    assert "related" not in signals_of(html, PROSE[:40]).tokens
    assert "related" in signals_of(html, "Other story").tokens


def test_link_density_heading_and_list_signals():
    home = signals_of(ARTICLE, "Home")
    body = signals_of(ARTICLE, PROSE[:40])
    assert home.link_density == pytest.approx(1.0) and home.in_list
    assert body.link_density == 0.0 and not body.in_list and body.tag == "p"
    assert signals_of(ARTICLE, "Budget approved").heading == 1
    assert signals_of(ARTICLE, "Most read").heading == 3


def test_the_article_body_is_the_best_container_and_chrome_is_outside_it():
    body = signals_of(ARTICLE, PROSE[:40])
    assert body.in_best and body.in_main and body.best_distance == 0 and body.majority_levels == 0
    assert body.region_prose == pytest.approx(1.0)
    for fragment in ("Home", "Copyright 2024", "Another story"):
        signals = signals_of(ARTICLE, fragment)
        assert not signals.in_best and signals.best_distance > 0 and signals.region_prose == 0.0


def test_html_features_have_one_row_per_non_blank_line_and_the_documented_columns():
    lines, _ = lines_from_html(ARTICLE)
    matrix = html_features(lines)
    assert matrix.shape == (sum(1 for line in lines if line.text), len(HTML_FEATURE_NAMES))
    names = list(HTML_FEATURE_NAMES)
    body_row = next(i for i, line in enumerate(lines) if line.text == PROSE)
    nav_row = next(i for i, line in enumerate(lines) if line.text == "Home")
    assert matrix[body_row, names.index("h_in_best")] == 1 and matrix[nav_row, names.index("h_in_best")] == 0
    assert matrix[nav_row, names.index("h_under_nav")] == 1 and matrix[body_row, names.index("h_under_nav")] == 0


# ---------------------------------------------------------------- container rules through clean()

def test_container_rules_remove_lines_the_text_alone_cannot_name():
    result = clean(html=ARTICLE, explain=True)
    why = {removal.text: removal.rule for removal in result.removed}
    assert why["Get our best stories in your inbox every morning."].startswith("subscription_prompt")
    assert why["The town hall at dusk."] == "caption.container"
    assert why["Home"] == why["News"] == "navigation.container"
    assert PROSE in result.paragraphs and PROSE2 in result.paragraphs


def test_container_rules_leave_long_prose_inside_a_matching_container():
    other = " ".join(f"Paragraph {n} of the report says the council will meet again next month." for n in range(6))
    html = page(f"<p>{other}</p><div class='share-wrapper'><p>{PROSE}</p></div><p>{PROSE2}</p>")
    lines, _ = lines_from_html(html)
    assert "share" in lines[1].html.tokens
    assert PROSE in clean(html=html).paragraphs


# ---------------------------------------------------------------- text + HTML, and the trafilatura path

def test_given_text_is_judged_with_the_signals_of_where_each_line_sat():
    text = f"Home\n{PROSE}\nA line the page does not have\n"
    lines, _ = lines_from_html(ARTICLE, text=text)
    assert [line.text for line in lines] == ["Home", PROSE, "A line the page does not have"]
    assert "nav" in lines[0].html.tokens and lines[0].html.matched
    assert lines[1].html.in_best
    assert not lines[2].html.matched and lines[2].html.tokens == frozenset()


def test_text_with_html_cleans_the_text_lines():
    result = clean(f"Home\nNews\n{PROSE}\n{PROSE2}\nCopyright 2024 Town Courier\n", html=ARTICLE)
    assert result.paragraphs == [PROSE, PROSE2]


def test_trafilatura_path_judges_trafilaturas_text_with_signals():
    lines, meta = lines_from_html(ARTICLE, extractor="trafilatura")
    kept = [line.text for line in lines if line.text]
    assert PROSE in kept and "Home" not in kept
    assert all(line.html is not None for line in lines)
    assert meta["language"] == "en"
    assert PROSE in clean(html=ARTICLE, extractor="trafilatura").paragraphs


# ---------------------------------------------------------------- what scripts reveal

LONG = " ".join([PROSE, PROSE2] * 3)


def test_streamed_react_parts_are_visible_other_hidden_elements_are_not():
    html = page(f"<p>Intro</p><div hidden id='S:0'><p>{PROSE}</p></div><div hidden id='S:x'><p>secret one</p></div>"
                "<div hidden><p>secret two</p></div>")
    assert texts(html) == ["Intro", PROSE]


def test_a_page_hidden_until_a_script_runs_is_read_as_shown():
    html = page(f"<div style='visibility:hidden;min-height:100vh'><nav>Menu</nav><p>{LONG}</p></div>")
    assert LONG in texts(html)
    small = page(f"<p>{PROSE}</p><div style='display:none'><p>{PROSE2}</p></div>")
    assert texts(small) == [PROSE]


def test_noscript_content_counts_only_when_the_page_shows_almost_nothing():
    empty_shell = page(f"<div id='app'>Loading</div><noscript><div class='post'><p>{LONG}</p></div></noscript>")
    assert texts(empty_shell) == ["Loading", LONG]
    full = page(f"<p>{LONG}</p><noscript><p>Please enable JavaScript to see the comments.</p></noscript>")
    assert texts(full) == [LONG]


def test_a_title_that_never_closes_is_read_as_the_page():
    broken = f"<html><head><title>Budget news</titl><body><h1>Budget</h1><p>{LONG}</p></body></html>"
    assert LONG in texts(broken)


def test_text_lines_that_are_parts_of_a_block_get_that_blocks_signals():
    first, second = PROSE[:60], PROSE[60:]
    lines, _ = lines_from_html(ARTICLE, text=f"Home\n{first}\n{second}\nSomething the page never said at all\n")
    assert [line.html.matched for line in lines] == [True, True, True, False]
    assert lines[1].html is lines[2].html and lines[1].html.in_best and lines[1].html.tag == "p"
