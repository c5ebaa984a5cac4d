"""Settings read from ``WMS_*`` environment variables.

Every setting has a default that runs a single-process warehouse on SQLite. A value that cannot be
used raises :class:`ConfigError` naming the variable, so start-up stops before anything is served.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["ConfigError", "Settings", "get_settings", "load_settings"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class ConfigError(ValueError):
    """A ``WMS_*`` environment variable contains a value the server cannot use."""


@dataclass(frozen=True)
class Settings:
    """Server settings; see the configuration table in README.md."""

    database_url: str = "sqlite+aiosqlite:///./wms.db"
    secret_key: str = field(default="", repr=False)
    secret_key_generated: bool = False
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    sqlite_synchronous: str = "FULL"
    sqlite_busy_timeout_ms: int = 30_000
    redis_url: str = ""
    token_ttl_hours: int = 12
    pin_attempts: int = 5
    pin_window_seconds: int = 300
    sync_batch_max: int = 500
    status_history_resume_max: int = 1000
    starshipit_base_url: str = "https://api.starshipit.com"
    # Adjustments that add or remove more units than this need the supervisor role.
    adjustment_limit: int = 50

    @property
    def is_sqlite(self) -> bool:
        """True when the database is SQLite, which needs its own connection set-up."""
        return self.database_url.startswith("sqlite")


def _read_int(env: dict[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number: set it to an integer from {minimum} to {maximum}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name}={value} is out of range: set it to an integer from {minimum} to {maximum}")
    return value


def _read_choice(env: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ConfigError(f"{name}={raw!r} is invalid: use one of {', '.join(choices)}")
    return value


def _read_database_url(env: dict[str, str]) -> str:
    raw = env.get("WMS_DATABASE_URL", "").strip()
    if not raw:
        return Settings.database_url
    if raw.startswith("sqlite:///") or raw.startswith("sqlite://"):
        # The async engine needs the aiosqlite driver; accept the plain spelling people copy from docs.
        raw = "sqlite+aiosqlite" + raw[len("sqlite") :]
    elif raw.startswith("postgresql://") or raw.startswith("postgres://"):
        raw = "postgresql+asyncpg://" + raw.split("://", 1)[1]
    if not (raw.startswith("sqlite+aiosqlite://") or raw.startswith("postgresql+asyncpg://")):
        raise ConfigError(
            f"WMS_DATABASE_URL={raw!r} is not supported: use sqlite+aiosqlite:///path/to/wms.db "
            "or postgresql+asyncpg://user@host:5432/dbname"
        )
    if raw.startswith("sqlite+aiosqlite:///") and ":memory:" not in raw and "mode=memory" not in raw:
        path = Path(raw[len("sqlite+aiosqlite:///") :].split("?", 1)[0])
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.exists():
            raise ConfigError(f"WMS_DATABASE_URL={raw!r} points into a missing folder {str(parent)!r}: create it first")
    return raw


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (the process environment by default), validating every value."""
    env = dict(os.environ if env is None else env)
    secret_key = env.get("WMS_SECRET_KEY", "")
    generated = False
    if not secret_key:
        # A per-process key keeps a demo or test server working; tokens then die with the process.
        secret_key = secrets.token_urlsafe(32)
        generated = True
    elif len(secret_key) < 16:
        raise ConfigError("WMS_SECRET_KEY is shorter than 16 characters: use a long random string")

    redis_url = env.get("WMS_REDIS_URL", "").strip()
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"WMS_REDIS_URL={redis_url!r} is invalid: use redis://host:6379/0")

    base_url = env.get("WMS_STARSHIPIT_BASE_URL", "").strip() or Settings.starshipit_base_url
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"WMS_STARSHIPIT_BASE_URL={base_url!r} is invalid: use an http:// or https:// URL")

    return Settings(
        database_url=_read_database_url(env),
        secret_key=secret_key,
        secret_key_generated=generated,
        log_level=_read_choice(env, "WMS_LOG_LEVEL", "INFO", LOG_LEVELS),
        host=env.get("WMS_HOST", "").strip() or "127.0.0.1",
        port=_read_int(env, "WMS_PORT", 8000, 1, 65535),
        sqlite_synchronous=_read_choice(env, "WMS_SQLITE_SYNCHRONOUS", "FULL", SYNCHRONOUS_MODES),
        sqlite_busy_timeout_ms=_read_int(env, "WMS_SQLITE_BUSY_TIMEOUT_MS", 30_000, 0, 600_000),
        redis_url=redis_url,
        token_ttl_hours=_read_int(env, "WMS_TOKEN_TTL_HOURS", 12, 1, 24 * 90),
        pin_attempts=_read_int(env, "WMS_PIN_ATTEMPTS", 5, 1, 1000),
        pin_window_seconds=_read_int(env, "WMS_PIN_WINDOW_SECONDS", 300, 1, 86_400),
        sync_batch_max=_read_int(env, "WMS_SYNC_BATCH_MAX", 500, 1, 10_000),
        status_history_resume_max=_read_int(env, "WMS_RESUME_MAX_EVENTS", 1000, 1, 1_000_000),
        starshipit_base_url=base_url.rstrip("/"),
        adjustment_limit=_read_int(env, "WMS_ADJUSTMENT_LIMIT", 50, 1, 1_000_000),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return load_settings()
