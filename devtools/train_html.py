"""The HTML-aware line model's recipe for ``train.py``'s pipeline (``textwash train --regime html``).

Lines are what ``clean(html=...)`` judges on both paths: the fast path's walk (one line per block,
R1's lines) and trafilatura's recall-mode lines with the walk's signals (a model fitted on the walk
alone scores trafilatura's lines badly). Labels, weights, the held-back split (sha1(id) % 5 == 0)
and the out-of-fold second pass are the text model's; the columns are ``html.features.pass_names()``.
The mode thresholds are calibrated end to end on the held-back pages: rules, model and the decide
stage, scored with the bench's scorer (the decide stage keeps whole sentences and subheadings the
model alone would drop, so row-level calibration sets them too low). Single-threaded and seeded: the
artifact is reproduced bit for bit.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .bench import in_slice, load_records, load_scorer
from heuristics.decide import decide
from heuristics.errors import CleanError
from heuristics.html.lines import lines_from_html
from heuristics.html.features import first_pass_matrix, page_structure, pass_names, second_pass_matrix
from heuristics.html.model import CARD_NAME, HtmlLineModel
from heuristics.rules import Hit, default_ruleset, match_lines
from heuristics.segment import Line
from heuristics.vocabulary import EXTRACTORS
from .train import DEFAULT_PARAMS, HOLDOUT_MODULO, DocData, Recipe, language_of, save_trained, train_model

# More leaves and trees than the text model: the HTML columns carry interactions (where x what).
PARAMS: dict[str, Any] = {**DEFAULT_PARAMS, "num_threads": 1, "num_leaves": 31, "learning_rate": 0.06}
FIRST_ROUNDS = 250
SECOND_ROUNDS = 150
FILES = {"first": "html_model_1.txt", "second": "html_model_2.txt"}
CALIBRATION_GRID: tuple[float, ...] = tuple(float(t) for t in np.round(np.arange(0.1, 0.81, 0.04), 2))


def html_lines(record: dict[str, Any], extractor: str) -> list[Line]:
    """The lines ``clean(html=...)`` judges for the page on ``extractor``'s path (CleanError: refused)."""
    return lines_from_html(record.get("html") or "", extractor=extractor)[0]


def html_second_pass(doc: DocData, scores: np.ndarray) -> np.ndarray:
    """The HTML model's second-pass rows: the first pass's columns and its scores along the lines and
    over the elements."""
    return second_pass_matrix(scores, doc.structure, doc.matrix).astype(np.float32)


# ---------------------------------------------------------------- calibration, end to end

Judged = tuple[list[Line], list[list[Hit]], Any]


def judge_pages(records: Sequence[dict[str, Any]], model: HtmlLineModel | None, extractor: str
                ) -> dict[str, Judged]:
    """Lines, rule hits and model scores (None: rules only) per page, as ``clean(html=...)`` makes them."""
    ruleset = default_ruleset()
    out = {}
    for record in records:
        try:
            lines = html_lines(record, extractor)
        except CleanError:
            continue
        lang = language_of(lines)
        hits = match_lines(lines, ruleset, lang)
        out[record["id"]] = (lines, hits, model.score(lines, hits, lang)[0] if model is not None else None)
    return out


def bodies(judged: dict[str, Judged], mode: str, threshold: float) -> dict[str, str]:
    """The body text ``clean`` would return for each page at this mode and threshold."""
    from heuristics.pipeline import shape

    blocks = default_ruleset().blocks
    out = {}
    for record_id, (lines, hits, scores) in judged.items():
        decision = decide(lines, hits, blocks, scores=scores, mode=mode, thresholds={mode: threshold})
        out[record_id] = shape(lines, hits, decision).text
    return out


@dataclass
class EngineRuns:
    """The held-back pages through the engine's stages (the model being trained scoring through
    ``HtmlLineModel``), their bodies scored with the bench's scorer."""

    records: list[dict[str, Any]]
    model: HtmlLineModel
    sources: tuple[str, ...]
    scorer: Any = field(default_factory=load_scorer)
    _judged: dict[tuple[str, bool], dict[str, Judged]] = field(default_factory=dict)

    def summary(self, source: str, mode: str, threshold: float, model: bool = True) -> dict[str, dict[str, Any]]:
        key = (source, model)
        if key not in self._judged:
            self._judged[key] = judge_pages(self.records, self.model if model else None, source)
        return self.scorer.score(self.records, bodies(self._judged[key], mode, threshold))[0]["shingle"]


def html_held_back(recipe: Recipe, records: Sequence[dict[str, Any]], held: dict[str, list[DocData]], first: Any,
                   second: Any) -> EngineRuns:
    """The HTML model's held-back runs: the held-back pages cleaned end to end on each extractor path."""
    model = HtmlLineModel(version="", thresholds={}, first=first, second=second, names=recipe.names[1])
    return EngineRuns([r for r in records if in_slice(r["id"], HOLDOUT_MODULO)], model, tuple(held))


HTML = Recipe(
    kind="html", lines=html_lines, first_pass=first_pass_matrix, structure=page_structure,
    second_pass=html_second_pass, names=pass_names(), params=PARAMS, rounds=(FIRST_ROUNDS, SECOND_ROUNDS),
    smoothing=None, grid=CALIBRATION_GRID, held_back=html_held_back, ordered=True,
    holdout=f"sha1(id) % {HOLDOUT_MODULO} == 0 (textwash bench --regime html --slice {HOLDOUT_MODULO}); "
            "the thresholds are calibrated on these pages too",
    files=FILES, card_name=CARD_NAME)


def train_html_main(args: argparse.Namespace) -> int:
    """``textwash train --regime html``: rebuild the HTML model from the bench and write it with its card."""
    from .bench import bench_dir

    started = time.perf_counter()
    data = bench_dir() / "data"
    extractors = tuple(getattr(args, "extractors", None) or EXTRACTORS)
    first, second, card = train_model(load_records(data), extractors, HTML)
    card["extractors"] = list(extractors)
    save_trained(first, second, card, HTML, kind=f"html-{'+'.join(extractors)}", data=data, output=args.output,
                 started=started)
    return 0
