"""The textwash command: clean, batch (order, per-line errors, gzip, workers), bench's help."""
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from heuristics import clean
from heuristics.cli import build_parser, main

SEED = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))[0]


def test_clean_prints_the_result_as_json(capsys):
    assert main(["clean", str(SEED)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(clean(SEED.read_text(encoding="utf-8")).to_dict()))


def test_clean_text_prints_only_the_body(capsys):
    assert main(["clean", "--text", str(SEED)]) == 0
    assert capsys.readouterr().out.rstrip("\n") == clean(SEED.read_text(encoding="utf-8")).text


def test_clean_prints_the_body_on_a_terminal_and_json_when_asked(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["clean", str(SEED)]) == 0
    assert capsys.readouterr().out.rstrip("\n") == clean(SEED.read_text(encoding="utf-8")).text
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["clean", "--json", str(SEED)]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == clean(SEED.read_text(encoding="utf-8")).text


def test_clean_into_a_closed_pipe_ends_without_a_traceback(tmp_path):
    """``textwash clean big.txt | head -1``: head leaves after one line; the rest has nowhere to go."""
    paragraph = "The council approved the new budget on Tuesday after a long and heated debate in the chamber."
    path = tmp_path / "big.txt"
    path.write_text("\n\n".join(f"{paragraph} Part {n}." for n in range(3000)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "heuristics.cli", "clean", "--text", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"The council")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_clean_reports_bad_options_with_the_field(tmp_path, capsys):
    path = tmp_path / "doc.txt"
    path.write_text("hello", encoding="utf-8")
    assert main(["clean", str(path), "--keep", "nope"]) == 2
    assert "keep" in capsys.readouterr().err


def write_batch(path: Path, rows: list[str]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(rows) + "\n")


def read_batch(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


ROWS = [
    json.dumps({"id": "a", "text": "Subscribe\nThe council approved the new budget on Tuesday after a long debate."}),
    "{not json",
    json.dumps({"id": "c"}),
    json.dumps({"id": "d", "text": "Share\nA second document with enough words to be a paragraph of prose here."}),
    json.dumps(["not", "an", "object"]),
]


@pytest.mark.parametrize("suffix,workers", [(".jsonl", 1), (".jsonl.gz", 2)])
def test_batch_gives_one_result_or_error_per_line_in_order(tmp_path, suffix, workers):
    source, target = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    write_batch(source, ROWS)
    assert main(["batch", str(source), "-o", str(target), "--workers", str(workers)]) == 0
    out = read_batch(target)
    assert [o.get("id") for o in out] == ["a", None, "c", "d", None]
    assert out[0]["text"] == clean(json.loads(ROWS[0])["text"]).text
    assert out[0]["removed"][0]["category"] == "subscription_prompt"
    assert out[1]["error"]["field"] == "line" and out[1]["line"] == 2
    assert out[2]["error"]["field"] == "text"
    assert "error" not in out[3]
    assert out[4]["error"]["detail"].startswith("each line must be")


def test_bench_help_says_it_needs_the_bench_data(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--help"])
    assert "needs" in capsys.readouterr().out


def test_every_command_is_there():
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"clean", "batch", "bench", "train", "serve"}
