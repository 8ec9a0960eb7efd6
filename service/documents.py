"""Turn request bodies and query strings into keyword arguments for ``heuristics.clean``.

Types, presence and the shapes the OpenAPI document promises (a language code's letters, a time budget's
range) are checked here; the engine owns the allowed *values* (modes, categories, extractors ...) and
reports a bad one with ``CleanError``, which ``engine_problem`` turns into a 422.
Field names in errors follow the request's own shape: ``text``, ``options.mode`` for JSON bodies,
``mode`` for a query parameter.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from heuristics import CleanError
from heuristics.options import Options

from .problems import Problem

OPTION_NAMES = ("mode", "explain", "keep", "extra_rules", "language", "extractor", "time_budget")
DOCUMENT_FIELDS = ("text", "html", "url", "source", "options")
MAX_TIME_BUDGET = 60.0
LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_option(name: str, value: Any, field: str) -> Any:
    """Type-check one option value; return it as the engine wants it."""
    if name in ("mode", "extractor") and not isinstance(value, str):
        raise Problem(422, f"{field} must be a string", field)
    if name == "language" and not (isinstance(value, str) and LANGUAGE_RE.fullmatch(value)):
        raise Problem(422, f"{field} must be an ISO 639 code of 2 or 3 letters, such as 'de'", field)
    if name == "explain" and not isinstance(value, bool):
        raise Problem(422, f"{field} must be true or false", field)
    if name == "keep" and not _is_str_list(value):
        raise Problem(422, f"{field} must be a list of category names", field)
    if name == "extra_rules":
        if not isinstance(value, dict) or not all(_is_str_list(v) for v in value.values()):
            raise Problem(422, f"{field} must map category names to lists of phrases", field)
    if name == "time_budget":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIME_BUDGET:
            raise Problem(422, f"{field} must be a number of seconds above 0 and at most {MAX_TIME_BUDGET:g}", field)
    return value


def options_from_json(raw: Any, prefix: str = "options") -> dict[str, Any]:
    """Validate the ``options`` object of a JSON document."""
    if not isinstance(raw, dict):
        raise Problem(422, f"{prefix} must be an object", prefix)
    unknown = sorted(set(raw) - set(OPTION_NAMES))
    if unknown:
        field = f"{prefix}.{unknown[0]}"
        raise Problem(422, f"unknown option {unknown[0]!r}; known: {', '.join(OPTION_NAMES)}", field)
    return {name: _check_option(name, value, f"{prefix}.{name}") for name, value in raw.items()}


def _query_value(name: str, values: list[str]) -> Any:
    """Parse one query parameter (strings on the wire) into the option's type."""
    if name == "keep":
        return [part.strip() for value in values for part in value.split(",") if part.strip()]
    if len(values) > 1:
        raise Problem(422, f"query parameter {name!r} given {len(values)} times", name)
    value = values[0]
    if name == "explain":
        if value.lower() not in TRUE_WORDS | FALSE_WORDS:
            raise Problem(422, "explain must be true or false", name)
        return value.lower() in TRUE_WORDS
    if name == "time_budget":
        try:
            return _check_option(name, float(value), name)
        except ValueError:
            raise Problem(422, f"time_budget must be a number of seconds above 0 and at most {MAX_TIME_BUDGET:g}",
                          name) from None
    return _check_option(name, value, name)


def options_from_query(args: MultiDict[str, str], allowed_extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Options given as query parameters (and ``url``/``source`` where the endpoint allows them).

    ``extra_rules`` is a JSON body option only: it does not fit a query string. No parameters (most
    requests): no options, and nothing for the engine to judge.
    """
    if not args:
        return {}
    known = tuple(name for name in OPTION_NAMES if name != "extra_rules") + allowed_extra
    unknown = sorted(set(args) - set(known))
    if unknown:
        raise Problem(422, f"unknown query parameter {unknown[0]!r}; known: {', '.join(known)}", unknown[0])
    options = {name: _query_value(name, args.getlist(name)) for name in args}
    _engine_accepts({name: value for name, value in options.items() if name in OPTION_NAMES})
    return options


def _engine_accepts(options: dict[str, Any]) -> None:
    """Let the engine judge query options up front (its options object checks itself), so that a bad
    default is a 422 even where every document overrides it, and before a batch starts streaming."""
    try:
        Options(**options)
    except CleanError as error:
        raise engine_problem(error, json_body=False) from None


def _optional_str(payload: Mapping[str, Any], name: str) -> str | None:
    """A string field that may be absent (but not null or another type)."""
    if name not in payload:
        return None
    value = payload[name]
    if not isinstance(value, str):
        raise Problem(422, f"{name} must be a string", name)
    return value


def document_from_json(payload: Any, defaults: Mapping[str, Any], extra_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate one JSON document and merge it over ``defaults`` (options, url, source from the query)."""
    if not isinstance(payload, dict):
        raise Problem(400, "the document must be a JSON object", "body")
    unknown = sorted(set(payload) - set(DOCUMENT_FIELDS) - set(extra_fields))
    if unknown:
        raise Problem(422, f"unknown field {unknown[0]!r}; known: {', '.join(DOCUMENT_FIELDS)}", unknown[0])
    if "text" not in payload and "html" not in payload:
        raise Problem(400, "missing field: give 'text', 'html' or both", "text")
    kwargs = dict(defaults)
    for name in ("text", "html", "url", "source"):
        value = _optional_str(payload, name)
        if value is not None or name not in kwargs:
            kwargs[name] = value
    if "options" in payload:
        kwargs.update(options_from_json(payload["options"]))
    return kwargs


def engine_problem(error: CleanError, json_body: bool) -> Problem:
    """The engine refused a value: a 422 naming the field as the caller spelled it."""
    field = error.field
    if json_body and field in OPTION_NAMES:
        field = f"options.{field}"
    return Problem(422, error.detail, field)
