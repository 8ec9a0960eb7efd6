"""TextwashPipeline in real Scrapy crawls of seed pages served on 127.0.0.1: in-process and remote."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pages import EMPTY_PAGE, serve_directory, write_site
from service_helpers import seed_texts

from heuristics import clean

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def crawl(start: str, out_dir: Path, settings: dict[str, Any]) -> tuple[list[dict], dict[str, Any], list[str]]:
    out_dir.mkdir()
    subprocess.run([sys.executable, str(HERE / "crawl_job.py"), start, str(out_dir), json.dumps(settings)],
                   cwd=ROOT, check=True, timeout=240)
    items = [json.loads(line) for line in (out_dir / "items.jsonl").read_text().splitlines()]
    return (items, json.loads((out_dir / "stats.json").read_text()),
            json.loads((out_dir / "dropped.json").read_text()))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("site")
    names = write_site(root, seed_texts())
    with serve_directory(root) as base:
        yield base, root, names


def expected_for(root: Path, base: str, name: str):
    return clean(html=(root / name).read_text(encoding="utf-8"), url=f"{base}/{name}")


def check_items(items: list[dict], stats: dict[str, Any], site, empty_dropped: bool) -> None:
    base, root, names = site
    kept = [name for name in names if not (empty_dropped and name == EMPTY_PAGE)]
    assert sorted(item["url"] for item in items) == sorted(f"{base}/{name}" for name in kept)
    removed_total: Counter[str] = Counter()
    for item in items:
        expected = expected_for(root, base, item["url"].rsplit("/", 1)[1])
        assert item["text"] == expected.text
        counts = Counter(removal.category for removal in expected.removed)
        assert item["textwash"]["removed"] == dict(counts)
        assert item["textwash"]["title"] == expected.metadata["title"]
        assert item["textwash"]["language"] == expected.metadata["language"]
        removed_total += counts
    dropped_counts = Counter(r.category for r in expected_for(root, base, EMPTY_PAGE).removed) if empty_dropped else Counter()
    removed_total += dropped_counts
    assert {key.split("/")[-1]: value for key, value in stats.items() if key.startswith("textwash/removed/")} == dict(removed_total)
    assert stats["textwash/items_cleaned"] == len(names)
    assert stats["textwash/items_empty"] == 1
    assert sum(removed_total.values()) > len(names)  # the seed pages carry residue to remove


def test_in_process_crawl_cleans_every_page_and_counts_removals(site, tmp_path):
    items, stats, dropped = crawl(site[0] + "/index.html", tmp_path / "local", {})
    check_items(items, stats, site, empty_dropped=False)
    empty = next(item for item in items if item["url"].endswith(EMPTY_PAGE))
    assert empty["text"] == "" and "empty_body" in " ".join(empty["textwash"]["warnings"])
    assert dropped == []


def test_remote_crawl_goes_through_scrapys_downloader_and_drops_empty_pages(site, service, tmp_path):
    settings = {"TEXTWASH_URL": service.url, "TEXTWASH_DROP_EMPTY": True}
    items, stats, dropped = crawl(site[0] + "/index.html", tmp_path / "remote", settings)
    check_items(items, stats, site, empty_dropped=True)
    assert dropped == [f"textwash: nothing left after cleaning {site[0]}/{EMPTY_PAGE}"]
    pages = len(site[2]) + 1  # the pages and the index
    assert stats["downloader/request_method_count/POST"] == len(site[2])
    assert stats["downloader/request_method_count/GET"] == pages + 1  # + the site's robots.txt only
    assert stats["robotstxt/request_count"] == 1
