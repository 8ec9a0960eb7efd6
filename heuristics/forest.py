"""LightGBM's model text (what ``Booster.save_model`` writes) read into the compiled core's ``Forest``.

The model artifacts stay LightGBM files, so retraining needs no export step; at load time their trees
become perfect binary trees of flat arrays that ``_core.Forest.predict`` walks for all rows of a
document in one call, without LightGBM's per-call checks and row conversion. Only what the project's
models use is read: binary objective, numerical splits whose missing values are NaN or none, no
linear trees, depth at most ``MAX_DEPTH``. Anything else raises ``UnsupportedModel`` and the caller
keeps LightGBM's own predictor.
"""
from __future__ import annotations

import logging
from typing import Iterator

import numpy as np

from ._core import Forest

log = logging.getLogger(__name__)

MAX_DEPTH = 12          # a perfect tree of this depth has 4,096 leaves: beyond, padding costs too much
CATEGORICAL, DEFAULT_LEFT = 1, 2           # decision_type bits
MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2   # decision_type bits 2-3


class UnsupportedModel(ValueError):
    """The model text uses a LightGBM feature the compiled forest does not implement."""


def _sections(text: str) -> Iterator[dict[str, str]]:
    """The header (first) and each tree's ``key=value`` block, up to "end of trees"."""
    block: dict[str, str] = {}
    for line in text.splitlines():
        if line == "end of trees":
            break
        if line.startswith("Tree="):
            yield block
            block = {}
        key, sep, value = line.partition("=")
        if sep:
            block[key] = value
    yield block


def _values(tree: dict[str, str], key: str, dtype: type) -> np.ndarray:
    return np.array(tree[key].split(), dtype=dtype) if tree.get(key) else np.zeros(0, dtype=dtype)


def _sigmoid(header: dict[str, str]) -> float:
    objective, *params = header.get("objective", "").split()
    if objective != "binary":
        raise UnsupportedModel(f"objective {objective!r} (only 'binary' is compiled)")
    options = dict(param.split(":", 1) for param in params if ":" in param)
    return float(options.get("sigmoid", 1.0))


class _Tree:
    """One tree's LightGBM arrays (children: ``c >= 0`` a split, ``c < 0`` the leaf ``~c``)."""

    def __init__(self, block: dict[str, str]) -> None:
        if int(block.get("num_cat", 0)) or block.get("is_linear", "0") != "0":
            raise UnsupportedModel("categorical splits or linear trees")
        self.leaf = _values(block, "leaf_value", np.float64).tolist()
        self.feature = _values(block, "split_feature", np.int32).tolist()
        self.threshold = _values(block, "threshold", np.float64).tolist()
        self.decision = _values(block, "decision_type", np.int64).tolist()
        self.left = _values(block, "left_child", np.int64).tolist()
        self.right = _values(block, "right_child", np.int64).tolist()

    def depth(self, node: int = 0) -> int:
        if not self.feature or node < 0:
            return 0
        return 1 + max(self.depth(self.left[node]), self.depth(self.right[node]))

    def nan_right(self, node: int) -> bool:
        """Where LightGBM's NumericalDecision sends NaN at this split."""
        decision = self.decision[node]
        missing = (decision >> 2) & 3
        if decision & CATEGORICAL or missing == MISSING_ZERO:
            raise UnsupportedModel("categorical splits or zero-as-missing")
        if missing == MISSING_NAN:
            return not decision & DEFAULT_LEFT
        return 0.0 > self.threshold[node]   # missing type none: NaN reads as 0

    def fill(self, out: "_Perfect", t: int, node: int, k: int, level: int) -> None:
        """Write the subtree under LightGBM ``node`` at heap position ``k`` of perfect tree ``t``."""
        if level == out.depth:
            out.leaf[t, k - out.width] = self.leaf[~node if node < 0 else 0]
            return
        if node < 0 or not self.feature:   # a leaf above the last level: pad, every path leads to it
            out.threshold[t, k] = np.inf
            self.fill(out, t, node, 2 * k + 1, level + 1)
            self.fill(out, t, node, 2 * k + 2, level + 1)
            return
        out.feature[t, k] = self.feature[node]
        out.threshold[t, k] = self.threshold[node]
        out.nan_right[t, k] = self.nan_right(node)
        self.fill(out, t, self.left[node], 2 * k + 1, level + 1)
        self.fill(out, t, self.right[node], 2 * k + 2, level + 1)


class _Perfect:
    """The arrays of ``Forest``: ``trees`` perfect trees of ``depth`` levels."""

    def __init__(self, trees: int, depth: int) -> None:
        self.depth, self.width = depth, (1 << depth) - 1
        self.feature = np.zeros((trees, self.width), dtype=np.int32)
        self.threshold = np.zeros((trees, self.width), dtype=np.float64)
        self.nan_right = np.zeros((trees, self.width), dtype=np.uint8)
        self.leaf = np.zeros((trees, self.width + 1), dtype=np.float64)


def parse_model(text: str) -> Forest:
    """The ``Forest`` of a LightGBM model text; raises ``UnsupportedModel`` for what it does not read."""
    header, *blocks = _sections(text)
    if int(header.get("num_class", 1)) != 1 or int(header.get("num_tree_per_iteration", 1)) != 1:
        raise UnsupportedModel("more than one tree per iteration")
    if "average_output" in header:
        raise UnsupportedModel("random forest (average_output)")
    if not blocks:
        raise UnsupportedModel("a model without trees")
    sigmoid = _sigmoid(header)
    trees = [_Tree(block) for block in blocks]
    depth = max(1, max(tree.depth() for tree in trees))
    if depth > MAX_DEPTH:
        raise UnsupportedModel(f"trees deeper than {MAX_DEPTH} levels")
    perfect = _Perfect(len(trees), depth)
    for t, tree in enumerate(trees):
        tree.fill(perfect, t, 0, 0, 0)
    return Forest(perfect.feature, perfect.threshold, perfect.nan_right, perfect.leaf,
                  int(header["max_feature_idx"]) + 1, sigmoid)


def compiled(text: str) -> Forest | None:
    """``parse_model(text)``, or None (logged) when the model uses what the forest does not read:
    then LightGBM's own predictor serves it."""
    try:
        return parse_model(text)
    except UnsupportedModel as error:
        log.warning("model not compiled (%s); LightGBM predicts it", error)
        return None
