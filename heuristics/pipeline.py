"""The one entry point, ``clean()``: segment -> rules -> model -> decide -> metadata."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from . import language as language_id
from . import scoring
from .decide import Decision, decide
from .errors import CleanError
from .memory import Evidence, SourceMemory, StoreError, source_key
from .memory.evidence import RULE_ID
from .metadata import build_metadata
from .options import Options
from .result import CleanResult, DocumentError, LineTrace, Removal, StrippedPrefix
from .rules import Hit, RuleSet, default_ruleset, match_lines, ruleset_with_extra
from .segment import Line, make_lines, normalise_space, split_lines
from .settings import SETTINGS, Settings
from .vocabulary import VERSION

DEFAULT_OPTIONS = Options()
# What a clean_many document may hold (the service's batch document has the same fields).
DOCUMENT_FIELDS = ("id", "text", "html", "url", "source", "options")
OPTION_NAMES = ("mode", "keep", "extra_rules", "language", "explain", "extractor", "time_budget",
                "max_input_chars", "max_lines", "memory")
log = logging.getLogger("textwash.engine")


def engine_info() -> dict[str, Any]:
    """Package and model versions (for responses and readiness checks)."""
    return {"package": VERSION, "model": scoring.model_version()}


def _check_input(text: object, html: object) -> None:
    if text is None and html is None:
        raise CleanError("text", "give text, html or both")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise CleanError(name, "must be a string")


def _check_length(text: str | None, html: str | None, max_input_chars: int) -> None:
    for name, value in (("text", text), ("html", html)):
        if value is not None and len(value) > max_input_chars:
            raise CleanError(name, f"longer than {max_input_chars} characters")


def _input_lines(text: str | None, html: str | None, extractor: str, max_lines: int, settings: Settings
                 ) -> tuple[list[Line], list[str], dict[str, Any]]:
    """Lines to judge (at most ``max_lines``), the raw lines after them, and metadata the page itself
    carries (HTML input only)."""
    if html is None:
        raw = split_lines(text or "")
        lines = make_lines(raw[:max_lines], settings)
        return lines, raw[max_lines:], {}
    from .html.lines import lines_from_html  # refuses pages nested deeper than settings.html_max_depth

    lines, page_meta = lines_from_html(html, text=text, extractor=extractor, settings=settings)
    return lines[:max_lines], [line.raw for line in lines[max_lines:]], page_meta


def _keep_unjudged(result: CleanResult, rest: Sequence[str], first: int, warnings: list[str]) -> None:
    """Lines past ``max_lines`` stay in the body as they are (whitespace normalised)."""
    result.paragraphs.extend(line for line in map(normalise_space, rest) if line)
    result.text = "\n\n".join(result.paragraphs)
    warnings.append(f"max_lines: lines {first} to {first + len(rest) - 1} were not judged; they are kept as they are")


def detect_language(lines: Sequence[Line], settings: Settings = SETTINGS) -> tuple[str | None, float | None]:
    """(ISO 639-1 code, confidence) of the lines, read from their longest lines (the body's)."""
    return language_id.detect(_language_sample(lines, settings), settings)


def _language_sample(lines: Sequence[Line], settings: Settings) -> str:
    longest = sorted((line for line in lines if line.words >= settings.language_sample_min_words),
                     key=lambda line: -line.words)[:settings.language_sample_lines]
    return " ".join(line.text for line in longest) or " ".join(
        line.text for line in lines[:settings.language_fallback_lines])


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
    max_input_chars: int | None = None,
    max_lines: int | None = None,
    memory: SourceMemory | None = None,
    settings: Settings = SETTINGS,
) -> CleanResult:
    """Clean scraped text (and/or the page's HTML): the body, what went and why, and metadata.

    mode: ``precision`` removes more (cleaner body), ``recall`` removes less (keeps every doubtful
    line), ``balanced`` sits between. keep: categories to leave in the body (e.g. ``["byline"]``).
    extra_rules: caller phrases per category for this call. language: skip detection.
    explain: also return every line's labels, rule hits and model score. time_budget: seconds;
    past it the rules stop matching further lines and the model is skipped, and warnings say so.
    max_lines: lines past this many are kept unjudged, with a warning (default: ``settings.max_lines``;
    max_input_chars likewise). memory: a ``heuristics.memory.SourceMemory``: lines the source (``source``,
    else the host of ``url``) repeats on its pages go as ``repeated_line`` (rule ``source.repeated``), and
    this page is learned. settings: the thresholds of every stage (``heuristics.settings``).
    """
    read = _read_document(text, html=html, url=url, source=source, mode=mode, keep=keep, extra_rules=extra_rules,
                          language=language, explain=explain, extractor=extractor, time_budget=time_budget,
                          max_input_chars=max_input_chars, max_lines=max_lines, memory=memory, settings=settings)
    scores, contributions = (scoring.score(read.lines, read.hits, read.language, explain=read.options.explain)
                             if read.model_wanted else (None, None))
    return _finish(read, scores, contributions)


@dataclass(slots=True)
class _Read:
    """A document as ``clean`` holds it before the model stage: checked, segmented, its language detected
    and its lines matched against the rules (``clean_many`` scores many of these in one model call)."""

    options: Options
    ruleset: RuleSet
    lines: list[Line]
    rest: list[str]
    page_meta: dict[str, Any]
    repeated: Mapping[int, Evidence]
    warnings: list[str]
    url: str | None
    source: str | None
    language: str | None
    confidence: float | None
    hits: list[list[Hit]]
    model_wanted: bool
    settings: Settings


def _read_document(text: str | None = None, *, html: str | None = None, url: str | None = None,
                   source: str | None = None, mode: str = "balanced", keep: Iterable[str] = (),
                   extra_rules: Mapping[str, Sequence[str]] | None = None, language: str | None = None,
                   explain: bool = False, extractor: str = "fast", time_budget: float | None = None,
                   max_input_chars: int | None = None, max_lines: int | None = None,
                   memory: SourceMemory | None = None, settings: Settings = SETTINGS) -> _Read:
    """``clean``'s stages before the model (same arguments): check, segment, recall the source, language,
    rules; the time budget starts here."""
    started = time.perf_counter()
    _check_input(text, html)
    options = _options(settings, mode=mode, keep=keep, language=language, explain=explain, extractor=extractor,
                       time_budget=time_budget, max_lines=max_lines, max_input_chars=max_input_chars)
    _check_length(text, html, options.max_input_chars)
    ruleset = ruleset_with_extra(extra_rules, settings)
    warnings: list[str] = []
    lines, rest, page_meta = _input_lines(text, html, options.extractor, options.max_lines, settings)
    deadline = None if options.time_budget is None else started + options.time_budget
    repeated = _recall(memory, source_key(source, url), lines, url, warnings, settings) if memory is not None else {}
    lang, confidence, hits, model_wanted = _before_model(lines, options, ruleset, deadline, warnings, settings,
                                                         stated=page_meta.get("language") if page_meta else None)
    return _Read(options, ruleset, lines, rest, page_meta, repeated, warnings, url, source, lang, confidence,
                 hits, model_wanted, settings)


def _options(settings: Settings, *, max_lines: int | None, max_input_chars: int | None, **given: Any) -> Options:
    """The call's options, its input limits defaulting to ``settings``'."""
    return Options(max_lines=settings.max_lines if max_lines is None else max_lines,
                   max_input_chars=settings.max_input_chars if max_input_chars is None else max_input_chars, **given)


def _finish(read: _Read, scores: Any, contributions: list[list[tuple[str, float]]] | None) -> CleanResult:
    """``clean``'s stages after the model: decide, shape the result, metadata."""
    lines, hits, options, warnings = read.lines, read.hits, read.options, read.warnings
    thresholds = scoring.thresholds(lines) if scores is not None else None
    decision = _decide(lines, hits, read.ruleset, scores, options, thresholds, read.repeated, read.language,
                       read.page_meta.get("title"), read.settings)
    result = shape(lines, hits, decision, options.explain, contributions, read.repeated)
    if read.rest:
        _keep_unjudged(result, read.rest, len(lines), warnings)
    result.metadata = build_metadata(lines, hits, decision, result.text, language=read.language,
                                     language_confidence=read.confidence, url=read.url, source=read.source)
    _merge_page_metadata(result.metadata, read.page_meta)
    if not result.paragraphs:
        warnings.append("empty_body: every line was removed or the input had no text")
    result.warnings = warnings
    result.mode = options.mode
    return result


@dataclass(slots=True)
class Judgement:
    """What the engine made of a document's lines before the result is shaped: the language (and the
    detection's confidence), every line's rule hits, the model's scores (None: rules only) and the decision."""

    language: str | None
    confidence: float | None
    hits: list[list[Hit]]
    scores: Any
    contributions: list[list[tuple[str, float]]] | None
    decision: Decision


Scorer = Callable[[Sequence[Line], Sequence[Sequence[Hit]], "str | None"], Any]


def judge(lines: Sequence[Line], options: Options = DEFAULT_OPTIONS, *, ruleset: RuleSet | None = None,
          scorer: Scorer | None = None, thresholds: Mapping[str, float] | None = None,
          deadline: float | None = None, warnings: list[str] | None = None,
          repeated: Mapping[int, Evidence] | None = None, title_hint: str | None = None,
          settings: Settings = SETTINGS) -> Judgement:
    """The rules, model and decide stages over ``lines``, as ``clean`` runs them.

    scorer: ``(lines, hits, language) -> scores`` instead of the shipped model (a model being trained),
    with its ``thresholds`` per mode. deadline (a ``perf_counter`` time) and warnings: ``clean``'s time budget.
    repeated: the lines the source memory names (``SourceMemory.recall``). title_hint: the title the page
    states (HTML metadata), which then names the title line. settings: the thresholds of every stage.
    """
    ruleset = ruleset or default_ruleset(settings)
    warnings = [] if warnings is None else warnings
    lang, confidence, hits, model_wanted = _before_model(lines, options, ruleset, deadline, warnings, settings)
    scores, contributions = None, None
    if model_wanted and scorer is not None:
        scores = scorer(lines, hits, lang)
    elif model_wanted:
        scores, contributions = scoring.score(lines, hits, lang, explain=options.explain)
        thresholds = scoring.thresholds(lines)
    decision = _decide(lines, hits, ruleset, scores, options, thresholds, repeated, lang, title_hint, settings)
    return Judgement(lang, confidence, hits, scores, contributions, decision)


def _before_model(lines: Sequence[Line], options: Options, ruleset: RuleSet, deadline: float | None,
                  warnings: list[str], settings: Settings, stated: str | None = None
                  ) -> tuple[str | None, float | None, list[list[Hit]], bool]:
    """Language, rule hits, and whether the model stage runs: not past the time budget's ``deadline``, and
    not for a one-line input (the model reads a line against the page around it, and there is none).
    ``stated``: the language the page's HTML declares, taken when the text alone does not tell."""
    lang, confidence = (options.lang, 1.0) if options.lang else detect_language(lines, settings)
    if lang is None and stated:
        lang = stated
    hits = _match_within(lines, ruleset, lang, deadline, warnings, settings.budget_slice_lines)
    if deadline is not None and time.perf_counter() > deadline:
        warnings.append("time_budget: exceeded before the model stage; decided by rules only")
        return lang, confidence, hits, False
    return lang, confidence, hits, _two_non_blank(lines)


def _two_non_blank(lines: Sequence[Line]) -> bool:
    """Whether at least two lines hold text (stops at the second)."""
    seen = 0
    for line in lines:
        if line.text:
            seen += 1
            if seen == 2:
                return True
    return False


def _decide(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], ruleset: RuleSet, scores: Any, options: Options,
            thresholds: Mapping[str, float] | None, repeated: Mapping[int, Evidence] | None, language: str | None,
            title_hint: str | None, settings: Settings) -> Decision:
    return decide(lines, hits, ruleset.blocks, scores=scores, mode=options.mode, keep=options.keep,
                  thresholds=dict(thresholds) if thresholds is not None else None, repeated=repeated,
                  language=language, title_hint=title_hint, settings=settings)


def clean_many(docs: Iterable[str | Mapping[str, Any]], *, settings: Settings = SETTINGS,
               **options: Any) -> Iterator[CleanResult | DocumentError]:
    """Clean every document of ``docs``, yielding one ``CleanResult`` or ``DocumentError`` each, in input order.

    A document is a string (the text) or a mapping with ``text`` and/or ``html``, optional ``url``,
    ``source``, ``id`` (echoed in errors) and ``options`` (overriding ``options``, which are ``clean``'s
    keyword arguments). A bad document gets a ``DocumentError``; the others go on. Each result is the one
    ``clean`` gives for that document. settings: the thresholds for every document (``clean``'s). Reads
    ``settings.batch_documents`` documents at a time (fewer once they hold ``settings.batch_chars`` characters) and runs the model stage once for them (one prediction
    call per pass for all their lines); every other stage, and a document's time budget, is the document's own.
    """
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise TypeError(f"clean_many() got an unknown option {unknown[0]!r}; known: {', '.join(OPTION_NAMES)}")
    options = {**options, "settings": settings}
    batch: list[tuple[int, object]] = []
    chars = 0
    for index, doc in enumerate(docs):
        batch.append((index, doc))
        chars += input_chars(doc)
        if len(batch) >= settings.batch_documents or chars >= settings.batch_chars:
            yield from _clean_batch(batch, options)
            batch, chars = [], 0
    yield from _clean_batch(batch, options)


def input_chars(doc: object) -> int:
    """Characters of a batch document's text and HTML (what its cleaning costs grows with)."""
    if isinstance(doc, str):
        return len(doc)
    if not isinstance(doc, Mapping):
        return 0
    return sum(len(value) for value in (doc.get("text"), doc.get("html")) if isinstance(value, str))


def _clean_batch(batch: Sequence[tuple[int, object]], options: Mapping[str, Any]) -> list[CleanResult | DocumentError]:
    """Read each document (in order: the source memory learns page after page), score the ones that reached
    the model stage together, then finish each; a document that fails anywhere becomes its DocumentError."""
    reads = [_attempt(index, doc, _read_item, doc, options) for index, doc in batch]
    scored = _score_together([read for read in reads if isinstance(read, _Read) and read.model_wanted])
    return [read if isinstance(read, DocumentError) else _attempt(index, doc, _score_and_finish, read, scored.get(id(read)))
            for (index, doc), read in zip(batch, reads)]


def _read_item(doc: object, options: Mapping[str, Any]) -> _Read:
    if not isinstance(doc, (str, Mapping)):
        raise _NotADocument(f"a document is a string or a mapping, not {type(doc).__name__}")
    return _read_document(**_document_kwargs(doc, options))


class _NotADocument(TypeError):
    """A batch item that is neither text nor a document mapping (a 400, where a bad value is a 422)."""


Scored = tuple[Any, "list[list[tuple[str, float]]] | None"]


def _score_together(reads: Sequence[_Read]) -> dict[int, Scored]:
    """The model's scores of ``reads`` by ``id``, from one ``scoring.score_many`` call; when that call fails,
    none (each document is then scored alone, so a document the model fails on fails alone)."""
    if not reads:
        return {}
    try:
        scored = scoring.score_many([(read.lines, read.hits, read.language, read.options.explain) for read in reads])
    except Exception:  # logged; the documents are then scored one by one
        log.exception("batched model stage failed on %d documents; scoring them one by one", len(reads))
        return {}
    return {id(read): scores for read, scores in zip(reads, scored)}


def _score_and_finish(read: _Read, scored: Scored | None) -> CleanResult:
    if scored is None and read.model_wanted:
        scored = scoring.score(read.lines, read.hits, read.language, explain=read.options.explain)
    return _finish(read, *(scored or (None, None)))


def _attempt(index: int, doc: object, step: Callable[..., Any], *args: Any) -> Any:
    """``step(*args)`` for batch document ``index``, or its ``DocumentError`` when that raises."""
    doc_id = doc.get("id") if isinstance(doc, Mapping) else None
    try:
        return step(*args)
    except _NotADocument as error:
        return DocumentError(index, 400, str(error), "document")
    except CleanError as error:
        return DocumentError(index, 422, error.detail, error.field, doc_id)
    except Exception as error:  # a bug on one document must not end a 100,000-document batch
        log.exception("unhandled error on document %d", index)
        return DocumentError(index, 500, f"internal error on this document: {type(error).__name__}", None, doc_id)


def _document_kwargs(doc: str | Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(doc, str):
        return {**options, "text": doc}
    unknown = sorted(set(doc) - set(DOCUMENT_FIELDS))
    if unknown:
        raise CleanError(unknown[0], f"unknown field; a document has {', '.join(DOCUMENT_FIELDS)}")
    own = doc.get("options") or {}
    if not isinstance(own, Mapping):
        raise CleanError("options", "must be a mapping of option names to values")
    unknown = sorted(set(own) - set(OPTION_NAMES))
    if unknown:
        raise CleanError(f"options.{unknown[0]}", f"unknown option; known: {', '.join(OPTION_NAMES)}")
    if "text" not in doc and "html" not in doc:
        raise CleanError("text", "give text, html or both")
    return {**options, **own, **{name: doc[name] for name in ("text", "html", "url", "source") if name in doc}}


def _recall(memory: SourceMemory, source: str | None, lines: Sequence[Line], url: str | None,
            warnings: list[str], settings: Settings) -> dict[int, Evidence]:
    """The lines ``source`` repeats; a store that fails costs the memory, not the document."""
    if source is None:
        return {}
    try:
        return memory.recall(source, lines, url, settings)
    except StoreError as error:
        warnings.append(f"source_memory: not used ({error})")
        return {}


def learn(text: str | None = None, *, html: str | None = None, url: str | None = None, source: str | None = None,
          memory: SourceMemory, extractor: str = "fast", max_lines: int | None = None,
          settings: Settings = SETTINGS) -> bool:
    """Count one document in ``memory`` without cleaning it (a batch's first pass); False when it has
    no source (neither ``source`` nor ``url``) or was already counted."""
    observation = observe_input(text, html=html, url=url, source=source, memory=memory, extractor=extractor,
                                max_lines=max_lines, settings=settings)
    return observation is not None and memory.store.observe(*observation).learned


def observe_input(text: str | None = None, *, html: str | None = None, url: str | None = None,
                  source: str | None = None, memory: SourceMemory, extractor: str = "fast",
                  max_lines: int | None = None, settings: Settings = SETTINGS
                  ) -> tuple[str, int, dict[int, str]] | None:
    """What ``memory``'s store would count for this input (see ``SourceMemory.observation``), or None
    when it has no source; for learning many documents at once (``Store.observe_many``)."""
    name = source_key(source, url)
    if name is None:
        return None
    _check_input(text, html)
    options = _options(settings, extractor=extractor, max_lines=max_lines, max_input_chars=None)
    _check_length(text, html, options.max_input_chars)
    lines, _, _ = _input_lines(text, html, options.extractor, options.max_lines, settings)
    return memory.observation(name, lines, url, settings)


def _match_within(lines: Sequence[Line], ruleset: RuleSet, lang: str, deadline: float | None,
                  warnings: list[str], slice_lines: int) -> list[list[Hit]]:
    """Rule hits of every line; past ``deadline`` (a ``perf_counter`` time) the lines after the first
    slice (``slice_lines``) get none (they stay unless context removes them) and a warning says from which
    line on."""
    if deadline is None:
        return match_lines(lines, ruleset, lang)
    hits: list[list[Hit]] = []
    for start in range(0, len(lines), slice_lines):
        if start and time.perf_counter() > deadline:  # the first slice always runs
            warnings.append(f"time_budget: exceeded in the rules stage; lines {start} to {len(lines) - 1} "
                            "were not matched against rules")
            hits.extend([] for _ in range(start, len(lines)))
            break
        hits.extend(match_lines(lines[start:start + slice_lines], ruleset, lang))
    return hits


def _merge_page_metadata(meta: dict[str, Any], page_meta: dict[str, Any]) -> None:
    """Fields the HTML states outright win over what the text suggests."""
    for field, value in page_meta.items():
        if value not in (None, "", []) and field in meta:
            meta[field] = value
            meta["sources"][field] = "html"


def shape(lines: Sequence[Line], hits: Sequence[Sequence[Hit]], decision: Decision, explain: bool = False,
          contributions: list[list[tuple[str, float]]] | None = None,
          repeated: Mapping[int, Evidence] | None = None) -> CleanResult:
    """The result ``clean`` returns for judged lines (metadata and warnings still empty)."""
    paragraphs: list[str] = []
    removed: list[Removal] = []
    stripped: list[StrippedPrefix] = []
    traces: list[LineTrace] | None = [] if explain else None
    for line, verdict in zip(lines, decision.verdicts):
        final = verdict.final
        if final == "blank":
            continue
        if final == "remove":
            rule = verdict.rule
            removed.append(Removal(line.index, line.raw, verdict.category or "navigation", rule or "",
                                   verdict.score if rule == "model" else None,
                                   repeated[line.index].count if rule == RULE_ID and repeated else None))
        elif verdict.strip_to:
            stripped.append(StrippedPrefix(line.index, line.text[:verdict.strip_to], verdict.category or "",
                                           verdict.rule or ""))
            paragraphs.append(line.text[verdict.strip_to:].strip())
        else:
            paragraphs.append(line.text)
        if traces is not None:
            traces.append(LineTrace(
                line=line.index, text=line.text, initial=verdict.initial, final=final,
                keep=final != "remove", category=verdict.category, rule=verdict.rule, score=verdict.score,
                hits=[hit.rule.id for hit in hits[line.index]],
                contributions=contributions[line.index] if contributions else []))
    return CleanResult(text="\n\n".join(paragraphs), paragraphs=paragraphs, removed=removed, stripped=stripped,
                       metadata={}, lines=traces)
