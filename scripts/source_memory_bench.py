"""Figures for docs/source-memory.md: what the source memory does on pages grouped by site.

    .venv/bin/python scripts/source_memory_bench.py quality [--regime r2 r1] [--min-pages 3]
    .venv/bin/python scripts/source_memory_bench.py multilingual
    .venv/bin/python scripts/source_memory_bench.py cost [--redis-url redis://127.0.0.1:PORT/0]
    .venv/bin/python scripts/source_memory_bench.py size [--redis-url ...]

quality: DEV bench pages grouped by the host of their URL (hosts with >= --min-pages pages), cleaned
without the memory and with it (two passes per host, as ``textwash batch`` does: count every page,
then clean each), scored by the bench's own scorer (shingle P/R/F1 and WCXB snippets).
multilingual: the same on ../shared/bench/multilingual, plus every page sent under ONE source (a caller
that mislabels its sources: nothing should be lost).
cost: seconds per document of clean() without and with the memory (one pass, learning as it goes, as
the service does) over SQLite and Redis. size: the store's size after learning every DEV page (R1 and
R2 inputs) under its host, scaled to 10,000 documents.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heuristics import clean  # noqa: E402
from heuristics.bench import REGIME_FIELDS, bench_dir, load_records, load_scorer  # noqa: E402
from heuristics.memory import SourceMemory, StoreLimits, open_memory  # noqa: E402
from heuristics.memory.sqlite_store import SQLiteStore  # noqa: E402
from heuristics.pipeline import learn  # noqa: E402


def host(record: dict[str, Any]) -> str | None:
    try:
        return urlsplit(record.get("url") or "").hostname
    except ValueError:
        return None


def grouped(records: list[dict[str, Any]], min_pages: int) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        name = host(record)
        if name:
            groups[name].append(record)
    return {name: pages for name, pages in groups.items() if len(pages) >= min_pages}


def two_pass(groups: dict[str, list[dict[str, Any]]], field: str, memory: SourceMemory) -> dict[str, str]:
    """Per source: learn every page, then clean every page with the memory only reading."""
    predictions = {}
    reader = memory.reading()
    for name, pages in groups.items():
        for record in pages:
            learn(record.get(field) or "", url=record.get("url"), source=name, memory=memory)
        for record in pages:
            predictions[record["id"]] = clean(record.get(field) or "", url=record.get("url"), source=name,
                                              memory=reader).text
    return predictions


def summary_rows(label: str, summary: dict[str, Any]) -> list[str]:
    rows = []
    shingle = summary.get("shingle", {}).get("ALL")
    if shingle:
        rows.append(f"{label:<28} P {shingle['precision']:.4f}  R {shingle['recall']:.4f}  F1 {shingle['f1']:.4f}"
                    f"  empty {shingle['empty_pred']}")
    snippets = summary.get("snippets", {}).get("ALL")
    if snippets:
        rows.append(f"{label + ' snippets':<28} with-R {snippets['with_recall']:.4f}  "
                    f"w/o-removal {snippets['without_removal']:.4f}  hmean {snippets['hmean']:.4f}")
    return rows


def compare(records: list[dict[str, Any]], groups: dict[str, list[dict[str, Any]]], field: str,
            title: str) -> None:
    scorer = load_scorer()
    pages = [record for group in groups.values() for record in group]
    without = {r["id"]: clean(r.get(field) or "").text for r in pages}
    with tempfile.TemporaryDirectory() as folder:
        memory = open_memory(path=Path(folder) / "sources.db")
        with_memory = two_pass(groups, field, memory)
    removed = sum(1 for r in pages for _ in ())  # placeholder kept simple: counted below
    del removed
    print(f"== {title}: {len(groups)} sources, {len(pages)} pages ({field})")
    for label, predictions in (("without memory", without), ("with memory (two-pass)", with_memory)):
        summary, _, _ = scorer.score(pages, predictions)
        print("\n".join(summary_rows(label, summary)))
    changed = sum(without[i] != with_memory[i] for i in without)
    print(f"pages whose output changed: {changed}")


def cmd_quality(args: argparse.Namespace) -> None:
    records = load_records()
    groups = grouped(records, args.min_pages)
    for regime in args.regime:
        compare(records, groups, REGIME_FIELDS[regime], f"DEV bench by host, {regime}")


def load_multilingual() -> list[dict[str, Any]]:
    path = bench_dir() / "multilingual" / "trafilatura_eval_dev.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def cmd_multilingual(args: argparse.Namespace) -> None:
    records = load_multilingual()
    groups = grouped(records, args.min_pages)
    print(f"multilingual: {len(records)} pages, {len(groups)} hosts with >= {args.min_pages} pages")
    if groups:
        compare(records, groups, "residue", "multilingual by host")
    compare(records, {"one-source-for-all": records}, "residue", "multilingual, ALL pages under one source")


def timed(pages: list[dict[str, Any]], run: Callable[[dict[str, Any]], Any]) -> float:
    started = time.process_time()
    for record in pages:
        run(record)
    return (time.process_time() - started) / len(pages)


def cmd_cost(args: argparse.Namespace) -> None:
    records = load_records()
    pages = [r for group in grouped(records, args.min_pages).values() for r in group]
    field = REGIME_FIELDS["r2"]
    clean(pages[0][field])  # load the model outside the timing
    base = timed(pages, lambda r: clean(r[field]))
    print(f"{len(pages)} pages (r2), CPU seconds per document of this process")
    print(f"without memory        {base * 1000:.2f} ms")
    with tempfile.TemporaryDirectory() as folder:
        memory = open_memory(path=Path(folder) / "sources.db")
        cost = timed(pages, lambda r: clean(r[field], url=r["url"], source=host(r), memory=memory))
        wall = time.perf_counter()
        for record in pages:
            memory.learn(host(record) or "", [], record["url"])  # a store round trip without lines
        print(f"with SQLite           {cost * 1000:.2f} ms  (+{(cost - base) * 1000:.2f} ms)")
    if args.redis_url:
        memory = open_memory(redis_url=args.redis_url)
        started = time.perf_counter()
        cost = timed(pages, lambda r: clean(r[field], url=r["url"], source=host(r), memory=memory))
        elapsed = (time.perf_counter() - started) / len(pages)
        print(f"with Redis            {cost * 1000:.2f} ms  (+{(cost - base) * 1000:.2f} ms; "
              f"wall {elapsed * 1000:.2f} ms incl. the server's work)")
        for name in {host(r) for r in pages}:
            memory.store.forget(name or "")
    del wall


def cmd_size(args: argparse.Namespace) -> None:
    records = load_records()
    documents = [(host(r) or "unknown", r.get(field) or "", r.get("url")) for r in records for field in ("fulltext", "residue")]
    limits = StoreLimits(max_documents=10**9, max_sources=10**9)
    with tempfile.TemporaryDirectory() as folder:
        memory = SourceMemory(SQLiteStore(Path(folder) / "sources.db", limits))
        for name, text, url in documents:
            learn(text, source=name, memory=memory)
        memory.store.db_checkpoint = None
        stats = memory.store.stats()
    print(f"SQLite: {stats.documents} documents of {stats.sources} sources: {stats.bytes / 1e6:.1f} MB, "
          f"{stats.bytes / stats.documents * 10_000 / 1e6:.1f} MB per 10,000 documents")
    if args.redis_url:
        import redis

        client = redis.Redis.from_url(args.redis_url)
        client.flushdb()
        before = client.info("memory")["used_memory"]
        memory = SourceMemory(open_memory(redis_url=args.redis_url, limits=limits).store)
        for name, text, url in documents:
            learn(text, source=name, memory=memory)
        stats = memory.store.stats()
        grown = stats.bytes - before
        print(f"Redis: {stats.documents} documents: used_memory grew {grown / 1e6:.1f} MB, "
              f"{grown / stats.documents * 10_000 / 1e6:.1f} MB per 10,000 documents")
        client.flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("quality", "multilingual", "cost", "size"))
    parser.add_argument("--regime", nargs="*", choices=("r2", "r1"), default=["r2", "r1"])
    parser.add_argument("--min-pages", type=int, default=3)
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    {"quality": cmd_quality, "multilingual": cmd_multilingual, "cost": cmd_cost, "size": cmd_size}[args.command](args)


if __name__ == "__main__":
    main()
