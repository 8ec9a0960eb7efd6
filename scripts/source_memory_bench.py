"""Figures for docs/source-memory.md: what the source memory does on pages grouped by site.

    .venv/bin/python scripts/source_memory_bench.py quality [--regime r2 r1] [--min-pages 3]
    .venv/bin/python scripts/source_memory_bench.py multilingual
    .venv/bin/python scripts/source_memory_bench.py cost [--redis-url redis://127.0.0.1:PORT/0]
    .venv/bin/python scripts/source_memory_bench.py size [--redis-url ...]
    .venv/bin/python scripts/source_memory_bench.py hostile [--sources 1000000] [--redis-url ...]

quality: DEV bench pages grouped by the host of their URL (hosts with >= --min-pages pages), cleaned
without the memory and with it (two passes per host, as ``textwash batch`` does: count every page,
then clean each), scored by the bench's own scorer (shingle P/R/F1 and WCXB snippets).
multilingual: the same on ../shared/bench/multilingual, plus every page sent under ONE source (a caller
that mislabels its sources: nothing should be lost).
cost: seconds per document of clean() without and with the memory (one pass, learning as it goes, as
the service does) over SQLite and Redis. size: the store's size after learning every DEV page (R1 and
R2 inputs) under its host, scaled to 10,000 documents. hostile: a million distinct sources with the
default bounds: time and what the store keeps.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heuristics import clean  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout
from devtools.bench import REGIME_FIELDS, bench_dir, format_table, load_records, load_scorer  # noqa: E402
from heuristics.memory import SourceMemory, StoreLimits, open_memory  # noqa: E402
from heuristics.memory.sqlite_store import SQLiteStore  # noqa: E402
from heuristics.pipeline import learn  # noqa: E402
from heuristics.segment import segment_text  # noqa: E402


WORD_RE = re.compile(r"\w+")


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


def two_pass(groups: dict[str, list[dict[str, Any]]], field: str, memory: SourceMemory) -> dict[str, Any]:
    """Per source: learn every page, then clean every page with the memory only reading."""
    results = {}
    reader = memory.reading()
    for name, pages in groups.items():
        for record in pages:
            learn(record.get(field) or "", url=record.get("url"), source=name, memory=memory)
        for record in pages:
            results[record["id"]] = clean(record.get(field) or "", url=record.get("url"), source=name, memory=reader)
    return results


def words(text: str) -> str:
    return " ".join(WORD_RE.findall(text))


def newly_removed(pages: list[dict[str, Any]], without: dict[str, Any], with_memory: dict[str, Any]) -> None:
    """Lines the memory removed that the engine kept without it; how many of those (3 words or more)
    occur verbatim in the gold text, and a sample of the others."""
    taken, in_gold, sample = 0, 0, []
    for record in pages:
        kept = set(without[record["id"]].paragraphs)
        gold = words(record.get("gold") or "")
        for line in with_memory[record["id"]].removed:
            if line.rule != "source.repeated" or " ".join(line.text.split()) not in kept:
                continue
            taken += 1
            key = words(line.text)
            if gold and key.count(" ") >= 2 and key in gold:
                in_gold += 1
            elif key.count(" ") >= 3 and taken % 9 == 0 and len(sample) < 12:
                sample.append(line.text[:90])
    print(f"lines the memory took that the engine kept without it: {taken}; of them, with 3+ words and "
          f"found verbatim in the gold: {in_gold}")
    if sample:
        print("some of the others: " + " | ".join(sample))


def one_pass_online(groups: dict[str, list[dict[str, Any]]], field: str, memory: SourceMemory) -> dict[str, str]:
    """As the service sees them: each page cleaned as it arrives, learning as it goes (bench order)."""
    return {record["id"]: clean(record.get(field) or "", url=record.get("url"), source=name, memory=memory).text
            for name, pages in groups.items() for record in pages}


def compare(records: list[dict[str, Any]], groups: dict[str, list[dict[str, Any]]], field: str,
            title: str) -> None:
    scorer = load_scorer()
    pages = [record for group in groups.values() for record in group]
    without_results = {r["id"]: clean(r.get(field) or "") for r in pages}
    without = {key: result.text for key, result in without_results.items()}
    with tempfile.TemporaryDirectory() as folder:
        two_pass_results = two_pass(groups, field, open_memory(path=Path(folder) / "two-pass.db"))
        with_memory = {key: result.text for key, result in two_pass_results.items()}
        one_pass = one_pass_online(groups, field, open_memory(path=Path(folder) / "one-pass.db"))
    print(f"== {title}: {len(groups)} sources, {len(pages)} pages ({field})")
    for label, predictions in (("without memory", without), ("with memory (two-pass)", with_memory),
                               ("with memory (one pass)", one_pass)):
        summary, _, _ = scorer.score(pages, predictions)
        print("\n".join(format_table(summary, label)))
    changed = sum(without[i] != with_memory[i] for i in without)
    print(f"pages whose output changed (two-pass): {changed}")
    newly_removed(pages, without_results, two_pass_results)


def cmd_quality(args: argparse.Namespace) -> None:
    records = load_records()
    groups = grouped(records, args.min_pages)
    for regime in args.regime:
        compare(records, groups, REGIME_FIELDS[regime], f"DEV bench by host, {regime}")


def cmd_multilingual(args: argparse.Namespace) -> None:
    records = load_records(bench_dir() / "multilingual")
    groups = grouped(records, args.min_pages)
    print(f"multilingual: {len(records)} pages, {len(groups)} hosts with >= {args.min_pages} pages")
    if groups:
        compare(records, groups, "residue", "multilingual by host")
    compare(records, {"one-source-for-all": records}, "residue", "multilingual, ALL pages under one source")


def timed(pages: list[Any], run: Callable[[Any], Any]) -> tuple[float, float]:
    """CPU seconds of this process and wall seconds, per document."""
    cpu, wall = time.process_time(), time.perf_counter()
    for record in pages:
        run(record)
    return (time.process_time() - cpu) / len(pages), (time.perf_counter() - wall) / len(pages)


def cmd_cost(args: argparse.Namespace) -> None:
    """The memory step alone (fingerprints, one store call, the decision) against the whole clean(),
    best of ``--repeat`` rounds (the machine is shared: the best round is the least disturbed)."""
    records = load_records()
    groups = grouped(records, args.min_pages)
    pages = [r for group in groups.values() for r in group]
    field = REGIME_FIELDS["r2"]
    segmented = [(host(r) or "", segment_text(r[field]), r["url"]) for r in pages]
    clean(pages[0][field])  # load the model outside the timing
    print(f"{len(pages)} DEV pages (r2) of {len(groups)} hosts, one pass learning as it goes (as the service does); "
          f"per document, best of {args.repeat}: CPU of this process / wall")
    rounds = [timed(pages, lambda r: clean(r[field])) for _ in range(args.repeat)]
    print(f"clean() without memory  {min(c for c, _ in rounds) * 1000:6.3f} ms / {min(w for _, w in rounds) * 1000:6.3f} ms")
    with tempfile.TemporaryDirectory() as folder:
        memories = [("SQLite", open_memory(path=Path(folder) / "sources.db"))]
        if args.redis_url:
            memories.append(("Redis", open_memory(redis_url=args.redis_url)))
        for name, memory in memories:
            rounds = []
            for _ in range(args.repeat):
                for source in groups:
                    memory.store.forget(source)
                rounds.append(timed(segmented, lambda item: memory.recall(*item)))
            print(f"memory step, {name:<7}  {min(c for c, _ in rounds) * 1000:6.3f} ms / "
                  f"{min(w for _, w in rounds) * 1000:6.3f} ms")
            for source in groups:
                memory.store.forget(source)


def cmd_size(args: argparse.Namespace) -> None:
    """Every DEV page (R1 and R2 inputs, 5,514 documents) learned under its host, bounds lifted."""
    records = load_records()
    documents = [(host(r) or "unknown", r.get(field) or "", f"{r['id']}#{field}")
                 for r in records for field in ("fulltext", "residue")]
    limits = StoreLimits(max_documents=10**9, max_sources=10**9)
    with tempfile.TemporaryDirectory() as folder:
        memory = SourceMemory(SQLiteStore(Path(folder) / "sources.db", limits))
        _learn_all(memory, documents)
        stats = memory.store.stats()
        print(f"SQLite: {stats.documents} documents of {stats.sources} sources: {stats.bytes / 1e6:.1f} MB, "
              f"{stats.bytes / stats.documents * 10_000 / 1e6:.1f} MB per 10,000 documents")
    if args.redis_url:
        store = open_memory(redis_url=args.redis_url, limits=limits).store
        before = store.stats().bytes
        _learn_all(SourceMemory(store), documents)
        stats = store.stats()
        grown = stats.bytes - before
        print(f"Redis: {stats.documents} documents: used_memory grew {grown / 1e6:.1f} MB, "
              f"{grown / stats.documents * 10_000 / 1e6:.1f} MB per 10,000 documents")
        for source in {name for name, _, _ in documents}:
            store.forget(source)


def _learn_all(memory: SourceMemory, documents: list[tuple[str, str, str]]) -> None:
    chunk = []
    for name, text, url in documents:
        chunk.append(memory.observation(name, segment_text(text), url))
        if len(chunk) == 256:
            memory.store.observe_many(chunk)
            chunk = []
    memory.store.observe_many(chunk)


def cmd_hostile(args: argparse.Namespace) -> None:
    """A caller inventing a new source for every document: a million one-line documents, default bounds."""
    with tempfile.TemporaryDirectory() as folder:
        stores = [("SQLite", SQLiteStore(Path(folder) / "sources.db"))]
        if args.redis_url:
            stores.append(("Redis", open_memory(redis_url=args.redis_url).store))
        for name, store in stores:
            started = time.perf_counter()
            step = 10_000
            for first in range(0, args.sources, step):
                store.observe_many((f"hostile-{n}.example", n, {n % 97: "Home"}) for n in range(first, first + step))
            elapsed = time.perf_counter() - started
            stats = store.stats()
            print(f"{name}: {args.sources:,} distinct sources in {elapsed:.0f} s ({elapsed / args.sources * 1e6:.0f} us "
                  f"each, {step:,} per observe_many call); kept {stats.sources:,} sources, {stats.documents:,} documents, "
                  f"{stats.bytes / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("quality", "multilingual", "cost", "size", "hostile"))
    parser.add_argument("--repeat", type=int, default=3, help="cost: rounds (the best one is printed)")
    parser.add_argument("--sources", type=int, default=1_000_000, help="hostile: distinct sources")
    parser.add_argument("--regime", nargs="*", choices=("r2", "r1"), default=["r2", "r1"])
    parser.add_argument("--min-pages", type=int, default=3)
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    commands = {"quality": cmd_quality, "multilingual": cmd_multilingual, "cost": cmd_cost, "size": cmd_size,
                "hostile": cmd_hostile}
    commands[args.command](args)


if __name__ == "__main__":
    main()
