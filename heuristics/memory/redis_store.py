"""The shared store: Redis, so that several replicas of the service learn together.

Every change is one Lua script run by the server, so it is atomic: concurrent writers lose no count.
Per source (``<prefix><id>``, the id a hash of the source's name): ``:m`` (name, seq, docs), ``:f``
(document fingerprint -> seq, the window's documents), ``:d`` (seq -> the document's fingerprint and
its line fingerprints, 16 hex digits each), ``:c`` (line -> count), ``:t`` (line -> sample text, kept
from the second sighting); ``<prefix>lru`` (a sorted set: source id -> last use) and
``<prefix>documents`` (documents in all windows). The scripts build key names themselves, so this
needs one Redis server (not a cluster).
"""
from __future__ import annotations

import hashlib
import time
from typing import Any, Iterable, Sequence

from .store import Counts, LineSamples, RepeatedLine, SourceSummary, StoreError, StoreLimits, StoreStats

PREFIX_DEFAULT = "textwash:"
_MASK = (1 << 64) - 1

_EVICT = """
local function evict(p, keep, max_sources, max_docs)
  while true do
    local total = tonumber(redis.call('GET', p .. 'documents') or '0')
    if redis.call('ZCARD', p .. 'lru') <= max_sources and total <= max_docs then return end
    local oldest = redis.call('ZRANGE', p .. 'lru', 0, 1)
    local victim = oldest[1]
    if victim == keep then victim = oldest[2] end
    if not victim then return end
    local vb = p .. victim
    local docs = tonumber(redis.call('HGET', vb .. ':m', 'docs') or '0')
    redis.call('DEL', vb .. ':m', vb .. ':f', vb .. ':d', vb .. ':c', vb .. ':t')
    redis.call('ZREM', p .. 'lru', victim)
    redis.call('DECRBY', p .. 'documents', docs)
  end
end
"""

OBSERVE = _EVICT + """
local p, sid, name, fp, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local window, max_sources, max_docs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local base = p .. sid
local m, f, d, c, t = base .. ':m', base .. ':f', base .. ':d', base .. ':c', base .. ':t'
local n = (#ARGV - 8) / 2
local learned = 0
if redis.call('HEXISTS', f, fp) == 0 then
  learned = 1
  local seq = redis.call('HINCRBY', m, 'seq', 1)
  redis.call('HSET', m, 'name', name)
  local parts = {fp}
  for i = 0, n - 1 do
    local h = ARGV[9 + 2 * i]
    parts[#parts + 1] = h
    if redis.call('HINCRBY', c, h, 1) == 2 then redis.call('HSET', t, h, ARGV[10 + 2 * i]) end
  end
  redis.call('HSET', d, seq, table.concat(parts))
  redis.call('HSET', f, fp, seq)
  local added = 1
  local blob = redis.call('HGET', d, seq - window)
  if blob then
    redis.call('HDEL', f, string.sub(blob, 1, 16))
    for i = 17, #blob, 16 do
      local h = string.sub(blob, i, i + 15)
      if redis.call('HINCRBY', c, h, -1) <= 0 then
        redis.call('HDEL', c, h)
        redis.call('HDEL', t, h)
      end
    end
    redis.call('HDEL', d, seq - window)
    added = 0
  end
  redis.call('HINCRBY', m, 'docs', added)
  redis.call('INCRBY', p .. 'documents', added)
end
redis.call('ZADD', p .. 'lru', now, sid)
evict(p, sid, max_sources, max_docs)
local out = {tonumber(redis.call('HGET', m, 'docs') or '0'), learned}
for i = 0, n - 1 do
  out[#out + 1] = tonumber(redis.call('HGET', c, ARGV[9 + 2 * i]) or '0')
end
return out
"""

FORGET = """
local p, sid = ARGV[1], ARGV[2]
local base = p .. sid
if redis.call('EXISTS', base .. ':m') == 0 then return 0 end
local docs = tonumber(redis.call('HGET', base .. ':m', 'docs') or '0')
redis.call('DEL', base .. ':m', base .. ':f', base .. ':d', base .. ':c', base .. ':t')
redis.call('ZREM', p .. 'lru', sid)
redis.call('DECRBY', p .. 'documents', docs)
return 1
"""


def _hex(fingerprint: int) -> str:
    return format(fingerprint & _MASK, "016x")


def source_id(source: str) -> str:
    return hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class RedisStore:
    """Source memory in Redis (see the module docstring). ``url``: ``redis://host:port/db``."""

    def __init__(self, url: str, limits: StoreLimits | None = None, prefix: str = PREFIX_DEFAULT,
                 timeout: float = 5.0) -> None:
        import redis  # only a process that uses Redis imports its client

        self.limits = limits or StoreLimits()
        self.prefix = prefix
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        # redis-py's pool notices a fork and opens new connections in the child.
        self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._observe = self._client.register_script(OBSERVE)
        self._forget = self._client.register_script(FORGET)

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except self._errors as error:
            raise StoreError(f"source memory (Redis): {error}") from error

    def observe(self, source: str, document: int, lines: LineSamples) -> Counts:
        return self.observe_many([(source, document, lines)])[0]

    def observe_many(self, documents: Iterable[tuple[str, int, LineSamples]]) -> list[Counts]:
        """``observe`` for many documents in one round trip (each document's script is atomic)."""
        limits = self.limits
        pipe = self._client.pipeline(transaction=False)
        orders = []
        for source, document, lines in documents:
            argv: list[Any] = [self.prefix, source_id(source), source, _hex(document), time.time(),
                               limits.window, limits.max_sources, limits.max_documents]
            order = list(lines)
            for fingerprint in order:
                argv += [_hex(fingerprint), lines[fingerprint]]
            self._observe(args=argv, client=pipe)
            orders.append(order)
        replies = self._call(pipe.execute) if orders else []
        return [Counts(int(reply[0]), {fingerprint: int(count) for fingerprint, count in zip(order, reply[2:])
                                       if int(count)}, bool(reply[1]))
                for order, reply in zip(orders, replies)]

    def counts(self, source: str, fingerprints: Sequence[int]) -> Counts:
        base = self.prefix + source_id(source)
        pipe = self._client.pipeline(transaction=True)
        pipe.hget(base + ":m", "docs")
        if fingerprints:
            pipe.hmget(base + ":c", [_hex(fingerprint) for fingerprint in fingerprints])
        replies = self._call(pipe.execute)
        values = replies[1] if fingerprints else []
        counts = {fingerprint: int(value) for fingerprint, value in zip(fingerprints, values) if value}
        return Counts(int(replies[0] or 0), counts)

    def summary(self, source: str, limit: int) -> SourceSummary | None:
        base = self.prefix + source_id(source)
        documents = self._call(self._client.hget, base + ":m", "docs")
        if documents is None:
            return None
        counts = self._call(self._client.hgetall, base + ":c")
        top = sorted(((int(count), key) for key, count in counts.items() if int(count) >= 2), reverse=True)[:limit]
        texts = self._call(self._client.hmget, base + ":t", [key for _, key in top]) if top else []
        lines = [RepeatedLine(text.decode("utf-8", "replace"), count)
                 for (count, _), text in zip(top, texts) if text is not None]
        lines.sort(key=lambda line: (-line.count, line.text))
        return SourceSummary(source, int(documents), lines)

    def forget(self, source: str) -> bool:
        return bool(self._call(self._forget, args=[self.prefix, source_id(source)]))

    def stats(self) -> StoreStats:
        pipe = self._client.pipeline(transaction=False)
        pipe.zcard(self.prefix + "lru")
        pipe.get(self.prefix + "documents")
        pipe.info("memory")
        sources, documents, memory = self._call(pipe.execute)
        return StoreStats(int(sources), int(documents or 0), int(memory.get("used_memory", 0)))

    def close(self) -> None:
        self._client.close()
