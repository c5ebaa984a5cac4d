"""Helpers every ``wms`` command shares: settings, the schema check and running the server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from app.config import ConfigError, Settings, load_settings
from app.lib.errors import SchemaOutdatedError

__all__ = [
    "EXIT_CONFIG",
    "fail",
    "load_settings_or_exit",
    "require_current_schema",
    "run_async",
    "run_server",
    "sqlite_file",
    "upgrade_or_exit",
    "with_database",
]

# Exit status of a command that cannot start because of its configuration or database schema;
# 1 stays for "ran and found a problem" (a verify violation, a rejected user).
EXIT_CONFIG = 2

T = TypeVar("T")


def fail(message: str, status: int = 1) -> None:
    """Print ``message`` on stderr and exit with ``status``."""
    click.echo(message, err=True)
    sys.exit(status)


def load_settings_or_exit() -> Settings:
    """Read the settings, or print the configuration error and exit with status 2."""
    try:
        return load_settings()
    except ConfigError as exc:
        fail(f"configuration error: {exc}", EXIT_CONFIG)
        raise  # unreachable: fail() exits


def run_async(function: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine function to completion on a fresh event loop."""
    return asyncio.run(function())  # type: ignore[arg-type]


def describe_database(settings: Settings) -> str:
    """Return the database URL without credentials, for messages."""
    return settings.database_url.split("@")[-1]


async def _check(settings: Settings) -> None:
    from app.db import Database
    from app.db.migrate import check_schema

    database = Database(settings)
    try:
        await check_schema(database.read_engine)
    finally:
        await database.dispose()


def sqlite_file(settings: Settings) -> Path | None:
    """Return the absolute path of a file-backed SQLite database, or None for other databases."""
    prefix = "sqlite+aiosqlite:///"
    url = settings.database_url
    if not url.startswith(prefix) or ":memory:" in url or "mode=memory" in url:
        return None
    return Path(url[len(prefix) :].split("?", 1)[0]).resolve()


def require_current_schema(settings: Settings) -> None:
    """Exit with status 2 and the command to run unless the database is at the current schema."""
    path = sqlite_file(settings)
    if path is not None and not path.exists():
        # Connecting would create an empty file here, which hides a command run in the wrong folder.
        fail(
            f"cannot start: the database file {path} does not exist. Run the command in the folder "
            "that contains the database, set WMS_DATABASE_URL to it, or create it with `wms db upgrade`",
            EXIT_CONFIG,
        )
    try:
        run_async(lambda: _check(settings))
    except SchemaOutdatedError as exc:
        fail(f"cannot start: {exc}", EXIT_CONFIG)
    except (SQLAlchemyError, OSError) as exc:
        fail(f"cannot open the database {describe_database(settings)}: {_first_line(exc)}", EXIT_CONFIG)


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def upgrade_or_exit(settings: Settings, revision: str = "head") -> None:
    """Apply pending migrations, or exit with status 2 naming the database and the error."""
    from app.db.migrate import upgrade_database

    try:
        upgrade_database(settings, revision)
    except (SQLAlchemyError, OSError) as exc:
        fail(f"cannot migrate the database {describe_database(settings)}: {_first_line(exc)}", EXIT_CONFIG)


def with_database(settings: Settings, function: Callable[..., Awaitable[T]]) -> T:
    """Open the database of ``settings``, await ``function(database)`` and close it again."""
    from app.db import Database

    async def _run() -> T:
        database = Database(settings)
        try:
            return await function(database)
        finally:
            await database.dispose()

    return run_async(_run)


def run_server(settings: Settings, host: str, port: int, ssl_certfile: str | None = None, ssl_keyfile: str | None = None) -> None:
    """Serve the app with uvicorn until interrupted; the schema must already be current."""
    import uvicorn

    from app.asgi import create_app

    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        lifespan="on",
    )
