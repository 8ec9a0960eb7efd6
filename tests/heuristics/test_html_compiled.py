"""The compiled page walk (``_html.walk``) and its Python reference (``lines.walk_reference``) give the same
lines and frames, and the same signals after them (``_html.signal_rows`` against ``lines._signals``' Python
loop); the compiled ``Signals`` builder gives the dataclass's own objects."""
from __future__ import annotations

from itertools import islice

import numpy as np
import pytest

from heuristics.errors import CleanError
from heuristics.html import lines as html_lines_module
from heuristics.html.guard import guard
from heuristics.html.lines import SKIP_TAGS, Signals, _hidden_ids, _signals, parse, walk, walk_reference
from heuristics.normalise import valid_unicode

compiled_only = pytest.mark.skipif(not html_lines_module._COMPILED, reason="the compiled walk is not built or bound")

_FRAME_FIELDS = ("tag", "depth", "semantic", "words", "chars", "links", "lines", "prose", "majority", "heading",
                 "in_link", "in_main", "in_table", "in_list", "resolved")

PAGES = [
    "<html><body><p>One</p><div class='post-body entryContent'>Two <b>bold</b> <a href=x>link</a></div></body></html>",
    "<BODY><DIV ID=Main ROLE=main><P>Upper case tags and attributes</P><Custom-Element>own tag</Custom-Element></DIV>",
    "<body><table><tr><td>a</td><td>b<br>c</td></tr></table><ul><li>x<li>y</ul><h2>Head <span>ing</span></h2></body>",
    "<body><div hidden>secret</div><div style='display:none'>gone</div><noscript><p>no script</p></noscript>"
    "<div id='S:0' hidden>streamed</div><p>shown</p></body>",
    "<body><my:tag>prefixed</my:tag><x-y class='a_b-cD'>custom</x-y><template><p>t</p></template>"
    "<script>var a = '<p>';</script><style>p{}</style><p itemprop=articleBody>body &amp; &#x1F600; \u00a0 text</p>",
    "<body>" + "<div class='wrap'>" * 300 + "deep" + "</div>" * 300 + "</body>",
    "<body><article><h1>T</h1><p>" + "word " * 200 + "</p><p>   </p>\n\t<p>tail</p></article><footer>f</footer>",
    "<frameset><frame src=a></frameset>",
    "",
    "<p>no body tag \ud7ff text</p><!-- a comment --><![CDATA[x]]>",
]


def _facts(walked):
    index = {id(frame): i for i, frame in enumerate(walked.frames)}
    frames = [tuple(getattr(frame, name) for name in _FRAME_FIELDS)
              + (index.get(id(frame.parent)) if frame.parent is not None else None, index.get(id(frame.block)))
              for frame in walked.frames]
    return frames, [(line.text, line.links, index.get(id(line.owner))) for line in walked.done]


def _assert_same_walks(html: str) -> None:
    tree = parse(guard(valid_unicode(html)))
    start = tree.body or tree.root
    if start is None:
        return
    for hidden, skip in ((_hidden_ids(tree), SKIP_TAGS), (set(), SKIP_TAGS - {"noscript"})):
        for max_blocks in (100_000, 2):
            try:
                compiled = _facts(walk(start, hidden, skip, max_blocks))
            except CleanError as error:
                compiled = str(error)
            try:
                reference = _facts(walk_reference(start, hidden, skip, max_blocks))
            except CleanError as error:
                reference = str(error)
            assert compiled == reference
    hidden = _hidden_ids(tree)
    compiled_signals = _signals(walk(start, hidden), 80)
    reference_signals = _signals(walk_reference(start, hidden), 80)
    # the token sets must also iterate alike: the rules report container hits in that order
    assert [(text, signals, tuple(signals.tokens)) for text, signals in compiled_signals] == \
        [(text, signals, tuple(signals.tokens)) for text, signals in reference_signals]


@compiled_only
@pytest.mark.parametrize("html", PAGES)
def test_compiled_walk_equals_the_reference_on_hand_made_pages(html):
    _assert_same_walks(html)


@compiled_only
def test_compiled_walk_equals_the_reference_on_bench_pages():
    from devtools.bench import bench_dir, read_jsonl

    files = sorted((bench_dir() / "data").glob("*.jsonl.gz"))
    if not files:
        pytest.skip("no DEV bench")
    for path in files:
        for record in islice(read_jsonl(path), 40):
            if record.get("html"):
                _assert_same_walks(record["html"])


@compiled_only
def test_compiled_signals_builder_makes_the_dataclass_objects():
    from heuristics import _html
    from heuristics.html.lines import _SIGNAL_FIELDS

    rows = [(frozenset({"nav", "menu"}), "li", 3, 0, 0.5, False, True, True, False, 2, 40, 0.25, 3, 1, 2, 0.0,
             0.0, 0.1, 0.2, 1, 0.5, True), tuple(getattr(Signals(), name) for name in _SIGNAL_FIELDS)]
    built = _html.build_all(Signals, _SIGNAL_FIELDS, rows)
    assert built == [Signals(*row) for row in rows]
    assert [hash(item) for item in built] == [hash(Signals(*row)) for row in rows]
    with pytest.raises(ValueError):
        _html.build_all(Signals, _SIGNAL_FIELDS, [rows[0][:-1]])


@compiled_only
def test_html_features_are_the_same_with_and_without_the_compiled_columns(monkeypatch):
    """``html_features`` by ``_html.html_matrix`` or by its numpy reference (``_html`` switched off): the same
    matrix, bit for bit (NaN included), on the hand-made pages and bench pages."""
    from heuristics.html import features
    from heuristics.html.lines import lines_from_html

    for html in PAGES + _bench_pages(25):
        try:
            lines = lines_from_html(html)[0]
        except CleanError:
            continue
        compiled = features.html_features(lines)
        with monkeypatch.context() as patch:
            patch.setattr(features, "_html", None)
            reference = features.html_features(lines)
        assert compiled.shape == reference.shape and compiled.tobytes() == reference.tobytes()
        assert np.array_equal(compiled, reference, equal_nan=True)


def test_the_compiled_walk_is_bound_wherever_the_extension_is_built():
    """A build with ``_html`` runs the compiled walk: its import-time check (lexbor's struct layout, both walks
    on a small page) passed."""
    pytest.importorskip("heuristics._html")
    assert html_lines_module._COMPILED


def _bench_pages(per_file: int) -> list[str]:
    from devtools.bench import bench_dir, read_jsonl

    files = sorted((bench_dir() / "data").glob("*.jsonl.gz"))
    return [record["html"] for path in files for record in islice(read_jsonl(path), per_file) if record.get("html")]


_MARKUP_PIECES = ("<", "</", ">", "/", "/>", " ", "\t", "\n", "\x00", "div", "DIV", "Div", "p", "li", "td", "Tbody",
                  "br", "BR", "basefont", "basefonts", "span", "a" * 31, "b" * 32, "c" * 40, "\u00e9", "\u00c9",
                  "<<", "x", "=", "'", "<!--", "-->")


def test_compiled_depth_bound_equals_the_reference():
    """``guard.depth_bound`` (the compiled one pass) and ``depth_bound_reference`` (numpy): the same bound on
    hand-made pages, random markup (names up to, at and past the 32 keyed bytes, void and flat names, NUL and
    case) and bench pages."""
    import random

    from heuristics.html import guard as guard_module

    if guard_module._html is None:
        pytest.skip("the compiled parts are not built")
    rng = random.Random(14)
    pages = PAGES + ["".join(rng.choice(_MARKUP_PIECES) for _ in range(rng.randint(0, 80))) for _ in range(5000)]
    pages += ["<div>" * 300 + "</DIV>" * 299, "<p>" * 50, "<li><li></li>" * 40, "</span>" * 20 + "<span>" * 30]
    pages += [guard_module.strip_svg(valid_unicode(page)) for page in _bench_pages(40)]
    mismatched = [page for page in pages if guard_module.depth_bound(page) != guard_module.depth_bound_reference(page)]
    assert mismatched == []
    assert guard_module.depth_bound("<div>" * 300) == 300


def test_compiled_line_texts_equal_split_and_join():
    """``_html.collapsed_texts``: each line's ``" ".join(text.split())``, on every kind of Unicode whitespace
    and on texts of 1-, 2- and 4-byte characters."""
    import random

    _html = pytest.importorskip("heuristics._html")

    class Raw:
        def __init__(self, text: str) -> None:
            self.text = text

    rng = random.Random(14)
    pieces = [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000",
              "\u200a", "\u200b", "\u2028", "\u202f", "\u3000", "a", "Z", "\u00e9", "\u20ac", "\U0001F600", "-"]
    texts = ["", " ", "a", "a b", " a", "a ", "a  b", "\xa0only\xa0", "\u3000"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 16))) for _ in range(5000)]
    got = _html.collapsed_texts([Raw(text) for text in texts])
    expected = [" ".join(text.split()) for text in texts]
    assert got == expected  # str equality compares the storage kinds first: a non-canonical result fails


@compiled_only
def test_html_features_kernel_equals_the_reference_on_random_signals():
    """``_html.html_matrix`` (+ numpy's log1p) against ``html_features_reference`` on made-up signals: unmatched
    lines, no best container, ties in the median, far and missing levels, counts up to millions."""
    import random

    from heuristics.html import features

    rng = random.Random(14)
    tags = ["p", "li", "h2", "td", "div", "nav", "span", ""]
    token_sets = [frozenset(), frozenset({"nav", "menu"}), frozenset({"footer", "share", "li"}), frozenset({"entry"})]
    for _ in range(300):
        n = rng.randint(1, 40)
        signals = [Signals() if rng.random() < 0.1 else Signals(
            tokens=rng.choice(token_sets), tag=rng.choice(tags), depth=rng.randint(0, 30), heading=rng.randint(0, 6),
            link_density=rng.random(), in_main=rng.random() < 0.3, in_table=rng.random() < 0.2,
            in_list=rng.random() < 0.3, in_best=rng.random() < 0.4, best_distance=rng.randint(-1, 20),
            region_chars=rng.choice([0, 1, 17, 4_000, 3_000_000]), region_link_density=rng.random(),
            region_lines=rng.randint(0, 500), region=rng.randint(-1, 4), outer=rng.randint(-1, 4),
            region_prose=rng.random(), region_purity=rng.random(), outer_prose=rng.random(),
            outer_purity=rng.random(), majority_levels=rng.randint(-1, 20), position=rng.random(),
            matched=rng.random() < 0.9) for _ in range(n)]
        sizes = [rng.randint(1, 3_000) for _ in range(n)]
        compiled = _html_kernel().html_matrix(signals, sizes, len(features.HTML_FEATURE_NAMES))
        compiled[:, features._LOG_COLUMNS] = np.log1p(compiled[:, features._LOG_COLUMNS])
        assert compiled.tobytes() == features.html_features_reference(signals, sizes).tobytes()


@compiled_only
def test_score_context_kernel_equals_the_reference():
    """``html_score_context`` and ``page_structure`` by the compiled core or by numpy: the same arrays, bit for
    bit, on random pages (shared and unique regions, no best line, all best lines, a NaN score) and bench pages."""
    from heuristics.html import features
    from heuristics.html.lines import lines_from_html

    rng = np.random.default_rng(14)
    for _ in range(300):
        n = int(rng.integers(1, 60))
        structure = np.column_stack([rng.integers(0, 40, n), rng.integers(-1, 6, n), rng.integers(-1, 4, n),
                                     rng.random(n) < rng.choice([0.0, 0.5, 1.0])]).astype(np.float64)
        scores = rng.random(n)
        if rng.random() < 0.1:
            scores[rng.integers(0, n)] = np.nan
        with np.errstate(invalid="ignore"):  # np.maximum.at meeting the NaN
            assert features.html_score_context(scores, structure).tobytes() == \
                features.html_score_context_reference(scores, structure).tobytes()
    for html in PAGES + _bench_pages(10):
        try:
            lines = lines_from_html(html)[0]
        except CleanError:
            continue
        compiled = features.page_structure(lines)
        kernel, features._html = features._html, None
        try:
            reference = features.page_structure(lines)
        finally:
            features._html = kernel
        assert compiled.tobytes() == reference.tobytes()
        scores = rng.random(len(compiled))
        assert features.html_score_context(scores, compiled).tobytes() == \
            features.html_score_context_reference(scores, compiled).tobytes()


def _html_kernel():
    from heuristics import _html

    return _html
