"""A Scrapy item pipeline that cleans each item's text or HTML with textwash (extra: ``textwash[scrapy]``).

    ITEM_PIPELINES = {"textwash.scrapy.TextwashPipeline": 300}
    TEXTWASH_URL = "http://127.0.0.1:8080"     # remote: the service; unset: the engine in this process

Remote mode posts each item to the service's ``/v1/clean`` through Scrapy's own downloader
(``engine.download_async``): its retries, timeouts, stats and concurrency apply, robots.txt, the HTTP cache
and AutoThrottle do not (the requests go to their own download slot, ``textwash``, with no delay; set
``DOWNLOAD_SLOTS["textwash"]`` to change that). In-process mode loads the engine once in ``open_spider``
and cleans in a thread, off the reactor.

Settings (defaults in brackets): ``TEXTWASH_URL`` [unset], ``TEXTWASH_API_KEY``, ``TEXTWASH_MODE``
[balanced], ``TEXTWASH_KEEP`` [none], ``TEXTWASH_LANGUAGE``, ``TEXTWASH_EXTRACTOR`` [fast];
``TEXTWASH_TEXT_FIELD`` [text], ``TEXTWASH_HTML_FIELD`` [html], ``TEXTWASH_URL_FIELD`` [url] are read;
``TEXTWASH_OUTPUT_FIELD`` [text] gets the clean text, ``TEXTWASH_METADATA_FIELD`` [textwash] the metadata
with ``removed`` (counts per category) and ``warnings``; ``TEXTWASH_DROP_EMPTY`` [False] drops an item
whose body came out empty; ``TEXTWASH_CONCURRENCY`` [8] requests to the service at a time.
Stats: ``textwash/items_cleaned``, ``textwash/items_skipped`` (no text nor HTML), ``textwash/items_empty``,
``textwash/removed_lines`` and ``textwash/removed/<category>``.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import run_in_thread

from heuristics.errors import CleanError
from heuristics.result import CleanResult

from . import _wire

SLOT = "textwash"
STATS_PREFIX = "textwash"


class TextwashPipeline:
    """Cleans ``item[text]`` and/or ``item[html]``; writes the clean text and the metadata back."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.service_url: str | None = (settings.get("TEXTWASH_URL") or "").rstrip("/") or None
        self.api_key: str | None = settings.get("TEXTWASH_API_KEY") or None
        self.options: dict[str, Any] = {"mode": settings.get("TEXTWASH_MODE", "balanced"),
                                        "keep": settings.getlist("TEXTWASH_KEEP"),
                                        "extractor": settings.get("TEXTWASH_EXTRACTOR", "fast")}
        if settings.get("TEXTWASH_LANGUAGE"):
            self.options["language"] = settings.get("TEXTWASH_LANGUAGE")
        self.text_field = settings.get("TEXTWASH_TEXT_FIELD", "text")
        self.html_field = settings.get("TEXTWASH_HTML_FIELD", "html")
        self.url_field = settings.get("TEXTWASH_URL_FIELD", "url")
        self.output_field = settings.get("TEXTWASH_OUTPUT_FIELD", "text")
        self.metadata_field = settings.get("TEXTWASH_METADATA_FIELD", "textwash")
        self.drop_empty = settings.getbool("TEXTWASH_DROP_EMPTY", False)
        self.concurrency = settings.getint("TEXTWASH_CONCURRENCY", 8)
        self._clean: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TextwashPipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        if self.service_url:
            downloader = self.crawler.engine.downloader
            downloader.per_slot_settings.setdefault(SLOT, {"delay": 0.0, "concurrency": self.concurrency})
            return
        self._clean = await run_in_thread(_load_engine)

    async def close_spider(self) -> None:
        self._clean = None

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        document = {name: adapter.get(field) for name, field in
                    (("text", self.text_field), ("html", self.html_field), ("url", self.url_field))}
        document = {name: value for name, value in document.items() if value is not None}
        stats = self.crawler.stats
        if "text" not in document and "html" not in document:
            stats.inc_value(f"{STATS_PREFIX}/items_skipped")
            return item
        try:
            result = await (self._remote(document) if self.service_url else self._local(document))
        except CleanError as error:
            raise DropItem(f"textwash refused the item: {error.field}: {error.detail}") from None
        self._count(result)
        if not result.paragraphs:
            stats.inc_value(f"{STATS_PREFIX}/items_empty")
            if self.drop_empty:
                raise DropItem(f"textwash: nothing left after cleaning {document.get('url') or 'the item'}")
        self._write(adapter, result)
        return item

    async def _local(self, document: dict[str, Any]) -> CleanResult:
        return await run_in_thread(self._clean, document.get("text"), **{
            **self.options, **{name: value for name, value in document.items() if name != "text"}})

    async def _remote(self, document: dict[str, Any]) -> CleanResult:
        """POST the item to the service through Scrapy's downloader (its retry middleware handles 5xx/429)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = Request(
            f"{self.service_url}/v1/clean", method="POST", headers=headers, callback=NO_CALLBACK,
            body=_wire.encode({**document, "options": self.options}), dont_filter=True,
            meta={"dont_obey_robotstxt": True, "dont_cache": True, "autothrottle_dont_adjust_delay": True,
                  "download_slot": SLOT})
        response = await self.crawler.engine.download_async(request)
        return _result(response)

    def _count(self, result: CleanResult) -> None:
        stats = self.crawler.stats
        stats.inc_value(f"{STATS_PREFIX}/items_cleaned")
        stats.inc_value(f"{STATS_PREFIX}/removed_lines", len(result.removed))
        for category, count in Counter(removal.category for removal in result.removed).items():
            stats.inc_value(f"{STATS_PREFIX}/removed/{category}", count)

    def _write(self, adapter: ItemAdapter, result: CleanResult) -> None:
        removed = dict(Counter(removal.category for removal in result.removed))
        for field, value in ((self.output_field, result.text),
                             (self.metadata_field, {**result.metadata, "removed": removed,
                                                    "warnings": list(result.warnings)})):
            try:
                adapter[field] = value
            except KeyError:
                raise KeyError(f"the item has no field {field!r} for textwash's output: declare it, or name "
                               "another one with TEXTWASH_OUTPUT_FIELD / TEXTWASH_METADATA_FIELD") from None


def _load_engine() -> Any:
    """Import the engine and clean one line, so the rules and the model are loaded before the first item."""
    from heuristics import clean

    clean("textwash warm-up line.")
    return clean


def _result(response: Response) -> CleanResult:
    try:
        payload = json.loads(response.body)
    except ValueError:
        payload = None
    if response.status == 200 and isinstance(payload, dict):
        return _wire.result_from_json(payload)
    raise _wire.problem_error(response.status, payload)
