"""Metadata a page states in its markup: title, og:*, JSON-LD NewsArticle, <html lang>, canonical URL."""
from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser


def page_metadata(tree: LexborHTMLParser, html: str) -> dict[str, Any]:
    return {}
