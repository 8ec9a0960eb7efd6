"""A few DEV bench pages as JSONL for the datatrove tests (``../shared/bench``, or $TEXTWASH_BENCH)."""
from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path
from typing import Any

from devtools.bench import bench_dir

DATASET = "newspaper4k_articles"
EMPTY_DOCUMENT = {"id": "empty-newsletter", "text": "Subscribe to our newsletter\nShare on Facebook\nShare on Twitter",
                  "url": "https://example.org/newsletter"}


def bench_available() -> bool:
    return (bench_dir() / "data" / f"{DATASET}.jsonl.gz").exists()


def bench_records(count: int) -> list[dict[str, Any]]:
    """The first ``count`` pages of one dataset as ``{"id", "text" (the R2 residue), "url", "html"}``."""
    with gzip.open(bench_dir() / "data" / f"{DATASET}.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in islice(lines, count)]
    return [{"id": r["id"], "text": r["residue"], "url": r.get("url") or "", "html": r["html"]} for r in records]


def write_jsonl_shards(folder: Path, records: list[dict[str, Any]], shards: int, fields: tuple[str, ...]) -> None:
    """``records`` split round-robin over ``shards`` files (datatrove gives each task whole files)."""
    folder.mkdir(parents=True, exist_ok=True)
    for shard in range(shards):
        with (folder / f"part-{shard:02d}.jsonl").open("w", encoding="utf-8") as out:
            for record in records[shard::shards]:
                out.write(json.dumps({name: record[name] for name in fields if name in record}) + "\n")
