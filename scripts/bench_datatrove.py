"""Measure a datatrove pipeline JsonlReader -> TextwashFilter -> JsonlWriter: docs/s on 1 and 2 workers,
and on RayPipelineExecutor against a local Ray (``ray.init(num_cpus=2)``).

    python scripts/bench_datatrove.py [--docs 2757] [--repeat 1] [--tasks 8] [--runs local1,local2,ray]

Input: the DEV bench's R2 texts (../shared/bench or $TEXTWASH_BENCH) as ``--tasks`` JSONL shards.
docs/s = documents read / wall time of ``executor.run()`` (process start and model load per task included).
Prints one JSON line per run.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import time
from pathlib import Path

from bench_client import bench_dir
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from textwash.datatrove import TextwashFilter


def write_shards(folder: Path, docs: int, tasks: int, repeat: int) -> int:
    """The first ``docs`` bench pages, ``repeat`` times over (ids made unique), round-robin over ``tasks`` files."""
    outs = [(folder / f"part-{i:02d}.jsonl").open("w", encoding="utf-8") for i in range(tasks)]
    written = 0
    for copy in range(repeat):
        for path in sorted((bench_dir() / "data").glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                for line in lines:
                    if written == docs * (copy + 1):
                        break
                    record = json.loads(line)
                    outs[written % tasks].write(json.dumps({"id": f"{record['id']}#{copy}", "text": record["residue"],
                                                            "url": record.get("url") or ""}) + "\n")
                    written += 1
    for out in outs:
        out.close()
    return written


def pipeline(source: Path, output: Path) -> list:
    return [JsonlReader(str(source)), TextwashFilter(), JsonlWriter(str(output), compression=None)]


def filter_stats(logs: Path) -> dict[str, int]:
    steps = json.loads((logs / "stats.json").read_text())
    stats = next(step["stats"] for step in steps if "Textwash" in step["name"])
    return {key: value if isinstance(value, int) else value["total"] for key, value in stats.items()
            if key in ("total", "forwarded", "dropped")}


def run(kind: str, source: Path, work: Path, tasks: int, docs: int) -> dict[str, object]:
    output, logs = work / kind / "out", work / kind / "logs"
    started = time.perf_counter()
    if kind.startswith("local"):
        workers = int(kind[len("local"):])
        LocalPipelineExecutor(pipeline(source, output), tasks=tasks, workers=workers, logging_dir=str(logs)).run()
    else:
        import ray
        from datatrove.executor.ray import RayPipelineExecutor

        workers = 2
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            RayPipelineExecutor(pipeline(source, output), tasks=tasks, workers=workers, logging_dir=str(logs),
                                cpus_per_task=1, mem_per_cpu_gb=1).run()
        finally:
            ray.shutdown()
    wall = time.perf_counter() - started
    stats = filter_stats(logs)
    return {"executor": "ray" if kind == "ray" else "local", "workers": workers, "tasks": tasks, "docs": docs,
            "wall_s": round(wall, 1), "docs_per_s": round(stats["total"] / wall, 1), **stats,
            "load_average_at_end": [round(load, 1) for load in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2757)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--runs", default="local1,local2,ray")
    parser.add_argument("--repeat", type=int, default=1, help="pass over the pages this many times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="textwash-datatrove-") as tmp:
        work = Path(tmp)
        source = work / "in"
        source.mkdir()
        docs = write_shards(source, args.docs, args.tasks, args.repeat)
        for kind in args.runs.split(","):
            print(json.dumps(run(kind, source, work, args.tasks, docs)), flush=True)


if __name__ == "__main__":
    main()
