"""Regression gate: a fixed slice of the DEV bench (pages whose sha1(id) % 10 == 0) must stay at
or above the F1 floors pinned in tests/gate_floors.json. Floors only move up, in the commit that
earns them. Needs ../shared/bench (always there in CI); without it the gate cannot run."""
import json
from pathlib import Path

import pytest

from heuristics import clean
from devtools.bench import REGIME_FIELDS, bench_dir, in_slice, load_records, load_scorer

FLOORS = json.loads((Path(__file__).resolve().parents[1] / "gate_floors.json").read_text(encoding="utf-8"))
SLICE_MODULO = FLOORS["slice_modulo"]

pytestmark = pytest.mark.skipif(not (bench_dir() / "score.py").exists(),
                                reason=f"bench data not found at {bench_dir()} (set TEXTWASH_BENCH)")


@pytest.fixture(scope="module")
def gate_records():
    return [r for r in load_records() if in_slice(r["id"], SLICE_MODULO)]


@pytest.mark.parametrize("regime", ["r2", "r1"])
def test_f1_on_the_gate_slice_stays_above_the_floor(gate_records, regime):
    field = REGIME_FIELDS[regime]
    predictions = {r["id"]: clean(r.get(field) or "").text for r in gate_records}
    summary, _, _ = load_scorer().score(gate_records, predictions)
    measured = summary["shingle"]["ALL"]
    floor = FLOORS[regime]
    assert measured["f1"] >= floor["f1"], f"{regime} F1 {measured['f1']:.4f} fell below the floor {floor['f1']}"
    assert measured["precision"] >= floor["precision"], f"{regime} P {measured['precision']:.4f} < {floor['precision']}"
    assert measured["empty_pred"] <= floor["max_empty"]
