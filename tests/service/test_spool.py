"""service.spool: a batch body is read whole, in memory up to a threshold and in a temporary file past it."""
from __future__ import annotations

import io

import pytest

from service.problems import Problem
from service.spool import spool_body


class CountingStream(io.BytesIO):
    """A request body that remembers how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def test_a_small_body_stays_in_memory_and_reads_back_whole():
    body = b'{"text": "a"}\n' * 100
    spool, size = spool_body(CountingStream(body), limit=10_000, memory_bytes=4096)
    with spool:
        assert size == len(body) and not spool._rolled
        assert spool.read() == body


def test_a_body_past_the_memory_threshold_goes_to_a_file_and_reads_back_line_by_line():
    lines = [b'{"id": %d, "text": "word"}\n' % n for n in range(20_000)]
    spool, size = spool_body(CountingStream(b"".join(lines)), limit=10**7, memory_bytes=64 * 1024)
    with spool:
        assert size == sum(map(len, lines)) and spool._rolled
        assert spool.fileno() >= 0
        assert [spool.readline(1000) for _ in lines] == lines
        assert spool.readline(1000) == b""


def test_a_body_over_the_limit_is_413_after_reading_one_byte_past_it():
    stream = CountingStream(b"x" * 1_000_000)
    with pytest.raises(Problem) as raised:
        spool_body(stream, limit=200_000, memory_bytes=4096)
    assert raised.value.status == 413 and "200000" in raised.value.detail
    assert stream.taken == 200_001


def test_a_body_exactly_at_the_limit_is_taken():
    spool, size = spool_body(CountingStream(b"y" * 5000), limit=5000, memory_bytes=1000)
    with spool:
        assert size == 5000 and spool.read() == b"y" * 5000


def test_a_read_error_is_passed_on():
    class Stalled(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise TimeoutError("the client stalled")

    with pytest.raises(TimeoutError):
        spool_body(Stalled(), limit=1000, memory_bytes=100)
