"""HTML input: page -> lines with structural signals, plus the metadata the page states.

Fast path (``extractor="fast"``, the default): one iterative walk over the lexbor tree
(selectolax) turns the page into one line per block element, like a naive scraper would, and
records where each line sat. ``extractor="trafilatura"``: trafilatura's recall-mode text is
the input instead, and every line that can be found in the walk gets its signals.
Text given with the HTML: the text's lines are judged, the HTML says where each sat.

``Line.html`` (a ``Signals``; the rules use ``tokens``, the model the rest):

=================  =====  ============================================================
name               type   meaning
=================  =====  ============================================================
``tokens``         set    tag names of semantic ancestors (nav, header, footer, aside,
                          figure, figcaption, form, menu, table, blockquote, article, main,
                          dialog, details, address, li, ...) and their class/id/role words,
                          split on ``-``, ``_`` and camelCase, lowercased, words with digits
                          dropped (``share``, ``related``); only from ancestors that hold less
                          than half of the page's text
``tag``            str    the block element the line is the text of (``p``, ``li``, ``h2``)
``depth``          int    element depth of that block below ``<body>``
``heading``        int    1-6 inside ``<hN>``, else 0
``link_density``   float  share of the line's characters inside ``<a>``
``in_main``        bool   inside ``<main>``, ``<article>``, ``role=main`` or an
                          ``articleBody`` microdata element
``in_table``       bool   inside a table cell
``in_list``        bool   inside ``<li>``, ``<dd>`` or ``<dt>``
``in_best``        bool   inside the densest prose container of the page (see
                          ``_best_container``); the article body on article pages
``best_distance``  int    levels between the line's block and that container (0 inside it
                          or below; 1 its parent's other children, ...); -1 when no container
``region_chars``   int    characters of text in the block's parent element
``region_link_density``  float  share of those characters inside links
``region_lines``   int    lines in the block's parent element
``region``         int    ordinal of that parent element in the page (equal for lines that
                          share it: runs of menu items, the paragraphs of one body)
``outer``          int    the same for the grandparent element (ids shared with ``region``)
``region_prose``   float  share of the page's prose (lines of 80+ characters, mostly not
                          link text) inside the block's parent element
``region_purity``  float  share of the parent element's text that is prose
``outer_prose``, ``outer_purity``  the same for the grandparent element
``majority_levels``  int  levels from the block up to the lowest element holding half the
                          page's prose (0: the block itself does; -1 unmatched)
``position``       float  0..1, the line's position among the page's lines
``matched``        bool   only with ``text`` or the trafilatura path: the line was found in
                          the walk (all other signals are neutral defaults when False)
=================  =====  ============================================================
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, fields
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import CleanError
from ..normalise import normalise_text, valid_unicode
from ..segment import Line, line_key, make_lines, segment_text
from ..settings import SETTINGS, Settings
from .guard import guard

BLOCK_TAGS = frozenset(
    "address article aside blockquote caption center dd details dialog dir div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main menu nav ol p pre section summary table tbody "
    "thead tfoot tr ul body html option".split())
# Never visible text (what a naive scraper drops too).
SKIP_TAGS = frozenset(
    "head script style noscript template svg canvas iframe object embed select datalist audio video map "
    "textarea math title meta link base".split())
# Ancestor tags that are always tokens (their meaning does not depend on how much text they hold).
SEMANTIC_TAGS = frozenset(
    "nav header footer aside figure figcaption form menu table blockquote article main dialog details summary "
    "address li dl ol ul caption td th".split())
# Elements that never start a line nor carry tokens: they share their parent's frame in the walk.
INLINE_TAGS = frozenset(
    "span b i em strong small font u s strike sup sub abbr acronym code kbd samp mark q cite time img picture "
    "source br wbr label big tt var dfn bdi bdo ins del nobr input button data output meter progress".split())
MAIN_TAGS = frozenset(("main", "article"))
CELL_TAGS = frozenset(("td", "th"))
LIST_TAGS = frozenset(("li", "dd", "dt"))
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Signals:
    """Where a line sat in its page (``Line.html``); the table in this module's docstring says what each
    field means. The defaults are the neutral signals of a line the walk did not find."""

    tokens: frozenset[str] = EMPTY
    tag: str = ""
    depth: int = 0
    heading: int = 0
    link_density: float = 0.0
    in_main: bool = False
    in_table: bool = False
    in_list: bool = False
    in_best: bool = False
    best_distance: int = -1
    region_chars: int = 0
    region_link_density: float = 0.0
    region_lines: int = 0
    region: int = -1
    outer: int = -1
    region_prose: float = 0.0
    region_purity: float = 0.0
    outer_prose: float = 0.0
    outer_purity: float = 0.0
    majority_levels: int = -1
    position: float = 0.0
    matched: bool = False

_WORD_SPLIT_RE = re.compile(r"[^0-9A-Za-z\u00c0-\uffff]++")
_CAMEL_RE = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z])")
_HIDDEN_STYLE_RE = re.compile(r"display\s*+:\s*+none|visibility\s*+:\s*+hidden", re.IGNORECASE)
_MAX_TOKEN_CHARS = 30
_MAX_ATTRIBUTE_CHARS = 400  # of class + id + role: real ones are short, hostile ones megabytes
_DIGIT_RE = re.compile(r"\d")  # words with digits are generated names (col12, 1408px, c968794)


def class_tokens(value: str | None) -> tuple[str, ...]:
    """Words of a class or id attribute: split on separators and camelCase, lowercased."""
    if not value:
        return ()
    words = []
    for part in _WORD_SPLIT_RE.split(value):
        if not part or len(part) > _MAX_TOKEN_CHARS:
            continue
        for word in _CAMEL_RE.split(part):
            word = word.lower()
            if len(word) > 1 and not _DIGIT_RE.search(word):
                words.append(word)
    return tuple(words)


class _Frame:
    """One element that matters for the lines (blocks, containers, links, cells).

    Kept after it closes: lines point at their block's frame, and frames at their parents.
    """

    __slots__ = ("tag", "parent", "depth", "semantic", "words", "chars", "links", "lines", "heading",
                 "in_link", "in_main", "in_table", "in_list", "block", "resolved", "prose", "majority")

    def __init__(self, tag: str, parent: _Frame | None, words: tuple[str, ...], main: bool = False) -> None:
        self.tag = tag
        self.parent = parent
        self.words = words
        self.chars = 0
        self.links = 0
        self.lines = 0
        self.prose = 0
        self.majority = 0
        self.resolved: frozenset[str] | None = None
        self.semantic = tag in SEMANTIC_TAGS
        if parent is None:
            self.depth, self.heading, self.in_link, self.in_main = 0, 0, False, main
            self.in_table, self.in_list, self.block = False, False, self
            return
        self.depth = parent.depth + 1
        self.heading = HEADINGS.get(tag, parent.heading)
        self.in_link = tag == "a" or parent.in_link
        self.in_main = main or parent.in_main or tag in MAIN_TAGS
        self.in_table = parent.in_table or tag in CELL_TAGS
        self.in_list = parent.in_list or tag in LIST_TAGS
        self.block = self if tag in BLOCK_TAGS else parent.block


@dataclass(slots=True)
class _RawLine:
    text: str
    owner: _Frame
    links: int


_TOKEN_CACHE: dict[str, tuple[str, ...]] = {}
_TOKEN_CACHE_MAX = 200_000


def _element_words(node: LexborNode) -> tuple[tuple[str, ...], bool]:
    """The element's class/id/role words, and whether it marks the main content."""
    attributes = node.attributes
    if not attributes:
        return (), False
    joined = f"{attributes.get('class') or ''} {attributes.get('id') or ''} {attributes.get('role') or ''}"
    return _joined_words(joined[:_MAX_ATTRIBUTE_CHARS]), (attributes.get("role") == "main"
                                                        or attributes.get("itemprop") == "articleBody")


def _joined_words(joined: str) -> tuple[str, ...]:
    """``class_tokens`` of an element's joined class, id and role, remembered (pages repeat their classes)."""
    words = _TOKEN_CACHE.get(joined)
    if words is None:
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
            _TOKEN_CACHE.clear()
        words = _TOKEN_CACHE[joined] = class_tokens(joined)
    return words


class _Lines:
    """The line being built and the lines done."""

    __slots__ = ("pieces", "links", "owner", "done", "frames", "max_blocks")

    def __init__(self, max_blocks: int) -> None:
        self.max_blocks = max_blocks
        self.pieces: list[str] = []
        self.links = 0
        self.owner: _Frame | None = None
        self.done: list[_RawLine] = []
        self.frames: list[_Frame] = []

    def flush(self) -> None:
        if self.owner is not None:
            self.done.append(_RawLine("".join(self.pieces), self.owner, self.links))
            self.owner = None
            if len(self.done) > self.max_blocks:
                raise CleanError("html", f"the page has more than {self.max_blocks} blocks of text")
        if self.pieces:
            self.pieces.clear()
        self.links = 0


def walk(start: LexborNode, hidden: set[int], skip: frozenset[str] = SKIP_TAGS,
         max_blocks: int = SETTINGS.html_max_blocks) -> _Lines:
    """The page's lines and frames: the compiled walk (``_html.walk``, over lexbor's structs) when it could
    bind to selectolax's lexbor, else ``walk_reference``. Both give the same lines and frames."""
    if not _COMPILED:
        return walk_reference(start, hidden, skip, max_blocks)
    found = _html.walk(start.mem_id, hidden, skip, max_blocks)
    if found is None:
        raise CleanError("html", f"the page has more than {max_blocks} blocks of text")
    out = _Lines(max_blocks)
    out.done, out.frames = found
    return out


def walk_reference(start: LexborNode, hidden: set[int], skip: frozenset[str] = SKIP_TAGS,
                   max_blocks: int = SETTINGS.html_max_blocks) -> _Lines:
    """Depth-first over the tree without recursion (pages nest thousands deep in the wild).

    One loop with the per-node work inlined (the compiled ``_html.walk`` is this loop over lexbor's
    structs). Inline elements (spans, emphasis, images...) push their parent's frame instead of making one.
    """
    out = _Lines(max_blocks)
    frames, pieces = out.frames, out.pieces
    stack: list[_Frame] = []
    inline, blocks, cells = INLINE_TAGS, BLOCK_TAGS, CELL_TAGS

    def leave() -> None:
        frame = stack.pop()
        if stack and stack[-1] is frame:
            return
        if frame.block is frame:
            out.flush()
        elif frame.tag in cells:
            pieces.append(" ")
        if stack:
            parent = stack[-1]
            parent.chars += frame.chars
            parent.links += frame.links

    upcoming: LexborNode | None = start
    while upcoming is not None:
        node = upcoming
        tag = node.tag
        opened = False
        if tag == "-text":
            value = node.text_content
            if value and stack:
                frame = stack[-1]
                if out.owner is None and not value.isspace():
                    out.owner = frame.block
                if out.owner is not None:
                    pieces.append(value)
                    frame.chars += len(value)
                    if frame.in_link:
                        frame.links += len(value)
                        out.links += len(value)
        elif tag and tag[0] != "-" and tag not in skip and not (hidden and node.mem_id in hidden):
            opened = True
            if tag in inline:
                if tag == "br":
                    out.flush()
                stack.append(stack[-1] if stack else _Frame(tag, None, ()))
            else:
                if tag in blocks:
                    out.flush()
                elif tag in cells and pieces:
                    pieces.append(" ")
                words, main = ((), False) if tag == "a" else _element_words(node)
                frame = _Frame(tag, stack[-1] if stack else None, words, main)
                stack.append(frame)
                frames.append(frame)
        if opened:
            child = node.first_child
            if child is not None:
                upcoming = child
                continue
            leave()
        upcoming = None
        while stack:
            sibling = node.next
            if sibling is not None:
                upcoming = sibling
                break
            node = node.parent
            leave()
    out.flush()
    return out


def _bind_compiled() -> bool:
    """Whether the compiled walk can run here: ``_html`` built, lexbor's functions found in selectolax's
    extension, and lexbor's node structs laid out as ``_html`` reads them (checked on a small page)."""
    try:
        import selectolax.lexbor as lexbor_module

        from .. import _html
    except ImportError:
        return False
    if not _html.bind(lexbor_module.__file__):
        return False
    _html.configure(INLINE_TAGS, BLOCK_TAGS, CELL_TAGS, LIST_TAGS, MAIN_TAGS, SEMANTIC_TAGS, HEADINGS, class_tokens,
                    _TOKEN_CACHE, _TOKEN_CACHE_MAX)
    tree = LexborHTMLParser(_CHECK_PAGE)
    for node in tree.root.traverse(include_text=True):
        kind, _, first, following, parent, text = _html.node_facts(node.mem_id)
        expected = (node.first_child, node.next, node.parent)
        if (first, following, parent) != tuple(other.mem_id if other is not None else 0 for other in expected):
            return False
        if kind == 3 and text != node.text_content or (kind == 1) != (node.tag[0] != "-"):
            return False
    start = tree.body or tree.root
    found = _html.walk(start.mem_id, _hidden_ids(tree), SKIP_TAGS, 100)
    return found is not None and _walk_facts(found[0], found[1]) == _walk_facts(*_done_frames(
        walk_reference(start, _hidden_ids(tree), SKIP_TAGS, 100)))


# What _bind_compiled walks both ways: names, attributes, texts and kinds of node the walk reads.
_CHECK_PAGE = ("<html><body><DIV ID=Top CLASS='site-header mainMenu' ROLE=navigation><a href=x>Home</a> | "
               "<span>News</span></DIV><main><custom-tag class=post_body>z &amp; \u00e9</custom-tag><!--c-->"
               "<p itemprop=articleBody>text<br>more <b>bold</b></p><table><tr><td>a<td>b</table>"
               "<div hidden>no</div><script>var x;</script><ul><li role=main>one</ul></main></body></html>")


def _done_frames(walked: _Lines) -> tuple[list[Any], list[Any]]:
    return walked.done, walked.frames


def _walk_facts(done: list[Any], frames: list[Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    index = {id(frame): i for i, frame in enumerate(frames)}
    return ([(frame.tag, frame.depth, frame.words, frame.chars, frame.links, frame.heading, frame.in_link,
              frame.in_main, frame.in_table, frame.in_list, index.get(id(frame.parent)), index.get(id(frame.block)))
             for frame in frames],
            [(line.text, line.links, index.get(id(line.owner))) for line in done])


try:
    from .. import _html
except ImportError:  # a checkout without the compiled parts built
    _html = None  # type: ignore[assignment]


# ---------------------------------------------------------------- after the walk

def _resolve_tokens(frame: _Frame, half: int) -> frozenset[str]:
    """Tokens of a frame: its ancestors' (memoised, iteratively) plus its own.

    Tag names and class/id words count only on elements that hold less than ``half`` of the
    page's text: a page wrapper's ``single-post has-sidebar`` (or ASP.NET's page-wide ``<form>``)
    says nothing about the lines inside it.
    """
    chain = []
    current: _Frame | None = frame
    while current is not None and current.resolved is None:
        chain.append(current)
        current = current.parent
    base = current.resolved if current is not None else EMPTY
    for item in reversed(chain):
        if item.chars < half and item.depth > 0 and (item.semantic or item.words):
            base = base.union(item.words + (item.tag,) if item.semantic else item.words)
        item.resolved = base
    return base


def _prose(line: _RawLine, text: str, prose_chars: int) -> bool:
    return len(text) >= prose_chars and line.links * 2 < len(text)


def _best_container(lines: list[_RawLine], texts: list[str], prose_chars: int) -> _Frame | None:
    """The element whose prose lines hold the most text, readability-style.

    Each prose line (``prose_chars`` or more, mostly not link text) credits its block's parent fully
    and the grandparent half, so a body split over sibling wrappers still lifts their parent.
    """
    scores: dict[int, float] = {}
    frames: dict[int, _Frame] = {}
    for line, text in zip(lines, texts):
        if not _prose(line, text, prose_chars):
            continue
        parent = line.owner.parent or line.owner
        grand = parent.parent or parent
        for frame, weight in ((parent, 1.0), (grand, 0.5)):
            key = id(frame)
            frames[key] = frame
            scores[key] = scores.get(key, 0.0) + weight * len(text)
    if not scores:
        return None
    return frames[max(scores, key=scores.__getitem__)]


def _distances(lines: list[_RawLine], best: _Frame | None) -> list[int]:
    """Per line: 0 inside ``best``, else how many levels above it the line's branch joins it."""
    if best is None:
        return [-1] * len(lines)
    levels: dict[int, int] = {}
    current: _Frame | None = best
    level = 0
    while current is not None:
        levels[id(current)] = level
        current, level = current.parent, level + 1
    out = []
    memo: dict[int, int] = {}
    for line in lines:
        frame: _Frame | None = line.owner
        seen = []
        found = -1
        while frame is not None:
            key = id(frame)
            if key in memo:
                found = memo[key]
                break
            if key in levels:
                found = levels[key]
                break
            seen.append(key)
            frame = frame.parent
        for key in seen:
            memo[key] = found
        out.append(found)
    return out


def _prose_mass(walked: _Lines, texts: list[str], prose_chars: int) -> int:
    """Prose characters per subtree (``frame.prose``) and each frame's levels up to the lowest
    ancestor holding half the page's prose (``frame.majority``). Linear in the number of frames:
    frames are in document order, so children come after their parents."""
    for line, text in zip(walked.done, texts):
        if _prose(line, text, prose_chars):
            line.owner.prose += len(text)
    frames = walked.frames
    for frame in reversed(frames):
        if frame.parent is not None:
            frame.parent.prose += frame.prose
    total = frames[0].prose if frames else 0
    for frame in frames:
        if frame.prose * 2 >= total or frame.parent is None:
            frame.majority = 0
        else:
            frame.majority = frame.parent.majority + 1
    return total


def _line_texts(raw_lines: list[_RawLine]) -> list[str]:
    """Each line's text: whitespace collapsed, then repaired as every input text is (``normalise``).

    The repair looks at the whole page once first (most pages need none)."""
    if _html is not None:
        texts = _html.collapsed_texts(raw_lines)
    else:
        texts = [" ".join(line.text.split()) for line in raw_lines]
    joined = "\n".join(texts)
    if normalise_text(joined) != joined:
        texts = [normalise_text(text) for text in texts]
    return texts


def _signals(walked: _Lines, prose_chars: int) -> list[tuple[str, Signals]]:
    """(text, signals) per walked line."""
    raw_lines = walked.done
    texts = _line_texts(raw_lines)
    if _html is not None and raw_lines and isinstance(raw_lines[0], _html.RawLine):
        rows = _html.signal_rows(raw_lines, walked.frames, texts, prose_chars, EMPTY)
        return list(zip(texts, _make_signals(rows)))
    half = (walked.frames[0].chars if walked.frames else 0) // 2
    prose_total = max(1, _prose_mass(walked, texts, prose_chars))
    for line in raw_lines:
        region = line.owner.parent or line.owner
        region.lines += 1
    best = _best_container(raw_lines, texts, prose_chars)
    distances = _distances(raw_lines, best)
    total = max(1, len(raw_lines) - 1)
    region_ids: dict[int, int] = {}
    rows = []
    for position, (line, text, distance) in enumerate(zip(raw_lines, texts, distances)):
        owner = line.owner
        region = owner.parent or owner
        outer = region.parent or region
        size = max(1, len(text.strip()))
        region_chars, outer_chars = region.chars, outer.chars
        rows.append((  # Signals' fields, in order
            _resolve_tokens(owner, half),                                    # tokens
            owner.tag, owner.depth, owner.heading,                           # tag, depth, heading
            min(1.0, line.links / size),                                     # link_density
            owner.in_main, owner.in_table, owner.in_list,
            distance == 0, distance,                                         # in_best, best_distance
            region_chars,
            region.links / region_chars if region_chars else 0.0,            # region_link_density
            region.lines,
            region_ids.setdefault(id(region), len(region_ids)),              # region
            region_ids.setdefault(id(outer), len(region_ids)),               # outer
            region.prose / prose_total,                                      # region_prose
            region.prose / region_chars if region_chars else 0.0,            # region_purity
            outer.prose / prose_total,                                       # outer_prose
            outer.prose / outer_chars if outer_chars else 0.0,               # outer_purity
            owner.majority, position / total, True,                          # majority_levels, position, matched
        ))
    return list(zip(texts, _make_signals(rows)))


_SIGNAL_FIELDS = tuple(field.name for field in fields(Signals))


def _make_signals(rows: list[tuple[Any, ...]]) -> list[Signals]:
    """``Signals(*row)`` per row (by the compiled core when it is built: the same objects, made faster)."""
    if _html is not None:
        return _html.build_all(Signals, _SIGNAL_FIELDS, rows)
    return [Signals(*row) for row in rows]


# ---------------------------------------------------------------- parsing and the entry point

def parse(html: str) -> LexborHTMLParser:
    """The lexbor tree of a page (already valid text, through ``guard.guard``)."""
    try:
        return LexborHTMLParser(html)
    except Exception as exc:  # selectolax raises a bare Exception class when lexbor fails
        raise CleanError("html", f"could not parse the HTML: {exc}") from exc


# React's streaming server rendering sends finished parts of the page as <div hidden id="S:0">...</div>
# at the end of the body; its script moves them into place, so the reader sees them.
_STREAMED_ID_RE = re.compile(r"S:\d++")


def _hidden_ids(tree: LexborHTMLParser) -> set[int]:
    """Elements that are never shown: the ``hidden`` attribute or an inline display:none style
    (streamed React parts excepted, see ``_STREAMED_ID_RE``)."""
    hidden = set()
    for node in tree.css("[hidden], [style*=none i], [style*=hidden i]"):
        attributes = node.attributes
        style = attributes.get("style") or ""
        if "hidden" in attributes and _STREAMED_ID_RE.fullmatch(attributes.get("id") or ""):
            continue
        if "hidden" in attributes or _HIDDEN_STYLE_RE.search(style):
            hidden.add(node.mem_id)
    return hidden


_MIN_SWALLOWED_CHARS = 1000


def _words(walked: _Lines, enough: int) -> int:
    """Words of the walked lines, counted up to ``enough`` (the callers only ask whether there are that many)."""
    count = 0
    for line in walked.done:
        count += len(line.text.split())
        if count >= enough:
            break
    return count


def _revealed(tree: LexborHTMLParser, start: LexborNode, max_blocks: int) -> _Lines:
    """The page as scripts would show it: hidden elements (anti-flicker wrappers that cover the whole
    page until a script unhides them) and ``<noscript>`` content (what forum software renders for
    readers without scripts) count as visible. A ``<title>`` that never closed swallows the page as
    text: its text is read as the page then."""
    revealed = walk(start, set(), SKIP_TAGS - {"noscript"}, max_blocks)
    title = tree.css_first("title")
    swallowed = title.text() if title is not None and not revealed.done else ""
    if len(swallowed) >= _MIN_SWALLOWED_CHARS and "<" in swallowed:
        inner = parse(swallowed)
        revealed = walk(inner.body or inner.root, set(), SKIP_TAGS - {"noscript"}, max_blocks)
    return revealed


def html_lines(tree: LexborHTMLParser, settings: Settings = SETTINGS) -> list[tuple[str, Signals]]:
    """(text, signals) for every block of the page, in document order.

    A page showing fewer than ``settings.html_few_words`` words is walked again with what scripts would
    reveal (``_revealed``); the second walk is used when it finds at least that many and twice as many."""
    start = tree.body or tree.root
    if start is None:
        return []
    walked = walk(start, _hidden_ids(tree), max_blocks=settings.html_max_blocks)
    shown = _words(walked, settings.html_few_words)
    if shown < settings.html_few_words:
        revealed = _revealed(tree, start, settings.html_max_blocks)
        wanted = max(2 * shown, settings.html_few_words)
        if _words(revealed, wanted) >= wanted:
            walked = revealed
    return _signals(walked, settings.html_prose_chars)


def _aligned(text: str, walked: list[tuple[str, Signals]], settings: Settings) -> list[Line]:
    """The text's lines, each with the signals of the walked line it matches by its words: the
    same words, the same first words, or (a scraper that broke a block into several lines) a
    part of a walked line's words, looked for from the last match on."""
    keys = [line_key(line_text) for line_text, _ in walked]
    by_key: dict[str, int] = {}
    by_head: dict[str, int] = {}
    starts = []
    offset = 0
    for index, key in enumerate(keys):
        starts.append(offset)
        offset += len(key) + 1
        if key:
            by_key.setdefault(key, index)
            by_head.setdefault(_head(key), index)
    joined = "\n".join(keys)
    cursor = 0
    lines = []
    for line in segment_text(text, settings):
        index = None
        if line.key:
            index = by_key.get(line.key)
            if index is None:
                index = by_head.get(_head(line.key))
            if index is None and len(line.key) >= _MIN_PART_CHARS:
                index = _containing(joined, starts, line.key, cursor)
        if index is not None:
            cursor = starts[index]
        line.html = walked[index][1] if index is not None else UNMATCHED
        lines.append(line)
    return lines


_MIN_PART_CHARS = 12  # shorter parts would be found inside unrelated lines


def _containing(joined: str, starts: list[int], key: str, cursor: int) -> int | None:
    """Index of the walked line whose key contains ``key`` (keys hold no newline, so no match
    spans two lines): the first one from ``cursor`` on, else the first one."""
    found = joined.find(key, cursor)
    if found < 0:
        found = joined.find(key)
    return None if found < 0 else bisect_right(starts, found) - 1


_HEAD_WORDS = 8


def _head(key: str) -> str:
    return " ".join(key.split(" ", _HEAD_WORDS)[:_HEAD_WORDS])


UNMATCHED = Signals()  # a line the walk did not find: neutral signals


def trafilatura_text(html: str) -> str:
    """trafilatura's recall-oriented extraction (the same call that made the bench's R2 input)."""
    import trafilatura

    try:
        return trafilatura.extract(html, favor_recall=True, include_comments=False, include_tables=True,
                                   deduplicate=False, output_format="txt") or ""
    except (RecursionError, ValueError) as exc:
        raise CleanError("html", f"trafilatura could not read the page: {exc}") from exc


def lines_from_html(html: str, *, text: str | None = None, extractor: str = "fast",
                    settings: Settings = SETTINGS) -> tuple[list[Line], dict[str, Any]]:
    """Lines to judge and the metadata the page states.

    HTML alone: with ``extractor="fast"`` one line per block of the page; with
    ``"trafilatura"`` trafilatura's text. Text given as well: the text's lines (what the
    scraper kept), each with the signals of where it sat in the page.
    """
    from .meta import page_metadata

    html = guard(valid_unicode(html), settings.html_max_depth)  # the text given with it is repaired as it is split
    tree = parse(html)
    walked = html_lines(tree, settings)
    meta = page_metadata(tree)
    if text is not None:
        return _aligned(text, walked, settings), meta
    if extractor == "trafilatura":
        return _aligned(trafilatura_text(html), walked, settings), meta
    lines = make_lines([line_text for line_text, _ in walked], settings)
    for line, (_, signals) in zip(lines, walked):
        line.html = signals
    return lines, meta


_COMPILED = _bind_compiled()  # at the end: the check walks a page with this module's functions
