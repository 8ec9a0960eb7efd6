"""Which lines a source repeats: fingerprints per line, documents counted once, the decision thresholds.

A line is named repeated when at least ``memory_min_documents`` distinct documents of the source carry it
and at least ``memory_min_share`` of the source's recent documents (its window) do. The thresholds are
``Settings`` fields (``memory_*``, each with its reason), passed by ``clean`` with the rest of its settings.
The decide stage turns the evidence into removals (``evidence.mark_repeated``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlsplit

from ..segment import Line
from ..settings import SETTINGS, Settings
from .store import Counts, Store

MAX_SOURCE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Evidence:
    """One line the source repeats: in how many of its recent documents, and its default category."""

    count: int
    category: str


def source_key(source: str | None, url: str | None) -> str | None:
    """Whose memory a document belongs to: the caller's ``source`` (case-folded), else the host of
    ``url``; without a leading ``www.``; None when neither is given. Overlong names are cut and hashed."""
    name = (source or "").strip().casefold()
    if not name and url:
        try:
            name = urlsplit(url.strip()).hostname or ""
        except ValueError:
            name = ""
    name = name.removeprefix("www.")
    if not name:
        return None
    if len(name) > MAX_SOURCE_CHARS:
        digest = hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        name = f"{name[:MAX_SOURCE_CHARS - 17]}#{digest}"
    return name


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def document_fingerprint(lines: Sequence[Line], url: str | None) -> int:
    """A page is its URL when the caller gives one (a re-crawl of a page that changed a little does not
    teach twice), else its lines."""
    if url and url.strip():
        return _hash("url " + url.strip())
    return _hash("\n".join(line.key for line in lines if not line.blank))


def _samples(prints: dict[int, tuple[int, str]]) -> dict[int, str]:
    return {fingerprint: text for fingerprint, text in prints.values()}


class SourceMemory:
    """A store and how to read it; the thresholds are the ``settings`` each call passes (``clean``'s).
    ``learning=False`` reads without counting (the second pass of a batch whose pages were counted in a
    first pass)."""

    def __init__(self, store: Store, learning: bool = True) -> None:
        self.store = store
        self.learning = learning

    def reading(self) -> SourceMemory:
        """The same memory, without learning."""
        return SourceMemory(self.store, learning=False)

    def fingerprints(self, lines: Sequence[Line], settings: Settings = SETTINGS) -> dict[int, tuple[int, str]]:
        """Line index -> (fingerprint, sample text) for the lines worth learning."""
        seen: dict[int, tuple[int, str]] = {}
        for line in lines:
            if line.blank or len(line.text) > settings.memory_max_line_chars or not line.key:
                continue
            fingerprint = _hash(line.key)
            seen[line.index] = (fingerprint, line.text[:settings.memory_sample_chars])
        distinct = list(dict.fromkeys(fingerprint for fingerprint, _ in seen.values()))
        if len(distinct) > settings.memory_max_lines:
            half = settings.memory_max_lines // 2
            kept = set(distinct[:half] + distinct[-half:])
            seen = {index: value for index, value in seen.items() if value[0] in kept}
        return seen

    def learn(self, source: str, lines: Sequence[Line], url: str | None = None, settings: Settings = SETTINGS
              ) -> Counts:
        """Count one document of ``source``: what the first pass of a batch does."""
        return self.store.observe(*self.observation(source, lines, url, settings))

    def observation(self, source: str, lines: Sequence[Line], url: str | None = None, settings: Settings = SETTINGS
                    ) -> tuple[str, int, dict[int, str]]:
        """What a store counts for one document: ``(source, document fingerprint, line samples)``."""
        return source, document_fingerprint(lines, url), _samples(self.fingerprints(lines, settings))

    def recall(self, source: str, lines: Sequence[Line], url: str | None = None, settings: Settings = SETTINGS
               ) -> dict[int, Evidence]:
        """The lines of this document that ``source`` repeats (learning the document first, unless
        this memory only reads)."""
        prints = self.fingerprints(lines, settings)
        if not prints:
            return {}
        if self.learning:
            counts = self.store.observe(source, document_fingerprint(lines, url), _samples(prints))
        else:
            counts = self.store.counts(source, list({fingerprint for fingerprint, _ in prints.values()}))
        repeated = {index: counts.lines.get(fingerprint, 0) for index, (fingerprint, _) in prints.items()}
        often = {i: c for i, c in repeated.items() if _often(lines[i], c, counts, settings)}
        return _named(lines, often, settings)


def _often(line: Line, count: int, counts: Counts, settings: Settings) -> bool:
    share = settings.memory_prose_share if _prose(line, settings) else settings.memory_min_share
    return count >= settings.memory_min_documents and count >= share * counts.documents


def _prose(line: Line, settings: Settings) -> bool:
    """Sentence-length (``good_words``, decide's measure) and ending a sentence (``decide.is_prose``, which
    this module cannot import: decide imports the memory)."""
    return line.words >= settings.good_words and line.text.endswith((".", "!", "?", "…", ".\"", ".”"))


def _generic(line: Line, settings: Settings) -> bool:
    return line.words < settings.memory_min_words or (
        line.words < settings.memory_digit_words and any(char.isdigit() for char in line.text))


def _named(lines: Sequence[Line], often: dict[int, int], settings: Settings) -> dict[int, Evidence]:
    """Repeated lines that are not generic stand alone; generic ones only in a run of ``memory_menu_run``
    repeated lines (blank lines do not break a run), which is the site's menu: navigation."""
    evidence = {index: Evidence(count, "repeated_line") for index, count in often.items()
                if not _generic(lines[index], settings)}
    run: list[int] = []
    for line in lines:
        if line.blank:
            continue
        if line.index in often:
            run.append(line.index)
            continue
        _menu(run, often, evidence, settings)
        run = []
    _menu(run, often, evidence, settings)
    return evidence


def _menu(run: list[int], often: dict[int, int], evidence: dict[int, Evidence], settings: Settings) -> None:
    if len(run) < settings.memory_menu_run:
        return
    for index in run:
        evidence.setdefault(index, Evidence(often[index], "navigation"))
