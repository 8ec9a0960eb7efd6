"""The options object checks itself when made; the settings object holds the engine's thresholds."""
import dataclasses
import inspect
from pathlib import Path

import pytest

from heuristics import CleanError, Options, clean
from heuristics.settings import SETTINGS, Settings


def test_defaults_are_the_documented_ones():
    options = Options()
    assert (options.mode, options.keep, options.language, options.extractor) == ("balanced", (), None, "fast")
    assert (options.max_lines, options.max_input_chars) == (SETTINGS.max_lines, SETTINGS.max_input_chars)


def test_options_are_frozen_and_keep_becomes_a_tuple():
    options = Options(keep=["byline"], language="DE")
    assert options.keep == ("byline",) and options.lang == "de"
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.mode = "recall"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"mode": "aggressive"}, "mode"),
    ({"extractor": "magic"}, "extractor"),
    ({"language": "german"}, "language"),
    ({"language": "d3"}, "language"),
    ({"keep": "byline"}, "keep"),
    ({"keep": ["nope"]}, "keep"),
    ({"time_budget": -1}, "time_budget"),
    ({"time_budget": "soon"}, "time_budget"),
    ({"max_lines": 0}, "max_lines"),
    ({"max_input_chars": 2.5}, "max_input_chars"),
])
def test_a_bad_option_names_its_field(kwargs, field):
    with pytest.raises(CleanError) as info:
        Options(**kwargs)
    assert info.value.field == field
    with pytest.raises(CleanError) as info:
        clean("Some text.", **kwargs)
    assert info.value.field == field


def test_every_setting_has_a_reason_next_to_it():
    source = Path(inspect.getsourcefile(Settings)).read_text(encoding="utf-8")
    for field in dataclasses.fields(Settings):
        line = next(line for line in source.splitlines() if line.strip().startswith(f"{field.name}:"))
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 20, field.name
