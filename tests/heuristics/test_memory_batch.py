"""``textwash batch`` learns each source's pages from the file: counted first, then cleaned, so the
first page of a site is cleaned as well as the last."""
from __future__ import annotations

import io
import json
from pathlib import Path

from memory_helpers import TEMPLATE_BOTTOM, page

from heuristics.cli import main
from heuristics.memory import open_memory

PAGES = 4


def write_pages(path: Path) -> Path:
    rows = [{"id": n, "text": page(n), "url": f"https://example.org/{n}"} for n in range(PAGES)]
    rows.insert(2, {"id": "other", "text": page(9), "source": "another site"})
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\nnot json\n", encoding="utf-8")
    return path


def footer_removed(out: dict) -> bool:
    return any(line["text"] == TEMPLATE_BOTTOM[0] and line["rule"] == "source.repeated" and line["count"] == PAGES
               for line in out.get("removed", []))


def run(args: list[str]) -> list[dict]:
    assert main(args) == 0
    return [json.loads(line) for line in Path(args[args.index("-o") + 1]).read_text(encoding="utf-8").splitlines()]


def test_every_page_of_a_source_is_cleaned_with_what_all_its_pages_repeat(tmp_path):
    source = write_pages(tmp_path / "in.jsonl")
    out = run(["batch", str(source), "-o", str(tmp_path / "out.jsonl")])
    assert [item.get("id") for item in out] == [0, 1, "other", 2, 3, None]
    assert [footer_removed(item) for item in out[:5]] == [True, True, False, True, True]
    assert out[5]["error"]["field"] == "line"


def test_workers_give_the_same_output_and_memory_keeps_the_store(tmp_path):
    source = write_pages(tmp_path / "in.jsonl")
    single = run(["batch", str(source), "-o", str(tmp_path / "one.jsonl")])
    kept = tmp_path / "kept" / "sources.db"
    double = run(["batch", str(source), "-o", str(tmp_path / "two.jsonl"), "--workers", "2", "--memory", str(kept)])
    assert single == double
    summary = open_memory(path=kept).store.summary("example.org", 5)
    assert summary.documents == PAGES and summary.lines[0].count == PAGES


def test_no_memory_leaves_the_template_to_the_rules(tmp_path):
    source = write_pages(tmp_path / "in.jsonl")
    out = run(["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--no-memory"])
    assert not any(footer_removed(item) or "source.repeated" in json.dumps(item) for item in out)


def test_from_stdin_the_batch_learns_as_it_goes(tmp_path, monkeypatch):
    source = write_pages(tmp_path / "in.jsonl")
    monkeypatch.setattr("sys.stdin", io.StringIO(source.read_text(encoding="utf-8")))
    out = run(["batch", "-", "-o", str(tmp_path / "out.jsonl")])
    repeated = [any(line["rule"] == "source.repeated" for line in item.get("removed", [])) for item in out[:5]]
    assert repeated == [False, False, False, True, True]  # from the third page of example.org on
