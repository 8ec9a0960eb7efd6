"""Regression gate: the engine's scores on fixed slices of the bench must stay at or above the floors
pinned in tests/gate_floors.json. Floors only move up, in the commit that earns them.

- DEV bench, pages whose sha1(id) % 10 == 0 (288): shingle F1, precision, recall (how much of the body
  is kept) and empty bodies, for R2 text, R1 text and the HTML fast path (``clean(html=...)``).
- Multilingual set, pages whose sha1(id) % 2 == 0 (245): the bench scorer's snippet metric, with-recall
  (``with`` snippets kept) and hmean (with the share of ``without`` snippets gone).

Needs ../shared/bench (or $TEXTWASH_BENCH). Without it the gate skips on a developer's machine, but
fails when the bench is expected: under CI (``CI`` set) or when TEXTWASH_BENCH is set.
The measured values are printed (``pytest tests/heuristics/test_regression_gate.py -rP``).
"""
import json
import os
from pathlib import Path
from typing import Any

import pytest

from heuristics import clean
from devtools.bench import REGIME_FIELDS, bench_dir, in_slice, load_records, load_scorer

FLOORS = json.loads((Path(__file__).resolve().parents[1] / "gate_floors.json").read_text(encoding="utf-8"))
MULTILINGUAL = FLOORS["multilingual"]


def bench_expected() -> bool:
    """CI always has the bench beside the clone; a TEXTWASH_BENCH that names nothing is a mistake too."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no") or "TEXTWASH_BENCH" in os.environ


def require(path: Path, what: str) -> None:
    """Skip without ``path`` on a developer's machine; fail, saying why, where the bench is expected."""
    if path.exists():
        return
    message = (f"regression gate: {what} not found at {path}. The gate needs the bench "
               "(../shared/bench beside the repository, or TEXTWASH_BENCH=/path/to/bench).")
    if bench_expected():
        pytest.fail(f"{message} CI={os.environ.get('CI', '')!r}, TEXTWASH_BENCH="
                    f"{os.environ.get('TEXTWASH_BENCH', '(unset)')!r}: the bench is expected here, "
                    "so a missing bench fails the run instead of skipping the gate.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def scorer() -> Any:
    require(bench_dir() / "score.py", "the bench scorer")
    return load_scorer()


@pytest.fixture(scope="module")
def gate_records(scorer: Any) -> list[dict[str, Any]]:
    require(bench_dir() / "data", "the DEV bench data")
    return [r for r in load_records() if in_slice(r["id"], FLOORS["slice_modulo"])]


@pytest.fixture(scope="module")
def multilingual_records(scorer: Any) -> list[dict[str, Any]]:
    folder = bench_dir() / MULTILINGUAL["folder"]
    require(folder, "the multilingual set")
    return [r for r in load_records(folder) if in_slice(r["id"], MULTILINGUAL["slice_modulo"])]


def predict(records: list[dict[str, Any]], regime: str) -> dict[str, str]:
    """The engine's body per page: on the R2/R1 text, or on the page's HTML (the fast extractor)."""
    if regime == "html":
        return {r["id"]: clean(html=r.get("html") or "").text for r in records}
    return {r["id"]: clean(r.get(REGIME_FIELDS[regime]) or "").text for r in records}


def below(measured: dict[str, float], floors: dict[str, float]) -> list[str]:
    """Every floor missed: ``max_*`` floors are ceilings on counts, the others minima of scores."""
    missed = []
    for name, floor in floors.items():
        if name.startswith("max_"):
            value = measured[name.removeprefix("max_") + "_pred"]
            if value > floor:
                missed.append(f"{name}: {value} > {floor}")
        elif measured[name] < floor:
            missed.append(f"{name}: {measured[name]:.4f} < floor {floor}")
    return missed


def missed_floors(scorer: Any, records: list[dict[str, Any]], regime: str, metric: str, label: str,
                  floors: dict[str, float]) -> list[str]:
    """Score the engine's bodies of ``records`` with the bench's ``metric``, print them, name every floor missed."""
    summary, _, _ = scorer.score(records, predict(records, regime))
    measured = summary[metric]["ALL"]
    print(f"{label} {regime}: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                          for k, v in measured.items()))
    return below(measured, floors)


@pytest.mark.parametrize("regime", ["r2", "r1", "html"])
def test_shingle_scores_on_the_gate_slice_stay_above_the_floors(scorer, gate_records, regime):
    missed = missed_floors(scorer, gate_records, regime, "shingle", "gate", FLOORS[regime])
    assert not missed, f"{regime} on the gate slice fell below its floors: {missed}"


@pytest.mark.parametrize("regime", ["r2", "r1", "html"])
def test_snippet_scores_on_the_multilingual_set_stay_above_the_floors(scorer, multilingual_records, regime):
    missed = missed_floors(scorer, multilingual_records, regime, "snippets", "multilingual", MULTILINGUAL[regime])
    assert not missed, f"{regime} on the multilingual set fell below its floors: {missed}"
