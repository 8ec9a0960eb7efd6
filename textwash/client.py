"""Clients for the textwash HTTP service: ``Client`` (blocking, threads) and ``AsyncClient`` (asyncio).

    from textwash.client import Client
    with Client("http://127.0.0.1:8080") as tw:
        result = tw.clean(text)                  # the library's CleanResult, as textwash.clean(text) gives
        for result in tw.clean_many(docs):       # any iterable: strings or {"text", "html", "url", ...}
            ...                                  # CleanResult, or DocumentError for a bad document

``clean_many`` sends JSON batches (``/v1/clean/batch``) of at most ``chunk_size`` documents and about
``max_chunk_bytes``, ``concurrency`` of them at a time (and as many more read ahead), and yields results in
input order while it reads the input: memory stays flat however many documents go through. Connection errors, resets, 408, 429 and
5xx are retried (exponential backoff with jitter, at least ``Retry-After``), 4xx are not; a retried batch
resends only the documents not yet answered. This module imports no engine code (numpy, LightGBM): only
the result types. HTTP is httpx2 (see docs/pipelines.md for why).
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import httpx2

from heuristics.errors import CleanError
from heuristics.result import CleanResult, DocumentError

from . import _wire
from ._wire import Outcome, RemoteCleanError, Send, ServiceError, ServiceUnavailable, Sleep

__all__ = ["Client", "AsyncClient", "CleanResult", "DocumentError", "CleanError", "RemoteCleanError",
           "ServiceError", "ServiceUnavailable"]

DEFAULT_TIMEOUT = 60.0
DEFAULT_CHUNK_SIZE = 64
# Below the service's default 5 MB body limit (TEXTWASH_MAX_BODY_BYTES); a 413 halves the batch anyway.
DEFAULT_MAX_CHUNK_BYTES = 4 * 1024 * 1024
USER_AGENT = "textwash-client/0.1"
# Batches read ahead per request slot: while the oldest batch (the next to yield, in order) is still out,
# the others' slots take new batches instead of idling. Memory: at most this x concurrency batches.
READ_AHEAD = 2


def _settings(base_url: str, api_key: str | None, timeout: float, concurrency: int) -> dict[str, Any]:
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    # pool=None: callers wait for a connection instead of failing; our own bound (concurrency) keeps
    # the number of requests in flight at the pool's size.
    return {"base_url": base_url.rstrip("/"), "headers": headers,
            "timeout": httpx2.Timeout(timeout, connect=min(timeout, 10.0), pool=None),
            "limits": httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)}


def _outcome(response: httpx2.Response) -> Outcome:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    return Outcome(response.status_code, payload, _wire.retry_after_seconds(response.headers.get("Retry-After")))


def _transport_failed(error: httpx2.TransportError) -> Outcome:
    if isinstance(error, httpx2.UnsupportedProtocol):  # a wrong base_url is not worth retrying
        raise ServiceError(None, str(error)) from error
    return Outcome(error=error)


def _options(options: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in options.items() if value is not None}


class Client:
    """A blocking client; ``clean_many`` runs ``concurrency`` batches at a time on a thread pool.

    One ``Client`` may be shared by threads. Close it (or use ``with``) to release its connections.
    """

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_retries: int = 2, concurrency: int = 4, backoff: float = 0.5) -> None:
        self.max_retries = max_retries
        self.concurrency = concurrency
        self.backoff = backoff
        self._http = httpx2.Client(**_settings(base_url, api_key, timeout, concurrency))

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def clean(self, text: str | None = None, *, html: str | None = None, url: str | None = None,
              source: str | None = None, mode: str = "balanced", keep: Iterable[str] = (),
              language: str | None = None, explain: bool = False, **options: Any) -> CleanResult:
        """Clean one document on the service; the same ``CleanResult`` as ``textwash.clean``.

        Other options (``extra_rules``, ``extractor``, ``time_budget``) pass through. A refused value
        raises ``RemoteCleanError`` (a ``CleanError``); a service that stays down, ``ServiceUnavailable``.
        """
        document = _options({"text": text, "html": html, "url": url, "source": source})
        document["options"] = _wire.clean_options(mode, keep, language, explain, options)
        return self._drive(_wire.single(_wire.encode(document), self.max_retries, self.backoff))

    def clean_many(self, docs: Iterable[Any], *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                   max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES, ordered: bool = True,
                   **options: Any) -> Iterator[Any]:
        """Clean every document; yields one ``CleanResult`` or ``DocumentError`` each, in input order.

        ``options`` (``mode``, ``keep``, ``language`` ...) apply to every document; a document's own
        ``options`` override them. With ``ordered=False`` it yields ``(index, result)`` pairs as batches
        finish, which keeps all ``concurrency`` batches busy behind a slow one.
        """
        plan = _wire.chunks(docs, _options(options), chunk_size, max_chunk_bytes)
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="textwash-client")
        in_flight: deque[Future[_wire.Chunk]] = deque()
        try:
            for chunk in plan:
                in_flight.append(pool.submit(self._drive, _wire.batch(chunk, self.max_retries, self.backoff)))
                if len(in_flight) >= READ_AHEAD * self.concurrency:  # the pool runs `concurrency` at a time
                    yield from self._finished(in_flight, ordered)
            while in_flight:
                yield from self._finished(in_flight, ordered)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _finished(in_flight: deque[Future[_wire.Chunk]], ordered: bool) -> Iterator[Any]:
        if ordered:
            yield from (slot.result for slot in in_flight.popleft().result().slots)
            return
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            in_flight.remove(future)
            yield from ((slot.index, slot.result) for slot in future.result().slots)

    def _drive(self, protocol: _wire.Protocol) -> Any:
        """Run a retry protocol: post what it asks, sleep when it says, until it returns."""
        try:
            step = next(protocol)
            while True:
                step = protocol.send(self._do(step))
        except StopIteration as done:
            return done.value

    def _do(self, step: Send | Sleep) -> Outcome | None:
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        try:
            response = self._http.post(step.path, content=step.body, headers={"Content-Type": "application/json"})
        except httpx2.TransportError as error:
            return _transport_failed(error)
        return _outcome(response)


class AsyncClient:
    """The asyncio client: the same methods as ``Client``, awaited; ``clean_many`` is an async generator.

        async with AsyncClient(url) as tw:
            result = await tw.clean(text)
            async for result in tw.clean_many(docs):   # docs: an iterable or an async iterable
                ...
    """

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_retries: int = 2, concurrency: int = 4, backoff: float = 0.5) -> None:
        self.max_retries = max_retries
        self.concurrency = concurrency
        self.backoff = backoff
        self._http = httpx2.AsyncClient(**_settings(base_url, api_key, timeout, concurrency))

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def clean(self, text: str | None = None, *, html: str | None = None, url: str | None = None,
                    source: str | None = None, mode: str = "balanced", keep: Iterable[str] = (),
                    language: str | None = None, explain: bool = False, **options: Any) -> CleanResult:
        """Clean one document on the service (see ``Client.clean``)."""
        document = _options({"text": text, "html": html, "url": url, "source": source})
        document["options"] = _wire.clean_options(mode, keep, language, explain, options)
        return await self._drive(_wire.single(_wire.encode(document), self.max_retries, self.backoff))

    async def clean_many(self, docs: Iterable[Any] | AsyncIterable[Any], *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                         max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES, ordered: bool = True,
                         **options: Any) -> AsyncIterator[Any]:
        """Clean every document; yields results in input order (see ``Client.clean_many``)."""
        in_flight: deque[asyncio.Task[_wire.Chunk]] = deque()
        slots = asyncio.Semaphore(self.concurrency)
        try:
            async for chunk in _achunks(docs, _options(options), chunk_size, max_chunk_bytes):
                protocol = _wire.batch(chunk, self.max_retries, self.backoff)
                in_flight.append(asyncio.ensure_future(self._bounded(slots, protocol)))
                if len(in_flight) >= READ_AHEAD * self.concurrency:
                    for item in await self._finished(in_flight, ordered):
                        yield item
            while in_flight:
                for item in await self._finished(in_flight, ordered):
                    yield item
        finally:
            for task in in_flight:
                task.cancel()

    @staticmethod
    async def _finished(in_flight: deque[asyncio.Task[_wire.Chunk]], ordered: bool) -> list[Any]:
        if ordered:
            chunk = await in_flight.popleft()
            return [slot.result for slot in chunk.slots]
        done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        items = []
        for task in done:
            in_flight.remove(task)
            items.extend((slot.index, slot.result) for slot in task.result().slots)
        return items

    async def _bounded(self, slots: asyncio.Semaphore, protocol: _wire.Protocol) -> Any:
        async with slots:
            return await self._drive(protocol)

    async def _drive(self, protocol: _wire.Protocol) -> Any:
        try:
            step = next(protocol)
            while True:
                step = protocol.send(await self._do(step))
        except StopIteration as done:
            return done.value

    async def _do(self, step: Send | Sleep) -> Outcome | None:
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        try:
            response = await self._http.post(step.path, content=step.body,
                                             headers={"Content-Type": "application/json"})
        except httpx2.TransportError as error:
            return _transport_failed(error)
        return _outcome(response)


async def _achunks(docs: Iterable[Any] | AsyncIterable[Any], options: dict[str, Any], chunk_size: int,
                   max_chunk_bytes: int) -> AsyncIterator[_wire.Chunk]:
    """The batches of a plain or an async iterable of documents, read lazily."""
    if not isinstance(docs, AsyncIterable):
        for chunk in _wire.chunks(docs, options, chunk_size, max_chunk_bytes):
            yield chunk
        return
    chunker = _wire.Chunker(options, chunk_size, max_chunk_bytes)
    async for doc in docs:
        full = chunker.add(doc)
        if full is not None:
            yield full
    last = chunker.flush()
    if last is not None:
        yield last
