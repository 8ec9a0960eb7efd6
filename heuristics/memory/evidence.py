"""The decide stage's use of the source memory: repeated lines become removals, like strong rule hits.

Kept apart from ``decide.py`` so that the context rules there stay the rules' own.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from ..rules import Hit
from ..segment import Line
from .policy import Evidence

RULE_ID = "source.repeated"


def mark_repeated(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], verdicts: Sequence,
                  repeated: Mapping[int, Evidence], is_body: Callable[[Line], bool]) -> None:
    """Remove the lines the source repeats (rule ``source.repeated``), named by a rule hint on the line
    when there is one, else by the evidence's category; unless that would leave no body line
    (``is_body``) where there was one, or no line at all: then the memory takes nothing."""
    candidates = [index for index in sorted(repeated) if not verdicts[index].removed and not lines[index].blank]
    if not candidates:
        return
    taken = set(candidates)
    alive = [line for line in lines if not line.blank and not verdicts[line.index].removed]
    left = [line for line in alive if line.index not in taken]
    had_body = any(is_body(line) for line in alive)
    if not left or (had_body and not any(is_body(line) for line in left)):
        return
    for index in candidates:
        hinted = next((hit.category for hit in hits[index] if hit.rule.kind != "prefix"), None)
        verdicts[index].remove(hinted or repeated[index].category, RULE_ID)
