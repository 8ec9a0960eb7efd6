"""Stage 4, decide: from rule hits (and model scores, when there is a model) to keep/remove per line.

Shaped like jusText: every line first gets a context-free label from its own text, then a
revised one from its neighbours; both are kept on the ``Verdict`` so ``explain`` can show them.

Context-free labels: ``blank``, ``bad`` (a strong rule fired), ``weak`` (only hints fired),
``good`` (prose-length line), ``short``.
Revision, in order: title and its repeats; duplicated lines; runs of a category growing over
their neighbours (the category's ``[block]`` settings); short lines sandwiched between removed
lines; then the model decides what the rules left open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet as Set
from typing import Iterable, Mapping, Sequence

from .memory.evidence import mark_repeated
from .memory.policy import Evidence
from .rules import Block, Hit
from .segment import Line

GOOD_WORDS_DEFAULT = 12
TITLE_MAX_WORDS_DEFAULT = 30
TITLE_SEARCH_LINES_DEFAULT = 12
DUPLICATE_MIN_WORDS_DEFAULT = 6
DUPLICATE_TAIL_WORDS_DEFAULT = 4
SANDWICH_MAX_WORDS_DEFAULT = 3
OUTSIDE_MAX_WORDS_DEFAULT = 10
OUTSIDE_MIN_RUN_DEFAULT = 2

# When a line has strong hits from several categories, the most specific category names it.
CATEGORY_PRIORITY: tuple[str, ...] = (
    "credit", "caption", "donation_appeal", "cookie_notice", "subscription_prompt", "comments",
    "share_social", "source_residue", "tags", "advertisement", "related_links", "byline", "date_line",
    "legal", "navigation",
)
_PRIORITY = {category: rank for rank, category in enumerate(CATEGORY_PRIORITY)}
_SENTENCE_END = (".", "!", "?", "…", ".\"", ".”", ".’", "!\"", "?\"", ".)", ":")

# Model thresholds per mode: a line the rules left open goes when its content score is below.
MODE_THRESHOLDS_DEFAULT = {"precision": 0.5, "balanced": 0.35, "recall": 0.2}


@dataclass(slots=True)
class Verdict:
    initial: str
    final: str
    category: str | None = None
    rule: str | None = None
    score: float | None = None
    strip_to: int = 0

    @property
    def removed(self) -> bool:
        return self.final == "remove"

    def remove(self, category: str, rule: str, final: str = "remove") -> None:
        self.final = final
        self.category = category
        self.rule = rule


@dataclass(slots=True)
class Decision:
    verdicts: list[Verdict]
    title_line: int | None
    body_start: int | None
    body_end: int | None


def ends_sentence(text: str) -> bool:
    return text.endswith(_SENTENCE_END)


def is_prose(line: Line, good_words: int = GOOD_WORDS_DEFAULT) -> bool:
    """A sentence-length line that ends a sentence: what article bodies are made of."""
    return line.words >= good_words and ends_sentence(line.text)


def body_span(lines: Sequence[Line], verdicts: Sequence[Verdict] | None = None
              ) -> tuple[int | None, int | None]:
    """First and last prose line (not already removed): the article body sits between them."""
    start = end = None
    for line in lines:
        if is_prose(line) and (verdicts is None or not verdicts[line.index].removed):
            if start is None:
                start = line.index
            end = line.index
    return start, end


def _where_ok(where: str, index: int, start: int | None, end: int | None) -> bool:
    if where == "any" or start is None:
        return True
    if where == "head":
        return index < start
    if where == "tail":
        return index > end
    return index < start or index > end


def _strongest(hits: Iterable[Hit]) -> Hit | None:
    best = None
    for hit in hits:
        if best is None or _PRIORITY.get(hit.category, 99) < _PRIORITY.get(best.category, 99):
            best = hit
    return best


def initial_labels(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], start: int | None, end: int | None,
                   good_words: int = GOOD_WORDS_DEFAULT) -> list[Verdict]:
    """Label each line from its own text and its own rule hits only."""
    verdicts = []
    for line, line_hits in zip(lines, hits):
        if line.blank:
            verdicts.append(Verdict("blank", "blank"))
            continue
        usable = [h for h in line_hits if _where_ok(h.rule.where, line.index, start, end)]
        prefix = next((h for h in usable if h.rule.kind == "prefix"), None)
        strong = _strongest(h for h in usable if h.strong and h.rule.kind != "prefix")
        if strong is not None:
            verdict = Verdict("bad", "remove", strong.category, strong.rule.id)
        elif any(not h.strong for h in usable):
            verdict = Verdict("weak", "keep")
        else:
            verdict = Verdict("good" if line.words >= good_words else "short", "keep")
        if prefix is not None and verdict.final == "keep":
            verdict.strip_to = prefix.end
            verdict.category, verdict.rule = prefix.category, prefix.rule.id
            if not line.text[prefix.end:].strip():
                verdict.remove(prefix.category, prefix.rule.id)
        verdicts.append(verdict)
    return verdicts


def _non_blank(lines: Sequence[Line]) -> list[int]:
    return [line.index for line in lines if not line.blank]


def mark_title(lines: Sequence[Line], verdicts: list[Verdict], start: int | None,
               max_words: int = TITLE_MAX_WORDS_DEFAULT, search_lines: int = TITLE_SEARCH_LINES_DEFAULT) -> int | None:
    """The title: the first line of two or more words left standing, if it is heading-shaped and
    comes before the body.

    Lines right below it that only repeat parts of it (a headline split over two lines) go too,
    as does any later exact repeat of it.
    """
    title = None
    for seen, index in enumerate(_non_blank(lines)):
        if seen >= search_lines:
            break
        line = lines[index]
        if verdicts[index].removed or line.words < 2:
            continue  # a removed line or a one-word menu item above the headline
        if line.words <= max_words and not line.text.endswith((".", ":", ",", ";")) and (
                start is None or index <= start):
            title = index
        break
    if title is None:
        return None
    verdicts[title].remove("title", "title.first_heading")
    title_key = f" {lines[title].key} "
    for line in lines[title + 1:]:
        if line.blank or verdicts[line.index].removed:
            continue
        if line.key == lines[title].key:
            verdicts[line.index].remove("title", "title.repeat")
        elif line.index <= title + 4 and line.words >= 2 and f" {line.key} " in title_key:
            verdicts[line.index].remove("title", "title.repeat")
    return title


def mark_duplicates(lines: Sequence[Line], verdicts: list[Verdict], start: int | None,
                    min_words: int = DUPLICATE_MIN_WORDS_DEFAULT,
                    tail_words: int = DUPLICATE_TAIL_WORDS_DEFAULT) -> None:
    """A line repeated elsewhere goes; the body copy stays.

    A copy with a few extra words at its end or start (a caption that repeats a paragraph plus a
    credit) is the caption. Of two identical copies, one above the body goes, else the later one.
    """
    first_seen: dict[str, int] = {}
    folded = {}
    for line in lines:
        if line.words >= min_words and not verdicts[line.index].removed:
            folded[line.index] = line.text.casefold()
            first_seen.setdefault(folded[line.index], line.index)
    for key, index in first_seen.items():
        extra = min(tail_words, lines[index].words - min_words)
        for cut in range(1, extra + 1):
            if (first_seen.get(key.rsplit(" ", cut)[0], index) != index
                    or first_seen.get(key.split(" ", cut)[-1], index) != index):
                verdicts[index].remove("duplicate", "duplicate.near_copy")
                break
    for index, key in folded.items():
        keeper = first_seen.get(key)
        if keeper is None or keeper == index or verdicts[index].removed:
            continue
        if start is not None and keeper < start <= index and not verdicts[keeper].removed:
            verdicts[keeper].remove("duplicate", "duplicate.repeat")
            first_seen[key] = index
        else:
            verdicts[index].remove("duplicate", "duplicate.repeat")


def grow_blocks(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], verdicts: list[Verdict],
                blocks: dict[str, Block], edges_enabled: bool = True) -> None:
    """Let each category's removed lines grow into the run the category comes in."""
    order = _non_blank(lines)
    members: dict[str, list[int]] = {}
    weak: dict[str, set[int]] = {}
    for pos, index in enumerate(order):
        verdict = verdicts[index]
        if verdict.removed and verdict.category in blocks:
            members.setdefault(verdict.category, []).append(pos)
        for hit in hits[index]:
            if not hit.strong:
                weak.setdefault(hit.category, set()).add(pos)
    for category, found in members.items():
        block = blocks[category]
        in_run = set(found)
        _absorb_weak(in_run, weak.get(category, set()), block.gap)
        _absorb_sandwiched(in_run, block.gap)
        if edges_enabled and block.edges:
            others = {pos for pos, index in enumerate(order)
                      if verdicts[index].removed and verdicts[index].category != category}
            others.update(*(hinted for other, hinted in weak.items() if other != category))
            _absorb_edges(in_run, order, lines, block, others)
        for pos in sorted(in_run):
            verdict = verdicts[order[pos]]
            if not verdict.removed:
                verdict.remove(category, f"{category}.block")


def _absorb_weak(in_run: set[int], weak: set[int], gap: int) -> None:
    """Weak hints chained to the run (each within ``gap + 1`` positions of the next) join it.

    On a line, the chains are the runs of sorted positions whose steps are at most ``gap + 1``;
    one sorted pass finds them (a fixpoint loop was cubic on thousands of repeated hints).
    """
    chain: list[int] = []
    seeded = False
    for pos in sorted(in_run | weak):
        if chain and pos - chain[-1] > gap + 1:
            if seeded:
                in_run.update(chain)
            chain, seeded = [], False
        chain.append(pos)
        seeded = seeded or pos in in_run
    if seeded:
        in_run.update(chain)


def _absorb_sandwiched(in_run: set[int], gap: int) -> None:
    ordered = sorted(in_run)
    for left, right in zip(ordered, ordered[1:]):
        if 1 < right - left <= gap + 1:
            in_run.update(range(left + 1, right))


def _absorb_edges(in_run: set[int], order: list[int], lines: Sequence[Line], block: Block,
                  others: Set[int] = frozenset()) -> None:
    """Short lines touching the run join it; a line another category took or hints at ends the walk."""
    def fits(pos: int) -> bool:
        if pos in others:
            return False
        line = lines[order[pos]]
        if line.words > block.edge_words:
            return False
        return not (block.edge_no_period and line.text.endswith((".", "!", "?", "…")))

    before_cap = block.edges if block.edges_before is None else block.edges_before
    for member in sorted(in_run):
        pos, taken = member + 1, 0
        while pos < len(order) and taken < block.edges and pos not in in_run and fits(pos):
            in_run.add(pos)
            pos, taken = pos + 1, taken + 1
        pos, taken = member - 1, 0
        while pos >= 0 and taken < before_cap and pos not in in_run and fits(pos):
            in_run.add(pos)
            pos, taken = pos - 1, taken + 1


def mark_sandwiched(lines: Sequence[Line], verdicts: list[Verdict],
                    max_words: int = SANDWICH_MAX_WORDS_DEFAULT) -> None:
    """A short line whose neighbours both went is residue of the same kind as the one above it."""
    order = _non_blank(lines)
    for pos in range(1, len(order) - 1):
        index = order[pos]
        if verdicts[index].removed or lines[index].words > max_words:
            continue
        above, below = verdicts[order[pos - 1]], verdicts[order[pos + 1]]
        if above.removed and below.removed and above.category not in ("title", "duplicate"):
            verdicts[index].remove(above.category, f"{above.category}.between_removed")


def mark_outside_body(lines: Sequence[Line], verdicts: list[Verdict], start: int | None, end: int | None,
                      max_words: int = OUTSIDE_MAX_WORDS_DEFAULT, min_run: int = OUTSIDE_MIN_RUN_DEFAULT) -> None:
    """Runs of short lines above or below the article body that do not end sentences are menus,
    section lists, buttons and link stubs; headings inside the body, and a lone short line next to
    it (a heading, a sign-off), stay."""
    if start is None:
        return
    run: list[int] = []
    for line in lines:
        if line.blank:
            continue
        index = line.index
        verdict = verdicts[index]
        outside = index < start or index > end
        if outside and not verdict.removed and line.words <= max_words and not ends_sentence(line.text):
            run.append(index)
            continue
        if outside and verdict.removed and run:
            continue  # removed lines do not break a run
        _remove_run(run, verdicts, min_run)
        run = []
    _remove_run(run, verdicts, min_run)


def _remove_run(run: list[int], verdicts: list[Verdict], min_run: int) -> None:
    if len(run) >= min_run:
        for index in run:
            verdicts[index].remove("navigation", "navigation.outside_body")


MODEL_NEIGHBOUR_REACH = 2
MODEL_SHORT_WORDS = 6
# A subheading inside the body (a short unfinished line whose nearest surviving neighbours are both
# prose) stays unless the model is this sure it is residue: on the bench this costs nothing, and a
# clean article keeps its section headings.
HEADING_FLOOR_DEFAULT = 0.2
HEADING_MAX_WORDS_DEFAULT = 12
# A whole sentence (at least this many words, ending a sentence) goes only when the model scores it
# under SENTENCE_FACTOR_DEFAULT x the mode's threshold: losing a body sentence costs the reader more
# than keeping a stray one. On the bench's extractor residue (R2) this costs nothing; it keeps body
# paragraphs that sit between residue boxes (tests/data/multilingual).
SENTENCE_MIN_WORDS_DEFAULT = 8
SENTENCE_FACTOR_DEFAULT = 0.45


def apply_scores(verdicts: list[Verdict], scores: Sequence[float] | None, threshold: float,
                 lines: Sequence[Line] | None = None, hits: Sequence[Sequence[Hit]] | None = None,
                 heading_floor: float = HEADING_FLOOR_DEFAULT,
                 sentence_factor: float = SENTENCE_FACTOR_DEFAULT) -> None:
    """The model decides the lines the rules left open: those scoring below ``threshold`` go,
    whole sentences only below ``sentence_factor * threshold``, subheadings between body paragraphs
    only below ``heading_floor``.

    Each such line gets a category: its own weak hints' (strongest first), else that of a line the
    rules removed right next to it (runs share a kind), else by shape: a short or unfinished line
    is navigation, a sentence is a teaser/blurb (related_links).
    """
    if scores is None:
        return
    taken = []
    for index, (verdict, score) in enumerate(zip(verdicts, scores)):
        if verdict.final == "blank":
            continue
        verdict.score = float(score)
        if not verdict.removed and score < threshold:
            taken.append(index)
    if lines is not None and taken:
        taken = [i for i in taken if scores[i] < sentence_factor * threshold or not _is_sentence(lines[i])]
    if lines is not None and taken:
        headings = _body_subheadings(lines, verdicts)
        taken = [i for i in taken if i not in headings or scores[i] < heading_floor]
    named = [(i, _model_category(i, verdicts, lines, hits)) for i in taken]
    for index, category in named:
        verdicts[index].remove(category, "model")


def _is_sentence(line: Line) -> bool:
    return line.words >= SENTENCE_MIN_WORDS_DEFAULT and ends_sentence(line.text)


def _body_subheadings(lines: Sequence[Line], verdicts: Sequence[Verdict],
                      max_words: int = HEADING_MAX_WORDS_DEFAULT) -> set[int]:
    """Short unfinished lines the rules left, whose nearest surviving neighbours are both prose."""
    alive = [line.index for line in lines if not line.blank and not verdicts[line.index].removed]

    def prose(index: int) -> bool:
        return lines[index].words >= GOOD_WORDS_DEFAULT and ends_sentence(lines[index].text)

    return {index for before, index, after in zip(alive, alive[1:], alive[2:])
            if lines[index].words <= max_words and not ends_sentence(lines[index].text)
            and prose(before) and prose(after)}


def _model_category(index: int, verdicts: Sequence[Verdict], lines: Sequence[Line] | None,
                    hits: Sequence[Sequence[Hit]] | None) -> str:
    if hits is not None:
        weak = _strongest(h for h in hits[index] if not h.strong)
        if weak is not None:
            return weak.category
    for step in range(1, MODEL_NEIGHBOUR_REACH + 1):
        for other in (index - step, index + step):
            if 0 <= other < len(verdicts) and verdicts[other].removed and verdicts[other].rule != "model" \
                    and verdicts[other].category not in (None, "title", "duplicate"):
                return verdicts[other].category or "navigation"
    if lines is None:
        return "navigation"
    line = lines[index]
    if line.words < MODEL_SHORT_WORDS or not ends_sentence(line.text):
        return "navigation"
    return "related_links"


def decide(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], blocks: dict[str, Block], *,
           scores: Sequence[float] | None = None, mode: str = "balanced", keep: Iterable[str] = (),
           thresholds: dict[str, float] | None = None, repeated: Mapping[int, Evidence] | None = None) -> Decision:
    """``repeated``: lines the source memory names (``heuristics.memory``), removed after the rules."""
    verdicts = initial_labels(lines, hits, *body_span(lines))
    grow_blocks(lines, hits, verdicts, blocks, edges_enabled=mode != "recall")
    start, end = body_span(lines, verdicts)
    if repeated:  # after the body span: the memory takes lines, it does not move the article
        mark_repeated(lines, hits, verdicts, repeated, is_body=is_prose)
    title = mark_title(lines, verdicts, start)
    mark_duplicates(lines, verdicts, start)
    mark_outside_body(lines, verdicts, start, end)
    mark_sandwiched(lines, verdicts)
    apply_scores(verdicts, scores, (thresholds or MODE_THRESHOLDS_DEFAULT)[mode], lines, hits)
    kept_categories = set(keep)
    for verdict in verdicts:
        if verdict.removed and verdict.category in kept_categories:
            verdict.final = "keep"
    return Decision(verdicts=verdicts, title_line=title, body_start=start, body_end=end)
