"""Engines and units of work.

SQLite allows one writer at a time. A deferred transaction that reads and then writes must upgrade
its lock, and SQLite returns SQLITE_BUSY at once when another writer holds it, without waiting out
``busy_timeout``. So every write transaction here starts with ``BEGIN IMMEDIATE`` on a write engine
whose pool holds one connection: in-process writers queue for that connection instead of racing in
SQLite's busy loop, and reads go through a second engine with plain ``BEGIN`` so they run beside the
writer under WAL. On PostgreSQL one engine serves both and row locks do the ordering.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.config import Settings
from app.lib.logging import get_logger

__all__ = ["Database"]

log = get_logger(__name__)


def _install_sqlite_hooks(engine: AsyncEngine, settings: Settings, *, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module, which would otherwise skip BEGIN
        # before SELECTs and savepoints; the "begin" hook below emits it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # busy_timeout first: switching to WAL can itself wait on another connection's lock.
        cursor.execute(f"PRAGMA busy_timeout = {int(settings.sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {settings.sqlite_synchronous}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(begin)


class Database:
    """The application's engines plus helpers that open one transaction each."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.is_sqlite = settings.is_sqlite
        if self.is_sqlite:
            self.write_engine = create_async_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=120)
            self.read_engine = create_async_engine(settings.database_url, pool_size=5, max_overflow=5)
            _install_sqlite_hooks(self.write_engine, settings, begin="BEGIN IMMEDIATE")
            _install_sqlite_hooks(self.read_engine, settings, begin="BEGIN")
        else:
            self.write_engine = create_async_engine(settings.database_url, pool_size=10, max_overflow=10, pool_pre_ping=True)
            self.read_engine = self.write_engine
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False, autoflush=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Open a write transaction; commit when the block ends, roll back if it raises."""
        async with self._write_sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """Open a session on the read engine; closing it ends the transaction without a commit.

        Loaded objects stay readable after the block because closing, unlike a rollback, does not
        expire them.
        """
        async with self._read_sessions() as session:
            yield session

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
