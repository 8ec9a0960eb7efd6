"""HTML input: page -> lines with structural signals, plus the metadata the page states."""
from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .segment import Line, make_line

BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 tr section article header footer nav aside figure figcaption "
                       "blockquote pre ul ol table dd dt main form address".split())


def lines_from_html(html: str, *, text: str | None = None, extractor: str = "fast") -> tuple[list[Line], dict[str, Any]]:
    """One line per block element's text (placeholder until the fast path lands)."""
    tree = LexborHTMLParser(html)
    body = tree.body or tree.root
    raw = body.text(separator="\n") if body is not None else ""
    lines = [make_line(i, part) for i, part in enumerate(raw.split("\n"))]
    return lines, {}
