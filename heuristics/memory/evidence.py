"""The decide stage's use of the source memory: repeated lines become removals, like strong rule hits.

Kept apart from ``decide.py`` so that the context rules there stay the rules' own. Three guards keep the
article: a run of short repeated lines (``navigation`` evidence) is a menu only outside the article body
(and only when the page has one), as for ``decide.mark_outside_body``; a short repeated line inside the
body that introduces body text is the site's section heading ("What we like"), which belongs to the
article; and the memory takes nothing when it would leave no body line.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from ..rules import Hit
from ..segment import Line
from .policy import Evidence

RULE_ID = "source.repeated"
HEADING_MAX_WORDS = 12


def mark_repeated(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], verdicts: Sequence,
                  repeated: Mapping[int, Evidence], is_body: Callable[[Line], bool]) -> None:
    """Remove the lines the source repeats (rule ``source.repeated``), named by a rule hint on the line
    when there is one, else by the evidence's category; see the module docstring for the guards."""
    alive = [line.index for line in lines if not line.blank and not verdicts[line.index].removed]
    body = [index for index in alive if is_body(lines[index])]
    start, end = (body[0], body[-1]) if body else (None, None)
    after = {index: following for index, following in zip(alive, alive[1:])}
    taken = []
    for index in sorted(set(repeated) & set(alive)):
        inside = start is not None and start < index < end
        if repeated[index].category == "navigation" and (start is None or start <= index <= end):
            continue
        if inside and lines[index].words <= HEADING_MAX_WORDS and is_body(lines[after[index]]):
            continue
        taken.append(index)
    taken_set = set(taken)
    if not taken or not any(is_body(lines[index]) for index in body if index not in taken_set) and body \
            or len(taken) == len(alive):
        return
    for index in taken:
        hinted = next((hit.category for hit in hits[index] if hit.rule.kind != "prefix"), None)
        verdicts[index].remove(hinted or repeated[index].category, RULE_ID)
