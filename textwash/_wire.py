"""What the sync and async clients share, with no I/O: request bodies, batching, the retry protocol, and
turning the service's JSON back into the library's ``CleanResult`` / ``DocumentError``.

The retry protocol is a generator ("sans-I/O"): it yields ``Send`` (post this body) or ``Sleep`` (wait this
long) and is sent an ``Outcome`` for each ``Send``. ``Client`` drives it with blocking calls, ``AsyncClient``
with awaits; the decisions (what to retry, how long to wait, what to resend) are written once, here.
"""
from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from heuristics.errors import CleanError
from heuristics.result import CleanResult, DocumentError, LineTrace, Removal, StrippedPrefix

CLEAN_PATH = "/v1/clean"
BATCH_PATH = "/v1/clean/batch"
# Longest wait between two tries, whatever Retry-After asks for.
MAX_BACKOFF = 60.0


class ServiceError(Exception):
    """The service refused or failed a whole request (401, 415, a 4xx other than a document's fault ...)."""

    def __init__(self, status: int | None, detail: str, problem: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{status}: {detail}" if status else detail)
        self.status = status
        self.detail = detail
        self.problem = dict(problem or {})


class ServiceUnavailable(ServiceError):
    """The service could not be reached, or kept failing (408/429/5xx), after every retry."""


class RemoteCleanError(CleanError, ServiceError):
    """The service refused a document's value (400/422 naming a field): a ``CleanError``, as in-process."""

    def __init__(self, status: int, field: str, detail: str, problem: Mapping[str, Any]) -> None:
        CleanError.__init__(self, field, detail)
        self.status = status
        self.problem = dict(problem)


def retryable(status: int | None) -> bool:
    """408, 429 and 5xx are worth another try; other 4xx say the request itself is wrong."""
    return status is not None and (status in (408, 429) or status >= 500)


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header as seconds from now (it may be a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(attempt: int, base: float, retry_after: float | None) -> float:
    """Exponential backoff with jitter (half fixed, half random), never shorter than ``Retry-After``."""
    ceiling = min(MAX_BACKOFF, base * 2 ** attempt)
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, MAX_BACKOFF)


@dataclass(slots=True)
class Send:
    path: str
    body: bytes


@dataclass(slots=True)
class Sleep:
    seconds: float


@dataclass(slots=True)
class Outcome:
    """What came back for a ``Send``: a status and parsed JSON, or the transport error."""

    status: int | None = None
    payload: Any = None
    retry_after: float | None = None
    error: Exception | None = None


Protocol = Generator["Send | Sleep", "Outcome | None", Any]


# ---- results -------------------------------------------------------------------------------------------

def result_from_json(body: Mapping[str, Any]) -> CleanResult:
    """The service's result object (``/v1/clean``, or a batch item) as the library's ``CleanResult``."""
    lines = body.get("lines")
    return CleanResult(
        text=body["text"],
        paragraphs=list(body["paragraphs"]),
        removed=[Removal(r["line"], r["text"], r["category"], r["rule"], r.get("score")) for r in body["removed"]],
        stripped=[StrippedPrefix(s["line"], s["text"], s["category"], s["rule"]) for s in body["stripped"]],
        metadata=dict(body["metadata"]),
        warnings=list(body.get("warnings", [])),
        lines=None if lines is None else [_trace(t) for t in lines],
        mode=body.get("mode", "balanced"),
    )


def _trace(t: Mapping[str, Any]) -> LineTrace:
    return LineTrace(line=t["line"], text=t["text"], initial=t["initial"], final=t["final"], keep=t["keep"],
                     category=t.get("category"), rule=t.get("rule"), score=t.get("score"),
                     hits=list(t.get("hits", [])),
                     contributions=[(name, value) for name, value in t.get("contributions", [])])


def problem_error(status: int | None, problem: Any) -> ServiceError:
    """The exception for a refused single request: a ``RemoteCleanError`` when the body named a field."""
    problem = problem if isinstance(problem, dict) else {}
    detail = str(problem.get("detail") or problem.get("title") or "request failed")
    if status in (400, 413, 422) and problem.get("field"):
        return RemoteCleanError(status, str(problem["field"]), detail, problem)
    if retryable(status):
        return ServiceUnavailable(status, detail, problem)
    return ServiceError(status, detail, problem)


# ---- one document ----------------------------------------------------------------------------------------

def encode(value: Any) -> bytes:
    """Compact UTF-8 JSON; text holding lone surrogates goes as escapes, for the service to refuse by name."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def single(body: bytes, max_retries: int, backoff: float) -> Protocol:
    """POST one document to /v1/clean; returns its ``CleanResult`` (retrying what is worth retrying)."""
    attempt = 0
    while True:
        outcome = yield Send(CLEAN_PATH, body)
        if outcome.error is None and outcome.status == 200:
            return result_from_json(outcome.payload)
        if not (outcome.error is not None or retryable(outcome.status)):
            raise problem_error(outcome.status, outcome.payload)
        if attempt >= max_retries:
            raise _exhausted(outcome, max_retries)
        yield Sleep(backoff_delay(attempt, backoff, outcome.retry_after))
        attempt += 1


def _exhausted(outcome: Outcome, max_retries: int) -> ServiceUnavailable:
    if outcome.error is not None:
        error = ServiceUnavailable(None, f"no answer after {max_retries + 1} tries: {outcome.error!r}")
        error.__cause__ = outcome.error
        return error
    last = problem_error(outcome.status, outcome.payload)
    return ServiceUnavailable(outcome.status, f"still failing after {max_retries + 1} tries: {last.detail}",
                              getattr(last, "problem", {}))


# ---- batches ---------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Slot:
    """One input document of a batch: its position, the caller's id, its JSON, and (once known) its result."""

    index: int
    id: Any
    body: bytes = b""
    result: CleanResult | DocumentError | None = None


@dataclass(slots=True)
class Chunk:
    slots: list[Slot] = field(default_factory=list)
    size: int = 0

    def pending(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.result is None]


def make_slot(index: int, doc: Any, options: Mapping[str, Any]) -> Slot:
    """A document as the batch endpoint takes it; what cannot be sent is answered at once, locally."""
    if isinstance(doc, str):
        payload: Any = {"text": doc}
    elif isinstance(doc, Mapping):
        payload = dict(doc)
    else:
        return Slot(index, None, result=DocumentError(
            index, 400, f"a document is a string or a mapping, not {type(doc).__name__}", "document"))
    doc_id = payload.get("id")
    if options:
        own = payload.get("options")
        payload["options"] = {**options, **own} if isinstance(own, Mapping) else own if own is not None else dict(options)
    try:
        body = encode(payload)
    except (TypeError, ValueError) as error:
        return Slot(index, doc_id, result=DocumentError(index, 400, f"not JSON-serialisable: {error}", "document",
                                                        doc_id if isinstance(doc_id, (str, int)) else None))
    return Slot(index, doc_id, body)


class Chunker:
    """Groups documents into batches of at most ``chunk_size`` documents and about ``max_chunk_bytes`` of
    JSON (a bigger document goes alone): ``add`` returns a batch when one is full, ``flush`` the last."""

    def __init__(self, options: Mapping[str, Any], chunk_size: int, max_chunk_bytes: int) -> None:
        if chunk_size < 1 or max_chunk_bytes < 1:
            raise ValueError("chunk_size and max_chunk_bytes must be positive")
        self.options = options
        self.chunk_size = chunk_size
        self.max_chunk_bytes = max_chunk_bytes
        self.count = 0
        self.chunk = Chunk()
        self.sendable = 0

    def add(self, doc: Any) -> Chunk | None:
        slot = make_slot(self.count, doc, self.options)
        self.count += 1
        full = None
        if slot.result is None and self.sendable and (
                self.sendable >= self.chunk_size or self.chunk.size + len(slot.body) > self.max_chunk_bytes):
            full = self.flush()
        self.chunk.slots.append(slot)
        if slot.result is None:
            self.sendable += 1
            self.chunk.size += len(slot.body) + 1
        return full

    def flush(self) -> Chunk | None:
        full, self.chunk, self.sendable = self.chunk, Chunk(), 0
        return full if full.slots else None


def chunks(docs: Iterable[Any], options: Mapping[str, Any], chunk_size: int, max_chunk_bytes: int) -> Iterator[Chunk]:
    """The batches of ``docs``, read lazily (one batch ahead at most)."""
    chunker = Chunker(options, chunk_size, max_chunk_bytes)
    for doc in docs:
        full = chunker.add(doc)
        if full is not None:
            yield full
    last = chunker.flush()
    if last is not None:
        yield last


def batch_body(slots: list[Slot]) -> bytes:
    return b'{"documents":[' + b",".join(slot.body for slot in slots) + b"]}"


def batch(chunk: Chunk, max_retries: int, backoff: float) -> Protocol:
    """Answer every slot of ``chunk`` through /v1/clean/batch; a retry resends only the unanswered slots."""
    yield from _answer(chunk.pending(), max_retries, backoff)
    return chunk


def _answer(pending: list[Slot], max_retries: int, backoff: float) -> Protocol:
    attempt = 0
    while pending:
        outcome = yield Send(BATCH_PATH, batch_body(pending))
        retry_after = outcome.retry_after
        if outcome.error is None and outcome.status == 200:
            pending = _absorb(pending, outcome.payload, final=attempt >= max_retries)
            if not pending:
                return
        elif outcome.status == 413 and len(pending) > 1:  # too big for the service: halve it
            half = len(pending) // 2
            yield from _answer(pending[:half], max_retries, backoff)
            yield from _answer(pending[half:], max_retries, backoff)
            return
        elif outcome.status == 413:
            pending[0].result = _item_error(pending[0], outcome.payload, 413)
            return
        elif outcome.error is not None or retryable(outcome.status):
            if attempt >= max_retries:
                raise _exhausted(outcome, max_retries)
        else:
            raise problem_error(outcome.status, outcome.payload)
        yield Sleep(backoff_delay(attempt, backoff, retry_after))
        attempt += 1


def _absorb(pending: list[Slot], payload: Any, final: bool) -> list[Slot]:
    """Store the answered results; return the slots to send again (a per-document 408/429/5xx, until final)."""
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list) or len(results) != len(pending):
        raise ServiceError(200, f"the batch answer does not hold one result per document ({len(pending)} sent)")
    again = []
    for slot, item in zip(pending, results):
        error = item.get("error")
        if error is None:
            slot.result = result_from_json(item)
        elif retryable(error.get("status")) and not final:
            again.append(slot)
        else:
            slot.result = _item_error(slot, error, error.get("status", 500))
    return again


def _item_error(slot: Slot, problem: Any, status: int) -> DocumentError:
    problem = problem if isinstance(problem, dict) else {}
    doc_id = slot.id if isinstance(slot.id, (str, int)) and not isinstance(slot.id, bool) else None
    return DocumentError(slot.index, int(problem.get("status", status)),
                         str(problem.get("detail") or problem.get("title") or "refused"), problem.get("field"), doc_id)


def clean_options(mode: str, keep: Iterable[str], language: str | None, explain: bool,
                  extra: Mapping[str, Any]) -> dict[str, Any]:
    """The ``options`` object of a request: the named options plus any other (``extractor``, ``time_budget``...)."""
    options: dict[str, Any] = {"mode": mode, "keep": keep if isinstance(keep, str) else list(keep),
                               "explain": explain}
    if language is not None:
        options["language"] = language
    options.update({name: value for name, value in extra.items() if value is not None})
    return options
