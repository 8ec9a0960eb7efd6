"""Numeric features from the HTML signals of lines (``Line.html``, see ``html.py``), per document.

One row per non-blank line, in the order of ``features.line_features`` (its ``rows``), so the
HTML-aware model can ``np.hstack`` the two matrices. Lines without signals (plain-text input,
or a text line the walk did not find) get the neutral row with ``h_matched`` = 0.
Tag names are HTML vocabulary, not phrases: class/id words reach the model through the
container rules' hits (which ``features.line_features`` counts per category) and through
``TOKEN_BUCKETS`` hashed buckets, so the model learns content markers (``entry``, ``post-body``)
without the code naming any.

How the HTML-aware variant of the two-pass line model plugs in (``model.py``/``train.py``):

* first pass: ``first_pass_matrix(lines, hits, language)`` = the text features with these
  appended (names ``FIRST_PASS_NAMES``); same rows as ``line_features``;
* second pass: ``second_pass_matrix(first_scores, page_structure(lines), first_matrix)`` = that
  plus the text model's ``score_context`` and ``html_score_context``;
* ``pass_names()`` gives both passes' column names; ``train_html.py`` (``textwash train --regime
  html``) trains the variant on the bench's ``html`` field (labels as for R1: the walk's lines
  are R1's lines), ``html/model.py`` loads it, and ``scoring.score`` uses it when the lines carry
  ``html`` signals (the text model otherwise, and whenever the HTML card's feature names are not
  the code's).
"""
from __future__ import annotations

import zlib
from operator import attrgetter
from typing import Any, Sequence

import numpy as np

from ..segment import Line
from .lines import UNMATCHED, Signals

try:
    from .. import _html
except ImportError:  # a checkout without the compiled parts built
    _html = None  # type: ignore[assignment]

TAG_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    ("p", frozenset(("p",))),
    ("div", frozenset(("div", "section", "article", "main", "center", "body", "html"))),
    ("li", frozenset(("li", "dd", "dt", "option"))),
    ("heading", frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "hgroup"))),
    ("table", frozenset(("td", "th", "tr", "table", "tbody", "thead", "tfoot", "caption"))),
    ("quote", frozenset(("blockquote", "pre", "address"))),
    ("figure", frozenset(("figure", "figcaption"))),
    ("chrome", frozenset(("nav", "header", "footer", "aside", "form", "menu", "fieldset", "legend", "dialog"))),
)
# Ancestor tags that say where a line sits (HTML vocabulary; class words come through the rules).
PLACE_TAGS: tuple[str, ...] = ("nav", "header", "footer", "aside", "figure", "figcaption", "form", "article",
                               "main", "blockquote", "table", "li", "menu", "dialog", "details")
FAR_LEVELS = 12

OWN_FEATURES: tuple[str, ...] = (
    "h_matched", "h_link_density", "h_heading", "h_depth", "h_rel_depth", "h_in_main", "h_in_table", "h_in_list",
    "h_in_best", "h_best_distance", "h_log_region_chars", "h_region_link_density", "h_log_region_lines",
    "h_same_region_prev", "h_same_region_next", "h_best_share", "h_any_main", "h_region_prose", "h_region_purity",
    "h_outer_prose", "h_outer_purity", "h_majority_levels",
) + tuple(f"h_tag_{name}" for name, _ in TAG_GROUPS) + tuple(f"h_under_{tag}" for tag in PLACE_TAGS)
CONTEXT_FEATURES: tuple[str, ...] = (
    "h_link_density@-1", "h_link_density@+1", "h_in_best@-1", "h_in_best@+1", "h_link_density_pm3",
    "h_in_best_pm3", "h_heading@-1", "h_heading@+1",
)
# Tokens hashed into buckets: the model learns which class words mark content on its own
# (``entry``, ``post-body``) without the code naming any; collisions only blur a little.
TOKEN_BUCKETS = 64
TOKEN_FEATURES: tuple[str, ...] = tuple(f"h_token_{i:02d}" for i in range(TOKEN_BUCKETS))
HTML_FEATURE_NAMES: tuple[str, ...] = OWN_FEATURES + CONTEXT_FEATURES + TOKEN_FEATURES
_COL = {name: i for i, name in enumerate(OWN_FEATURES)}
_CONTEXT_COL = {name: i for i, name in enumerate(CONTEXT_FEATURES)}
_TAG_INDEX = {tag: i for i, (_, tags) in enumerate(TAG_GROUPS) for tag in tags}
_TAG_BASE = _COL[f"h_tag_{TAG_GROUPS[0][0]}"]
_PLACE_BASE = _COL[f"h_under_{PLACE_TAGS[0]}"]


_NUMERIC = ("matched", "link_density", "heading", "depth", "in_main", "in_table", "in_list", "in_best",
            "region_link_density", "region_prose", "region_purity", "outer_prose", "outer_purity", "best_distance",
            "majority_levels", "region_chars", "region_lines")
_NUMERIC_COLUMNS = [_COL[name] for name in (
    "h_matched", "h_link_density", "h_heading", "h_depth", "h_in_main", "h_in_table", "h_in_list", "h_in_best",
    "h_region_link_density", "h_region_prose", "h_region_purity", "h_outer_prose", "h_outer_purity",
    "h_best_distance", "h_majority_levels", "h_log_region_chars", "h_log_region_lines")]
_numeric_of = attrgetter(*_NUMERIC)
_LOG_COLUMNS = _NUMERIC_COLUMNS[-2:]  # the two counts taken as log1p
WINDOW_RADIUS = 3  # lines on either side of the ``_pm3`` means


def html_features(lines: Sequence[Line]) -> np.ndarray:
    """The ``HTML_FEATURE_NAMES`` columns for the document's non-blank lines.

    This runs for every HTML page: the compiled core's ``_html.html_matrix`` builds it in one pass over the
    signals (numpy's ``log1p`` still takes the two counts), else ``html_features_reference`` in numpy."""
    kept = [line for line in lines if line.text]
    signals = [line.html if isinstance(line.html, Signals) else UNMATCHED for line in kept]
    n = len(signals)
    if n == 0:
        return np.zeros((0, len(HTML_FEATURE_NAMES)))
    if _html is not None:
        matrix = _html.html_matrix(signals, [len(line.text) for line in kept], len(HTML_FEATURE_NAMES))
        matrix[:, _LOG_COLUMNS] = np.log1p(matrix[:, _LOG_COLUMNS])
        return matrix
    return html_features_reference(signals, [len(line.text) for line in kept])


def html_features_reference(signals: list[Signals], sizes: list[int]) -> np.ndarray:
    """``html_features`` in numpy (``signals``: of the non-blank lines, at least one; ``sizes``: their text
    lengths); the compiled ``_html.html_matrix`` computes the same matrix."""
    n = len(signals)
    own = np.zeros((n, len(OWN_FEATURES)))
    numeric, groups, which, regions, token_ids = _columns(signals)
    for last in (-4, -3):  # best_distance, majority_levels: -1 (none) and far both mean far
        numeric[:, last] = np.where(numeric[:, last] < 0, FAR_LEVELS, np.minimum(numeric[:, last], FAR_LEVELS))
    numeric[:, -2:] = np.log1p(numeric[:, -2:])
    own[:, _NUMERIC_COLUMNS] = numeric
    tagged = np.flatnonzero(groups >= 0)
    own[tagged, _TAG_BASE + groups[tagged]] = 1.0
    places, buckets = _token_columns(which, token_ids)
    own[:, _PLACE_BASE:_PLACE_BASE + len(PLACE_TAGS)] = places
    _document_features(own, regions, sizes)
    return np.hstack([own, _context(own), buckets])


def _columns(signals: list[Signals]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
    """Per line, in one pass over the signals: the ``_NUMERIC`` fields (float64), the tag's group in
    ``TAG_GROUPS`` (-1: none), the id of its token set (numbered in order of first sight; the sets by id
    returned last) and its region (-1 unmatched)."""
    token_ids: dict[frozenset[str], int] = {}
    n = len(signals)
    numeric = np.array([_numeric_of(sig) for sig in signals], dtype=np.float64)
    groups = np.fromiter((_TAG_INDEX.get(sig.tag, -1) for sig in signals), dtype=np.intp, count=n)
    which = np.fromiter((token_ids.setdefault(sig.tokens, len(token_ids)) for sig in signals), dtype=np.intp,
                        count=n)
    regions = np.array([sig.region if sig.matched else -1 for sig in signals])
    return numeric, groups, which, regions, token_ids


def _token_columns(which: np.ndarray, ids: dict[frozenset[str], int]) -> tuple[np.ndarray, np.ndarray]:
    """Per line: which ``PLACE_TAGS`` are among its tokens, and which hash buckets its tokens fill
    (``which``: each line's token set id in ``ids``).

    Computed once per distinct token set (and remembered across pages, ``_token_cells``), then
    spread to the lines by index."""
    places = np.zeros((len(ids), len(PLACE_TAGS)))
    buckets = np.zeros((len(ids), TOKEN_BUCKETS))
    place_rows: list[int] = []
    place_cols: list[int] = []
    bucket_rows: list[int] = []
    bucket_cols: list[int] = []
    for tokens, index in ids.items():
        place_columns, bucket_columns = _token_cells(tokens)
        place_rows += [index] * len(place_columns)
        place_cols += place_columns
        bucket_rows += [index] * len(bucket_columns)
        bucket_cols += bucket_columns
    places[place_rows, place_cols] = 1.0
    buckets[bucket_rows, bucket_cols] = 1.0
    return places[which], buckets[which]


_PLACE_COLUMN = {tag: i for i, tag in enumerate(PLACE_TAGS)}
_CELLS_OF: dict[frozenset[str], tuple[list[int], list[int]]] = {}


def _token_cells(tokens: frozenset[str]) -> tuple[list[int], list[int]]:
    """The ``PLACE_TAGS`` columns and the hash buckets a token set fills (kept for the process, up to
    ``_CELLS_KEPT`` sets: a site's pages repeat their elements' classes)."""
    found = _CELLS_OF.get(tokens)
    if found is None:
        if len(_CELLS_OF) > _CELLS_KEPT:
            _CELLS_OF.clear()
        found = _CELLS_OF[tokens] = ([_PLACE_COLUMN[tag] for tag in tokens & _PLACE_SET],
                                     [_bucket(token) for token in tokens])
    return found


_PLACE_SET = frozenset(PLACE_TAGS)
_CELLS_KEPT = 20_000


def _document_features(own: np.ndarray, regions: np.ndarray, sizes: list[int]) -> None:
    """Features relative to the page: depth against the body's, same-region runs, best share
    (``regions``: each line's region, -1 unmatched)."""
    col = _COL
    same = (regions[1:] == regions[:-1]) & (regions[1:] >= 0)
    own[1:, col["h_same_region_prev"]] = same
    own[:-1, col["h_same_region_next"]] = same
    in_best = own[:, col["h_in_best"]] > 0
    depth = own[:, col["h_depth"]]
    base = np.median(depth[in_best]) if in_best.any() else np.median(depth)
    own[:, col["h_rel_depth"]] = depth - base
    chars = np.asarray(sizes, dtype=np.float64)
    total = chars.sum()
    own[:, col["h_best_share"]] = chars[in_best].sum() / total if total else 0.0
    own[:, col["h_any_main"]] = own[:, col["h_in_main"]].max()


def _context(own: np.ndarray) -> np.ndarray:
    n = len(own)
    link = own[:, _COL["h_link_density"]]
    best = own[:, _COL["h_in_best"]]
    heading = own[:, _COL["h_heading"]]
    out = np.full((n, len(CONTEXT_FEATURES)), np.nan)
    col = _CONTEXT_COL
    out[1:, col["h_link_density@-1"]], out[:-1, col["h_link_density@+1"]] = link[:-1], link[1:]
    out[1:, col["h_in_best@-1"]], out[:-1, col["h_in_best@+1"]] = best[:-1], best[1:]
    out[:, col["h_link_density_pm3"]] = _window_mean(link, WINDOW_RADIUS)
    out[:, col["h_in_best_pm3"]] = _window_mean(best, WINDOW_RADIUS)
    out[1:, col["h_heading@-1"]], out[:-1, col["h_heading@+1"]] = heading[:-1], heading[1:]
    return out


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of the values within ``radius`` lines on either side (the line itself excluded)."""
    n = len(values)
    prefix = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(n)
    low, high = np.maximum(idx - radius, 0), np.minimum(idx + radius + 1, n)
    count = np.maximum(high - low - 1, 1)
    return (prefix[high] - prefix[low] - values) / count


_BUCKET_OF: dict[str, int] = {}


def _bucket(token: str) -> int:
    found = _BUCKET_OF.get(token)
    if found is None:
        if len(_BUCKET_OF) > 100_000:
            _BUCKET_OF.clear()
        found = _BUCKET_OF[token] = zlib.crc32(token.encode("utf-8")) % TOKEN_BUCKETS
    return found


# ---------------------------------------------------------------- second pass

HTML_SCORE_FEATURES: tuple[str, ...] = (
    "hs_region_mean", "hs_region_min", "hs_region_max", "hs_region_size", "hs_outer_mean", "hs_outer_size",
    "hs_best_mean", "hs_outside_best_mean",
)


def page_structure(lines: Sequence[Line]) -> np.ndarray:
    """What the second pass pools over, per non-blank line: words, parent and grandparent element
    ids, inside the best container (a small array, so training need not keep the lines)."""
    if _html is not None:
        return _html.page_structure(list(lines), UNMATCHED)
    kept = [line for line in lines if line.text]
    out = np.zeros((len(kept), 4))
    for row, line in enumerate(kept):
        sig = line.html or UNMATCHED
        out[row] = (line.words, sig.region, sig.outer, sig.in_best)
    return out


def html_score_context(scores: np.ndarray, structure: np.ndarray) -> np.ndarray:
    """First-pass scores pooled over the page's structure, for the second pass.

    Lines that share a parent element (a menu, a body) mostly share their fate: per row the mean,
    min and max first-pass score of the lines in its parent element and the mean in its
    grandparent, weighted by words; the mean inside and outside the best container. ``scores``:
    one per non-blank line, in row order; ``structure``: ``page_structure`` of the lines.
    """
    n = len(structure)
    if _html is not None and n:
        out = _html.score_context_columns(np.ascontiguousarray(scores, dtype=np.float64),
                                          np.ascontiguousarray(structure, dtype=np.float64), len(HTML_SCORE_FEATURES))
        out[:, _SIZE_COLUMNS] = np.log1p(out[:, _SIZE_COLUMNS])
        _best_means(out, scores, structure)
        return out
    return html_score_context_reference(scores, structure)


_SIZE_COLUMNS = [HTML_SCORE_FEATURES.index("hs_region_size"), HTML_SCORE_FEATURES.index("hs_outer_size")]


def _best_means(out: np.ndarray, scores: np.ndarray, structure: np.ndarray) -> None:
    """The weighted mean score inside and outside the best container (NaN when no line is)."""
    weight = np.maximum(structure[:, 0], 1.0)
    best = structure[:, 3] > 0
    for column, mask in ((6, best), (7, ~best)):
        out[:, column] = np.dot(scores[mask], weight[mask]) / weight[mask].sum() if mask.any() else np.nan


def html_score_context_reference(scores: np.ndarray, structure: np.ndarray) -> np.ndarray:
    """``html_score_context`` in numpy (the compiled ``_html.score_context_columns`` computes its first six
    columns the same way)."""
    n = len(structure)
    out = np.zeros((n, len(HTML_SCORE_FEATURES)))
    if n == 0:
        return out
    weight = np.maximum(structure[:, 0], 1.0)
    for column, key in ((0, 1), (4, 2)):
        group = np.unique(structure[:, key], return_inverse=True)[1].ravel()
        total = np.bincount(group, weights=weight)
        mean = np.bincount(group, weights=weight * scores) / total
        size = np.bincount(group)
        out[:, column] = mean[group]
        out[:, column + 1 if key == 2 else 3] = np.log1p(size[group])
        if key == 1:
            low = np.full(len(size), np.inf)
            high = np.full(len(size), -np.inf)
            np.minimum.at(low, group, scores)
            np.maximum.at(high, group, scores)
            out[:, 1], out[:, 2] = low[group], high[group]
    _best_means(out, scores, structure)
    return out


# ---------------------------------------------------------------- the two passes of the HTML model

def first_pass_matrix(lines: Sequence[Line], hits: Sequence[Sequence[Any]], language: str | None) -> Any:
    """``features.line_features`` with the HTML columns appended (a ``DocFeatures``, same rows)."""
    from ..features import line_features

    feats = line_features(lines, hits, language)
    feats.matrix = np.hstack([feats.matrix, html_features(lines)])
    return feats


def second_pass_matrix(first_scores: np.ndarray, structure: np.ndarray, first_matrix: np.ndarray) -> np.ndarray:
    """The first pass's input plus its scores in context: along the lines, and over the elements
    (``structure``: ``page_structure`` of the lines)."""
    from ..features import FEATURE_NAMES, score_context

    text_part = first_matrix[:, : len(FEATURE_NAMES)]
    return np.hstack([first_matrix, score_context(first_scores, text_part),
                      html_score_context(first_scores, structure)])


def pass_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column names of the first and the second pass (the text model's names plus these)."""
    from ..features import FEATURE_NAMES, SCORE_FEATURES

    first = FEATURE_NAMES + HTML_FEATURE_NAMES
    return first, first + SCORE_FEATURES + HTML_SCORE_FEATURES


if _html is not None:
    _html.configure_columns(_COL, _CONTEXT_COL, len(HTML_FEATURE_NAMES), _TAG_BASE, _PLACE_BASE, _NUMERIC,
                            _NUMERIC_COLUMNS, _TAG_INDEX, _token_cells, FAR_LEVELS, WINDOW_RADIUS)
