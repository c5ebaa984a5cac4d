"""Per-device flush locks, so that two flushes of one device never interleave their commands.

Within one server process an asyncio lock per device is enough. On PostgreSQL several server
processes may share the database, so the batch also holds a session-level advisory lock keyed by
the device id. It lives on a connection of its own, outside the application's pool: a batch
waiting for a pool connection while holding another could otherwise exhaust the pool. When a
process dies, PostgreSQL closes its connection and releases the lock.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app.db import Database
from app.lib.logging import get_logger

__all__ = ["device_flush_lock"]

log = get_logger(__name__)

_process_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
_lock_engines: weakref.WeakKeyDictionary[Database, AsyncEngine] = weakref.WeakKeyDictionary()


def _process_lock(device_id: str) -> asyncio.Lock:
    lock = _process_locks.get(device_id)
    if lock is None:
        lock = asyncio.Lock()
        _process_locks[device_id] = lock
    return lock


def advisory_key(device_id: str) -> int:
    """Map a device id to a signed 64-bit advisory lock key (the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(f"wms-sync:{device_id}".encode()).digest()[:8], "big", signed=True)


def _lock_engine(db: Database) -> AsyncEngine:
    engine = _lock_engines.get(db)
    if engine is None:
        engine = create_async_engine(db.settings.database_url, poolclass=NullPool)
        _lock_engines[db] = engine
    return engine


@asynccontextmanager
async def device_flush_lock(db: Database, device_id: str) -> AsyncIterator[None]:
    """Hold the device's flush lock for the duration of the block."""
    async with _process_lock(device_id):
        if db.is_sqlite:
            # SQLite is served by one process, whose asyncio lock is already held.
            yield
            return
        key = advisory_key(device_id)
        async with _lock_engine(db).connect() as connection:
            await connection.execute(select(func.pg_advisory_lock(key)))
            await connection.commit()
            try:
                yield
            finally:
                try:
                    await connection.execute(select(func.pg_advisory_unlock(key)))
                    await connection.commit()
                except Exception:  # closing the connection below releases the lock anyway
                    log.exception("releasing a device flush lock failed", device_id=device_id)
