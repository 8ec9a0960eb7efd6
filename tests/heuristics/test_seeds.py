"""Seed documents: every seeds/*.txt must come out exactly as seeds/expected/<same name>.json says.

Generic: a new seed is one .txt and one expected file away.
"""
import json
from pathlib import Path

import pytest

from heuristics import clean
from heuristics.segment import normalise_space

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def expected_for(path: Path) -> dict:
    return json.loads((SEEDS / "expected" / f"{path.stem}.json").read_text(encoding="utf-8"))


def test_there_are_seeds_with_expectations():
    assert len(SEED_FILES) >= 5
    assert all((SEEDS / "expected" / f"{p.stem}.json").exists() for p in SEED_FILES)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_paragraphs_are_exact(path):
    result = clean(path.read_text(encoding="utf-8"))
    assert result.paragraphs == expected_for(path)["paragraphs"]
    assert result.text == "\n\n".join(expected_for(path)["paragraphs"])


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_removed_lines_and_categories(path):
    expected = expected_for(path)
    result = clean(path.read_text(encoding="utf-8"))
    got = {r.line: r for r in result.removed}
    want = {r["line"]: r for r in expected["removed_lines"]}
    assert sorted(got) == sorted(want)
    for line, removal in got.items():
        assert removal.category in want[line]["categories"], (line, removal.text)
        assert removal.text == want[line]["text"]
        assert removal.rule.startswith(removal.category + ".") or removal.rule == "model"


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_stripped_prefixes(path):
    expected = expected_for(path)["stripped_prefixes"]
    result = clean(path.read_text(encoding="utf-8"))
    assert [(s.line, normalise_space(s.text)) for s in result.stripped] == [
        (s["line"], normalise_space(s["text"])) for s in expected]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_metadata(path):
    expected = expected_for(path)["metadata"]
    metadata = clean(path.read_text(encoding="utf-8")).metadata
    assert {field: metadata[field] for field in expected} == expected
