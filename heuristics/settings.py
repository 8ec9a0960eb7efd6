"""Every threshold of the engine in one frozen object, one field each with its reason (jusText's habit of
``*_DEFAULT`` keyword arguments, trafilatura's settings.py). ``SETTINGS`` is what ``clean()`` uses by
default; a different ``Settings`` is a different engine: ``clean``, ``clean_many`` and ``judge`` take one as
their ``settings=`` keyword and pass it down to every stage (segment, HTML lines, language, rules, decide),
so tests and tools build one with ``dataclasses.replace(SETTINGS, field=value)`` instead of changing module
constants. Word counts in the decide fields are script-aware (``decide.effective_words``): a line in a
script without spaces counts its characters over ``chars_per_word``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


def _mode_thresholds() -> Mapping[str, float]:
    return MappingProxyType({"precision": 0.5, "balanced": 0.35, "recall": 0.2})


@dataclass(frozen=True, slots=True)
class Settings:
    # ---- input limits (pipeline.clean; the options object checks them)
    max_input_chars: int = 20_000_000      # longer text or HTML is refused: memory grows with the input
    max_lines: int = 100_000               # lines past this many are kept unjudged: 1e6 one-character lines cost 1 GB and 20 s
    budget_slice_lines: int = 512          # with a time budget, the rules stage looks at the clock after this many lines
    batch_documents: int = 256             # clean_many scores this many documents per model call: the calls' fixed cost shrinks, memory stays small
    batch_chars: int = 2_000_000           # ... or fewer, once they hold this many input characters (about a second of work): answers keep flowing
    # ---- language identification (language.py, pipeline._language_sample)
    language_sample_lines: int = 12        # the longest lines are the body's: detection reads this many of them
    language_sample_min_words: int = 6     # shorter lines are menus and buttons, not the page's language
    language_fallback_lines: int = 50      # a page without such lines: its first lines are read instead
    vote_tokens: int = 200                 # the stopword vote reads this many words: enough for a clear case
    vote_min_hits: int = 6                 # fewer stopwords of one language is no evidence
    vote_margin: float = 2.0               # the winner needs this many times the runner-up's votes, else CLD2 decides
    langid_chars: int = 2000               # the language sample is cut to this many characters (detection cost grows with length)
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
    # ---- source memory (memory/policy.py: which lines a source repeats; memory/store.py: what a store keeps)
    memory_min_documents: int = 3          # two pages may share a quote; three carrying a line verbatim: the template
    memory_min_share: float = 0.2          # a line on under a fifth of the recent pages is page content (a teaser)
    memory_prose_share: float = 0.5        # a whole sentence (good_words, ending one) goes when half the pages carry it
    memory_min_words: int = 3              # shorter lines ("Share", "Home") go only in a run of repeats (a menu)
    memory_digit_words: int = 6            # likewise shorter lines with a digit (a date, "12 comments")
    memory_menu_run: int = 3               # this many repeated lines in a row (blank lines aside) are the site's menu
    memory_max_line_chars: int = 2000      # longer lines are body or garbage, never a template: not hashed, not stored
    memory_max_lines: int = 600            # distinct lines learned per document (half from each end): bounds the store
    memory_sample_chars: int = 160         # characters kept of a repeated line to show it (GET /v1/sources/{source})
    memory_window: int = 64                # recent pages per source that count; a redesign is forgotten after them
    memory_max_sources: int = 20_000       # sources a store keeps; the least recently used go first
    memory_max_documents: int = 50_000     # documents in all windows: about 320 MB in SQLite, 500 MB in Redis
    # ==== the decide stage and its use of the model's scores (decide.py)

    # ---- context-free labels and the body span
    good_words: int = 12               # jusText's "good": a sentence-ending line this long is body prose
    chars_per_word: float = 2.0        # scripts without spaces (Han, kana, Thai ...): characters per word
    # ---- what reads as body (never removed by shape alone)
    body_phrase_words: int = 5         # a line this long with a function word of the page's language is a phrase, not a menu item
    body_sentence_words: int = 8       # a sentence-ending line this long reads as a body sentence
    # ---- title
    title_max_words: int = 30          # longer than any headline
    title_search_lines: int = 12       # the page head: the title is among the first lines left standing
    title_corroboration_reach: int = 3  # a rule-removed line this close marks the page head (byline, date, menu)
    # ---- duplicates
    duplicate_min_words: int = 6       # shorter repeats are labels and menu items, not copied paragraphs
    duplicate_tail_words: int = 4      # a caption copy adds at most this many words (a credit) to a paragraph
    duplicates_need_residue: bool = False  # a repeat goes only when residue-like (not 3+ copies, not a body sentence copy)
    duplicate_structure_copies: int = 3  # a line repeated this often is a regular structure (interview questions)
    # ---- context rules
    sandwich_max_words: int = 3        # a line this short between two removed lines belongs to them
    outside_max_words: int = 10        # menu items and link stubs are at most this long
    outside_min_run: int = 2           # a run of this many items with menu evidence is a menu
    menu_item_words: int = 3           # link-like: a menu item is at most this many words
    menu_needs_evidence: bool = True   # menus need vocabulary, links or 3+ link-like items; phrases and fields stay
    menu_shape_min_run: int = 3        # without vocabulary or HTML evidence, a menu needs this many link-like items
    menu_link_density: float = 0.5     # HTML: a line this much inside <a> is a link
    menu_template_words: int = 3       # menu_shape_min_run items sharing this many leading words are generated links
    # ---- the model
    mode_thresholds: Mapping[str, float] = field(default_factory=_mode_thresholds)  # used without a model card
    model_neighbour_reach: int = 2     # a model-removed line takes the category of a rule-removed line this close
    model_short_words: int = 6         # a model-removed line shorter than this is named navigation
    heading_floor: float = 0.2         # a subheading between body paragraphs goes only when the model is this sure
    heading_max_words: int = 12        # longer unfinished lines are not subheadings
    sentence_min_words: int = 8        # a sentence-ending line this long is a whole sentence ...
    sentence_factor: float = 0.45      # ... and goes only under this share of the mode's threshold
    model_body_needs_evidence: bool = True  # a list item reading as body goes by the model only with a hint or a rule-removed neighbour


SETTINGS = Settings()
# The evidence-first revision (issue 13). Every mode: a menu needs evidence (vocabulary, links, link-like
# items) and a list item inside the body needs corroboration to go by the model. Duplicates need to be
# residue-like only in ``recall`` mode: as the default that costs the DEV gate slice's R2 precision floor
# (0.9076 < 0.908 with the retrained text model).
EVIDENCE_FIRST = {"duplicates_need_residue": True}
