"""Suite-wide hooks."""
from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Name the order's seed even under ``-q`` (``make test`` hides pytest-randomly's header line), so a
    failure that depends on the order can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(f"test order shuffled by pytest-randomly; replay it with --randomly-seed={seed}")
