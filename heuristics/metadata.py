"""Stage 5, metadata: title, dates, dateline, authors, source, tags, language, size, fingerprint.

Fields come from what the rules captured (named regex groups on date, byline, tag and source
lines), from the title the decide stage found, and from the caller. ``sources`` says where each
filled field came from ("text", "caller", or for HTML input "html").
"""
from __future__ import annotations

import re
import warnings
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np
from dateutil import parser as dateutil_parser

from . import _core
from .decide import Decision
from .result import empty_metadata
from .rules import Hit
from .segment import Line

_LIST_SPLIT_RE = re.compile(r"\s*(?:[,;|·•]|\band\b|&)\s*")
# Authors are also joined by the conjunctions of the rule packs' languages ("und", "et", "y", "и"...).
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,;|·•&/]|\b(?:and|und|et|y|e|i|и|en)\b)\s*")
# A clock time ("10:15", "14h05", "10.15 Uhr"), not the day and month of a dotted date ("05.03.2024").
_TIME_RE = re.compile(r"(?<![\d.])\d{1,2}(?:[:h]\d{2}|\.\d{2}(?![.\d]))")
# "14h05" (French, Portuguese clocks) as "14:05": dateparser misses it after a connector ("às 08h12").
_H_CLOCK_RE = re.compile(r"\b(\d{1,2})h(\d{2})\b")
FINGERPRINT_SHINGLE = 4


_DATEPARSER_SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "PARSERS": ["absolute-time"]}


@lru_cache(maxsize=1)
def _date_parser():
    import dateparser

    return dateparser


def _parse_datetime(value: str, language: str | None) -> datetime | None:
    """ISO strings by the standard library, English by dateutil, other languages by dateparser."""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        pass
    if language in (None, "en"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return dateutil_parser.parse(value, dayfirst=True)
        except (ValueError, OverflowError):
            pass
    languages = [language] if language and language != "en" else []
    try:
        return _date_parser().parse(value, languages=languages + ["en"], settings=_DATEPARSER_SETTINGS)
    except Exception:  # dateparser raises a zoo of errors on odd strings; a date is optional
        return None


# Parsed once per language by ``prepare_dates``: dateparser builds a language's tables on its first dates.
_SAMPLE_DATES = ("4 March 2024", "5.4.2023")


def prepare_dates(languages: Iterable[str]) -> None:
    """Parse sample dates in each of ``languages`` now: dateparser builds a language's tables and
    patterns on its first dates (0.2 s for the first, 10 ms more on the next), which a service does in
    its master before forking rather than in every worker's first requests."""
    for language in languages:
        for sample in _SAMPLE_DATES:
            parse_date(sample, language)


def parse_date(value: str, language: str | None) -> str | None:
    """ISO 8601 for a captured date string: date only when it has no time, with offset when known."""
    parsed = _parse_datetime(_H_CLOCK_RE.sub(r"\1:\2", value), language)
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    if not _TIME_RE.search(value):
        return parsed.date().isoformat()
    if parsed.utcoffset() is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.isoformat()


def split_list(value: str, pattern: re.Pattern[str] = _LIST_SPLIT_RE) -> list[str]:
    return [item.strip(" .:") for item in pattern.split(value) if item.strip(" .:")]


_BASE = 1_000_003
_BASE_INVERSE = pow(_BASE, -1, 2**64)
FINGERPRINT_MAX_CHARS = 1_000_000


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over all 64 output bits."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


@lru_cache(maxsize=8)
def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i modulo 2**64 for i < size (size rounded up so the cache stays small)."""
    with np.errstate(over="ignore"):
        forward = np.cumprod(np.full(size, _BASE, dtype=np.uint64), dtype=np.uint64)
        backward = np.cumprod(np.full(size, _BASE_INVERSE, dtype=np.uint64), dtype=np.uint64)
    one = np.ones(1, dtype=np.uint64)
    return np.concatenate((one, forward[:-1])), np.concatenate((one, backward[:-1]))


def body_words(body: str) -> str:
    """The body's whitespace-separated words, case-folded, joined by single spaces."""
    return " ".join(body[:FINGERPRINT_MAX_CHARS].casefold().split())


def simhash(words: str, shingle: int = FINGERPRINT_SHINGLE) -> tuple[str | None, int]:
    """(64-bit simhash of the word shingles as 16 hex digits, number of words) of ``body_words``.

    Near-duplicate bodies differ in few bits (compare with a Hamming distance). Stable across
    processes and machines, and vectorised: each word's hash is a polynomial hash over its code
    points taken from one prefix sum (mod 2**64), shingles are combined and mixed in numpy.
    """
    if not words:
        return None, 0
    codes = np.frombuffer(words.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = 1 << int(len(codes) + 1).bit_length()
    forward, backward = _powers(size)
    with np.errstate(over="ignore"):
        prefix = np.concatenate((np.zeros(1, dtype=np.uint64), np.cumsum((codes + np.uint64(1)) * forward[:len(codes)],
                                                                          dtype=np.uint64)))
        spaces = np.flatnonzero(codes == 32)
        starts = np.concatenate((np.zeros(1, dtype=np.int64), spaces + 1))
        ends = np.concatenate((spaces, np.array([len(codes)], dtype=np.int64)))
        ids = _mix64((prefix[ends] - prefix[starts]) * backward[starts])
        count = max(1, len(ids) - shingle + 1)
        combined = np.zeros(count, dtype=np.uint64)
        for offset in range(min(shingle, len(ids))):
            combined = _mix64(combined * np.uint64(_BASE) + ids[offset:offset + count])
    bits = np.unpackbits(combined.astype("<u8").view(np.uint8).reshape(count, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - count   # column i: bit i of every shingle hash
    fingerprint = int(sum(1 << int(bit) for bit in np.nonzero(votes > 0)[0]))
    return f"{fingerprint:016x}", len(ids)


def fingerprint(body: str) -> tuple[str | None, int]:
    """``simhash(body_words(body))``, computed by the compiled core in one pass; an ASCII body is case-folded
    as it is read (no folded copy)."""
    text = body[:FINGERPRINT_MAX_CHARS]
    if text.isascii():
        return _core.simhash(text, FINGERPRINT_SHINGLE, True)
    return _core.simhash(text.casefold(), FINGERPRINT_SHINGLE)


def _captured(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], decision: Decision) -> list[Hit]:
    """The hits with named groups on lines that went or lost a prefix, in line order (one pass for every field)."""
    verdicts = decision.verdicts
    return [hit for line, line_hits in zip(lines, hits) if line_hits
            and (verdicts[line.index].removed or verdicts[line.index].strip_to)
            for hit in line_hits if hit.groups]


def _first_group(captured: Sequence[Hit], group: str, categories: tuple[str, ...]) -> str | None:
    for hit in captured:
        if group in hit.groups and hit.category in categories:
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
    captured = _captured(lines, hits, decision)
    published = _first_group(captured, "date", date_categories)
    if published:
        put("published", parse_date(published, language), "text")
    updated = _first_group(captured, "updated", date_categories)
    if updated:
        put("updated", parse_date(updated, language), "text")
    put("dateline", _first_group(captured, "dateline", ("date_line",)), "text")
    authors = _first_group(captured, "author", ("byline",))
    if authors:
        put("authors", split_list(authors, _AUTHOR_SPLIT_RE), "text")
    tags = _first_group(captured, "tags", ("tags",))
    if tags:
        put("tags", split_list(tags), "text")
    put("source", _first_group(captured, "source", ("source_residue",)), "text")
    put("source", source, "caller")
    put("url", url, "caller")
    put("language", language, "text")
    meta["language_confidence"] = language_confidence
    meta["fingerprint"], meta["word_count"] = fingerprint(body)
    meta["sources"] = sources
    return meta
