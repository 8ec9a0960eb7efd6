"""The one entry point, ``clean()``: segment -> rules -> model -> decide -> metadata."""
from __future__ import annotations

import re
import time
from typing import Any, Iterable, Mapping, Sequence

from . import language as language_id
from . import model as line_model
from .decide import Decision, decide
from .errors import CleanError
from .metadata import build_metadata
from .result import CATEGORIES, MODES, CleanResult, LineTrace, Removal, StrippedPrefix
from .rules import Hit, RuleSet, match_lines, ruleset_with_extra
from .segment import Line, make_line, normalise_space, split_lines

PACKAGE_VERSION = "0.1.0"
MAX_INPUT_CHARS_DEFAULT = 20_000_000
EXTRACTORS = ("fast", "trafilatura")
# Lines past this many are not judged but kept as they are, with a warning: memory and time grow with the
# number of lines (1,000,000 one-character lines: 0.7 GB and 20 s, 1.1 GB with explain), and pages have
# a few thousand.
MAX_LINES_DEFAULT = 100_000
# With a time budget, the rules stage looks at the clock after each slice of this many lines.
BUDGET_SLICE_LINES = 512
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def engine_info() -> dict[str, Any]:
    """Package and model versions (for responses and readiness checks)."""
    return {"package": PACKAGE_VERSION, "model": line_model.model_version()}


def _check_options(text: object, html: object, mode: str, keep: Iterable[str], extractor: str,
                   language: str | None, max_input_chars: int) -> list[str]:
    if text is None and html is None:
        raise CleanError("text", "give text, html or both")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise CleanError(name, "must be a string")
        if isinstance(value, str) and len(value) > max_input_chars:
            raise CleanError(name, f"longer than {max_input_chars} characters")
    if mode not in MODES:
        raise CleanError("mode", f"must be one of {', '.join(MODES)}, not {mode!r}")
    if extractor not in EXTRACTORS:
        raise CleanError("extractor", f"must be one of {', '.join(EXTRACTORS)}, not {extractor!r}")
    if language is not None and (not isinstance(language, str) or not 2 <= len(language) <= 3
                                 or not language.isalpha()):
        raise CleanError("language", "must be an ISO 639-1 code such as 'de'")
    if isinstance(keep, str):
        raise CleanError("keep", "must be a list of category names")
    kept = list(keep)
    for category in kept:
        if category not in CATEGORIES:
            raise CleanError("keep", f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    return kept


def _as_text(text: str) -> str:
    """``text`` with lone UTF-16 surrogates (undecodable bytes read with 'surrogateescape', JSON escapes
    such as \\ud800) replaced by U+FFFD, as the HTML parser does: they are not text and cannot be encoded."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE_RE.sub("\ufffd", text)
    return text


def _input_lines(text: str | None, html: str | None, extractor: str, max_lines: int
                 ) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Lines to judge (at most ``max_lines``), the raw lines after them, and metadata the page itself
    carries (HTML input only)."""
    if html is None:
        raw = split_lines(_as_text(text or ""))
        return [make_line(index, line) for index, line in enumerate(raw[:max_lines])], raw[max_lines:], {}
    from .html import lines_from_html  # refuses pages nested deeper than html_guard.MAX_DEPTH

    lines, page_meta = lines_from_html(html, text=text, extractor=extractor)
    return lines[:max_lines], [line.raw for line in lines[max_lines:]], page_meta


def _keep_unjudged(result: CleanResult, rest: Sequence[str], first: int, warnings: list[str]) -> None:
    """Lines past ``max_lines`` stay in the body as they are (whitespace normalised)."""
    result.paragraphs.extend(line for line in map(normalise_space, rest) if line)
    result.text = "\n\n".join(result.paragraphs)
    warnings.append(f"max_lines: lines {first} to {first + len(rest) - 1} were not judged; they are kept as they are")


def _language_sample(lines: Sequence[Line]) -> str:
    longest = sorted((line for line in lines if line.words >= 6), key=lambda line: -line.words)[:12]
    return " ".join(line.text for line in longest) or " ".join(line.text for line in lines[:50])


def clean(
    text: str | None = None,
    *,
    html: str | None = None,
    url: str | None = None,
    source: str | None = None,
    mode: str = "balanced",
    keep: Iterable[str] = (),
    extra_rules: Mapping[str, Sequence[str]] | None = None,
    language: str | None = None,
    explain: bool = False,
    extractor: str = "fast",
    time_budget: float | None = None,
    max_input_chars: int = MAX_INPUT_CHARS_DEFAULT,
    max_lines: int = MAX_LINES_DEFAULT,
) -> CleanResult:
    """Clean scraped text (and/or the page's HTML): the body, what went and why, and metadata.

    mode: ``precision`` removes more (cleaner body), ``recall`` removes less (keeps every doubtful
    line), ``balanced`` sits between. keep: categories to leave in the body (e.g. ``["byline"]``).
    extra_rules: caller phrases per category for this call. language: skip detection.
    explain: also return every line's labels, rule hits and model score. time_budget: seconds;
    past it the rules stop matching further lines and the model is skipped, and warnings say so.
    max_lines: lines past this many are kept unjudged, with a warning.
    """
    started = time.perf_counter()
    kept_categories = _check_options(text, html, mode, keep, extractor, language, max_input_chars)
    ruleset = ruleset_with_extra(extra_rules)
    warnings: list[str] = []
    lines, rest, page_meta = _input_lines(text, html, extractor, max_lines)
    if language:
        lang, confidence = language.lower(), 1.0
    else:
        lang, confidence = language_id.detect(_language_sample(lines))
    deadline = None if time_budget is None else started + time_budget
    hits = _match_within(lines, ruleset, lang, deadline, warnings)
    scores, contributions = None, None
    if time_budget is not None and time.perf_counter() - started > time_budget:
        warnings.append("time_budget: exceeded before the model stage; decided by rules only")
    else:
        scores, contributions = line_model.score(lines, hits, lang, explain=explain)
    decision = decide(lines, hits, ruleset.blocks, scores=scores, mode=mode, keep=kept_categories,
                      thresholds=line_model.thresholds(lines), language=lang, title_hint=page_meta.get("title"))
    result = _shape(lines, hits, decision, explain, contributions)
    if rest:
        _keep_unjudged(result, rest, len(lines), warnings)
    result.metadata = build_metadata(lines, hits, decision, result.text, language=lang,
                                     language_confidence=confidence, url=url, source=source)
    _merge_page_metadata(result.metadata, page_meta)
    if not result.paragraphs:
        warnings.append("empty_body: every line was removed or the input had no text")
    result.warnings = warnings
    result.mode = mode
    return result


def _match_within(lines: Sequence[Line], ruleset: RuleSet, lang: str, deadline: float | None,
                  warnings: list[str]) -> list[list[Hit]]:
    """Rule hits of every line; past ``deadline`` (a ``perf_counter`` time) the lines after the first
    slice get none (they stay unless context removes them) and a warning says from which line on."""
    if deadline is None:
        return match_lines(lines, ruleset, lang)
    hits: list[list[Hit]] = []
    for start in range(0, len(lines), BUDGET_SLICE_LINES):
        if start and time.perf_counter() > deadline:  # the first slice always runs
            warnings.append(f"time_budget: exceeded in the rules stage; lines {start} to {len(lines) - 1} "
                            "were not matched against rules")
            hits.extend([] for _ in range(start, len(lines)))
            break
        hits.extend(match_lines(lines[start:start + BUDGET_SLICE_LINES], ruleset, lang))
    return hits


def _merge_page_metadata(meta: dict[str, Any], page_meta: dict[str, Any]) -> None:
    """Fields the HTML states outright win over what the text suggests."""
    for field, value in page_meta.items():
        if value not in (None, "", []) and field in meta:
            meta[field] = value
            meta["sources"][field] = "html"


def _shape(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], decision: Decision, explain: bool,
           contributions: list[list[tuple[str, float]]] | None) -> CleanResult:
    paragraphs: list[str] = []
    removed: list[Removal] = []
    stripped: list[StrippedPrefix] = []
    traces: list[LineTrace] | None = [] if explain else None
    for line, verdict in zip(lines, decision.verdicts):
        if verdict.final == "blank":
            continue
        if verdict.removed:
            removed.append(Removal(line.index, line.raw, verdict.category or "navigation", verdict.rule or "",
                                   verdict.score if verdict.rule == "model" else None))
        elif verdict.strip_to:
            stripped.append(StrippedPrefix(line.index, line.text[:verdict.strip_to], verdict.category or "",
                                           verdict.rule or ""))
            paragraphs.append(line.text[verdict.strip_to:].strip())
        else:
            paragraphs.append(line.text)
        if traces is not None:
            traces.append(LineTrace(
                line=line.index, text=line.text, initial=verdict.initial, final=verdict.final,
                keep=not verdict.removed, category=verdict.category, rule=verdict.rule, score=verdict.score,
                hits=[hit.rule.id for hit in hits[line.index]],
                contributions=contributions[line.index] if contributions else []))
    return CleanResult(text="\n\n".join(paragraphs), paragraphs=paragraphs, removed=removed, stripped=stripped,
                       metadata={}, lines=traces)
