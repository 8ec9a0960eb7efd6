"""Several processes writing one store at once (gunicorn workers, CLI batch workers, replicas):
no count is lost and no writer sees "database is locked"."""
from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
from memory_helpers import redis_server

from heuristics.memory import StoreError, StoreLimits
from heuristics.memory.redis_store import RedisStore
from heuristics.memory.sqlite_store import SQLiteStore

WRITERS = 4
DOCUMENTS = 150
SHARED_DOCUMENT = -7
LIMITS = StoreLimits(window=10_000)


def _open(kind: str, where: str):
    return SQLiteStore(where, LIMITS) if kind == "sqlite" else RedisStore(where, LIMITS, prefix="concurrency:")


def _write(args: tuple[str, str, int, multiprocessing.synchronize.Barrier]) -> list[str]:
    """One writer: its own connection, DOCUMENTS documents of its own plus one every writer sends."""
    kind, where, writer, barrier = args
    store = _open(kind, where)  # every writer also creates the schema, at the same moment
    errors = []
    barrier.wait(timeout=60)
    for number in range(DOCUMENTS):
        try:
            store.observe("site", writer * 1_000_000 + number, {1: "Footer", 2: "Menu", 1000 + number: "own"})
            if number == DOCUMENTS // 2:
                store.observe("site", SHARED_DOCUMENT, {1: "Footer"})
        except StoreError as error:
            errors.append(str(error))
    store.close()
    return errors


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_four_writers_lose_no_count_and_never_see_a_locked_database(kind, tmp_path, request):
    where = str(tmp_path / "shared.db") if kind == "sqlite" else request.getfixturevalue("redis_url")
    context = multiprocessing.get_context("spawn")  # fresh processes, as separate workers would be
    with context.Manager() as manager:
        barrier = manager.Barrier(WRITERS)
        with context.Pool(WRITERS) as pool:
            errors = pool.map(_write, [(kind, where, writer, barrier) for writer in range(WRITERS)])
    assert errors == [[]] * WRITERS
    store = _open(kind, where)
    counts = store.counts("site", [1, 2, 1000])
    total = WRITERS * DOCUMENTS + 1  # the document every writer sent counts once
    assert counts.documents == total
    assert counts.lines == {1: total, 2: total - 1, 1000: WRITERS}
    assert store.stats().documents == total
