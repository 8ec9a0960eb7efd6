"""Which lines a source repeats: fingerprints per line, documents counted once, the decision thresholds.

A line is named repeated when at least ``min_documents`` distinct documents of the source carry it and
at least ``min_share`` of the source's recent documents (its window) do. Each threshold has its reason
in ``MemorySettings``. The decide stage turns the evidence into removals (``evidence.mark_repeated``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlsplit

from ..segment import Line
from .store import Counts, Store

MAX_SOURCE_CHARS = 200


@dataclass(frozen=True, slots=True)
class MemorySettings:
    """Thresholds of the source memory, each with its reason."""

    # Two pages of a site may quote the same sentence or share a paragraph; three that carry one
    # line verbatim are the site's template.
    min_documents: int = 3
    # A template line shows on most of a site's pages, a section's footer on a fair share of them;
    # a line on fewer than a fifth of the recent pages is page content (a popular story's teaser).
    min_share: float = 0.2
    # A whole sentence (prose_words words or more, ending a sentence) goes only when half the
    # recent pages carry it: a disclaimer or an "about us" box, never a quote on a few pages.
    prose_share: float = 0.5
    prose_words: int = 12
    # "Share", "Home", a date, "12 comments" repeat on every site; they are the rules' job. Lines with
    # fewer words (or short lines with a digit) go only inside a run of repeated lines (the menu).
    min_words: int = 3
    digit_words: int = 6
    menu_run: int = 3
    # Longer lines are body or garbage, never a template: not hashed, not stored.
    max_line_chars: int = 2000
    # At most this many distinct lines per document are learned (half from its start, half from its
    # end, where templates sit), which bounds the store per document.
    max_lines: int = 600
    sample_chars: int = 160


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
    """A store and the thresholds that read it. ``learning=False`` reads without counting (the second
    pass of a batch whose pages were counted in a first pass)."""

    def __init__(self, store: Store, settings: MemorySettings | None = None, learning: bool = True) -> None:
        self.store = store
        self.settings = settings or MemorySettings()
        self.learning = learning

    def reading(self) -> SourceMemory:
        """The same memory, without learning."""
        return SourceMemory(self.store, self.settings, learning=False)

    def fingerprints(self, lines: Sequence[Line]) -> dict[int, tuple[int, str]]:
        """Line index -> (fingerprint, sample text) for the lines worth learning."""
        settings = self.settings
        seen: dict[int, tuple[int, str]] = {}
        for line in lines:
            if line.blank or len(line.text) > settings.max_line_chars or not line.key:
                continue
            fingerprint = _hash(line.key)
            seen[line.index] = (fingerprint, line.text[:settings.sample_chars])
        distinct = list(dict.fromkeys(fingerprint for fingerprint, _ in seen.values()))
        if len(distinct) > settings.max_lines:
            half = settings.max_lines // 2
            kept = set(distinct[:half] + distinct[-half:])
            seen = {index: value for index, value in seen.items() if value[0] in kept}
        return seen

    def learn(self, source: str, lines: Sequence[Line], url: str | None = None) -> Counts:
        """Count one document of ``source``: what the first pass of a batch does."""
        return self.store.observe(*self.observation(source, lines, url))

    def observation(self, source: str, lines: Sequence[Line], url: str | None = None
                    ) -> tuple[str, int, dict[int, str]]:
        """What a store counts for one document: ``(source, document fingerprint, line samples)``."""
        return source, document_fingerprint(lines, url), _samples(self.fingerprints(lines))

    def recall(self, source: str, lines: Sequence[Line], url: str | None = None) -> dict[int, Evidence]:
        """The lines of this document that ``source`` repeats (learning the document first, unless
        this memory only reads)."""
        prints = self.fingerprints(lines)
        if not prints:
            return {}
        if self.learning:
            counts = self.store.observe(source, document_fingerprint(lines, url), _samples(prints))
        else:
            counts = self.store.counts(source, list({fingerprint for fingerprint, _ in prints.values()}))
        repeated = {index: counts.lines.get(fingerprint, 0) for index, (fingerprint, _) in prints.items()}
        return self._decide(lines, {i: c for i, c in repeated.items() if self._often(lines[i], c, counts)})

    def _often(self, line: Line, count: int, counts: Counts) -> bool:
        settings = self.settings
        share = settings.prose_share if self._prose(line) else settings.min_share
        return count >= settings.min_documents and count >= share * counts.documents

    def _prose(self, line: Line) -> bool:
        """Sentence-length and ending a sentence (``decide.is_prose``, which this module cannot import:
        decide imports the memory)."""
        return line.words >= self.settings.prose_words and line.text.endswith((".", "!", "?", "…", ".\"", ".”"))

    def _generic(self, line: Line) -> bool:
        settings = self.settings
        return line.words < settings.min_words or (
            line.words < settings.digit_words and any(char.isdigit() for char in line.text))

    def _decide(self, lines: Sequence[Line], often: dict[int, int]) -> dict[int, Evidence]:
        """Repeated lines that are not generic stand alone; generic ones only in a run of ``menu_run``
        repeated lines (blank lines do not break a run), which is the site's menu: navigation."""
        evidence = {index: Evidence(count, "repeated_line") for index, count in often.items()
                    if not self._generic(lines[index])}
        run: list[int] = []
        for line in lines:
            if line.blank:
                continue
            if line.index in often:
                run.append(line.index)
                continue
            self._menu(run, often, evidence)
            run = []
        self._menu(run, often, evidence)
        return evidence

    def _menu(self, run: list[int], often: dict[int, int], evidence: dict[int, Evidence]) -> None:
        if len(run) < self.settings.menu_run:
            return
        for index in run:
            evidence.setdefault(index, Evidence(often[index], "navigation"))
