"""Stage 1, segment: raw text -> one ``Line`` per input line, numbered as in the input.

Blank lines are kept (so line numbers match the input) but carry no text. Everything later
works on ``Line.text`` (whitespace-normalised), ``Line.key`` (case-folded words only: what line
rules are looked up by) and ``phrase_form`` (what phrase rules are searched in).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import _core
from .normalise import normalise_text
from .settings import SETTINGS, Settings

_SPACE_RE = re.compile(r"\s+")


@dataclass(slots=True)
class Line:
    """One input line. ``html`` holds where the line sat in its page (``html.lines.Signals``) when it came
    from HTML.

    ``words`` counts the line's words (for long lines: its whitespace-separated tokens). ``key``,
    its words case-folded and joined by single spaces, is computed on first use: most long body
    lines never need it.
    """

    index: int
    raw: str
    text: str
    words: int
    html: Any = field(default=None)
    cached_key: str | None = field(default=None)

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def key(self) -> str:
        if self.cached_key is None:
            self.cached_key = line_key(self.text)
        return self.cached_key


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (NBSP, tabs, ...) to one space and strip the ends."""
    return _SPACE_RE.sub(" ", text).strip()


def split_lines(text: str) -> list[str]:
    """The text repaired (``normalise.normalise_text``: surrogates, mojibake, control characters), split
    on every newline convention (str.splitlines)."""
    return normalise_text(text).splitlines()


_NON_WORD_RE = re.compile(r"\W+")
def line_key(text: str) -> str:
    """The matching key of a line: its words, case-folded, joined by single spaces.

    Punctuation, bullets and symbols drop out, so "» Read more…" and "READ MORE" share a key.
    """
    return _NON_WORD_RE.sub(" ", text.casefold()).strip()


def phrase_form(text: str) -> str:
    """Case-folded text with one apostrophe and hyphens read as spaces (phrase rules match this)."""
    folded = text.casefold()
    if "’" in folded:
        folded = folded.replace("’", "'")
    if "-" in folded:
        folded = " ".join(folded.replace("-", " ").split())
    return folded


def make_line(index: int, raw: str, html: Any = None, settings: Settings = SETTINGS) -> Line:
    """One ``Line`` from one raw line. Short lines (``settings.short_key_words``) get their key (and exact
    word count) at once."""
    parts = raw.split()
    if not parts:
        return Line(index, raw, "", 0, html, "")
    text = " ".join(parts)
    if len(parts) > settings.short_key_words:
        return Line(index, raw, text, len(parts), html)
    key = line_key(text)
    return Line(index, raw, text, key.count(" ") + 1 if key else 0, html, key)


def make_lines(raws: list[str], settings: Settings = SETTINGS) -> list[Line]:
    """``[make_line(index, raw) for index, raw in enumerate(raws)]``, by the compiled core (one pass over each
    line's characters; the string methods only for a line that is not already in its normal form)."""
    return _core.make_lines(raws, 0, settings.short_key_words, Line, _NON_WORD_RE)


def segment_text(text: str, settings: Settings = SETTINGS) -> list[Line]:
    """Every input line as a ``Line``; line numbers are 0-based positions in the input."""
    return make_lines(split_lines(text), settings)
