"""The public package re-exports the engine's entry points and result types, loaded lazily."""
from __future__ import annotations

import subprocess
import sys

import pytest

import heuristics.pipeline
import textwash


def test_clean_and_clean_many_are_the_engines_own():
    assert textwash.clean is heuristics.pipeline.clean
    assert textwash.clean_many is heuristics.pipeline.clean_many
    assert textwash.DocumentError is heuristics.DocumentError and textwash.CleanResult is heuristics.CleanResult


def test_importing_the_packages_loads_no_pipeline_until_clean_is_used():
    probe = ("import sys, textwash, heuristics; before = 'heuristics.pipeline' in sys.modules; "
             "textwash.clean('A line of text.'); print(before, 'heuristics.pipeline' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        textwash.no_such_thing  # noqa: B018
    with pytest.raises(AttributeError):
        heuristics.no_such_thing  # noqa: B018
