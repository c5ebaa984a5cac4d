"""structlog set-up: key-value logs on stderr, secrets never included."""

from __future__ import annotations

import logging
import sys

import structlog

__all__ = ["configure_logging", "get_logger"]

_REDACTED_KEYS = {"password", "pin", "token", "secret", "api_key", "subscription_key", "webhook_secret", "authorization"}


def _redact_secrets(_logger: object, _method: str, event: dict) -> dict:
    for key in list(event):
        if key.lower() in _REDACTED_KEYS:
            event[key] = "***"
    return event


def configure_logging(level: str = "INFO") -> None:
    """Route structlog and the standard library's logging to stderr at ``level``."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    logging.basicConfig(stream=sys.stderr, level=numeric, format="%(message)s", force=True)
    for noisy in ("sqlalchemy.engine", "aiosqlite", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_secrets,
            structlog.processors.format_exc_info,
            structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"], drop_missing=True),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """Return a logger bound to ``name`` (usually ``__name__``)."""
    return structlog.get_logger(name)
