"""Stage 4, decide: from rule hits (and model scores, when there is a model) to keep/remove per line.

Shaped like jusText: every line first gets a context-free label from its own text, then a
revised one from its neighbours; both are kept on the ``Verdict`` so ``explain`` can show them.

Context-free labels: ``blank``, ``bad`` (a strong rule fired), ``weak`` (only hints fired),
``good`` (prose-length line), ``short``.
Revision, in order: runs of a category growing over their neighbours (the category's ``[block]``
settings); the title and its repeats; duplicated lines; menus outside the body; short lines
sandwiched between removed lines; then the model decides what the rules left open.

Removal evidence has levels: a strong category rule (keyword or pattern), a block grown from one,
a context rule (title, duplicate, menu, sandwich), the model. Shape alone is not evidence for what
reads as body: a menu needs vocabulary, links or link-like items, and its phrases in the page's
language and fact-box fields stay; a list item inside the body goes by the model only with a rule
hint or a rule-removed neighbour; a whole sentence only at a fraction of the model's threshold; the
title must be heading-shaped; in ``recall`` mode a duplicate must also look like residue. Word counts
are script-aware (``effective_words``: characters for scripts written without spaces). Every
threshold is a field of ``settings.Settings``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import AbstractSet as Set
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from . import _decide
from .language import stoplist
from .memory.evidence import mark_repeated
from .memory.policy import Evidence
from .rules import Block, Hit
from .segment import Line
from .settings import EVIDENCE_FIRST, SETTINGS, Settings
from .vocabulary import CATEGORY_PRIORITY, SCRIPT_FULL_STOPS, SENTENCE_END, WORD_RE

GOOD_WORDS_DEFAULT = SETTINGS.good_words

_PRIORITY = {category: rank for rank, category in enumerate(CATEGORY_PRIORITY)}
# A headline may ask or exclaim, but does not end like a statement or run on into a list or a clause.
_TITLE_STOPS = (".", ":", ",", ";", "。", ".\"", ".”", *SCRIPT_FULL_STOPS)
# Scripts written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan).
_UNSPACED_RE = re.compile("[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                          "\u4e00-\u9fff\uf900-\ufaff]")
# A price (a currency sign or code next to a number): product lines, not headlines.
_PRICE_RE = re.compile(r"(?:[$€£¥]|\b(?:EUR|USD|GBP|CHF|PLN|zł|Fr\.))\s?\d|\d(?:[.,]\d{1,2})?\s?(?:[$€£¥]|"
                       r"(?:EUR|USD|GBP|CHF|PLN|zł)\b)")
# A list item: a bullet or an enumeration mark ("1)", "2.", "a)") in front of the text.
_LIST_MARK_RE = re.compile(r"^(?:[-–—•·*►▪▸■□●○◦→»+]\s|\(?\d{1,3}[.)]\s|\(?[a-zA-Z][)]\s)")
# A field of a spec list, a CV or a fact box: a short label, a colon, a value.
_FIELD_RE = re.compile(r"^[^:.!?]{1,40}:\s+\S")
_QUOTES_OPEN = "\"'“”„«»‚‘’「『"
# Closing quotes or brackets (and a footnote number after them) at the end of a line: what a sentence
# end hides behind ("... nutzen.”1", "(Hier die Online-Version.)").
_CLOSING_TAIL_RE = re.compile(r"(?:[)\]\"'”’»›」』]+\d{0,3}|[)\]\"'”’»›」』]*)$")
# A full stop between two sentences (a word of three letters or more, the stop, a capital next):
# running text, not a headline ("... multiplizierst. Siehe Kapitel Masse!").
_SENTENCE_BREAK_RE = re.compile(r"[^\W\d_]{3}\.\s+([^\W\d_])")
# The same in scripts without capitals: a full stop of the script with more text after it.
_CASELESS_BREAK_RE = re.compile("[" + "".join(SCRIPT_FULL_STOPS) + "。]" + r"\s*[^\W\d_]")
# A statement or an exclamation ends here (a question, a heading or a label does not).
_STATEMENT_STOPS = (".", "!", "。", "！", "…", *SCRIPT_FULL_STOPS)
# A web address: a link line or a shared post, not a headline.
_URL_RE = re.compile(r"://|\bwww\.")


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
    return text.endswith(SENTENCE_END)


def effective_words(line: Line, chars_per_word: float = SETTINGS.chars_per_word) -> int:
    """The line's word count, script-aware: in scripts written without spaces (Chinese, Japanese,
    Thai ...) a "word" of the tokenizer is a whole phrase, so those characters count per
    ``chars_per_word``."""
    if line.text.isascii():
        return line.words
    unspaced = len(_UNSPACED_RE.findall(line.text))
    if not unspaced:
        return line.words
    return max(line.words, round(unspaced / chars_per_word) + len(WORD_RE.findall(_UNSPACED_RE.sub(" ", line.text))))


def page_facts_reference(lines: Sequence[Line], chars_per_word: float, good_words: int, sentence_words: int
                         ) -> tuple[list[int], list[bool], list[bool], list[bool], list[int]]:
    """Per line: ``effective_words`` (0 for a blank line), whether it ends a sentence, whether it is prose
    (``good_words`` or more) and a sentence (``sentence_words`` or more); and the non-blank lines' indices.
    ``_decide.page_facts`` computes the same in one compiled pass."""
    texts = [line.text for line in lines]
    words = _decide.effective_word_counts(texts, [line.words for line in lines], chars_per_word)
    ends = [text.endswith(SENTENCE_END) for text in texts]
    prose = [end and count >= good_words for end, count in zip(ends, words)]
    sentence = [end and count >= sentence_words for end, count in zip(ends, words)]
    return words, ends, prose, sentence, [line.index for line in lines if line.text]


class Page:
    """Per-line facts the revision steps share, computed once per document (``_decide.page_facts``):
    script-aware word counts (``effective_words``), sentence ends, prose and sentence shapes, the non-blank
    lines; keys and function words on first use (most long lines never need a key: ``has_key`` decides a
    comparison from a long line's first characters)."""

    def __init__(self, lines: Sequence[Line], language: str | None, settings: Settings):
        self.lines = lines
        self.settings = settings
        self.words, self._ends, self._prose, self._sentence, self._order = _decide.page_facts(
            lines if isinstance(lines, list) else list(lines), settings.chars_per_word, settings.good_words,
            settings.body_sentence_words, SENTENCE_END)
        self._stops = stoplist(language)
        self._function_words: dict[int, int] = {}
        self._position = {index: pos for pos, index in enumerate(self._order)}

    def key(self, index: int) -> str:
        """The line's matching key (``Line.key``), computed by the compiled pass when it is not cached yet."""
        line = self.lines[index]
        if line.cached_key is None:
            line.cached_key = _decide.line_keys([line.text])[0]
        return line.cached_key

    def has_key(self, index: int, key: str) -> bool:
        """``self.key(index) == key``; a long line without a cached key is compared from its first characters
        when they already differ (``_decide.key_equals``)."""
        line = self.lines[index]
        if line.cached_key is not None:
            return line.cached_key == key
        return _decide.key_equals(line.text, key)

    def function_words(self, index: int) -> int:
        """How many of the line's words are function words of the page's language (0 without a stoplist)."""
        if index not in self._function_words:
            stops = self._stops
            self._function_words[index] = sum(1 for word in self.key(index).split() if word in stops) \
                if stops else 0
        return self._function_words[index]

    def is_prose(self, index: int) -> bool:
        return self._prose[index]

    def is_sentence(self, index: int) -> bool:
        return self._sentence[index]

    def is_phrase(self, index: int) -> bool:
        """A run of words with a function word of the page's language: text, not a menu item."""
        return self.words[index] >= self.settings.body_phrase_words and self.function_words(index) > 0

    def is_list_item(self, index: int) -> bool:
        return bool(_LIST_MARK_RE.match(self.lines[index].text))

    def introduced_list(self, index: int) -> bool:
        """The line is one of a run of list items or fields that a text line ending in a colon opens
        ("Our favourite spots:" and the list under it)."""
        pos = self._position[index]
        while pos > 0:
            pos -= 1
            above = self._order[pos]
            if not (self.is_list_item(above) or self.is_field(above)):
                text = self.lines[above].text
                return text.endswith(":") and self.words[above] >= self.settings.body_phrase_words
        return False

    def is_field(self, index: int) -> bool:
        return bool(_FIELD_RE.match(self.lines[index].text))

    def is_link_like(self, index: int) -> bool:
        """A menu item's shape: a few words (or mostly link text on a page), no sentence, no field."""
        line = self.lines[index]
        if line.html is not None and line.html.matched:
            return line.html.link_density >= self.settings.menu_link_density
        return (self.words[index] <= self.settings.menu_item_words and not ends_sentence(line.text)
                and not self.is_field(index) and not self.is_phrase(index))


def is_prose(line: Line, good_words: int = GOOD_WORDS_DEFAULT) -> bool:
    """A sentence-length line that ends a sentence: what article bodies are made of."""
    return effective_words(line) >= good_words and ends_sentence(line.text)


def body_span(lines: Sequence[Line], verdicts: Sequence[Verdict] | None = None, page: Page | None = None
              ) -> tuple[int | None, int | None]:
    """First and last prose line (not already removed): the article body sits between them."""
    if page is None:
        prose = [is_prose(line) for line in lines]
    else:
        prose = page._prose
    start = end = None
    for index, line_prose in enumerate(prose):
        if line_prose and (verdicts is None or verdicts[index].final != "remove"):
            if start is None:
                start = index
            end = index
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
    """The hit of the highest-priority category (the first of them on a tie)."""
    best, best_rank = None, 0
    for hit in hits:
        rank = _PRIORITY.get(hit.rule.category, 99)
        if best is None or rank < best_rank:
            best, best_rank = hit, rank
    return best


def initial_labels(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], start: int | None, end: int | None,
                   good_words: int = GOOD_WORDS_DEFAULT, *, words: Sequence[int] | None = None) -> list[Verdict]:
    """Label each line from its own text and its own rule hits only. ``words``: the lines' ``effective_words``
    when known (``Page.words``)."""
    verdicts = []
    append = verdicts.append
    for line, line_hits in zip(lines, hits):
        if not line.text:
            append(Verdict("blank", "blank"))
            continue
        count = words[line.index] if words is not None else effective_words(line)
        if not line_hits:  # most lines: no rule fired
            append(Verdict("good" if count >= good_words else "short", "keep"))
            continue
        prefix, strong, weak = _read_hits(line_hits, line.index, start, end)
        if strong is not None:
            verdict = Verdict("bad", "remove", strong.rule.category, strong.rule.id)
        elif weak:
            verdict = Verdict("weak", "keep")
        else:
            verdict = Verdict("good" if count >= good_words else "short", "keep")
        if prefix is not None and verdict.final == "keep":
            verdict.strip_to = prefix.end
            verdict.category, verdict.rule = prefix.category, prefix.rule.id
            if not line.text[prefix.end:].strip():
                verdict.remove(prefix.category, prefix.rule.id)
        append(verdict)
    return verdicts


def _read_hits(line_hits: Sequence[Hit], index: int, start: int | None, end: int | None
               ) -> tuple[Hit | None, Hit | None, bool]:
    """Of a line's hits usable where it sits (``_where_ok``): the first prefix, the strongest strong non-prefix
    hit (``_strongest``), and whether any is weak (a prefix too); one pass over the hits."""
    prefix = None
    strong: list[Hit] = []
    weak = False
    for hit in line_hits:
        rule = hit.rule
        if not _where_ok(rule.where, index, start, end):
            continue
        is_strong = rule.strength == "strong"
        if rule.kind == "prefix":
            if prefix is None:
                prefix = hit
        elif is_strong:
            strong.append(hit)
        weak = weak or not is_strong
    return prefix, _strongest(strong), weak


def _non_blank(lines: Sequence[Line]) -> list[int]:
    return [line.index for line in lines if line.text]


def _rule_removed(verdict: Verdict) -> bool:
    """Removed by a rule naming the line or a block grown from one (not by context or the model)."""
    return verdict.final == "remove" and verdict.rule not in (None, "model") and verdict.category not in ("title", "duplicate") \
        and not (verdict.rule or "").endswith((".outside_body", ".between_removed"))


def _heading_shaped(page: Page, index: int, hits: Sequence[Sequence[Hit]], max_words: int) -> bool:
    """A headline: two or more words, not too long, no statement end (also behind closing quotes), no price,
    no list mark, no web address, no full stop between sentences, no rule hint
    (a disclosure or a label), not a whole-line quote."""
    line = page.lines[index]
    text = line.text
    if page.words[index] < 2 or page.words[index] > max_words or _ends_statement(text):
        return False
    if any(hit.strong or hit.category in _NOT_TITLE_HINTS for hit in hits[index]) or _PRICE_RE.search(text):
        return False
    if _LIST_MARK_RE.match(text) or _URL_RE.search(text) or _runs_on(text):
        return False
    return not (text[0] in _QUOTES_OPEN and text[-1] in _QUOTES_OPEN)


def _ends_statement(text: str) -> bool:
    """The line ends like a statement or a clause, also behind closing quotes, brackets or a footnote mark."""
    return text.endswith(_TITLE_STOPS) or _CLOSING_TAIL_RE.sub("", text).endswith(_TITLE_STOPS)


def _states(text: str) -> bool:
    """The line ends a statement or an exclamation (a question, a heading or a label does not)."""
    bare = _CLOSING_TAIL_RE.sub("", text)
    return bare.endswith(_STATEMENT_STOPS)


def _runs_on(text: str) -> bool:
    """Two sentences joined by a full stop: running text (a headline may exclaim or ask, then go on)."""
    return (any(match.group(1).isupper() for match in _SENTENCE_BREAK_RE.finditer(text))
            or _CASELESS_BREAK_RE.search(text) is not None)


# Hints that make a line a notice, not a headline (a disclosure, an appeal, a caption).
_NOT_TITLE_HINTS = frozenset({"advertisement", "legal", "donation_appeal", "subscription_prompt", "cookie_notice",
                              "credit", "caption", "source_residue", "comments", "share_social"})


def _matches_title(key: str, title_key: str) -> bool:
    """The line is the page's stated title, its headline part ("Headline | Site"), or the title with a
    kicker; a title of one or two words inside a longer line is a word of it, not the title."""
    if not key or not title_key:
        return False
    if key == title_key:
        return True
    if key.count(" ") >= 1 and f" {key} " in f" {title_key} ":
        return True
    return title_key.count(" ") >= 2 and f" {title_key} " in f" {key} "


def mark_title(lines: Sequence[Line], verdicts: list[Verdict], start: int | None,
               max_words: int = SETTINGS.title_max_words,
               search_lines: int = SETTINGS.title_search_lines, *,
               hits: Sequence[Sequence[Hit]] | None = None, page: Page | None = None,
               title_hint: str | None = None) -> int | None:
    """The title: in the head of the page, the first line of two or more words left standing, if it
    is heading-shaped and comes before the body, and something says this is the page head.

    The page head is known when the page's own title (HTML/metadata, ``title_hint``) is that line,
    when the line opens the text, when the line repeats later, or when a line a rule removed (a byline, a date, a menu, a share bar)
    sits right next to it. With ``title_hint`` only a line matching it can be the title. Lines right
    below it that only repeat parts of it (a headline split over two lines) go too, as does any later
    exact repeat of it.
    """
    from .segment import line_key

    page = page or Page(lines, None, SETTINGS)
    hits = hits if hits is not None else [[] for _ in lines]
    hint_key = line_key(title_hint) if title_hint else ""
    order = page._order
    title = None
    for seen, index in enumerate(order):
        if seen >= search_lines:
            break
        if verdicts[index].final == "remove" or page.words[index] < 2:
            continue  # a removed line or a one-word menu item above the headline
        if hint_key:
            if _matches_title(page.key(index), hint_key) and page.words[index] <= max_words \
                    and not _ends_statement(lines[index].text):
                title = index
                break
            continue
        if _heading_shaped(page, index, hits, max_words) and (start is None or index <= start) \
                and _head_corroborated(lines, verdicts, order, order.index(index), page):
            title = index
        break
    if title is None:
        return None
    verdicts[title].remove("title", "title.first_heading")
    _remove_title_repeats(lines, verdicts, title, page)
    return title


def _remove_title_repeats(lines: Sequence[Line], verdicts: list[Verdict], title: int, page: Page) -> None:
    """Later exact repeats of the title go, and so do lines right below it that repeat a part of it."""
    key = page.key(title)
    title_key = f" {key} "
    for index in page._order[page._position[title] + 1:]:
        verdict = verdicts[index]
        if verdict.final == "remove":
            continue
        if page.has_key(index, key):
            verdict.remove("title", "title.repeat")
        elif index <= title + 4 and lines[index].words >= 2 and f" {page.key(index)} " in title_key:
            verdict.remove("title", "title.repeat")


def _head_corroborated(lines: Sequence[Line], verdicts: Sequence[Verdict], order: list[int], pos: int,
                       page: Page) -> bool:
    """The line opens the text (or follows one-word menu items), repeats later, or a rule-removed
    line is within reach of it: it sits in a page head."""
    if pos == 0 or any(lines[index].words < 2 for index in order[:pos]):
        return True  # the first line, or below one-word menu items
    key = page.key(order[pos])
    if any(page.has_key(index, key) for index in order[pos + 1:]):
        return True
    reach = page.settings.title_corroboration_reach
    near = order[max(pos - reach, 0):pos] + order[pos + 1:pos + 1 + reach]
    return any(_rule_removed(verdicts[index]) for index in near)


def mark_duplicates(lines: Sequence[Line], verdicts: list[Verdict], start: int | None,
                    min_words: int = SETTINGS.duplicate_min_words,
                    tail_words: int = SETTINGS.duplicate_tail_words, *,
                    end: int | None = None, structure_copies: int = SETTINGS.duplicate_structure_copies,
                    page: Page | None = None) -> None:
    """A repeat that is residue goes; the body copy stays.

    A copy with a few extra words at its end or start (a caption that repeats a paragraph plus a
    credit) is the caption. Of two identical copies, one above the body goes (a headline repeated
    under a teaser); a later copy goes when it sits outside the body, does not read as a body
    sentence, or sits next to a line a rule removed (a caption or teaser box). A line repeated
    ``structure_copies`` times or more is a regular structure (the same question put to each guest,
    recipe headers) and stays, unless it states something (a statement repeated under every comment is
    a signature or a boilerplate box); so does a second copy of a body sentence inside the body.
    """
    first_seen: dict[str, int] = {}
    copies: dict[str, int] = {}
    folded = {}
    for line, verdict in zip(lines, verdicts):
        if line.words >= min_words and verdict.final != "remove":
            index = line.index
            key = folded[index] = line.text.casefold()
            first_seen.setdefault(key, index)
            copies[key] = copies.get(key, 0) + 1
    lengths = {len(key) for key in first_seen}
    for key, index in first_seen.items():
        extra = min(tail_words, lines[index].words - min_words)
        if extra > 0 and _has_near_copy(key, index, extra, first_seen, lengths):
            verdicts[index].remove("duplicate", "duplicate.near_copy")
    if len(first_seen) == len(folded):
        return  # no two copies: nothing below applies
    page = page or Page(lines, None, SETTINGS)
    order, position = page._order, page._position
    evidence_first = page.settings.duplicates_need_residue
    for index, key in folded.items():
        keeper = first_seen.get(key)
        if keeper is None or keeper == index or verdicts[index].final == "remove":
            continue
        many = copies[key] >= structure_copies
        if evidence_first and many and not _states(lines[index].text):
            continue  # a regular structure: the same question to each guest, recipe headers
        if start is not None and keeper < start <= index and not verdicts[keeper].removed:
            verdicts[keeper].remove("duplicate", "duplicate.repeat")
            first_seen[key] = index
        elif not evidence_first or many or _residue_copy(index, verdicts, order, position, start, end, page):
            verdicts[index].remove("duplicate", "duplicate.repeat")


def _has_near_copy(key: str, index: int, extra: int, first_seen: dict[str, int], lengths: set[int]) -> bool:
    """Another line is this one less its last or first 1 to ``extra`` words (``key.rsplit(" ", cut)[0]``,
    ``key.split(" ", cut)[-1]``); compiled (``_decide.has_near_copy``): the cut points come from a scan for
    spaces, and a piece is cut out and looked up only when some line has its length."""
    return _decide.has_near_copy(key, index, extra, first_seen, lengths)


def _residue_copy(index: int, verdicts: Sequence[Verdict], order: list[int], position: dict[int, int],
                  start: int | None, end: int | None, page: Page) -> bool:
    """A later copy is residue outside the body, when it does not read as a body sentence, or next
    to a line a rule removed."""
    if start is None or end is None or index < start or index > end or not page.is_sentence(index):
        return True
    pos = position[index]
    return any(_rule_removed(verdicts[order[p]]) for p in (pos - 1, pos + 1) if 0 <= p < len(order))


def grow_blocks(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], verdicts: list[Verdict],
                blocks: dict[str, Block], edges_enabled: bool = True, *, page: Page | None = None) -> None:
    """Let each category's removed lines grow into the run the category comes in (``page``: its non-blank
    lines, when the caller has them)."""
    order = page._order if page is not None else _non_blank(lines)
    members: dict[str, list[int]] = {}
    weak: dict[str, set[int]] = {}
    removed: list[int] = []  # positions of the removed lines (a category's run only adds to them)
    for pos, index in enumerate(order):
        verdict = verdicts[index]
        if verdict.final == "remove":
            removed.append(pos)
            if verdict.category in blocks:
                members.setdefault(verdict.category, []).append(pos)
        for hit in hits[index]:
            rule = hit.rule
            if rule.strength != "strong":
                weak.setdefault(rule.category, set()).add(pos)
    for category, found in members.items():
        block = blocks[category]
        in_run = set(found)
        _absorb_weak(in_run, weak.get(category, set()), block.gap)
        _absorb_sandwiched(in_run, block.gap)
        if edges_enabled and block.edges:
            others = {pos for pos in removed if verdicts[order[pos]].category != category}
            others.update(*(hinted for other, hinted in weak.items() if other != category))
            _absorb_edges(in_run, order, lines, block, others)
        for pos in sorted(in_run):
            verdict = verdicts[order[pos]]
            if verdict.final != "remove":
                verdict.remove(category, f"{category}.block")
                removed.append(pos)


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
        if effective_words(line) > block.edge_words:
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
                    max_words: int = SETTINGS.sandwich_max_words, page: Page | None = None) -> None:
    """A short line whose neighbours both went (not as a title or a duplicate) is residue of the same kind
    as the one above it."""
    page = page or Page(lines, None, SETTINGS)
    order, words = page._order, page.words
    for pos in range(1, len(order) - 1):
        index = order[pos]
        if verdicts[index].final == "remove" or words[index] > max_words:
            continue
        above, below = verdicts[order[pos - 1]], verdicts[order[pos + 1]]
        if above.final == "remove" and below.final == "remove" and above.category not in ("title", "duplicate"):
            verdicts[index].remove(above.category, f"{above.category}.between_removed")


def mark_outside_body(lines: Sequence[Line], verdicts: list[Verdict], start: int | None, end: int | None,
                      max_words: int = SETTINGS.outside_max_words,
                      min_run: int = SETTINGS.outside_min_run, *,
                      hits: Sequence[Sequence[Hit]] | None = None, page: Page | None = None) -> None:
    """Menus above or below the article body: runs of short lines that do not end sentences. With
    ``settings.menu_needs_evidence`` (the default) only when something says they are a menu: a
    navigation hint in the run or a line a navigation-like rule (menu, share, related, tags, legal)
    removed in it, mostly links on a page, or enough link-like items (a few words, no function-word phrase, no
    field). Lines that read as text (a phrase in the page's language, a field of a fact box) stay,
    as do headings inside the body and a lone short line next to it (a heading, a sign-off)."""
    if start is None:
        return
    page = page or Page(lines, None, SETTINGS)
    hits = hits if hits is not None else [[] for _ in lines]
    words, ends = page.words, page._ends
    run: list[int] = []
    vouched = False
    for index in page._order:  # the non-blank lines
        verdict = verdicts[index]
        outside = index < start or index > end
        removed = verdict.final == "remove"
        if outside and not removed and words[index] <= max_words and not ends[index]:
            run.append(index)
            vouched = vouched or any(h.rule.category == "navigation" for h in hits[index])
            continue
        if outside and removed and run:
            vouched = vouched or (_rule_removed(verdict) and verdict.category in _MENU_CATEGORIES)
            continue  # removed lines do not break a run
        if len(run) >= min_run:
            _remove_menu(run, verdicts, min_run, vouched, page)
        run, vouched = [], bool(outside and removed and _rule_removed(verdict)
                                and verdict.category in _MENU_CATEGORIES)
    _remove_menu(run, verdicts, min_run, vouched, page)


_MENU_CATEGORIES = frozenset({"navigation", "share_social", "related_links", "tags", "legal"})


def _remove_menu(run: list[int], verdicts: list[Verdict], min_run: int, vouched: bool, page: Page) -> None:
    if len(run) < min_run:
        return
    settings = page.settings
    vouched = vouched or _templated(run, page)
    shaped = not settings.menu_needs_evidence or _at_least(run, page.is_link_like, settings.menu_shape_min_run)
    if not (vouched or shaped):
        return
    for index in run:
        if vouched or not settings.menu_needs_evidence or not (page.is_phrase(index) or page.is_field(index)):
            verdicts[index].remove("navigation", "navigation.outside_body")


def _at_least(items: list[int], test: Callable[[int], bool], count: int) -> bool:
    """At least ``count`` of ``items`` pass ``test`` (stops asking once they do)."""
    for item in items:
        if count <= 0:
            return True
        if test(item):
            count -= 1
    return count <= 0


def _templated(run: list[int], page: Page) -> bool:
    """Items that share their leading words ("Average costs in Seattle", "Average costs in Tampa"): a
    generated list of links to sibling pages."""
    settings = page.settings
    leads = Counter(" ".join(page.key(index).split()[:settings.menu_template_words]) for index in run
                    if len(page.key(index).split()) > settings.menu_template_words)
    return any(count >= settings.menu_shape_min_run for count in leads.values())


def apply_scores(verdicts: list[Verdict], scores: Sequence[float] | None, threshold: float,
                 lines: Sequence[Line] | None = None, hits: Sequence[Sequence[Hit]] | None = None,
                 heading_floor: float = SETTINGS.heading_floor,
                 sentence_factor: float = SETTINGS.sentence_factor, *,
                 page: Page | None = None, span: tuple[int | None, int | None] = (None, None)) -> None:
    """The model decides the lines the rules left open: those scoring below ``threshold`` go,
    whole sentences only below ``sentence_factor * threshold``, subheadings between body paragraphs
    only below ``heading_floor``. A line that reads as body (a sentence, a phrase in the page's
    language, a list item or a field inside the body) goes only with corroboration: a hint of a
    rule on it or a rule-removed neighbour.

    Each such line gets a category: its own weak hints' (strongest first), else that of a line the
    rules removed right next to it (runs share a kind), else by shape: a short or unfinished line
    is navigation, a sentence is a teaser/blurb (related_links).
    """
    if scores is None:
        return
    settings = page.settings if page is not None else SETTINGS
    if getattr(scores, "dtype", None) == np.float64:
        scores = scores.tolist()  # Python floats: the same values and comparisons, read without a numpy scalar each
    taken = []
    for index, (verdict, score) in enumerate(zip(verdicts, scores)):
        final = verdict.final
        if final == "blank":
            continue
        verdict.score = float(score)
        if final != "remove" and score < threshold:
            taken.append(index)
    if lines is not None and taken:
        page = page or Page(lines, None, settings)
        taken = [i for i in taken if scores[i] < sentence_factor * threshold or not page.is_sentence(i)]
    if lines is not None and taken:
        headings = _body_subheadings(lines, verdicts, page, settings.heading_max_words)
        taken = [i for i in taken if i not in headings or scores[i] < heading_floor]
    if lines is not None and taken and settings.model_body_needs_evidence:
        taken = [i for i in taken if not _reads_as_body(i, page, span) or _corroborated(i, verdicts, hits)]
    named = [(i, _model_category(i, verdicts, lines, hits, page)) for i in taken]
    for index, category in named:
        verdicts[index].remove(category, "model")


def _reads_as_body(index: int, page: Page, span: tuple[int | None, int | None]) -> bool:
    start, end = span
    if not page.is_list_item(index):
        return False
    if start is not None and end is not None and start <= index <= end:
        return True  # an item of a list between body paragraphs
    return page.introduced_list(index)


def _corroborated(index: int, verdicts: Sequence[Verdict], hits: Sequence[Sequence[Hit]] | None) -> bool:
    if hits is not None and hits[index]:
        return True
    for other in (index - 1, index + 1):
        if 0 <= other < len(verdicts) and _rule_removed(verdicts[other]):
            return True
    return False


def _body_subheadings(lines: Sequence[Line], verdicts: Sequence[Verdict], page: Page | None = None,
                      max_words: int = SETTINGS.heading_max_words) -> set[int]:
    """Short unfinished lines the rules left, whose nearest surviving neighbours are both prose."""
    page = page or Page(lines, None, SETTINGS)
    alive = [index for index in page._order if verdicts[index].final != "remove"]
    words, ends, prose = page.words, page._ends, page._prose
    return {index for before, index, after in zip(alive, alive[1:], alive[2:])
            if words[index] <= max_words and not ends[index] and prose[before] and prose[after]}


def _model_category(index: int, verdicts: Sequence[Verdict], lines: Sequence[Line] | None,
                    hits: Sequence[Sequence[Hit]] | None, page: Page | None = None) -> str:
    settings = page.settings if page is not None else SETTINGS
    if hits is not None and hits[index]:
        weak = _strongest(h for h in hits[index] if h.rule.strength != "strong")
        if weak is not None:
            return weak.rule.category
    for step in range(1, settings.model_neighbour_reach + 1):
        for other in (index - step, index + step):
            if 0 <= other < len(verdicts) and verdicts[other].final == "remove" and verdicts[other].rule != "model" \
                    and verdicts[other].category not in (None, "title", "duplicate"):
                return verdicts[other].category or "navigation"
    if lines is None:
        return "navigation"
    words = page.words[index] if page is not None else effective_words(lines[index])
    if words < settings.model_short_words or not ends_sentence(lines[index].text):
        return "navigation"
    return "related_links"


def decide(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], blocks: dict[str, Block], *,
           scores: Sequence[float] | None = None, mode: str = "balanced", keep: Iterable[str] = (),
           thresholds: dict[str, float] | None = None, language: str | None = None,
           title_hint: str | None = None, settings: Settings = SETTINGS,
           repeated: Mapping[int, Evidence] | None = None) -> Decision:
    """Keep or remove every line. ``language``: the page's (its function words tell text from menus);
    ``title_hint``: the title the page states (HTML/metadata), which then names the title line;
    ``repeated``: lines the source memory names (``heuristics.memory``), removed after the rules."""
    if mode == "recall":
        settings = replace(settings, **EVIDENCE_FIRST)
    page = Page(lines, language, settings)
    # The initial labels count words at the default chars_per_word (as they always have); the page's counts
    # serve when the settings keep it.
    default_count = settings.chars_per_word == SETTINGS.chars_per_word
    verdicts = initial_labels(lines, hits, *body_span(lines, page=page), good_words=settings.good_words,
                              words=page.words if default_count else None)
    grow_blocks(lines, hits, verdicts, blocks, edges_enabled=mode != "recall", page=page)
    start, end = body_span(lines, verdicts, page)
    if repeated:  # after the body span: the memory takes lines, it does not move the article
        mark_repeated(lines, hits, verdicts, repeated, is_body=lambda line: is_prose(line, settings.good_words))
    title = mark_title(lines, verdicts, start, settings.title_max_words, settings.title_search_lines,
                       hits=hits, page=page, title_hint=title_hint)
    mark_duplicates(lines, verdicts, start, settings.duplicate_min_words, settings.duplicate_tail_words,
                    end=end, structure_copies=settings.duplicate_structure_copies, page=page)
    mark_outside_body(lines, verdicts, start, end, settings.outside_max_words, settings.outside_min_run,
                      hits=hits, page=page)
    mark_sandwiched(lines, verdicts, settings.sandwich_max_words, page)
    apply_scores(verdicts, scores, (thresholds or dict(settings.mode_thresholds))[mode], lines, hits,
                 settings.heading_floor, settings.sentence_factor, page=page, span=(start, end))
    kept_categories = set(keep)
    if kept_categories:
        for verdict in verdicts:
            if verdict.final == "remove" and verdict.category in kept_categories:
                verdict.final = "keep"
    return Decision(verdicts=verdicts, title_line=title, body_start=start, body_end=end)
