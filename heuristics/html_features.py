"""Numeric features from the HTML signals of lines (``Line.html``, see ``html.py``), per document.

One row per non-blank line, in the order of ``features.line_features`` (its ``rows``), so the
HTML-aware model can ``np.hstack`` the two matrices. Lines without signals (plain-text input,
or a text line the walk did not find) get the neutral row with ``matched`` = 0.
Tag names are HTML vocabulary, not phrases: class/id words reach the model through the
container rules' hits, which ``features.line_features`` already counts per category.
"""
from __future__ import annotations

import zlib
from typing import Any, Sequence

import numpy as np

from .segment import Line

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
_TAG_INDEX = {tag: i for i, (_, tags) in enumerate(TAG_GROUPS) for tag in tags}
_TAG_BASE = _COL[f"h_tag_{TAG_GROUPS[0][0]}"]
_PLACE_BASE = _COL[f"h_under_{PLACE_TAGS[0]}"]


def html_features(lines: Sequence[Line]) -> np.ndarray:
    """The ``HTML_FEATURE_NAMES`` columns for the document's non-blank lines."""
    kept = [line for line in lines if line.text]
    signals = [line.html or {} for line in kept]
    n = len(signals)
    own = np.zeros((n, len(OWN_FEATURES)))
    if n == 0:
        return np.zeros((0, len(HTML_FEATURE_NAMES)))
    for row, sig in enumerate(signals):
        _fill_row(own[row], sig)
    _document_features(own, signals, [len(line.text) for line in kept])
    return np.hstack([own, _context(own), _token_buckets(signals)])


def _fill_row(row: np.ndarray, sig: dict[str, Any]) -> None:
    col = _COL
    if not sig.get("matched"):
        row[col["h_best_distance"]] = FAR_LEVELS
        row[col["h_majority_levels"]] = FAR_LEVELS
        return
    row[col["h_matched"]] = 1.0
    row[col["h_link_density"]] = sig["link_density"]
    row[col["h_heading"]] = sig["heading"]
    row[col["h_depth"]] = sig["depth"]
    row[col["h_in_main"]] = sig["in_main"]
    row[col["h_in_table"]] = sig["in_table"]
    row[col["h_in_list"]] = sig["in_list"]
    row[col["h_in_best"]] = sig["in_best"]
    distance = sig["best_distance"]
    row[col["h_best_distance"]] = FAR_LEVELS if distance < 0 else min(distance, FAR_LEVELS)
    row[col["h_log_region_chars"]] = np.log1p(sig["region_chars"])
    row[col["h_region_link_density"]] = sig["region_link_density"]
    row[col["h_log_region_lines"]] = np.log1p(sig["region_lines"])
    row[col["h_region_prose"]] = sig["region_prose"]
    row[col["h_region_purity"]] = sig["region_purity"]
    row[col["h_outer_prose"]] = sig["outer_prose"]
    row[col["h_outer_purity"]] = sig["outer_purity"]
    row[col["h_majority_levels"]] = min(sig["majority_levels"], FAR_LEVELS)
    group = _TAG_INDEX.get(sig["tag"])
    if group is not None:
        row[_TAG_BASE + group] = 1.0
    tokens = sig["tokens"]
    for i, tag in enumerate(PLACE_TAGS):
        if tag in tokens:
            row[_PLACE_BASE + i] = 1.0


def _document_features(own: np.ndarray, signals: list[dict[str, Any]], sizes: list[int]) -> None:
    """Features relative to the page: depth against the body's, same-region runs, best share."""
    col = _COL
    regions = np.array([sig.get("region", -1) if sig.get("matched") else -1 for sig in signals])
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
    out[1:, 0], out[:-1, 1] = link[:-1], link[1:]
    out[1:, 2], out[:-1, 3] = best[:-1], best[1:]
    out[:, 4] = _window_mean(link, 3)
    out[:, 5] = _window_mean(best, 3)
    out[1:, 6], out[:-1, 7] = heading[:-1], heading[1:]
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


def _token_buckets(signals: list[dict[str, Any]]) -> np.ndarray:
    """One column per hash bucket: 1 when any of the line's tokens falls in it."""
    out = np.zeros((len(signals), TOKEN_BUCKETS))
    cache: dict[frozenset[str], list[int]] = {}
    for row, sig in enumerate(signals):
        tokens = sig.get("tokens")
        if not tokens:
            continue
        buckets = cache.get(tokens)
        if buckets is None:
            buckets = cache[tokens] = [_bucket(token) for token in tokens]
        out[row, buckets] = 1.0
    return out


# ---------------------------------------------------------------- second pass

HTML_SCORE_FEATURES: tuple[str, ...] = (
    "hs_region_mean", "hs_region_min", "hs_region_max", "hs_region_size", "hs_outer_mean", "hs_outer_size",
    "hs_best_mean", "hs_outside_best_mean",
)


def html_score_context(scores: np.ndarray, lines: Sequence[Line]) -> np.ndarray:
    """First-pass scores pooled over the page's structure, for the second pass.

    Lines that share a parent element (a menu, a body) mostly share their fate: per row the mean,
    min and max first-pass score of the lines in its parent element and the mean in its
    grandparent, weighted by words; the mean inside and outside the best container. ``scores``:
    one per non-blank line, in row order.
    """
    kept = [line for line in lines if line.text]
    n = len(kept)
    out = np.zeros((n, len(HTML_SCORE_FEATURES)))
    if n == 0:
        return out
    signals = [line.html or {} for line in kept]
    weight = np.maximum(np.fromiter((line.words for line in kept), dtype=np.float64, count=n), 1.0)
    for column, key in ((0, "region"), (4, "outer")):
        ids = np.fromiter((sig.get(key, -1) for sig in signals), dtype=np.int64, count=n)
        group = np.unique(ids, return_inverse=True)[1].ravel()
        total = np.bincount(group, weights=weight)
        mean = np.bincount(group, weights=weight * scores) / total
        size = np.bincount(group)
        out[:, column] = mean[group]
        out[:, column + 1 if key == "outer" else 3] = np.log1p(size[group])
        if key == "region":
            low = np.full(len(size), np.inf)
            high = np.full(len(size), -np.inf)
            np.minimum.at(low, group, scores)
            np.maximum.at(high, group, scores)
            out[:, 1], out[:, 2] = low[group], high[group]
    best = np.fromiter((bool(sig.get("in_best")) for sig in signals), dtype=bool, count=n)
    for column, mask in ((6, best), (7, ~best)):
        out[:, column] = np.dot(scores[mask], weight[mask]) / weight[mask].sum() if mask.any() else np.nan
    return out
