"""What a caller can ask of one ``clean()`` call, in one frozen object that checks itself when it is made.

A bad value raises ``CleanError`` naming the option, so the library, the CLI and the service (which
builds one to check a request's options before any document is read) report it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .errors import CleanError
from .settings import SETTINGS
from .vocabulary import CATEGORIES, EXTRACTORS, MODES

ExtraRules = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class Options:
    """mode: ``precision`` removes more, ``recall`` less, ``balanced`` between. keep: categories left in the
    body. language: an ISO 639-1 code that skips detection. explain: every line's trace. extractor: how HTML
    becomes lines. time_budget: seconds before the rules stop and the model is skipped. max_lines: lines
    past it are kept unjudged. max_input_chars: longer input is refused. ``extra_rules`` (caller phrases
    per category) are checked where they are compiled, ``rules.ruleset_with_extra``."""

    mode: str = "balanced"
    keep: tuple[str, ...] = ()
    language: str | None = None
    explain: bool = False
    extractor: str = "fast"
    time_budget: float | None = None
    max_lines: int = SETTINGS.max_lines
    max_input_chars: int = SETTINGS.max_input_chars

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise CleanError("mode", f"must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.extractor not in EXTRACTORS:
            raise CleanError("extractor", f"must be one of {', '.join(EXTRACTORS)}, not {self.extractor!r}")
        if self.language is not None and (not isinstance(self.language, str) or not 2 <= len(self.language) <= 3
                                          or not self.language.isalpha()):
            raise CleanError("language", "must be an ISO 639-1 code such as 'de'")
        object.__setattr__(self, "keep", _categories(self.keep))
        if self.time_budget is not None and (isinstance(self.time_budget, bool)
                                             or not isinstance(self.time_budget, (int, float))
                                             or not self.time_budget >= 0):
            raise CleanError("time_budget", "must be a number of seconds, 0 or more")
        for name in ("max_lines", "max_input_chars"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise CleanError(name, "must be a whole number, 1 or more")

    @property
    def lang(self) -> str | None:
        """The language to judge in when the caller named one (case-folded), else None: detect it."""
        return self.language.lower() if self.language else None


def _categories(keep: Iterable[str]) -> tuple[str, ...]:
    if isinstance(keep, str):
        raise CleanError("keep", "must be a list of category names")
    kept = tuple(keep)
    for category in kept:
        if category not in CATEGORIES:
            raise CleanError("keep", f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    return kept
