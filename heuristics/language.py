"""Language of the body, and the stoplists that stopword-density features use.

A fast vote over jusText's stoplists settles clear cases in microseconds; CLD2 (``pycld2``: Google's
compact language detector, its tables compiled into the extension, nothing is downloaded) decides the
rest, and says "unknown" rather than guess on text it cannot call. It costs a process 7 MB where
py3langid's model cost 70 (docs/service.md, memory).
"""
from __future__ import annotations

import importlib.util
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pycld2

from . import _core
from .settings import SETTINGS, Settings

# ISO 639-1 -> jusText stoplist name, for the languages the vote may return directly.
STOPLIST_NAMES: dict[str, str] = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "pl": "Polish", "ru": "Russian", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian_Bokmal",
    "cs": "Czech", "sk": "Slovak", "uk": "Ukrainian", "ro": "Romanian", "hu": "Hungarian", "fi": "Finnish",
    "tr": "Turkish", "ca": "Catalan", "hr": "Croatian", "sl": "Slovenian", "bg": "Bulgarian", "el": "Greek",
    "id": "Indonesian", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian",
}


@lru_cache(maxsize=None)
def stoplist(language: str | None) -> frozenset[str]:
    """The language's stopwords (jusText's lists), empty for an unknown language."""
    name = STOPLIST_NAMES.get(language or "")
    if name is None:
        return frozenset()
    return frozenset(word.casefold() for word in _stoplist_file(name).read_text(encoding="utf-8").splitlines())


def _stoplist_file(name: str) -> Path:
    """jusText's list for ``name``, read from its package folder without importing the package (its
    ``__init__`` imports lxml, 14 MB in every worker for lists of words)."""
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("justext (its stoplists) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "stoplists" / f"{name}.txt"


@lru_cache(maxsize=1)
def _vote_table() -> dict[str, str]:
    """Stopwords that belong to exactly one language's list: each is a vote for that language."""
    table: dict[str, list[str]] = {}
    for code in STOPLIST_NAMES:
        for word in stoplist(code):
            table.setdefault(word, []).append(code)
    return {word: codes[0] for word, codes in table.items() if len(codes) == 1}


# What CLD2 refuses as "invalid UTF-8" although it is valid: C0 controls other than tab, line feed, form
# feed and carriage return, DEL and the C1 controls, and the noncharacters (U+FDD0-FDEF, the last two
# code points of every plane). They carry no language, so they become spaces.
_CLD2_REFUSES = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
                           + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
                           + "]")


def identify(sample: str, votes: Counter[str] | None = None) -> tuple[str | None, float | None]:
    """CLD2's language for ``sample`` (ISO 639-1, the region or script dropped) and its share of the text,
    or (None, None) when CLD2 does not call it reliably. On a page of two languages, the one of CLD2's
    candidates with the most stopword ``votes`` (``_votes`` of the sample's first words) wins: the engine
    uses the language for its function words, and those of the running text are what it needs."""
    reliable, _, details = pycld2.detect(_CLD2_REFUSES.sub(" ", sample).encode("utf-8", "replace"))
    found = [(code.split("-")[0], percent) for _, code, percent, _ in details if code != "un" and percent > 0]
    if not reliable or not found:
        return None, None
    if len(found) > 1 and votes:
        found.sort(key=lambda candidate: votes[candidate[0]], reverse=True)  # stable: CLD2's order on ties
    code, percent = found[0]
    return code, round(percent / 100, 3)


def _votes(tokens: Iterable[str]) -> Counter[str]:
    """Per language, how many of ``tokens`` are stopwords of that language's list alone."""
    counts = Counter(map(_vote_table().get, tokens))   # counted in C; tokens in no list count under None
    counts.pop(None, None)
    return counts


def vote(tokens: Iterable[str], min_hits: int = SETTINGS.vote_min_hits,
         margin: float = SETTINGS.vote_margin) -> tuple[str, float] | None:
    """The language whose own stopwords clearly dominate the tokens, with its share of the votes."""
    return _winner(_votes(tokens), min_hits, margin)


def _winner(counts: Counter[str], min_hits: int, margin: float) -> tuple[str, float] | None:
    """``vote``'s answer from the tokens' counted votes."""
    if not counts:
        return None
    (best, best_n), *rest = counts.most_common(2) + [("", 0)]
    runner_up = rest[0][1]
    if best_n < min_hits or best_n < margin * runner_up:
        return None
    return best, round(best_n / (best_n + runner_up), 3)


def _first_words(sample: str, tokens: int, prefix_chars: int = SETTINGS.langid_prefix_chars) -> list[str]:
    """The first ``tokens`` words of ``sample`` case-folded (``vocabulary.WORD_RE``), or all when there are fewer.

    Tokenises a prefix first (case-folding is per character, so the prefix's words are the text's):
    when it holds more than ``tokens`` words the first ``tokens`` are whole, and the rest of the
    sample need not be read. The words are ``WORD_RE``'s, found by the compiled core (``_core.first_words``),
    which stops reading after the ``tokens``-th."""
    prefix = sample[:prefix_chars]
    if len(prefix) < len(sample):
        words = _core.first_words(prefix.casefold(), tokens + 1)
        if len(words) > tokens:
            return words[:tokens]
    return _core.first_words(sample.casefold(), tokens)


def detect(text: str, settings: Settings = SETTINGS) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence in [0, 1]) of ``text``; (None, None) when there is no text."""
    sample = text[:settings.langid_chars]
    words = _first_words(sample, settings.vote_tokens, settings.langid_prefix_chars)
    if not words:
        return None, None
    counts = _votes(words)
    fast = _winner(counts, settings.vote_min_hits, settings.vote_margin)
    if fast is not None:
        return fast
    return identify(sample, counts)
