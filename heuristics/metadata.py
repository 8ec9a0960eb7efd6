"""Stage 5, metadata: title, dates, dateline, authors, source, tags, language, size, fingerprint.

Fields come from what the rules captured (named regex groups on date, byline, tag and source
lines), from the title the decide stage found, and from the caller. ``sources`` says where each
filled field came from ("text", "caller", or for HTML input "html").
"""
from __future__ import annotations

import re
import zlib
from datetime import timezone
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from .decide import Decision
from .result import empty_metadata
from .rules import Hit
from .segment import WORD_RE, Line

_LIST_SPLIT_RE = re.compile(r"\s*(?:[,;|·•]|\band\b|&)\s*")
_TIME_RE = re.compile(r"\d{1,2}[:.h]\d{2}")
FINGERPRINT_SHINGLE = 4


@lru_cache(maxsize=1)
def _date_parser():
    import dateparser

    return dateparser


def parse_date(value: str, language: str | None) -> str | None:
    """ISO 8601 for a captured date string: date only when it has no time, with offset when known."""
    languages = [language] if language and language != "en" else []
    languages.append("en")
    try:
        parsed = _date_parser().parse(value, languages=languages,
                                      settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})
    except Exception:  # dateparser raises a zoo of errors on odd strings; a date is optional
        return None
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    if not _TIME_RE.search(value):
        return parsed.date().isoformat()
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc) if parsed.utcoffset() is not None else parsed
    return parsed.isoformat()


def split_list(value: str) -> list[str]:
    return [item.strip(" .:") for item in _LIST_SPLIT_RE.split(value) if item.strip(" .:")]


_BITS = np.arange(64, dtype=np.uint64)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over all 64 output bits."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


_WORD_HASHES: dict[str, int] = {}
_WORD_HASHES_MAX = 500_000


def _word_hash(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        if len(_WORD_HASHES) >= _WORD_HASHES_MAX:
            _WORD_HASHES.clear()
        value = _WORD_HASHES[word] = zlib.crc32(word.encode("utf-8"))
    return value


def simhash(words: Sequence[str], shingle: int = FINGERPRINT_SHINGLE) -> str | None:
    """64-bit simhash of the body's (case-folded) word shingles, as 16 hex digits (JSON-safe).

    Near-duplicate bodies differ in few bits (compare with a Hamming distance). Stable across
    processes and machines: word hashes are CRC-32, shingles are combined and mixed in numpy.
    """
    if not words:
        return None
    ids = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    count = max(1, len(ids) - shingle + 1)
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(min(shingle, len(ids))):
            combined = _mix64(combined * np.uint64(1_000_003) + ids[offset:offset + count])
        bits = (combined[:, None] >> _BITS) & np.uint64(1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - count
    fingerprint = int(sum(1 << int(bit) for bit in np.nonzero(votes > 0)[0]))
    return f"{fingerprint:016x}"


def _first_group(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], decision: Decision,
                 group: str, categories: tuple[str, ...]) -> str | None:
    for line, line_hits in zip(lines, hits):
        verdict = decision.verdicts[line.index]
        if not (verdict.removed or verdict.strip_to):
            continue
        for hit in line_hits:
            if hit.groups and group in hit.groups and hit.category in categories:
                return hit.groups[group]
    return None


def build_metadata(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], decision: Decision, body: str, *,
                   language: str | None, language_confidence: float | None, url: str | None,
                   source: str | None) -> dict[str, Any]:
    meta = empty_metadata()
    sources: dict[str, str] = {}

    def put(field: str, value: Any, origin: str) -> None:
        if value not in (None, "", []):
            meta[field] = value
            sources[field] = origin

    if decision.title_line is not None:
        put("title", lines[decision.title_line].text, "text")
    date_categories = ("date_line", "byline")
    published = _first_group(lines, hits, decision, "date", date_categories)
    if published:
        put("published", parse_date(published, language), "text")
    updated = _first_group(lines, hits, decision, "updated", date_categories)
    if updated:
        put("updated", parse_date(updated, language), "text")
    put("dateline", _first_group(lines, hits, decision, "dateline", ("date_line",)), "text")
    authors = _first_group(lines, hits, decision, "author", ("byline",))
    if authors:
        put("authors", split_list(authors), "text")
    tags = _first_group(lines, hits, decision, "tags", ("tags",))
    if tags:
        put("tags", split_list(tags), "text")
    put("source", _first_group(lines, hits, decision, "source", ("source_residue",)), "text")
    put("source", source, "caller")
    put("url", url, "caller")
    put("language", language, "text")
    meta["language_confidence"] = language_confidence
    words = WORD_RE.findall(body.casefold())
    meta["word_count"] = len(words)
    meta["fingerprint"] = simhash(words)
    meta["sources"] = sources
    return meta
