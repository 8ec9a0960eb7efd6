"""Turn request bodies and query strings into keyword arguments for ``heuristics.clean``.

Only types and presence are checked here; the engine owns the allowed *values* (modes, categories,
extractors ...) and reports a bad one with ``CleanError``, which ``engine_problem`` turns into a 422.
Field names in errors follow the request's own shape: ``text``, ``options.mode`` for JSON bodies,
``mode`` for a query parameter.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from heuristics import CleanError
from werkzeug.datastructures import MultiDict

from .problems import Problem

OPTION_NAMES = ("mode", "explain", "keep", "extra_rules", "language", "extractor", "time_budget")
DOCUMENT_FIELDS = ("text", "html", "url", "source", "options")
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_option(name: str, value: Any, field: str) -> Any:
    """Type-check one option value; return it as the engine wants it."""
    if name in ("mode", "extractor") and not isinstance(value, str):
        raise Problem(422, f"{field} must be a string", field)
    if name == "language" and value is not None and not isinstance(value, str):
        raise Problem(422, f"{field} must be a language code (string) or null", field)
    if name == "explain" and not isinstance(value, bool):
        raise Problem(422, f"{field} must be true or false", field)
    if name == "keep" and not _is_str_list(value):
        raise Problem(422, f"{field} must be a list of category names", field)
    if name == "extra_rules":
        if not isinstance(value, dict) or not all(_is_str_list(v) for v in value.values()):
            raise Problem(422, f"{field} must map category names to lists of phrases", field)
    if name == "time_budget" and value is not None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise Problem(422, f"{field} must be a positive number of seconds", field)
    return value


def options_from_json(raw: Any, prefix: str = "options") -> dict[str, Any]:
    """Validate the ``options`` object of a JSON document."""
    if raw is None:
        return {}
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
            raise Problem(422, "time_budget must be a positive number of seconds", name) from None
    if name == "extra_rules":
        try:
            return _check_option(name, json.loads(value), name)
        except ValueError:
            raise Problem(422, "extra_rules must be a JSON object of phrase lists", name) from None
    return value


def options_from_query(args: MultiDict[str, str], allowed_extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Options (and, for text/plain bodies, ``url``/``source``) given as query parameters."""
    known = OPTION_NAMES + allowed_extra
    unknown = sorted(set(args) - set(known))
    if unknown:
        raise Problem(422, f"unknown query parameter {unknown[0]!r}; known: {', '.join(known)}", unknown[0])
    return {name: _query_value(name, args.getlist(name)) for name in args}


def _optional_str(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is not None and not isinstance(value, str):
        raise Problem(422, f"{name} must be a string", name)
    return value


def document_from_json(payload: Any, defaults: Mapping[str, Any], extra_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate one JSON document and merge its options over ``defaults`` (from the query string)."""
    if not isinstance(payload, dict):
        raise Problem(400, "the document must be a JSON object", "body")
    unknown = sorted(set(payload) - set(DOCUMENT_FIELDS) - set(extra_fields))
    if unknown:
        raise Problem(422, f"unknown field {unknown[0]!r}; known: {', '.join(DOCUMENT_FIELDS)}", unknown[0])
    if payload.get("text") is None and payload.get("html") is None:
        raise Problem(400, "missing field: give 'text', 'html' or both", "text")
    kwargs = {name: _optional_str(payload, name) for name in ("text", "html", "url", "source")}
    kwargs.update(defaults)
    kwargs.update(options_from_json(payload.get("options")))
    return kwargs


def engine_problem(error: CleanError, json_body: bool) -> Problem:
    """The engine refused a value: a 422 naming the field as the caller spelled it."""
    field = error.field
    if json_body and field in OPTION_NAMES:
        field = f"options.{field}"
    return Problem(422, error.detail, field)
