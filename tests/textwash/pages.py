"""Seed documents rendered as HTML pages and served by http.server on 127.0.0.1 (for the Scrapy tests)."""
from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

EMPTY_PAGE = "empty.html"
EMPTY_LINES = ["Subscribe to our newsletter", "Share on Facebook", "Share on Twitter"]


def render(lines: list[str], title: str) -> str:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines if line.strip())
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
            f"<body><article>\n{body}\n</article></body></html>\n")


def write_site(root: Path, documents: list[tuple[str, str]], with_empty: bool = True) -> list[str]:
    """``documents`` as ``<name>.html`` pages under ``root``, linked from ``index.html``; returns the page names."""
    names = []
    for name, text in documents:
        lines = text.splitlines()
        (root / f"{name}.html").write_text(render(lines, lines[0] if lines else name), encoding="utf-8")
        names.append(f"{name}.html")
    if with_empty:
        (root / EMPTY_PAGE).write_text(render(EMPTY_LINES, "Newsletter"), encoding="utf-8")
        names.append(EMPTY_PAGE)
    links = "\n".join(f'<li><a href="{name}">{name}</a></li>' for name in names)
    (root / "index.html").write_text(f"<html><body><ul>\n{links}\n</ul></body></html>\n", encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    return names


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on a free loopback port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
