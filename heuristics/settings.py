"""The engine's thresholds in one place: a frozen ``Settings``, one field per threshold, each with its reason.

``decide`` (and the stages that call it) take a ``settings=`` keyword like jusText's keyword arguments;
``DEFAULT_SETTINGS`` is what ``clean()`` uses. Change one with ``dataclasses.replace(DEFAULT_SETTINGS, ...)``.
Word counts here are script-aware (``decide.effective_words``): a line in a script without spaces counts
its characters over ``chars_per_word``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


def _mode_thresholds() -> Mapping[str, float]:
    return MappingProxyType({"precision": 0.5, "balanced": 0.35, "recall": 0.2})


@dataclass(frozen=True, slots=True)
class Settings:
    """Thresholds of the decide stage (and of the model stage's use of scores)."""

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
    menu_needs_evidence: bool = False  # menus need vocabulary, links or 3+ link-like items; phrases and fields stay
    menu_shape_min_run: int = 3        # without vocabulary or HTML evidence, a menu needs this many link-like items
    menu_link_density: float = 0.5     # HTML: a line this much inside <a> is a link
    # ---- the model
    mode_thresholds: Mapping[str, float] = field(default_factory=_mode_thresholds)  # used without a model card
    model_neighbour_reach: int = 2     # a model-removed line takes the category of a rule-removed line this close
    model_short_words: int = 6         # a model-removed line shorter than this is named navigation
    heading_floor: float = 0.2         # a subheading between body paragraphs goes only when the model is this sure
    heading_max_words: int = 12        # longer unfinished lines are not subheadings
    sentence_min_words: int = 8        # a sentence-ending line this long is a whole sentence ...
    sentence_factor: float = 0.45      # ... and goes only under this share of the mode's threshold
    model_body_needs_evidence: bool = False  # a line reading as body goes by the model only with a hint or a rule-removed neighbour


DEFAULT_SETTINGS = Settings()
# The evidence-first revision (issue 13): on the multilingual set it keeps more body, but on the DEV gate
# slice it costs R2 precision (0.906 < floor 0.908) and R1 F1 (0.8699 < 0.870), so balanced and precision
# mode keep the former context rules and ``recall`` mode (keep every doubtful line) uses it.
EVIDENCE_FIRST = {"menu_needs_evidence": True, "duplicates_need_residue": True, "model_body_needs_evidence": True}
