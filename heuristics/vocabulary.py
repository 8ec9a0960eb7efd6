"""The engine's words, defined once: categories and their priority, modes, extractors, what ends a
sentence, what a word is, and the package version (from the installed package's metadata)."""
from __future__ import annotations

import re
from importlib import metadata

try:
    VERSION = metadata.version("textwash")
except metadata.PackageNotFoundError:  # a checkout on sys.path without `pip install -e .`
    VERSION = "0+unknown"

# What a removed line can be. The rule files name one each (heuristics/rules/<category>.toml);
# "title" and "duplicate" come from the decide stage's context rules only, "repeated_line" from the
# source memory.
CATEGORIES: tuple[str, ...] = (
    "donation_appeal",
    "subscription_prompt",
    "caption",
    "credit",
    "source_residue",
    "share_social",
    "related_links",
    "comments",
    "tags",
    "advertisement",
    "cookie_notice",
    "navigation",
    "byline",
    "date_line",
    "title",
    "duplicate",
    "legal",
    "repeated_line",  # a line the source repeats on its pages (heuristics/memory), no rule names it
)

# When a line has strong hits from several categories, the most specific category names it.
CATEGORY_PRIORITY: tuple[str, ...] = (
    "credit", "caption", "donation_appeal", "cookie_notice", "subscription_prompt", "comments",
    "share_social", "source_residue", "tags", "advertisement", "related_links", "byline", "date_line",
    "legal", "navigation",
)

# precision removes more (a cleaner body), recall removes less (keeps every doubtful line).
MODES: tuple[str, ...] = ("precision", "balanced", "recall")

# How HTML becomes lines: one walk over the page ("fast"), or trafilatura's text with the walk's signals.
EXTRACTORS: tuple[str, ...] = ("fast", "trafilatura")

# Full stops of other scripts: the danda in Hindi, Bengali and other Indic scripts, the Arabic (Urdu),
# Armenian, Ethiopic and Myanmar full stops; and their question marks (the Arabic one). A headline may ask,
# so the title and statement checks take the full stops only.
SCRIPT_FULL_STOPS: tuple[str, ...] = ("।", "॥", "۔", "։", "።", "။")
SCRIPT_QUESTION_MARKS: tuple[str, ...] = ("؟",)
# A line ending with one of these ends a sentence (closing quotes and brackets after the mark count;
# the full-width marks end sentences in Chinese and Japanese).
SENTENCE_END: tuple[str, ...] = (".", "!", "?", "…", ".\"", ".”", ".’", "!\"", "?\"", ".)", ":", "。", "！", "？",
                                 *SCRIPT_FULL_STOPS, *SCRIPT_QUESTION_MARKS)

# A word: what Python's \w+ finds (the bench scorer's tokens too).
WORD_RE = re.compile(r"\w+")
