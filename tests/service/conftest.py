"""Fixtures that run the real service: gunicorn on a free loopback port, spoken to over HTTP."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from service_helpers import API_KEYS, SMALL_BATCH_LIMIT, SMALL_BODY_LIMIT, Server, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with its defaults (no API keys, 5 MB body limit), two workers."""
    running = start_server(tmp_path_factory.mktemp("server"), {})
    yield running
    running.stop()


@pytest.fixture(scope="session")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Configured only through the environment: API keys, small limits, PORT and WEB_CONCURRENCY."""
    env = {
        "TEXTWASH_API_KEYS": ",".join(API_KEYS),
        "TEXTWASH_MAX_BODY_BYTES": str(SMALL_BODY_LIMIT),
        "TEXTWASH_MAX_JSON_BATCH_DOCUMENTS": "3",
        "TEXTWASH_MAX_BATCH_BYTES": str(SMALL_BATCH_LIMIT),
        "WEB_CONCURRENCY": "3",
    }
    running = start_server(tmp_path_factory.mktemp("keyed"), env, use_port_env=True, workers=None)
    yield running
    running.stop()


@pytest.fixture()
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
