"""Run one Scrapy crawl with TextwashPipeline in a fresh process (the Twisted reactor cannot restart):

    python tests/textwash/crawl_job.py START_URL OUT_DIR ['{"TEXTWASH_URL": ...}']

Follows the links of START_URL, yields ``{"url", "html"}`` per page; writes OUT_DIR/items.jsonl (the
cleaned items), OUT_DIR/stats.json (the crawl stats) and OUT_DIR/dropped.json (DropItem reasons).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess


class SiteSpider(scrapy.Spider):
    name = "site"

    def __init__(self, start: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response: scrapy.http.Response) -> Any:
        yield from response.follow_all(css="a", callback=self.parse_page)

    def parse_page(self, response: scrapy.http.Response) -> Any:
        yield {"url": response.url, "html": response.text}


def main(start: str, out_dir: Path, extra: dict[str, Any]) -> None:
    settings = {
        "ITEM_PIPELINES": {"textwash.scrapy.TextwashPipeline": 300},
        "ROBOTSTXT_OBEY": True,
        "FEEDS": {str(out_dir / "items.jsonl"): {"format": "jsonlines", "encoding": "utf-8"}},
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "RETRY_TIMES": 3,
        **extra,
    }
    dropped: list[str] = []

    def item_dropped(item: Any, response: Any, exception: Exception, spider: Any) -> None:
        dropped.append(str(exception))

    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    crawler.signals.connect(item_dropped, signal=signals.item_dropped)
    started = time.perf_counter()
    process.crawl(crawler, start=start)
    process.start()
    stats = {key: value for key, value in crawler.stats.get_stats().items() if isinstance(value, (int, float, str))}
    stats["elapsed_wall_seconds"] = time.perf_counter() - started
    (out_dir / "stats.json").write_text(json.dumps(stats, indent=1, sort_keys=True))
    (out_dir / "dropped.json").write_text(json.dumps(dropped))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})
