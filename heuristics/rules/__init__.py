"""Stage 2, rules: hand-written rules kept as data, one TOML file per category in this folder.

This module compiles those files once and applies them to lines; it knows no phrase itself.

A rule file::

    category = "subscription_prompt"
    description = "..."
    [block]            # optional: a run of this category grows over its neighbours (see decide.py)
    gap = 2            #   lines between two hits at most `gap` non-blank lines apart join the run
    edge_words = 4     #   short lines (<= this many words) touching the run join it ...
    edges = 3          #   ... up to this many on each side

    [[rule]]
    id = "button"              # stable id, reported as "subscription_prompt.button"
    kind = "line"              # line | phrase | regex | prefix
    strength = "strong"        # strong removes the line; weak is a hint for context and the model
    max_words = 12             # phrase/regex: only lines with at most this many words
    where = "any"              # any | head | tail | outside (relative to the article body)
    requires = ["©", "(c)"]    # regex without ^: try it only on lines containing one of these
    [rule.patterns]            # patterns grouped by language (ISO 639-1; "xx" = any language)
    en = ["subscribe", "subscribe now"]
    de = ["abonnieren"]

    [defs.en]                  # optional: regex fragments; <<MONTH>> in an English pattern becomes
    MONTH = '(?:jan|feb)'      # defs.en.MONTH (else defs.xx.MONTH), so one pattern serves all languages

Kinds:
- ``line``: the line's key (its words, case-folded) equals a pattern's key. A dict lookup.
- ``phrase``: the line contains the phrase on word boundaries, case-folded, hyphens read as
  spaces (``segment.phrase_form``). Aho-Corasick over the line.
- ``regex``: a Python regex searched in the whitespace-normalised line, case-insensitive unless
  ``case = true``. Named groups (``date``, ``author``, ``source``, ``dateline``, ``tags``) feed the
  metadata stage. Patterns must be linear-time: see ``lint_pattern``.
- ``prefix``: like regex but anchored at the start; the match is cut from the line, the rest stays.
- ``container``: HTML input only. Patterns are tokens of the elements around the line (tag names
  such as ``figcaption``, class/id words such as ``newsletter``); see ``html.py`` for how a line's
  ``html["tokens"]`` are made.

Line rules of every language apply to every document (a line that is only "Abonnieren" is residue
whatever the page language); phrase, regex and prefix rules apply for the document's language,
English (the web's lingua franca for widgets) and "xx".
"""
from __future__ import annotations

from .compiler import RuleSet
from .lint import UnsafePattern, lint_pattern
from .loader import build_ruleset, default_ruleset, expand_defs, rule_files, rules_digest, ruleset_with_extra
from .matcher import match_lines
from .types import Block, Hit, Rule

__all__ = ["Block", "Hit", "Rule", "RuleSet", "UnsafePattern", "build_ruleset", "default_ruleset", "expand_defs",
           "lint_pattern", "match_lines", "rule_files", "rules_digest", "ruleset_with_extra"]
