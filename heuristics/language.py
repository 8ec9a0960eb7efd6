"""Language of the body, and the stoplists that stopword-density features use.

A fast vote over jusText's stoplists settles clear cases in microseconds; py3langid (its model
ships inside the package, nothing is downloaded) decides the rest.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Iterable

import justext

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
    return frozenset(word.casefold() for word in justext.get_stoplist(name))


@lru_cache(maxsize=1)
def _vote_table() -> dict[str, str]:
    """Stopwords that belong to exactly one language's list: each is a vote for that language."""
    table: dict[str, list[str]] = {}
    for code in STOPLIST_NAMES:
        for word in stoplist(code):
            table.setdefault(word, []).append(code)
    return {word: codes[0] for word, codes in table.items() if len(codes) == 1}


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def vote(tokens: Iterable[str], min_hits: int = SETTINGS.vote_min_hits,
         margin: float = SETTINGS.vote_margin) -> tuple[str, float] | None:
    """The language whose own stopwords clearly dominate the tokens, with its share of the votes."""
    counts = Counter(map(_vote_table().get, tokens))   # counted in C; tokens in no list count under None
    counts.pop(None, None)
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
    fast = vote(words, settings.vote_min_hits, settings.vote_margin)
    if fast is not None:
        return fast
    code, probability = _identifier().classify(sample)
    return code, round(float(probability), 3)
