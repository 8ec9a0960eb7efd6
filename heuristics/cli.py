"""The ``textwash`` command: clean, batch, bench, train, serve."""
from __future__ import annotations

import argparse
import gzip
import importlib
import json
import os
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack
from multiprocessing import Pool
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Iterator, Sequence

from . import __version__
from .errors import CleanError
from .memory import SourceMemory, open_memory
from .memory.sqlite_store import SQLiteStore
from .pipeline import clean, clean_many, observe_input
from .result import CleanResult, DocumentError, Removal
from .settings import SETTINGS
from .vocabulary import EXTRACTORS, MODES

BATCH_FIELDS = ("text", "html", "url", "source")


def _open(path: str, mode: str) -> IO[str]:
    if path == "-":
        return sys.stdin if "r" in mode else sys.stdout
    if path.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def cmd_clean(args: argparse.Namespace) -> int:
    with _open(args.file, "r") as handle:
        text = handle.read()
    kwargs: dict[str, Any] = {"mode": args.mode, "explain": args.explain, "keep": args.keep or ()}
    result = clean(html=text, **kwargs) if args.html else clean(text, **kwargs)
    as_text = sys.stdout.isatty() if args.output is None else args.output == "text"
    if as_text:
        print(result.text)
        if sys.stderr.isatty():
            print(_removed_summary(result.removed), file=sys.stderr)
    else:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    return 0


# The source memory of a batch run, opened once per process (the main one, or each worker).
_BATCH_MEMORY: SourceMemory | None = None


def _use_memory(path: str | None, learning: bool) -> None:
    global _BATCH_MEMORY
    memory = open_memory(path=path) if path else None
    _BATCH_MEMORY = memory if memory is None or learning else memory.reading()


def _close_memory() -> None:
    global _BATCH_MEMORY
    if _BATCH_MEMORY is not None:
        _BATCH_MEMORY.store.close()
    _BATCH_MEMORY = None


def _removed_summary(removed: Sequence[Removal]) -> str:
    """One line for a person at a terminal: how many lines went, per category (--json has the details)."""
    counts = Counter(removal.category for removal in removed)
    parts = ", ".join(f"{category} {count}" for category, count in counts.most_common())
    return f"textwash: removed {len(removed)} lines{f' ({parts})' if parts else ''}; --json shows which and why"


def clean_batch_lines(chunk: Sequence[tuple[int, str, str]]) -> list[dict[str, Any]]:
    """JSONL input lines (number, line, default mode) -> one output object each (a result or an error),
    never an exception; the lines' documents are cleaned by one ``clean_many`` call."""
    parsed = [_batch_item(number, raw) for number, raw, _ in chunk]
    documents = [{"text": item.get("text"), "html": item.get("html"), "url": item.get("url"),
                  "source": item.get("source"), "options": {"mode": item.get("mode", mode)}}
                 for (item, _), (_, _, mode) in zip(parsed, chunk) if item is not None]
    results = clean_many(documents, memory=_BATCH_MEMORY)
    return [error if item is None else _batch_output(item.get("id"), next(results)) for item, error in parsed]


def _batch_item(number: int, raw: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The JSON object of one input line, or (None, the line's error output)."""
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, {"id": None, "line": number, "error": {"field": "line", "detail": f"not JSON: {exc.msg}"}}
    if not isinstance(item, dict):
        return None, {"id": None, "line": number,
                      "error": {"field": "line", "detail": "each line must be a JSON object"}}
    return item, None


def _batch_output(record_id: Any, result: CleanResult | DocumentError) -> dict[str, Any]:
    if isinstance(result, DocumentError):
        return {"id": record_id, "error": {"field": result.field, "detail": result.detail}}
    data = result.to_dict()
    return {"id": record_id, "text": data["text"], "metadata": data["metadata"], "removed": data["removed"],
            "warnings": data["warnings"]}


def _numbered_chunks(handle: IO[str], mode: str, size: int) -> Iterator[list[tuple[int, str, str]]]:
    """The non-blank lines, numbered from 1, ``size`` at a time."""
    chunk: list[tuple[int, str, str]] = []
    for number, raw in enumerate(handle, start=1):
        if raw.strip():
            chunk.append((number, raw, mode))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


LEARN_CHUNK = 256


def learn_batch_file(path: str, memory: SourceMemory) -> int:
    """The first pass of a batch: count every page of every source, ``LEARN_CHUNK`` pages per store
    transaction; lines that fail to parse or to clean are left to the second pass, which reports them.
    Returns the documents learned."""
    learned = 0
    chunk: list[tuple[str, int, dict[int, str]]] = []
    with _open(path, "r") as handle:
        for raw in handle:
            observation = _observation(raw, memory)
            if observation is not None:
                chunk.append(observation)
            if len(chunk) == LEARN_CHUNK:
                learned += sum(counts.learned for counts in memory.store.observe_many(chunk))
                chunk = []
    return learned + sum(counts.learned for counts in memory.store.observe_many(chunk))


def _observation(raw: str, memory: SourceMemory) -> tuple[str, int, dict[int, str]] | None:
    try:
        item = json.loads(raw)
        if not isinstance(item, dict):
            return None
        return observe_input(item.get("text"), html=item.get("html"), url=item.get("url"),
                             source=item.get("source"), memory=memory)
    except (json.JSONDecodeError, CleanError):
        return None


def _batch_memory(args: argparse.Namespace, stack: ExitStack) -> tuple[str | None, bool]:
    """The SQLite file the batch remembers sources in, and whether the cleaning pass learns too (it
    does when the input cannot be read twice)."""
    if args.no_memory:
        return None, False
    path = args.memory or str(Path(stack.enter_context(tempfile.TemporaryDirectory())) / "sources.db")
    if args.input == "-":
        return path, True
    store = SQLiteStore(path)
    learn_batch_file(args.input, SourceMemory(store))
    store.close()
    return path, False


def cmd_batch(args: argparse.Namespace) -> int:
    show_progress = sys.stderr.isatty()
    done = failed = 0
    with ExitStack() as stack:
        memory_path, learning = _batch_memory(args, stack)
        source, sink = stack.enter_context(_open(args.input, "r")), stack.enter_context(_open(args.output, "w"))
        chunks = _numbered_chunks(source, args.mode, SETTINGS.batch_documents)
        if args.workers > 1:
            pool = Pool(args.workers, initializer=_use_memory, initargs=(memory_path, learning))
            results = pool.imap(clean_batch_lines, chunks)
        else:
            _use_memory(memory_path, learning)
            pool, results = None, map(clean_batch_lines, chunks)
        try:
            for out in (out for outs in results for out in outs):
                sink.write(json.dumps(out, ensure_ascii=False) + "\n")
                done += 1
                failed += "error" in out
                if show_progress and done % 100 == 0:
                    print(f"\r{done} documents, {failed} errors", end="", file=sys.stderr, flush=True)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
            _close_memory()
    if show_progress:
        print(f"\r{done} documents, {failed} errors", file=sys.stderr)
    return 0


def devtool(name: str) -> ModuleType:
    """A module of the checkout's ``devtools/`` package (bench, training): development tools that are not
    installed with the package, so a user's process never loads them."""
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "devtools" / "__init__.py").is_file():
        raise FileNotFoundError(f"{name} is a development tool: run it from a checkout of textwash (devtools/)")
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    return importlib.import_module(f"devtools.{name}")


def cmd_bench(args: argparse.Namespace) -> int:
    devtool("bench").bench_main(args.regime, args.mode, not args.no_model, args.limit, args.slice, args.datasets,
                                args.out, args.extractor)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    if args.regime == "html":
        return devtool("train_html").train_html_main(args)
    return devtool("train").train_main(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Hand over to the service package (the engine never imports the web stack itself)."""
    argv = [sys.executable, "-m", "service", "serve"]
    if args.bind:
        argv += ["--bind", args.bind]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    os.execv(sys.executable, argv)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="textwash", description="Strip scraper residue from web text.")
    parser.add_argument("--version", action="version", version=f"textwash {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("clean", help="clean one document: the body on a terminal, else the result as JSON")
    p.add_argument("file", nargs="?", default="-", help="input file (default: stdin)")
    output = p.add_mutually_exclusive_group()
    output.add_argument("--text", dest="output", action="store_const", const="text",
                        help="print only the clean body (the default on a terminal)")
    output.add_argument("--json", dest="output", action="store_const", const="json",
                        help="print the whole result as JSON (the default into a pipe or file)")
    p.add_argument("--html", action="store_true", help="the input is HTML")
    p.add_argument("--mode", choices=MODES, default="balanced")
    p.add_argument("--keep", nargs="*", help="categories to keep in the body")
    p.add_argument("--explain", action="store_true", help="include every line's labels and score")
    p.set_defaults(func=cmd_clean)

    p = commands.add_parser("batch", help="clean a JSONL file: {id, text[, html, url, source]} per line")
    p.add_argument("input", help="IN.jsonl (or .jsonl.gz, or - for stdin)")
    p.add_argument("-o", "--output", default="-", help="OUT.jsonl (or .jsonl.gz; default stdout)")
    p.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    p.add_argument("--mode", choices=MODES, default="balanced")
    p.add_argument("--memory", metavar="DB", help="SQLite file of the source memory, kept after the run "
                   "(default: a temporary one; every source's pages are counted first, then cleaned)")
    p.add_argument("--no-memory", action="store_true", help="do not learn the lines each source repeats")
    p.set_defaults(func=cmd_batch)

    p = commands.add_parser("bench", help="score the engine on the DEV bench (a dev tool)",
                            description="Score the engine on the DEV bench with the bench's own scorer. A development "
                                        "tool: it needs the bench data (../shared/bench next to the repository, or "
                                        "$TEXTWASH_BENCH).")
    p.add_argument("--regime", choices=("r2", "r1", "html"), default="r2")
    p.add_argument("--mode", choices=MODES, default="balanced")
    p.add_argument("--no-model", action="store_true", help="rules only")
    p.add_argument("--extractor", choices=EXTRACTORS, default="fast", help="html regime only")
    p.add_argument("--limit", type=int, help="first N pages only")
    p.add_argument("--slice", type=int, metavar="M", help="only pages with sha1(id) %% M == 0")
    p.add_argument("--datasets", nargs="*", help="only these datasets")
    p.add_argument("--out", help="also write predictions as JSONL")
    p.set_defaults(func=cmd_bench)

    p = commands.add_parser("train", help="train the line model from the bench (a dev tool)",
                            description="Train the line model from the DEV bench; needs the bench data "
                                        "(../shared/bench or $TEXTWASH_BENCH).")
    p.add_argument("--regime", choices=("r2", "r1", "html", "all"), default="all")
    p.add_argument("--output", help="folder for the artifact (default: the package's models/)")
    p.add_argument("--weighting", choices=("tokens", "dataset"), default="tokens",
                   help="row weights: by tokens within a page (default), or rescaled so each dataset weighs the same")
    p.set_defaults(func=cmd_train)

    p = commands.add_parser("serve", help="run the HTTP service under gunicorn")
    p.add_argument("--bind", help="HOST:PORT (default 0.0.0.0:$PORT or 8080)")
    p.add_argument("--workers", type=int, help="worker processes (default from WEB_CONCURRENCY)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CleanError as exc:
        print(f"textwash: {exc.field}: {exc.detail}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"textwash: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``textwash clean page.txt | head``): not an error worth a traceback.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
