"""Every language's rule pack, one data file each (``lang/<code>.toml``): residue lines of every category
go with the right category, residue boxes go as a run, look-alike prose stays, date lines and bylines feed
the metadata, and the language is detected. A new language is one data file away."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest
from langcheck import assert_block_removed, assert_body_kept, document, line_verdict, removed_by_line, run

PACKS = {path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
         for path in sorted((Path(__file__).parent / "lang").glob("*.toml"))}


def _cases(key: str, label: Callable[[Any], str]) -> list[Any]:
    """(language, item) for every item under ``key`` of every pack, with readable ids."""
    out = []
    for code, pack in PACKS.items():
        items = pack[key].items() if isinstance(pack[key], dict) else pack[key]
        out.extend(pytest.param(code, item, id=f"{code}-{label(item)[:40]}") for item in items)
    return out


def test_every_language_has_a_pack() -> None:
    assert sorted(PACKS) == ["de", "es", "fr", "it", "nl", "pl", "pt", "ru"]
    assert all(pack["language"] == code for code, pack in PACKS.items())


@pytest.mark.parametrize(("code", "case"), _cases("lines", lambda case: case[1]))
def test_residue_line_goes_as_its_category(code: str, case: list[str]) -> None:
    category, text = case
    verdict = line_verdict(text, code)
    assert verdict is not None, f"no strong rule for {text!r}"
    assert verdict[0] == category and verdict[1].startswith(category + "."), verdict


@pytest.mark.parametrize(("code", "case"), _cases("blocks", lambda case: case[0]))
def test_residue_block_goes_as_a_run(code: str, case: tuple[str, list[list[str]]]) -> None:
    pack = PACKS[code]
    _, block = case
    assert_block_removed(pack["title"], pack["body"], [tuple(pair) for pair in block], code, at=3)


@pytest.mark.parametrize("code", list(PACKS))
def test_lookalike_prose_stays(code: str) -> None:
    pack = PACKS[code]
    assert_body_kept(pack["title"], pack["body"], pack["lookalikes"], code)


@pytest.mark.parametrize(("code", "case"), _cases("dates", lambda case: case[0]))
def test_date_lines_feed_metadata(code: str, case: list[str]) -> None:
    line, field, value = case
    pack = PACKS[code]
    result = run(document(pack["title"], pack["body"], [line], at=0))
    assert removed_by_line(result)[2][0] == "date_line"
    assert result.metadata[field] == value


@pytest.mark.parametrize("code", list(PACKS))
def test_byline_names_become_authors(code: str) -> None:
    pack = PACKS[code]
    result = run(document(pack["title"], pack["body"], [pack["byline"]], at=0))
    assert result.metadata["authors"] == pack["authors"]


@pytest.mark.parametrize("code", list(PACKS))
def test_language_is_detected_and_overridable(code: str) -> None:
    pack = PACKS[code]
    detected = run([pack["title"], "", *pack["body"]])
    assert detected.metadata["language"] == code
    assert detected.metadata["language_confidence"] > pack["detect_confidence"]
    other = "nl" if code != "nl" else "de"
    forced = run([pack["title"], "", *pack["body"]], language=other)
    assert (forced.metadata["language"], forced.metadata["language_confidence"]) == (other, 1.0)
