"""Both source-memory stores, SQLite and a real Redis server, held to the same contract: documents
counted once, a window that decays, bounds with least-recently-used eviction, forget, hostile input."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from memory_helpers import redis_server

from heuristics.memory import StoreLimits
from heuristics.memory.redis_store import RedisStore
from heuristics.memory.sqlite_store import SQLiteStore


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request, tmp_path):
    """A factory of fresh, empty stores of one kind (each Redis store gets its own key prefix)."""
    made = []

    def make(limits: StoreLimits | None = None):
        if request.param == "sqlite":
            store = SQLiteStore(tmp_path / f"store-{len(made)}.db", limits)
        else:
            url = request.getfixturevalue("redis_url")
            store = RedisStore(url, limits, prefix=f"test:{request.node.name}:{len(made)}:")
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def lines(*numbers: int) -> dict[int, str]:
    return {number: f"line {number}" for number in numbers}


def test_counts_are_distinct_documents_and_a_document_counts_once(make_store):
    store = make_store()
    first = store.observe("site", 1, lines(10, 11))
    assert (first.documents, first.lines, first.learned) == (1, {10: 1, 11: 1}, True)
    again = store.observe("site", 1, lines(10, 11))
    assert (again.documents, again.lines, again.learned) == (1, {10: 1, 11: 1}, False)
    second = store.observe("site", 2, lines(10, 12))
    assert (second.documents, second.lines) == (2, {10: 2, 12: 1})
    assert store.counts("site", [10, 11, 12, 13]).lines == {10: 2, 11: 1, 12: 1}
    assert store.counts("other", [10]).documents == 0


def test_sources_do_not_share_counts(make_store):
    store = make_store()
    store.observe("a.example", 1, lines(10))
    store.observe("b.example", 1, lines(10))
    assert store.counts("a.example", [10]).lines == {10: 1}


def test_fingerprints_use_all_64_bits(make_store):
    store = make_store()
    extremes = {-(2 ** 63): "lowest", 2 ** 63 - 1: "highest", -1: "minus one"}
    store.observe("site", 2 ** 63 - 1, extremes)
    store.observe("site", -(2 ** 63), extremes)
    assert store.counts("site", list(extremes)).lines == {key: 2 for key in extremes}


def test_the_window_keeps_the_last_documents_only(make_store):
    store = make_store(StoreLimits(window=3))
    for document in range(1, 4):
        store.observe("site", document, lines(10, 20 + document))
    assert store.counts("site", [10, 21]).lines == {10: 3, 21: 1}
    store.observe("site", 4, lines(24))
    after = store.counts("site", [10, 21, 24])
    assert (after.documents, after.lines) == (3, {10: 2, 24: 1})
    store.observe("site", 1, lines(10, 21))  # out of the window: it counts again
    assert store.counts("site", [10, 21]).lines == {10: 2, 21: 1}


def test_summary_lists_repeated_lines_most_frequent_first(make_store):
    store = make_store()
    for document in range(5):
        seen = {1: "Footer", 100 + document: f"own {document}"}
        if document < 3:
            seen[2] = "Menu"
        store.observe("site", document, seen)
    summary = store.summary("site", 10)
    assert summary.documents == 5
    assert [(line.text, line.count) for line in summary.lines] == [("Footer", 5), ("Menu", 3)]
    assert [line.text for line in store.summary("site", 1).lines] == ["Footer"]
    assert store.summary("nobody", 10) is None


def test_forget_drops_a_source_and_only_it(make_store):
    store = make_store()
    store.observe("a.example", 1, lines(10))
    store.observe("b.example", 1, lines(10))
    assert store.forget("a.example") is True
    assert store.forget("a.example") is False
    assert store.summary("a.example", 5) is None and store.counts("a.example", [10]).lines == {}
    assert store.counts("b.example", [10]).lines == {10: 1}
    assert (store.stats().sources, store.stats().documents) == (1, 1)
    store.observe("a.example", 1, lines(10))  # learning starts afresh
    assert store.counts("a.example", [10]).documents == 1


def test_least_recently_used_sources_are_evicted_past_max_sources(make_store):
    store = make_store(StoreLimits(max_sources=3))
    for name in ("a", "b", "c"):
        store.observe(name, 1, lines(10))
    store.observe("a", 2, lines(10))  # a is used again: b is now the oldest
    store.observe("d", 1, lines(10))
    assert store.summary("b", 1) is None
    assert all(store.summary(name, 1) is not None for name in ("a", "c", "d"))
    assert store.stats().sources == 3


def test_sources_are_evicted_past_max_documents(make_store):
    store = make_store(StoreLimits(window=10, max_documents=6))
    for document in range(4):
        store.observe("old", document, lines(10))
    for document in range(4):
        store.observe("new", document, lines(10))
    assert store.summary("old", 1) is None
    assert store.stats().documents == 4


def test_hostile_source_names_and_huge_samples_are_stored_as_given(make_store):
    store = make_store()
    names = ["", " ", "a" * 100_000, "\u0000nul", "ключ:*?[]{}", "x" * 10 + "\U0001F600"]
    for number, name in enumerate(names):
        store.observe(name, number, {number: "é" * 50_000})
    for number, name in enumerate(names):
        assert store.counts(name, [number]).lines == {number: 1}
    assert store.stats().sources == len(names)


def test_many_distinct_sources_keep_the_store_bounded(make_store):
    """A caller inventing a new source per document: the store stays at its bound, lookups still work.
    (20,000 here; scripts/source_memory_bench.py hostile sends a million and prints the size.)"""
    store = make_store(StoreLimits(max_sources=500, max_documents=1000))
    count, step = 20_000, 5000
    for start in range(0, count, step):
        store.observe_many((f"source-{n}", n, {n % 7: "menu"}) for n in range(start, start + step))
        stats = store.stats()
        assert stats.sources <= 500 and stats.documents <= 1000
    assert store.counts(f"source-{count - 1}", [(count - 1) % 7]).lines == {(count - 1) % 7: 1}
    assert store.summary("source-0", 1) is None
