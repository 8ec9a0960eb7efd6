"""Stage 1, segment: raw text -> one ``Line`` per input line, numbered as in the input.

Blank lines are kept (so line numbers match the input) but carry no text. Everything later
works on ``Line.text`` (whitespace-normalised) and ``Line.key`` (case-folded words only, the
form phrase rules are matched against).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

WORD_RE = re.compile(r"\w+")
_SPACE_RE = re.compile(r"\s+")
# Characters that split lines besides \n: \r, and the Unicode line/paragraph separators.
_NEWLINE_RE = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# Control characters that are never text (NUL, C0 except tab/newline, DEL, C1 except NEL).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ufeff\u200b]")


@dataclass(slots=True)
class Line:
    """One input line. ``html`` holds structural signals when the line came from HTML."""

    index: int
    raw: str
    text: str
    key: str
    words: int
    html: dict[str, Any] | None = field(default=None)

    @property
    def blank(self) -> bool:
        return not self.text


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (NBSP, tabs, ...) to one space and strip the ends."""
    return _SPACE_RE.sub(" ", text).strip()


def line_key(text: str) -> str:
    """The matching key of a line: its words, case-folded, joined by single spaces.

    Punctuation, bullets and symbols drop out, so "» Read more…" and "READ MORE" share a key.
    """
    return " ".join(WORD_RE.findall(text.casefold()))


def split_lines(text: str) -> list[str]:
    """Split on every newline convention and drop control characters that are never text."""
    text = _CONTROL_RE.sub("", _NEWLINE_RE.sub("\n", text))
    return text.split("\n")


_NON_WORD_RE = re.compile(r"[^\w\n]+")
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")


def make_line(index: int, raw: str, html: dict[str, Any] | None = None) -> Line:
    """One ``Line`` from one raw line (HTML input builds its lines this way)."""
    text = normalise_space(raw)
    key = line_key(text) if text else ""
    return Line(index=index, raw=raw, text=text, key=key, words=key.count(" ") + 1 if key else 0, html=html)


def segment_text(text: str) -> list[Line]:
    """Every input line as a ``Line``; line numbers are 0-based positions in the input.

    Whitespace and keys are normalised over the whole document in two regex passes rather than
    line by line: the same result as ``make_line`` per line, several times faster.
    """
    raws = split_lines(text)
    joined = "\n".join(raws)
    texts = _INLINE_SPACE_RE.sub(" ", joined).split("\n")
    keys = _NON_WORD_RE.sub(" ", joined.casefold()).split("\n")
    lines = []
    for index, (raw, line_text, key) in enumerate(zip(raws, texts, keys)):
        line_text = line_text.strip()
        key = key.strip() if line_text else ""
        lines.append(Line(index, raw, line_text, key, key.count(" ") + 1 if key else 0))
    return lines
