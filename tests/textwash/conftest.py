"""Fixtures for the textwash package's tests: the real service under gunicorn on a loopback port."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from service_helpers import Server, start_server  # noqa: E402


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m service serve`` (gunicorn) with its defaults, two workers, on 127.0.0.1."""
    running = start_server(tmp_path_factory.mktemp("textwash-service"), {}, workers=2)
    yield running
    running.stop()
