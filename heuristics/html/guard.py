"""Refuse pages nested too deep to parse in reasonable time, deciding fast and without parsing.

HTML parsers (lexbor too) look through their stack of open elements for most start tags, so N
nested elements cost O(N^2): 100,000 nested ``<div>`` take minutes. ``guard`` raises a
``CleanError`` for pages that may nest deeper than ``MAX_DEPTH``.

``depth_bound`` counts, per tag name, the elements of that name that can be open at each point
(start tags minus end tags of the same name, never below zero: a stray ``</span>`` closes no
``<div>``) and sums over the names. Void elements never nest; names whose start tag closes an
open element of the same name (``<p>``, ``<li>``, ``<td>``...) count at most once; ``<div/>``
counts as open, as the parser takes it; names longer than ``8 * WORDS`` bytes never close anything.
Tags the tree builder inserts itself (``<tbody>``, implied ``<html>``/``<body>``) are not
counted, so the true depth can exceed the bound by a small factor (nested tables: four levels
per ``<table><tr><td>``), never by an unbounded amount. Text that only looks like tags (in
comments, scripts, attributes) raises the bound. The contents of ``<svg>`` are cut first
(``strip_svg``): no text the reader wants lives there, and inside it ``/>`` closes elements,
which a bound that ignores it would over-count.

The compiled core does it in one pass over the bytes (``_html.depth_bound``); the reference,
``depth_bound_reference``, is numpy over the positions of ``<``: well under a millisecond on a large page,
where a Python loop over the tags takes several.
"""
from __future__ import annotations

import re

import numpy as np

from ..errors import CleanError
from ..settings import SETTINGS

try:
    from .. import _html
except ImportError:  # a checkout without the compiled parts built
    _html = None  # type: ignore[assignment]

MAX_DEPTH = SETTINGS.html_max_depth
WORDS = 4  # tag names are keyed exactly up to 4 x 8 bytes; longer names never close anything
VOID = frozenset("area base br col embed hr img input link meta source track wbr param keygen frame basefont".split())
FLAT = frozenset(("p li dt dd tr td th option optgroup rb rt rtc rp thead tbody tfoot colgroup caption html head "
                  "body").split())
_LT, _SLASH = 0x3C, 0x2F
_STOPS = np.zeros(256, dtype=bool)
_STOPS[[0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x2F, 0x3E]] = True  # where the tokenizer ends a tag name
_UPPER = np.zeros(256, dtype=np.uint8)
_UPPER[ord("A"):ord("Z") + 1] = 0x20
_LETTER = np.zeros(256, dtype=bool)
_LETTER[ord("A"):ord("Z") + 1] = _LETTER[ord("a"):ord("z") + 1] = True
_BYTES = np.arange(8)


def _name_keys(padded: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per tag: its case-folded name as ``WORDS`` uint64 words (exact), and whether it fits them.

    Word by word, 8 name bytes at a time; only names still going on need the next word.
    """
    keys = np.zeros((len(starts), WORDS), dtype=np.uint64)
    going = np.arange(len(starts))
    for word in range(WORDS):
        window = padded[(starts[going] + 8 * word)[:, None] + _BYTES]
        inside = ~_STOPS[window]
        length = np.where(inside.all(axis=1), 8, np.argmin(inside, axis=1))
        folded = np.where(_BYTES < length[:, None], window | _UPPER[window], 0).astype(np.uint8)
        keys[going, word] = np.ascontiguousarray(folded).view(np.uint64).ravel()
        going = going[length == 8]
        if not len(going):
            break
    fits = np.ones(len(starts), dtype=bool)
    fits[going] = False
    return keys, fits


def _table(names: frozenset[str]) -> np.ndarray:
    markup = "".join(f"<{name}>" for name in sorted(names)).encode("ascii")
    data = np.concatenate([np.frombuffer(markup, dtype=np.uint8), np.zeros(8 * WORDS + 2, dtype=np.uint8)])
    return _name_keys(data, np.flatnonzero(data == _LT) + 1)[0][:, 0]


_VOID_KEYS, _FLAT_KEYS = _table(VOID), _table(FLAT)
_VOID_WORDS, _FLAT_WORDS = np.ascontiguousarray(_VOID_KEYS), np.ascontiguousarray(_FLAT_KEYS)  # the compiled bound's


def depth_bound(html: str) -> int:
    """An upper bound (up to the builder's own insertions) of how deep the parsed page nests.

    The compiled core's one pass over the bytes when it is built (``_html.depth_bound``: the same bound
    as ``depth_bound_reference``, which costs ~0.2 ms per page in numpy calls)."""
    if _html is not None:
        return _html.depth_bound(html.encode("utf-8", "replace"), _VOID_WORDS, _FLAT_WORDS)
    return depth_bound_reference(html)


def depth_bound_reference(html: str) -> int:
    """``depth_bound`` in numpy over the positions of ``<``."""
    data = np.frombuffer(html.encode("utf-8", "replace"), dtype=np.uint8)
    padded = np.concatenate([data, np.zeros(8 * WORDS + 2, dtype=np.uint8)])
    at = np.flatnonzero(data == _LT)
    closing = padded[at + 1] == _SLASH
    starts = at + 1 + closing
    is_tag = _LETTER[padded[starts]]
    starts, closing = starts[is_tag], closing[is_tag]
    if not len(starts):
        return 0
    keys, fits = _name_keys(padded, starts)
    short = keys[:, 1] == 0
    void = short & np.isin(keys[:, 0], _VOID_KEYS)
    flat = short & np.isin(keys[:, 0], _FLAT_KEYS)
    delta = np.where(closing, np.where(fits, -1, 0), np.where(void, 0, 1)).astype(np.int64)
    order = np.lexsort(keys.T[::-1])
    new_name = np.r_[True, (keys[order][1:] != keys[order][:-1]).any(axis=1)]
    counts = _open_counts(new_name, delta[order], flat[order])
    before = np.r_[0, counts[:-1]]
    before[new_name] = 0
    change = np.empty_like(counts)
    change[order] = counts - before
    return int(np.cumsum(change).max(initial=0))


def _open_counts(new_name: np.ndarray, delta: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """Per event, sorted by name then time: elements of its name open after it.

    Plain names: the running sum of +1/-1 within the name, never below zero (running sum minus
    its running minimum when that is negative). Flat names: 1 after a start tag, else 0.
    """
    segment = np.cumsum(new_name) - 1
    starts = np.flatnonzero(new_name)
    total = np.cumsum(delta)
    before = np.r_[0, total][starts]
    running = total - np.repeat(before, np.diff(np.r_[starts, len(delta)]))
    big = np.int64(2 * len(delta) + 2)  # every later segment lies below all earlier ones
    floor = np.minimum.accumulate(running - segment * big) + segment * big
    counts = running - np.minimum(floor, 0)
    return np.where(flat, delta > 0, counts)


_SVG_OPEN_RE = re.compile(r"<svg\b", re.IGNORECASE)
_SVG_CLOSE_RE = re.compile(r"</svg\s*+>", re.IGNORECASE)


def strip_svg(html: str) -> str:
    """The markup with everything between ``<svg ...>`` and its ``</svg>`` cut (linear: one pass;
    an ``<svg>`` never closed is cut to the end, as the parser would keep it all inside)."""
    if "<svg" not in html and "<SVG" not in html and "<Svg" not in html:
        return html
    pieces, last = [], 0
    while True:
        found = _SVG_OPEN_RE.search(html, last)
        if found is None:
            break
        tag_end = html.find(">", found.end())
        if tag_end < 0:
            break
        pieces.append(html[last:tag_end + 1])
        close = _SVG_CLOSE_RE.search(html, tag_end)
        if close is None:
            last = len(html)
            break
        last = close.start()
    pieces.append(html[last:])
    return "".join(pieces)


def guard(html: str, max_depth: int = MAX_DEPTH) -> str:
    """The markup to parse (``<svg>`` contents cut); a ``CleanError`` if it may nest too deep."""
    html = strip_svg(html)
    if html.count("<") > max_depth and depth_bound(html) > max_depth:
        raise CleanError("html", f"elements nest deeper than {max_depth} levels")
    return html
