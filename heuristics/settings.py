"""Every threshold of the engine outside the decide stage and the model, in one frozen object with a reason
each (decide's and the model's thresholds join them here; see docs/architecture.md). ``SETTINGS`` is the
default the modules read; a different ``Settings`` is a different engine, so tests and tools build one with
``dataclasses.replace(SETTINGS, field=value)`` instead of changing module constants."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    # ---- input limits (pipeline.clean; the options object checks them)
    max_input_chars: int = 20_000_000      # longer text or HTML is refused: memory grows with the input
    max_lines: int = 100_000               # lines past this many are kept unjudged: 1e6 one-character lines cost 1 GB and 20 s
    budget_slice_lines: int = 512          # with a time budget, the rules stage looks at the clock after this many lines
    # ---- language identification (language.py, pipeline._language_sample)
    language_sample_lines: int = 12        # the longest lines are the body's: detection reads this many of them
    language_sample_min_words: int = 6     # shorter lines are menus and buttons, not the page's language
    language_fallback_lines: int = 50      # a page without such lines: its first lines are read instead
    vote_tokens: int = 200                 # the stopword vote reads this many words: enough for a clear case
    vote_min_hits: int = 6                 # fewer stopwords of one language is no evidence
    vote_margin: float = 2.0               # the winner needs this many times the runner-up's votes, else py3langid decides
    langid_chars: int = 2000               # py3langid reads this much of the sample (its cost grows with length)
    langid_prefix_chars: int = 1200        # the vote first tokenises this prefix of the sample: it usually holds vote_tokens words
    # ---- HTML input (html/lines.py, html/guard.py)
    html_prose_chars: int = 80             # a block line this long, mostly not link text, is prose when the page is weighed
    html_few_words: int = 100              # a page showing fewer words is read again as scripts would show it
    html_max_blocks: int = 100_000         # text blocks per page; beyond, the page is refused (a clear error, not minutes)
    html_max_depth: int = 2_000            # deeper nesting is refused before parsing (lexbor recurses on it)
    # ---- rules (rules/types.py, rules/compiler.py)
    rule_max_words: int = 40               # phrase and regex rules look at lines of at most this many words by default
    rule_short_line_words: int = 24        # start-anchored patterns meant for short lines only are tried up to here
    # ---- segment
    short_key_words: int = 16              # lines this short get their matching key at once (longer ones on first use)


SETTINGS = Settings()
