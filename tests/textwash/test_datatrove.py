"""textwash.datatrove: the steps on their own (datatrove's test style), then whole pipelines on
LocalPipelineExecutor and RayPipelineExecutor over JSONL of bench pages."""
from __future__ import annotations

import json
import pickle
import unittest
from collections import Counter
from pathlib import Path

import pytest
from bench_pages import EMPTY_DOCUMENT, bench_available, bench_records, write_jsonl_shards
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from service_helpers import seed_texts

from heuristics import clean
from textwash.datatrove import TextwashExtractor, TextwashFilter

SEEDS = [text for _, text in seed_texts()]
EMPTY_TEXT = EMPTY_DOCUMENT["text"]
needs_bench = pytest.mark.skipif(not bench_available(), reason="bench data not found (../shared/bench or $TEXTWASH_BENCH)")


def get_doc(text: str, url: str | None = None, **metadata) -> Document:
    return Document(text, id="0", metadata={"url": url, **metadata} if url else metadata)


class TestTextwashFilter(unittest.TestCase):
    def check_filter(self, step, doc, filter_reason):
        filter_result = step.filter(doc)
        self.assertEqual(type(filter_result), tuple)
        self.assertEqual(filter_result[1], filter_reason)

    def test_cleans_text_and_writes_metadata(self):
        step = TextwashFilter()
        doc = get_doc(SEEDS[0], url="https://example.org/a")
        expected = clean(SEEDS[0], url="https://example.org/a")
        self.assertTrue(step.filter(doc))
        self.assertEqual(doc.text, expected.text)
        removed = Counter(r.category for r in expected.removed)
        self.assertEqual(doc.metadata["textwash"]["removed"], dict(removed))
        self.assertEqual(doc.metadata["textwash"]["title"], expected.metadata["title"])
        self.assertEqual(doc.metadata["textwash"]["language"], "en")
        for category, count in removed.items():
            self.assertEqual(step.stats[f"removed_{category}"].total, count)

    def test_drops_a_document_left_empty(self):
        step = TextwashFilter()
        self.check_filter(step, get_doc(EMPTY_TEXT), "textwash_empty")
        self.assertEqual(step.stats["removed_share_social"].total, 2)

    def test_cleans_html_from_a_metadata_key_or_the_text(self):
        html = "<html><body><nav><a>Home</a> <a>News</a></nav>" + "".join(
            f"<p>{line}</p>" for line in SEEDS[1].splitlines() if line.strip()) + "</body></html>"
        expected = clean(SEEDS[1], html=html).text
        doc = get_doc(SEEDS[1], page_html=html)
        self.assertTrue(TextwashFilter(html_key="page_html").filter(doc))
        self.assertEqual(doc.text, expected)
        doc = get_doc(html)
        self.assertTrue(TextwashFilter(text_is_html=True).filter(doc))
        self.assertEqual(doc.text, clean(html=html).text)

    def test_options_reach_the_engine(self):
        kept = get_doc(SEEDS[2])
        TextwashFilter(keep=["byline", "date_line", "caption", "credit"]).filter(kept)
        self.assertNotIn("caption", kept.metadata["textwash"]["removed"])
        self.assertEqual(kept.text, clean(SEEDS[2], keep=["byline", "date_line", "caption", "credit"]).text)

    def test_a_refused_document_is_dropped_with_a_reason(self):
        step = TextwashFilter(language="not a code")
        self.check_filter(step, get_doc(SEEDS[0]), "textwash_refused")
        self.assertEqual(step.stats["refused_language"].total, 1)

    def test_steps_pickle_small_without_the_engine(self):
        for step in (TextwashFilter(mode="precision"), TextwashExtractor()):
            data = pickle.dumps(step)
            self.assertLess(len(data), 4096)
            self.assertNotIn(b"lightgbm", data)


class TestTextwashExtractor(unittest.TestCase):
    def test_extracts_clean_text_from_html(self):
        html = "<html><head><title>T</title></head><body>" + "".join(
            f"<p>{line}</p>" for line in SEEDS[0].splitlines() if line.strip()) + "</body></html>"
        self.assertEqual(TextwashExtractor().extract(html), clean(html=html).text)

    def test_run_drops_empty_pages_in_the_sandbox(self):
        pages = [Document("<p>" + "</p><p>".join(SEEDS[3].splitlines()) + "</p>", id="page"),
                 Document("<p>" + "</p><p>".join(EMPTY_TEXT.splitlines()) + "</p>", id="empty")]
        step = TextwashExtractor()
        out = list(step.run(pages))
        self.assertEqual([doc.id for doc in out], ["page"])
        self.assertEqual(out[0].text, clean(html="<p>" + "</p><p>".join(SEEDS[3].splitlines()) + "</p>").text)
        self.assertEqual(step.stats["dropped"].total, 1)


# ---- whole pipelines on datatrove's executors ------------------------------------------------------------

DOCUMENTS = 16


@pytest.fixture(scope="module")
def bench_jsonl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    records = [*bench_records(DOCUMENTS - 1), EMPTY_DOCUMENT]
    folder = tmp_path_factory.mktemp("bench-jsonl")
    write_jsonl_shards(folder, records, shards=2, fields=("id", "text", "url"))
    return folder, records


def pipeline(source: Path, output: Path) -> list:
    return [JsonlReader(str(source)), TextwashFilter(), JsonlWriter(str(output), compression=None)]


def check_run(stats_file: Path, output: Path, records: list[dict]) -> None:
    """Every document went through once: the clean ones written with the library's text, the empty one
    dropped with its reason, and the removal counts in the stats."""
    expected = {r["id"]: clean(r["text"], url=r["url"] or None) for r in records}
    written = [json.loads(line) for path in sorted(output.glob("*.jsonl")) for line in path.read_text().splitlines()]
    assert sorted(doc["id"] for doc in written) == sorted(i for i, result in expected.items() if result.paragraphs)
    for doc in written:
        assert doc["text"] == expected[doc["id"]].text
        assert doc["metadata"]["textwash"]["title"] == expected[doc["id"]].metadata["title"]
    steps = {step["name"]: step["stats"] for step in json.loads(stats_file.read_text())}
    filtered = {key: value if isinstance(value, int) else value["total"]  # a stat is a count or a summary
                for key, value in next(stats for name, stats in steps.items() if "Textwash" in name).items()}
    assert filtered["total"] == len(records)
    assert filtered["forwarded"] == len(written)
    assert filtered["dropped"] == filtered["dropped_textwash_empty"] == len(records) - len(written)
    removed = Counter(r.category for result in expected.values() for r in result.removed)
    assert {k[len("removed_"):]: v for k, v in filtered.items()
            if k.startswith("removed_") and k != "removed_lines"} == dict(removed)


@needs_bench
def test_local_executor_two_tasks_two_workers(bench_jsonl, tmp_path):
    source, records = bench_jsonl
    output = tmp_path / "out"
    executor = LocalPipelineExecutor(pipeline(source, output), tasks=2, workers=2, logging_dir=str(tmp_path / "logs"))
    executor.run()
    assert len(list(output.glob("*.jsonl"))) == 2  # both tasks had a shard
    check_run(tmp_path / "logs" / "stats.json", output, records)


@needs_bench
def test_ray_executor_runs_the_same_pipeline(bench_jsonl, tmp_path):
    import ray
    from datatrove.executor.ray import RayPipelineExecutor

    source, records = bench_jsonl
    output = tmp_path / "out"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        RayPipelineExecutor(pipeline(source, output), tasks=2, workers=2, logging_dir=str(tmp_path / "logs"),
                            cpus_per_task=1, mem_per_cpu_gb=1).run()
    finally:
        ray.shutdown()
    check_run(tmp_path / "logs" / "stats.json", output, records)
