"""Resident memory of one process that cleans documents, as a service worker does: prints numbers.

    .venv/bin/python scripts/worker_rss.py [--regime r2|r1|html] [--docs 10000] [--explain-at N]

Needs the DEV bench (../shared/bench or $TEXTWASH_BENCH); its records are cycled until ``--docs``
documents were cleaned. Prints the process's RSS (and its peak, VmHWM) after importing the engine,
after the first document (the models and rules load then), after 100, 1,000 and 3,000 (the rest
of what loads on first use: language sets, the language model, date parsing) and after all, and whether
LightGBM was imported. ``--explain-at N`` cleans document N with ``explain=True`` (SHAP
contributions: the only use of LightGBM's own booster), to show what that costs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # devtools/ lives in the checkout


CHECKPOINTS = (1, 100, 1_000, 3_000)  # RSS is printed after these many documents too


def _status(field: str) -> float:
    """A ``/proc/self/status`` memory field in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _report(label: str) -> None:
    print(f"{label:<34} RSS {_status('VmRSS'):7.1f} MB   peak {_status('VmHWM'):7.1f} MB   "
          f"lightgbm imported: {'lightgbm' in sys.modules}")


def _texts(regime: str) -> list[str]:
    """The regime's field of every bench record, read a line at a time (the whole records, HTML and
    all, would weigh more than the engine)."""
    from devtools.bench import REGIME_FIELDS, bench_dir

    field = REGIME_FIELDS[regime]
    texts = []
    for path in sorted((bench_dir() / "data").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            texts.extend(text for text in (json.loads(line).get(field) for line in handle if line.strip()) if text)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regime", choices=("r2", "r1", "html"), default="r2")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--explain-at", type=int, default=None)
    args = parser.parse_args()

    texts = _texts(args.regime)
    _report("bench texts loaded")
    from heuristics import clean

    _report("engine imported")
    started = time.process_time()
    for number, text in enumerate(islice(cycle(texts), args.docs)):
        explain = number == args.explain_at
        if args.regime == "html":
            clean(html=text, explain=explain)
        else:
            clean(text=text, explain=explain)
        if number + 1 in CHECKPOINTS:
            _report(f"after {number + 1:,} document{'s' if number else ''}")
    seconds = time.process_time() - started
    _report(f"after {args.docs:,} documents")
    print(f"{args.docs / seconds:.0f} docs/s CPU ({args.regime}, {len(texts)} distinct records cycled)")


if __name__ == "__main__":
    main()
