"""Line features for the learned model: what a line carries without HTML, computed per document.

Everything is language-independent shape (length, punctuation, capitalisation, digits, pipes,
list marks, URL shapes, position, relative length, duplication) plus the stopword density for the
detected language (jusText's stoplists) and the rule stage's hits per category. Each line also
sees the same features of its neighbours (a window over the non-blank lines), because residue
comes in runs (menus, footers, related blocks) while the body is one long run.

Speed matters (a few calls per document, never per line): ``line_features`` hands the lines to the
compiled core (``_core.pyx``), which counts character classes, word starts and stopwords (via a
polynomial hash of each word) line by line in typed loops; ``line_features_reference`` computes the
same matrix with numpy over the joined lines (the tests hold the two equal). Long lines are sampled
(head and tail) for the character statistics; their word count comes from the segment stage.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

from . import _core
from .language import stoplist
from .rules import Hit
from .segment import Line

# Character classes; the first four are the word characters of Python's \w (the scorer's tokens).
(C_LOWER, C_UPPER, C_LETTER, C_DIGIT, C_SPACE, C_END, C_COMMA, C_COLON, C_PIPE, C_AT, C_HASH, C_SLASH,
 C_OPEN, C_CLOSE, C_QUOTE, C_BULLET, C_OTHER) = range(17)
N_CLASSES = 17
# Characters that end a sentence (the colon has its own class); unlike vocabulary.SENTENCE_END (whole
# endings, colon included, no CJK marks) a set of characters, so not shared.
_END_MARKS = ".!?…。！？"
_BULLET_MARKS = "-–—•·*►▪▸■□●○◦→»>+"
SAMPLE_HEAD, SAMPLE_TAIL = 200, 50   # characters of a long line that its character statistics see
PROSE_WORDS = 12          # a line of at least this many words that ends a sentence is prose
SHORT_WORDS = 6           # runs of lines this short (or not ending a sentence) look like menus
FAR = 50                  # distances are capped here
# One hit column per rule category, in vocabulary.CATEGORIES order (the rule categories of
# vocabulary.CATEGORY_PRIORITY): written out because the trained models' columns are frozen (a test
# checks it still matches the vocabulary).
HIT_CATEGORIES: tuple[str, ...] = (
    "donation_appeal", "subscription_prompt", "caption", "credit", "source_residue", "share_social",
    "related_links", "comments", "tags", "advertisement", "cookie_notice", "navigation", "byline",
    "date_line", "legal",
)

# Own features of a line (before the window is added).
LINE_FEATURES: tuple[str, ...] = (
    "log_chars", "log_words", "mean_word_len", "end_sentence", "end_colon", "end_comma", "end_alnum",
    "end_other", "starts_bullet", "starts_upper", "starts_digit", "starts_open", "upper_share",
    "title_share", "digit_share", "punct_share", "sentence_marks", "commas", "pipes", "at_signs",
    "hashes", "slashes", "url_shapes", "stop_share", "stop_count", "dup_count", "pos", "token_pos",
    "rel_words_max", "rel_words_top", "prose", "d_prev_prose", "d_next_prose", "in_span", "in_main",
    "d_main", "d_main_words", "run_len", "run_pos", "rel_words_near", "words_per_cell", "shared_doc",
    "shared_main", "content_words", "hit_strong", "hit_weak",
) + tuple(f"hit_{category}" for category in HIT_CATEGORIES)

# Own features repeated for the neighbours at each offset of the window.
WINDOW_FEATURES: tuple[str, ...] = (
    "log_words", "end_sentence", "end_alnum", "starts_bullet", "title_share", "digit_share", "pipes",
    "stop_share", "url_shapes", "dup_count", "prose", "shared_main", "in_main", "hit_strong", "hit_weak",
)
WINDOW_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
# Word, prose, stopword and rule-hit mass in symmetric windows of these radii.
MASS_RADII: tuple[int, ...] = (3, 10)
MASS_FEATURES: tuple[str, ...] = ("words", "prose_share", "stop_share", "hits")
# The nearest lines before and after that no strong rule took: the text as the rules leave it.
SURVIVOR_FEATURES: tuple[str, ...] = ("log_words", "end_sentence", "end_alnum", "prose", "in_main", "title_share")
# What kind of text the whole document is: mostly article (extractor output) or a whole page with
# its menus (a naive scrape). Callers do not say which they send; these let the model tell.
DOC_FEATURES: tuple[str, ...] = ("doc_short_share", "doc_main_share", "doc_log_lines", "doc_hit_share",
                                 "doc_prose_share")
REFERENCE_WORDS = 8       # lines this long set a document's reference style (capitals, stopwords)


def _window_names() -> tuple[str, ...]:
    names = [f"{name}@{offset:+d}" for offset in WINDOW_OFFSETS for name in WINDOW_FEATURES]
    names += [f"{name}_pm{radius}" for radius in MASS_RADII for name in MASS_FEATURES]
    names += [f"{name}@sv{side}" for side in ("-1", "+1") for name in SURVIVOR_FEATURES]
    return tuple(names) + DOC_FEATURES


FEATURE_NAMES: tuple[str, ...] = LINE_FEATURES + _window_names()
# Columns are written by name: a feature's column is its place in FEATURE_NAMES (LINE_FEATURES come first).
COLUMN = {name: i for i, name in enumerate(FEATURE_NAMES)}
_COL = {name: COLUMN[name] for name in LINE_FEATURES}
_HIT_COLUMN = {category: _COL[f"hit_{category}"] for category in HIT_CATEGORIES}
_HIT_COLS = np.array(list(_HIT_COLUMN.values()))
_WINDOW_COLS = np.array([_COL[name] for name in WINDOW_FEATURES])
_SURVIVOR_COLS = np.array([_COL[name] for name in SURVIVOR_FEATURES])
# Class counts copied as they are into the feature of that name.
_COUNTED = {"sentence_marks": C_END, "commas": C_COMMA, "pipes": C_PIPE, "at_signs": C_AT, "hashes": C_HASH,
            "slashes": C_SLASH}
_COUNTED_COLS = np.array([_COL[name] for name in _COUNTED])
_COUNTED_CLASSES = np.array(list(_COUNTED.values()))

# Word hashing (stopword lookup without building Python strings per word).
_HASH_BASE = np.uint64(1_000_003)
_MAX_CP = 0x10000


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Class and lower-case code point of every BMP code point (index 0x10000: anything above)."""
    classes = np.full(_MAX_CP + 1, C_OTHER, dtype=np.uint8)
    lower = np.arange(_MAX_CP + 1, dtype=np.uint64)
    for cp in range(_MAX_CP):
        ch = chr(cp)
        if ch.isalnum() or ch == "_":
            if ch.isupper():
                classes[cp] = C_UPPER
            elif ch.islower():
                classes[cp] = C_LOWER
            elif ch.isalpha() or ch == "_":
                classes[cp] = C_LETTER
            else:
                classes[cp] = C_DIGIT
            folded = ch.casefold()
            if len(folded) == 1:
                lower[cp] = ord(folded)
        elif ch.isspace():
            classes[cp] = C_SPACE
    for chars, cls in ((_END_MARKS, C_END), (",;", C_COMMA), (":", C_COLON), ("|", C_PIPE), ("@", C_AT),
                       ("#", C_HASH), ("/", C_SLASH), ("([{", C_OPEN), (")]}", C_CLOSE),
                       ("\"'“”‘’«„", C_QUOTE), (_BULLET_MARKS, C_BULLET)):
        for ch in chars:
            classes[ord(ch)] = cls
    classes[_MAX_CP] = C_LETTER
    return classes, lower


_powers = np.ones(1, dtype=np.uint64)


def _hash_powers(length: int) -> np.ndarray:
    """base**i mod 2**64 for i < length (grown on demand, kept for the process)."""
    global _powers
    if len(_powers) < length:
        size = max(length, 2 * len(_powers), 4096)
        steps = np.full(size, _HASH_BASE, dtype=np.uint64)
        steps[0] = 1
        _powers = np.cumprod(steps, dtype=np.uint64)
    return _powers[:length]


def _word_hash(word: str) -> int:
    """The hash ``_word_hashes`` gives this (already case-folded) word."""
    value, power = 0, 1
    for ch in word:
        value = (value + min(ord(ch), _MAX_CP) * power) % 2**64
        power = power * int(_HASH_BASE) % 2**64
    return value


@lru_cache(maxsize=None)
def stop_hashes(language: str | None) -> np.ndarray:
    """Sorted hashes of the language's stopwords (empty when there is no stoplist)."""
    return np.unique(np.array([_word_hash(w) for w in stoplist(language)], dtype=np.uint64))


@dataclass(slots=True)
class DocFeatures:
    """The feature matrix of one document: one row per non-blank line (``rows`` = line indices)."""

    matrix: np.ndarray
    rows: np.ndarray


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_HEAD + SAMPLE_TAIL:
        return text
    return f"{text[:SAMPLE_HEAD]} {text[-SAMPLE_TAIL:]}"


@dataclass(slots=True)
class _Chars:
    counts: np.ndarray        # (n, N_CLASSES) class counts
    words: np.ndarray         # word starts per line
    upper_words: np.ndarray   # word starts that are upper-case
    stops: np.ndarray         # words in the stoplist (NaN without a stoplist)
    first: np.ndarray         # class of the first character
    second: np.ndarray        # class of the second character (C_SPACE for one-character lines)
    last: np.ndarray          # class of the last character, closing quotes/brackets skipped
    word_hash: np.ndarray     # hash of every (case-folded) word, in text order
    word_line: np.ndarray     # line of every word
    word_stop: np.ndarray     # every word: in the stoplist?


def _char_stats(samples: list[str], language: str | None) -> _Chars:
    """The character statistics of ``line_features_reference``: numpy over the joined lines
    (``_core.text_features`` computes them line by line)."""
    n = len(samples)
    joined = "\n".join(samples)
    codes = np.minimum(np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32), _MAX_CP)
    class_table, lower_table = _tables()
    classes = class_table[codes]
    lengths = np.fromiter(map(len, samples), dtype=np.intp, count=n)
    offsets = np.zeros(n, dtype=np.intp)
    np.cumsum(lengths[:-1] + 1, out=offsets[1:])
    line_of = np.repeat(np.arange(n), lengths + 1)[: len(classes)]
    counts = np.bincount(line_of * N_CLASSES + classes, minlength=n * N_CLASSES).reshape(n, N_CLASSES)
    wordy = classes <= C_DIGIT
    boundary = np.diff(np.concatenate(([False], wordy, [False])).view(np.int8))
    starts = np.flatnonzero(boundary == 1)
    ends = np.flatnonzero(boundary == -1)
    word_line = line_of[starts]
    words = np.bincount(word_line, minlength=n)
    upper_words = np.bincount(word_line[classes[starts] == C_UPPER], minlength=n)
    word_hash = _word_hashes(lower_table[codes], starts, ends)
    stop_table = stop_hashes(language)
    if len(stop_table):
        found = np.searchsorted(stop_table, word_hash)
        word_stop = stop_table[np.minimum(found, len(stop_table) - 1)] == word_hash
        stops = np.bincount(word_line, weights=word_stop, minlength=n)
    else:
        word_stop = np.zeros(len(word_hash), dtype=bool)
        stops = np.full(n, np.nan)
    first, second, last = _edge_classes(samples, class_table)
    return _Chars(counts, words.astype(np.float64), upper_words.astype(np.float64), stops, first, second, last,
                  word_hash, word_line, word_stop)


_LEADING = "| "
_TRAILING = "| \"'”’)]}»*"


def _edge_classes(samples: list[str], class_table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classes of the first two and the last character, table pipes and closing quotes skipped."""
    heads = [t.lstrip(_LEADING)[:2] or " " for t in samples]
    tails = [t.rstrip(_TRAILING)[-1:] or t[-1] for t in samples]
    n = len(samples)
    first = class_table[np.fromiter((ord(h[0]) for h in heads), dtype=np.intp, count=n).clip(max=_MAX_CP)]
    second = class_table[np.fromiter((ord(h[-1]) if len(h) > 1 else 32 for h in heads), dtype=np.intp,
                                     count=n).clip(max=_MAX_CP)]
    last = class_table[np.fromiter((ord(c) for c in tails), dtype=np.intp, count=n).clip(max=_MAX_CP)]
    return first, second, last


def _word_hashes(folded: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """hash(word) = sum of code point * base**i over its characters, mod 2**64 (see ``_word_hash``).

    From prefix sums over the whole text: (prefix[end] - prefix[start]) * base**-start.
    """
    if not len(starts):
        return np.zeros(0, dtype=np.uint64)
    size = len(folded) + 1
    prefix = np.zeros(size, dtype=np.uint64)
    np.cumsum(folded * _hash_powers(size)[: len(folded)], out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * _inverse_powers(size)[starts]


_inverse = np.ones(1, dtype=np.uint64)


def _inverse_powers(length: int) -> np.ndarray:
    """base**-i mod 2**64 (the base is odd, so it has an inverse modulo 2**64)."""
    global _inverse
    if len(_inverse) < length:
        size = max(length, 2 * len(_inverse), 4096)
        steps = np.full(size, np.uint64(pow(int(_HASH_BASE), -1, 2**64)), dtype=np.uint64)
        steps[0] = 1
        _inverse = np.cumprod(steps, dtype=np.uint64)
    return _inverse[:length]


def _find_counts(texts: Iterable[str], joined: str, offsets: np.ndarray, needles: tuple[str, ...]) -> np.ndarray:
    """How often any of ``needles`` occurs in each line (found with str.find over the joined text)."""
    out = np.zeros(len(offsets))
    positions = []
    for needle in needles:
        at = joined.find(needle)
        while at != -1:
            positions.append(at)
            at = joined.find(needle, at + 1)
    if positions:
        np.add.at(out, np.searchsorted(offsets, positions, side="right") - 1, 1)
    return out


# The columns ``_core.text_features`` writes, in the order it takes them (its T_* constants).
TEXT_COLUMNS: tuple[str, ...] = (
    "log_chars", "log_words", "mean_word_len", "end_sentence", "end_colon", "end_comma", "end_alnum", "end_other",
    "starts_bullet", "starts_upper", "starts_digit", "starts_open", "upper_share", "title_share", "digit_share",
    "punct_share", "sentence_marks", "commas", "pipes", "at_signs", "hashes", "slashes", "url_shapes", "stop_share",
    "stop_count", "dup_count",
)
_TEXT_COLS = np.array([_COL[name] for name in TEXT_COLUMNS], dtype=np.intp)
# Columns the kernels leave as counts: ``line_features`` takes numpy's log1p of them in one call.
_LOGGED_COLS = np.array([_COL[name] for name in ("log_chars", "log_words", "stop_count", "d_main_words",
                                                  "content_words")])


def line_features(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None) -> DocFeatures:
    """The feature matrix (``FEATURE_NAMES`` columns) of the document's non-blank lines.

    ``line_features_reference`` computed by the compiled core (a few calls per document); the
    log1p's are numpy's, as the reference's are, so the matrices are the same to the bit.
    """
    rows = [line.index for line in lines if line.text]
    n = len(rows)
    if n == 0:
        return DocFeatures(np.zeros((0, len(FEATURE_NAMES))), np.zeros(0, dtype=np.intp))
    texts = [lines[i].text for i in rows]
    segment_words = np.fromiter((lines[i].words for i in rows), dtype=np.float64, count=n)
    own = np.empty((n, len(LINE_FEATURES)))
    words, word_hash, word_line, word_stop = _core.text_features(
        texts, segment_words, *_tables(), stop_hashes(language), own, _TEXT_COLS, SAMPLE_HEAD, SAMPLE_TAIL,
        REFERENCE_WORDS)
    _core.position_features(own, words, _COL, PROSE_WORDS, SHORT_WORDS)
    _core.cohesion_features(own, word_hash, word_line, word_stop.view(np.uint8), _COL["content_words"],
                            _COL["shared_doc"], _COL["shared_main"], _COL["in_main"])
    own[:, _LOGGED_COLS] = np.log1p(own[:, _LOGGED_COLS])
    _core.hit_features(own, rows, hits, _HIT_COLUMN, _COL["hit_strong"], _COL["hit_weak"])
    return DocFeatures(_with_window(own, words), np.asarray(rows, dtype=np.intp))


def line_features_reference(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], language: str | None
                            ) -> DocFeatures:
    """``line_features`` in numpy and Python (the reference the compiled core is tested against)."""
    rows = [line.index for line in lines if line.text]
    n = len(rows)
    if n == 0:
        return DocFeatures(np.zeros((0, len(FEATURE_NAMES))), np.zeros(0, dtype=np.intp))
    texts = [lines[i].text for i in rows]
    samples = list(map(_sample, texts))
    chars = _char_stats(samples, language)
    full_chars = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    sampled = np.fromiter(map(len, samples), dtype=np.float64, count=n)
    segment_words = np.fromiter((lines[i].words for i in rows), dtype=np.float64, count=n)
    words = np.where(sampled < full_chars, np.maximum(segment_words, chars.words), chars.words)
    joined = "\n".join(texts)
    offsets = np.zeros(n)
    np.cumsum(full_chars[:-1] + 1, out=offsets[1:])
    own = np.empty((n, len(LINE_FEATURES)))
    _text_features(own, chars, full_chars, sampled, words)
    own[:, _COL["url_shapes"]] = _find_counts(texts, joined, offsets, ("://", "www."))
    seen = Counter(texts)
    own[:, _COL["dup_count"]] = np.fromiter(map(seen.__getitem__, texts), dtype=np.float64, count=n) - 1
    _position_features(own, words)
    _cohesion_features(own, chars)
    _hit_features(own, rows, hits)
    return DocFeatures(np.hstack([own, _window_block(own, words)]), np.asarray(rows, dtype=np.intp))


_WORD_MASS_COLS = [FEATURE_NAMES.index(f"words_pm{radius}") for radius in MASS_RADII]


def _with_window(own: np.ndarray, words: np.ndarray) -> np.ndarray:
    """``np.hstack([own, _window_block(own, words)])`` (the reference), the window by the compiled core."""
    matrix = np.empty((len(own), len(FEATURE_NAMES)))
    matrix[:, :own.shape[1]] = own
    _core.window_block(own, words, _WINDOW_COLS, np.array(WINDOW_OFFSETS, dtype=np.intp),
                       np.array(MASS_RADII, dtype=np.intp), _SURVIVOR_COLS, _COL["stop_share"], _COL["prose"],
                       _COL["hit_strong"], _COL["hit_weak"], _document_row(own, words), matrix, own.shape[1])
    matrix[:, _WORD_MASS_COLS] = np.log1p(matrix[:, _WORD_MASS_COLS])
    return matrix


def _document_row(own: np.ndarray, words: np.ndarray) -> np.ndarray:
    """``_document_block``'s row by the compiled core (the log1p of the line count is numpy's)."""
    return _core.document_values(own, words, _COL["in_main"], _COL["prose"], _COL["hit_strong"], _COL["hit_weak"],
                                 SHORT_WORDS, _log_lines(len(words)))


@lru_cache(maxsize=4096)
def _log_lines(n: int) -> float:
    return float(np.log1p(n))


def _text_features(own: np.ndarray, chars: _Chars, full_chars: np.ndarray, sampled: np.ndarray,
                   words: np.ndarray) -> None:
    col, counts = _COL, chars.counts
    sample_words = np.maximum(chars.words, 1)
    per_char = 1.0 / np.maximum(sampled, 1)
    own[:, col["log_chars"]] = np.log1p(full_chars)
    own[:, col["log_words"]] = np.log1p(words)
    word_len = counts[:, :C_SPACE].sum(axis=1) / sample_words
    upper = counts[:, C_UPPER] / np.maximum(counts[:, C_UPPER] + counts[:, C_LOWER], 1)
    title = chars.upper_words / sample_words
    stop_share = chars.stops / sample_words
    style = np.stack([word_len, upper, title, stop_share])
    long_lines = words >= REFERENCE_WORDS
    reference = np.median(style[:, long_lines] if long_lines.any() else style, axis=1)
    own[:, col["mean_word_len"]] = word_len / max(float(reference[0]), 1.0)
    own[:, col["upper_share"]] = upper - reference[1]
    own[:, col["title_share"]] = title - reference[2]
    own[:, col["stop_share"]] = stop_share / reference[3] if reference[3] > 0 else np.nan
    last = chars.last
    own[:, col["end_sentence"]] = last == C_END
    own[:, col["end_colon"]] = last == C_COLON
    own[:, col["end_comma"]] = last == C_COMMA
    own[:, col["end_alnum"]] = last <= C_DIGIT
    own[:, col["end_other"]] = last > C_COLON
    first = chars.first
    own[:, col["starts_bullet"]] = (first == C_BULLET) & (chars.second == C_SPACE)
    own[:, col["starts_upper"]] = first == C_UPPER
    own[:, col["starts_digit"]] = first == C_DIGIT
    own[:, col["starts_open"]] = (first == C_OPEN) | (first == C_QUOTE)
    own[:, col["digit_share"]] = counts[:, C_DIGIT] * per_char
    own[:, col["punct_share"]] = counts[:, C_END:C_PIPE].sum(axis=1) * per_char
    own[:, _COUNTED_COLS] = counts[:, _COUNTED_CLASSES]
    own[:, col["stop_count"]] = np.log1p(chars.stops)


def _distance_to(flags: np.ndarray, forward: bool) -> np.ndarray:
    """Lines to the nearest flagged line before (or after) each line, capped at ``FAR``."""
    n = len(flags)
    idx = np.arange(n)
    if forward:
        nearest = np.minimum.accumulate(np.where(flags, idx, n + FAR)[::-1])[::-1]
        return np.minimum(nearest - idx, FAR)
    nearest = np.maximum.accumulate(np.where(flags, idx, -FAR - 1))
    return np.minimum(idx - nearest, FAR)


def _main_block(words: np.ndarray, prose: np.ndarray) -> tuple[int, int]:
    """The run of lines with the most prose words net of half the other lines' words (Kadane)."""
    gain = np.where(prose, words, -0.5 * (words + 1)).tolist()
    best, best_span = 0.0, (0, -1)
    running, start = 0.0, 0
    for i, value in enumerate(gain):
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, best_span = running, (start, i)
    return best_span


def _runs(short: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per line: length of the run of short lines it sits in (0 if not short), and its place in it."""
    n = len(short)
    edges = np.diff(np.concatenate(([0], short.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    if not len(starts):
        return np.zeros(n), np.zeros(n)
    lengths = np.flatnonzero(edges == -1) - starts
    run_len = np.zeros(n)
    run_start = np.zeros(n)
    run_len[starts] = lengths
    run_start[starts] = starts
    # carry each run's length and start over the run (runs never overlap)
    marker = np.zeros(n, dtype=np.intp)
    marker[starts] = np.arange(1, len(starts) + 1)
    which = np.maximum.accumulate(marker)
    inside = short & (which > 0)
    length_of = np.where(inside, lengths[np.maximum(which - 1, 0)], 0)
    start_of = starts[np.maximum(which - 1, 0)]
    position = np.where(inside, (np.arange(n) - start_of + 0.5) / np.maximum(length_of, 1), 0)
    return length_of.astype(np.float64), position


def _position_features(own: np.ndarray, words: np.ndarray) -> None:
    col = _COL
    n = len(words)
    idx = np.arange(n)
    own[:, col["pos"]] = idx / max(n - 1, 1)
    mass = np.cumsum(words)
    own[:, col["token_pos"]] = (mass - words / 2) / max(mass[-1], 1)
    own[:, col["rel_words_max"]] = words / max(words.max(), 1)
    top = np.partition(words, n - 5)[-5:].mean() if n > 5 else words.mean()
    own[:, col["rel_words_top"]] = words / max(top, 1)
    ends_sentence = own[:, col["end_sentence"]] > 0
    prose = (words >= PROSE_WORDS) & ends_sentence
    own[:, col["prose"]] = prose
    own[:, col["d_prev_prose"]] = _distance_to(prose, forward=False)
    own[:, col["d_next_prose"]] = _distance_to(prose, forward=True)
    found = np.flatnonzero(prose)
    own[:, col["in_span"]] = (idx >= found[0]) & (idx <= found[-1]) if len(found) else 0
    start, end = _main_block(words, prose)
    own[:, col["in_main"]] = (idx >= start) & (idx <= end)
    own[:, col["d_main"]] = np.minimum(np.maximum(start - idx, idx - end).clip(0), FAR)
    before = mass[max(start - 1, 0)] if start > 0 else 0.0
    after = mass[end] if end >= 0 else 0.0
    gap = np.where(idx < start, before - mass, np.where(idx > end, mass - words - after, 0.0))
    own[:, col["d_main_words"]] = np.log1p(np.maximum(gap, 0))
    near = np.convolve(np.concatenate((np.zeros(3), words, np.zeros(3))), np.ones(7), "valid") - words
    own[:, col["rel_words_near"]] = words / np.maximum(near / 6, 1)
    own[:, col["words_per_cell"]] = words / (own[:, col["pipes"]] + 1)
    short = ((words < SHORT_WORDS) | ~ends_sentence) & ~prose
    own[:, col["run_len"]], own[:, col["run_pos"]] = _runs(short)


def _cohesion_features(own: np.ndarray, chars: _Chars) -> None:
    """Share of a line's content words (not stopwords) that occur in other lines, and in the main block.

    Body lines share vocabulary with the body; a consent text or an author bio shares little.
    """
    n = len(own)
    content = ~chars.word_stop
    lines_of = chars.word_line
    content_words = np.bincount(lines_of, weights=content, minlength=n)
    own[:, _COL["content_words"]] = np.log1p(content_words)
    if not len(lines_of):
        own[:, _COL["shared_doc"]] = 0.0
        own[:, _COL["shared_main"]] = 0.0
        return
    order = np.lexsort((lines_of, chars.word_hash))
    hashes, lines_sorted = chars.word_hash[order], lines_of[order]
    new_word = np.empty(len(order), dtype=bool)
    new_word[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=new_word[1:])
    new_pair = new_word.copy()
    new_pair[1:] |= lines_sorted[1:] != lines_sorted[:-1]
    word_id = np.cumsum(new_word) - 1
    line_in_main = own[:, _COL["in_main"]][lines_sorted] > 0
    lines_with_word = np.bincount(word_id, weights=new_pair)
    main_lines_with_word = np.bincount(word_id, weights=new_pair & line_in_main)
    content_sorted = content[order]
    elsewhere = (lines_with_word[word_id] > 1) & content_sorted
    in_main_elsewhere = (main_lines_with_word[word_id] - line_in_main > 0) & content_sorted
    scale = 1.0 / np.maximum(content_words, 1)
    own[:, _COL["shared_doc"]] = np.bincount(lines_sorted, weights=elsewhere, minlength=n) * scale
    own[:, _COL["shared_main"]] = np.bincount(lines_sorted, weights=in_main_elsewhere, minlength=n) * scale


def _hit_features(own: np.ndarray, rows: list[int], hits: Sequence[Sequence[Hit]]) -> None:
    own[:, _HIT_COLS] = 0.0
    own[:, _COL["hit_strong"]] = 0.0
    own[:, _COL["hit_weak"]] = 0.0
    strong_col, weak_col = _COL["hit_strong"], _COL["hit_weak"]
    for r, index in enumerate(rows):
        line_hits = hits[index]
        if not line_hits:
            continue
        for hit in line_hits:
            column = _HIT_COLUMN.get(hit.category)
            if column is None:
                continue
            strong = hit.strong
            level = 2.0 if strong else 1.0
            if own[r, column] < level:
                own[r, column] = level
            own[r, strong_col if strong else weak_col] = 1.0


def _survivor_block(own: np.ndarray) -> list[np.ndarray]:
    """Features of the nearest line before/after that has no strong rule hit (NaN when none)."""
    n = len(own)
    alive = own[:, _COL["hit_strong"]] == 0
    idx = np.arange(n)
    last_alive = np.maximum.accumulate(np.where(alive, idx, -1))
    prev = np.concatenate(([-1], last_alive[:-1]))
    next_alive = np.minimum.accumulate(np.where(alive, idx, n)[::-1])[::-1]
    nxt = np.concatenate((next_alive[1:], [n]))
    picked = np.vstack([own[:, _SURVIVOR_COLS], np.full((1, len(_SURVIVOR_COLS)), np.nan)])
    return [picked[np.where(prev < 0, n, prev)], picked[nxt]]


def _window_block(own: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Neighbours' features at each window offset, and mass sums over the wider windows."""
    n = len(words)
    reach = max(abs(o) for o in WINDOW_OFFSETS)
    picked = own[:, _WINDOW_COLS]
    padded = np.full((n + 2 * reach, picked.shape[1]), np.nan)
    padded[reach: reach + n] = picked
    parts = [padded[reach + offset: reach + offset + n] for offset in WINDOW_OFFSETS]
    stop = own[:, _COL["stop_share"]]
    masses = np.stack([words, words * own[:, _COL["prose"]], np.nan_to_num(stop) * words,
                       np.maximum(own[:, _COL["hit_strong"]], own[:, _COL["hit_weak"]])], axis=1)
    prefix = np.zeros((n + 1, masses.shape[1]))
    np.cumsum(masses, axis=0, out=prefix[1:])
    idx = np.arange(n)
    for radius in MASS_RADII:
        around = prefix[np.minimum(idx + radius + 1, n)] - prefix[np.maximum(idx - radius, 0)] - masses
        total = np.maximum(around[:, :1], 1)
        around[:, 1:3] /= total
        around[:, 0] = np.log1p(around[:, 0])
        parts.append(around)
    parts += _survivor_block(own)
    parts.append(_document_block(own, words))
    return np.hstack(parts)


def _document_block(own: np.ndarray, words: np.ndarray) -> np.ndarray:
    n = len(words)
    total = max(float(words.sum()), 1.0)
    hit = (own[:, _COL["hit_strong"]] + own[:, _COL["hit_weak"]]) > 0
    values = np.array([np.count_nonzero(words < SHORT_WORDS) / n, float(np.dot(words, own[:, _COL["in_main"]])) / total,
                       np.log1p(n), np.count_nonzero(hit) / n, float(own[:, _COL["prose"]].sum()) / n])
    return np.broadcast_to(values, (n, len(values)))


# ---------------------------------------------------------------- second pass: context of first-pass scores

SCORE_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
SCORE_RADII: tuple[int, ...] = (2, 5, 15)
SCORE_FEATURES: tuple[str, ...] = (
    ("s_self", "s_run_mean", "s_run_min", "s_doc_mean", "s_doc_low_share", "s_prev_high", "s_next_high")
    + tuple(f"s@{offset:+d}" for offset in SCORE_OFFSETS)
    + tuple(f"s_mean_pm{radius}" for radius in SCORE_RADII)
    + tuple(f"s_min_pm{radius}" for radius in SCORE_RADII[:1])
    + tuple(f"s_max_pm{radius}" for radius in SCORE_RADII[:1])
)
HIGH_SCORE = 0.5
SCORE_COLUMN = {name: i for i, name in enumerate(SCORE_FEATURES)}


def score_context(scores: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """What the second pass sees besides the line features: first-pass scores around each line.

    Residue comes in runs and the body is one run: a doubtful line between confident body lines
    is body, the same line inside a run of low scores is not. Computed by the compiled core for
    float64 input; ``_score_context_numpy`` is the reference (the document means are numpy's dot
    products in both) and serves other dtypes (training's float32 matrices).
    """
    if matrix.dtype != np.float64 or np.asarray(scores).dtype != np.float64:
        return _score_context_numpy(scores, matrix)
    out = np.empty((len(scores), len(SCORE_FEATURES)))
    if len(scores):
        weight = np.maximum(np.expm1(matrix[:, _COL["log_words"]]), 1)
        _core.score_context(np.ascontiguousarray(scores, dtype=np.float64), weight,
                            (matrix[:, _COL["run_len"]] > 0).view(np.uint8),
                            float(np.dot(scores, weight) / weight.sum()),
                            float(np.dot(scores < HIGH_SCORE, weight) / weight.sum()), HIGH_SCORE,
                            np.array(SCORE_RADII, dtype=np.intp), out)
    return out


def _score_context_numpy(scores: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    n = len(scores)
    out = np.empty((n, len(SCORE_FEATURES)))
    if n == 0:
        return out
    col = SCORE_COLUMN
    words = np.expm1(matrix[:, _COL["log_words"]])
    out[:, col["s_self"]] = scores
    run_len = matrix[:, _COL["run_len"]]
    out[:, col["s_run_mean"]], out[:, col["s_run_min"]] = _run_stats(scores, run_len > 0)
    weight = np.maximum(words, 1)
    out[:, col["s_doc_mean"]] = float(np.dot(scores, weight) / weight.sum())
    out[:, col["s_doc_low_share"]] = float(np.dot(scores < HIGH_SCORE, weight) / weight.sum())
    high = scores >= HIGH_SCORE
    out[:, col["s_prev_high"]] = _distance_to(high, forward=False)
    out[:, col["s_next_high"]] = _distance_to(high, forward=True)
    reach = max(abs(o) for o in SCORE_OFFSETS)
    padded = np.full(n + 2 * reach, np.nan)
    padded[reach: reach + n] = scores
    for offset in SCORE_OFFSETS:
        out[:, col[f"s@{offset:+d}"]] = padded[reach + offset: reach + offset + n]
    prefix_w = np.concatenate(([0.0], np.cumsum(weight)))
    prefix_s = np.concatenate(([0.0], np.cumsum(weight * scores)))
    idx = np.arange(n)
    for radius in SCORE_RADII:
        lo, hi = np.maximum(idx - radius, 0), np.minimum(idx + radius + 1, n)
        total_w = prefix_w[hi] - prefix_w[lo] - weight
        total_s = prefix_s[hi] - prefix_s[lo] - weight * scores
        out[:, col[f"s_mean_pm{radius}"]] = np.where(total_w > 0, total_s / np.maximum(total_w, 1e-9), np.nan)
    near_radius = SCORE_RADII[0]
    near = np.stack([padded[reach + o: reach + o + n] for o in range(-near_radius, near_radius + 1) if o], axis=1)
    with np.errstate(all="ignore"):
        out[:, col[f"s_min_pm{near_radius}"]] = np.nanmin(near, axis=1) if n > 1 else np.nan
        out[:, col[f"s_max_pm{near_radius}"]] = np.nanmax(near, axis=1) if n > 1 else np.nan
    return out


def _run_stats(scores: np.ndarray, short: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and min score of the run of short lines each line sits in (its own score otherwise)."""
    n = len(scores)
    edges = np.diff(np.concatenate(([0], short.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    if not len(starts):
        return scores.copy(), scores.copy()
    stops = np.flatnonzero(edges == -1)
    marker = np.zeros(n, dtype=np.intp)
    marker[starts] = np.arange(1, len(starts) + 1)
    which = np.maximum.accumulate(marker) - 1
    inside = short & (which >= 0)
    bounds = np.ravel(np.column_stack([starts, stops]))
    mins = np.minimum.reduceat(np.append(scores, 0.0), bounds)[::2]
    cum = np.concatenate(([0.0], np.cumsum(scores)))
    sums = cum[stops] - cum[starts]
    mean = np.where(inside, sums[which.clip(0)] / (stops - starts)[which.clip(0)], scores)
    run_min = np.where(inside, mins[which.clip(0)], scores)
    return mean, run_min
