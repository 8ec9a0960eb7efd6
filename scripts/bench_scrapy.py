"""Measure a Scrapy crawl through ``textwash.scrapy.TextwashPipeline``: items/s in-process and remote.

    python scripts/bench_scrapy.py [--pages 500] [--modes local,remote]

Writes ``--pages`` DEV bench pages (their HTML, ../shared/bench or $TEXTWASH_BENCH) to a temporary site,
serves it with http.server on 127.0.0.1, and crawls it with tests/textwash/crawl_job.py (the tests' crawl:
one item per page with its HTML). Remote mode starts the service as ``make run`` does (``textwash serve``,
default workers) on a free loopback port. items/s = items / Scrapy's own ``elapsed_time_seconds``
(open_spider, so the in-process model load, included). Prints one JSON line per mode.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path

from bench_client import bench_dir, start_service

ROOT = Path(__file__).resolve().parents[1]
CRAWL = ROOT / "tests" / "textwash" / "crawl_job.py"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def write_site(root: Path, pages: int) -> int:
    names = []
    files = sorted((bench_dir() / "data").glob("*.jsonl.gz"))
    per_file = -(-pages // len(files))
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in islice(lines, per_file):
                if len(names) == pages:
                    break
                name = f"page-{len(names):05d}.html"
                (root / name).write_text(json.loads(line)["html"], encoding="utf-8")
                names.append(name)
    links = "".join(f'<a href="{name}">{name}</a>\n' for name in names)
    (root / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    return len(names)


def crawl(start: str, settings: dict[str, object]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="textwash-crawl-") as out:
        subprocess.run([sys.executable, str(CRAWL), start, out, json.dumps(settings)], cwd=ROOT, check=True)
        stats = json.loads((Path(out) / "stats.json").read_text())
    items = stats.get("item_scraped_count", 0) + stats.get("item_dropped_count", 0)
    elapsed = stats["elapsed_time_seconds"]
    return {"items": items, "elapsed_s": round(elapsed, 1), "items_per_s": round(items / elapsed, 1),
            "removed_lines": stats.get("textwash/removed_lines"), "service_posts": stats.get(
                "downloader/request_method_count/POST", 0),
            "load_average_at_end": [round(load, 1) for load in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--modes", default="local,remote")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="textwash-site-") as site:
        pages = write_site(Path(site), args.pages)
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        start = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        try:
            for mode in args.modes.split(","):
                if mode == "local":
                    print(json.dumps({"mode": "in-process", "pages": pages, **crawl(start, {})}), flush=True)
                    continue
                service, url = start_service()
                try:
                    print(json.dumps({"mode": "remote", "pages": pages,
                                      **crawl(start, {"TEXTWASH_URL": url})}), flush=True)
                finally:
                    service.terminate()
                    service.wait(timeout=60)
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
