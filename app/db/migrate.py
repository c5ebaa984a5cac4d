"""Schema migrations through Alembic, and the start-up check that the schema is current."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.lib.errors import SchemaOutdatedError

__all__ = ["check_schema", "head_revision", "make_alembic_config", "upgrade_database"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_alembic_config(database_url: str) -> Config:
    """Build an Alembic config for ``database_url`` without an alembic.ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("version_table", "alembic_version")
    return config


def head_revision() -> str | None:
    """Return the newest revision shipped with this code."""
    return ScriptDirectory.from_config(make_alembic_config("sqlite://")).get_current_head()


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Apply every pending migration. Runs Alembic in a worker thread when a loop is running."""
    config = make_alembic_config(settings.database_url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, revision)
        return
    # env.py calls asyncio.run(), which cannot nest inside a running loop.
    import threading

    errors: list[BaseException] = []

    def _run() -> None:
        try:
            command.upgrade(config, revision)
        except BaseException as exc:  # re-raised in the caller's thread below
            errors.append(exc)

    thread = threading.Thread(target=_run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


async def check_schema(engine: AsyncEngine) -> None:
    """Raise :class:`SchemaOutdatedError` unless the database is at the head revision."""
    head = head_revision()

    def _current(sync_connection) -> str | None:  # type: ignore[no-untyped-def]
        return MigrationContext.configure(sync_connection).get_current_revision()

    async with engine.connect() as connection:
        current = await connection.run_sync(_current)
    if current != head:
        found = current or "an empty database"
        raise SchemaOutdatedError(
            f"the database schema is at {found}, but this version of the WMS needs revision {head}: "
            "run `wms db upgrade` and start the server again"
        )


def regenerate_initial_migration() -> Path:
    """Rewrite the single initial migration from the models (development helper, before release).

    NOTE: the project ships one initial revision until its first release; after that, new model
    changes get their own revision with ``alembic revision --autogenerate`` instead.
    """
    versions = MIGRATIONS_DIR / "versions"
    for old in versions.glob("*_initial.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        config = make_alembic_config(f"sqlite+aiosqlite:///{folder}/empty.db")
        command.revision(config, message="initial", autogenerate=True, rev_id="0001")
    created = next(versions.glob("0001_initial.py"))
    return created


if __name__ == "__main__":
    print(regenerate_initial_migration())
