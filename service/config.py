"""Settings: defaults here, overridden by ``TEXTWASH_*`` environment variables, then by ``test_config``.

``Flask.config.from_prefixed_env`` parses each value as JSON when it can (``TEXTWASH_MAX_BODY_BYTES=1048576``
gives an int, ``TEXTWASH_WARMUP=false`` a bool), so ``normalize`` only has to coerce the few settings a
person may write in a friendlier form (API keys as a comma-separated list).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFIX = "TEXTWASH"

DEFAULTS: dict[str, Any] = {
    # Largest body of one request, and of one NDJSON line in a batch (bytes); bigger -> 413.
    "MAX_BODY_BYTES": 5 * 1024 * 1024,
    # Largest NDJSON batch body (bytes); bigger -> 413. It is read whole before the first answer (on disk
    # past BATCH_MEMORY_BYTES), so this bounds the temporary disk per batch, and time: 64 MiB held 206,378
    # short news documents, 6-7 minutes of one core at 1.8 ms each (docs/batches.md, scripts/batch_probe.py).
    "MAX_BATCH_BYTES": 64 * 1024 * 1024,
    # Bytes of a batch body held in memory while it is read; the rest goes to a temporary file.
    "BATCH_MEMORY_BYTES": 4 * 1024 * 1024,
    # Largest number of documents in a JSON (not NDJSON) batch.
    "MAX_JSON_BATCH_DOCUMENTS": 1000,
    # Bearer keys for /v1/*; empty means no authentication.
    "API_KEYS": (),
    # Seconds the engine may spend on one document when the request does not say (None: no budget).
    "TIME_BUDGET": None,
    # Run one document through the engine at start-up so the model is loaded before the first request.
    "WARMUP": True,
    # Accept a caller's X-Request-ID (when it looks like an id) instead of always minting one.
    "TRUST_REQUEST_ID": True,
    "LOG_LEVEL": "INFO",
    # Source memory (lines a site repeats are its boilerplate): a SQLite file shared by the workers
    # (``make run`` sets one), or a Redis URL shared by replicas (wins when both are set); off when unset.
    "SOURCE_DB": None,
    "REDIS_URL": None,
}


def normalize(config: Mapping[str, Any]) -> dict[str, Any]:
    """Coerce settings given as strings into the types the service uses; reject nonsense early."""
    out: dict[str, Any] = {}
    keys = config.get("API_KEYS") or ()
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",")]
    out["API_KEYS"] = tuple(str(k) for k in keys if str(k).strip())
    for name in ("MAX_BODY_BYTES", "MAX_BATCH_BYTES", "BATCH_MEMORY_BYTES", "MAX_JSON_BATCH_DOCUMENTS"):
        value = int(config[name])
        if value <= 0:
            raise ValueError(f"{PREFIX}_{name} must be a positive integer, got {config[name]!r}")
        out[name] = value
    budget = config.get("TIME_BUDGET")
    out["TIME_BUDGET"] = None if budget in (None, "", 0) else float(budget)
    out["MAX_CONTENT_LENGTH"] = out["MAX_BODY_BYTES"]
    for name in ("SOURCE_DB", "REDIS_URL"):
        value = config.get(name)
        out[name] = str(value).strip() or None if value not in (None, False) else None
    return out
