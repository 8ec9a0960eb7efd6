"""The shapes of the rules stage: a rule, how a category's runs grow (``Block``), and a rule firing on a line (``Hit``)."""
from __future__ import annotations

from dataclasses import dataclass

KINDS = ("line", "phrase", "regex", "prefix", "container")
STRENGTHS = ("strong", "weak")
WHERES = ("any", "head", "tail", "outside")
NEUTRAL = "xx"
FALLBACK_LANGUAGE = "en"
METADATA_GROUPS = ("date", "updated", "author", "source", "dateline", "tags")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    kind: str
    strength: str
    max_words: int
    where: str
    case: bool
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """How a run of one category absorbs its neighbours (read by the decide stage).

    gap: a line sandwiched between two lines of the run, at most this many non-blank lines apart,
    joins it; weak hits of the category within this distance of the run join it too.
    edge_words / edges: up to ``edges`` short lines (at most ``edge_words`` words) touching the run
    join it (``edges_before`` caps the side above the run when set); ``edge_no_period``: only lines
    that do not end a sentence (headline stubs, buttons).
    """

    gap: int = 0
    edge_words: int = 0
    edges: int = 0
    edges_before: int | None = None
    edge_no_period: bool = False


@dataclass(slots=True)
class Hit:
    """One rule firing on one line. ``groups`` holds named regex groups; ``end`` the prefix length."""

    rule: Rule
    groups: dict[str, str] | None = None
    end: int = 0

    @property
    def category(self) -> str:
        return self.rule.category

    @property
    def strong(self) -> bool:
        return self.rule.strength == "strong"
