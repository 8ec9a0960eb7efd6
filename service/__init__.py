"""textwash's HTTP service: a thin Flask layer over ``heuristics.clean``.

    from service import create_app
    app = create_app()                      # settings from TEXTWASH_* environment variables
    app = create_app({"API_KEYS": "k1"})    # or overridden, as tests do

Served by gunicorn (``python -m service serve``, settings in ``service/gunicorn_conf.py``).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from heuristics import CATEGORIES, clean, engine_info
from heuristics.metadata import prepare_dates
from heuristics.rules import default_ruleset
from heuristics.memory import SourceMemory, open_memory

from . import api, logs, ops, problems, sources
from .config import DEFAULTS, PREFIX, normalize
from .encoding import OrjsonProvider
from .metrics import Metrics

# Touches every lazily loaded part of the engine: rules, model, language identifier, date parser, and
# both HTML extractors. Loaded before gunicorn forks, they are shared copy-on-write by all workers.
WARMUP_TEXT = (
    "Talks Resume in Geneva\nBy Anna Petrova\nPublished March 4, 2024, 10:15 a.m.\nSupport us\n"
    "The talks resumed on Monday in Geneva after a pause of several weeks, officials said, and both "
    "delegations described the first session as constructive.\nPhoto: Reuters\nShare this article\n"
)
# A language without a stopword list: detection goes to the statistical identifier (CLD2).
WARMUP_OTHER_LANGUAGE = "東京で両国の代表団による会談が数週間ぶりに再開され、関係者は協議を建設的だったと述べた。\n"
WARMUP_HTML = (
    "<html><head><title>Talks</title></head><body><article><p>"
    + WARMUP_TEXT.replace("\n", "</p><p>")
    + "</p></article></body></html>"
)
log = logging.getLogger("textwash.service")


@dataclass
class ServiceState:
    """What the views share: metrics, the engine's version, and whether the engine answered yet."""

    metrics: Metrics
    version: dict[str, Any]
    ready: bool = False
    error: str | None = None
    memory: SourceMemory | None = None


def warm_up(state: ServiceState) -> None:
    """Clean a few documents so that lazy loading (model, rules, identifiers) happens now, not on the first
    requests; a failure leaves the service up but not ready."""
    try:
        clean(WARMUP_TEXT)
        clean(WARMUP_OTHER_LANGUAGE)
        clean(html=WARMUP_HTML, extractor="fast")
        clean(html=WARMUP_HTML, extractor="trafilatura")
        prepare_dates(default_ruleset().languages)
    except Exception as error:  # reported by /readyz as 503 rather than crashing the process
        log.exception("engine warm-up failed")
        state.error = f"engine warm-up failed: {error!r}"
        return
    state.version = engine_info()
    state.ready = True


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: defaults, then ``TEXTWASH_*`` environment variables, then ``test_config``."""
    app = Flask(__name__, static_folder="static")
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(PREFIX)
    if test_config:
        app.config.from_mapping(test_config)
    app.config.update(normalize(app.config))
    app.json = OrjsonProvider(app)  # answers keep the engine's key order

    logs.configure_logging(app.config["LOG_LEVEL"])
    problems.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(ops.bp)
    app.register_blueprint(sources.bp)

    metrics = Metrics([rule.rule for rule in app.url_map.iter_rules()], CATEGORIES)
    memory = open_memory(path=app.config["SOURCE_DB"], redis_url=app.config["REDIS_URL"])
    state = ServiceState(metrics=metrics, version=engine_info(), memory=memory)
    app.extensions["textwash"] = state
    logs.install(app, metrics)
    if app.config["WARMUP"]:
        warm_up(state)
    else:
        state.ready = True
    return app
