"""The outbound timer: automatic releases and the shipped-feed polling fallback, inside the server.

One background task per server process wakes every ``TICK_SECONDS``. Each warehouse's settings
decide whether anything is due (``auto_release_minutes``, ``release_on_stock_arrival``,
``poll_shipped_minutes`` for the accounts whose default warehouse it is); the last run of each task
is stored in ``outbound_timer``, so a restart does not run everything at once.

NOTE: with several server processes on PostgreSQL every process runs the timer. Releases stay
correct (row locks, PENDING check) and polled shipments book once (unique shipment key), but the
feed is read once per process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from litestar.channels import ChannelsPlugin
from sqlalchemy import select

from app.db import Database
from app.db.models import Account, OutboundSettings
from app.domain.outbound.autorelease import run_due_releases, timer_for
from app.domain.outbound.reconciliation import reconcile_account
from app.lib.errors import DomainError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["TICK_SECONDS", "outbound_scheduler", "run_due_polls", "run_tick"]

log = get_logger(__name__)

TICK_SECONDS = 30.0


async def run_due_polls(db: Database, *, base_url: str, channels: ChannelsPlugin | None = None) -> int:
    """Poll Starshipit's shipped feed for every account whose polling interval has passed; return how many ran."""
    async with db.read() as session:
        rows = (
            await session.execute(
                select(Account.id, Account.code, OutboundSettings.poll_shipped_minutes)
                .join(OutboundSettings, OutboundSettings.warehouse_id == Account.default_warehouse_id)
                .where(Account.active.is_(True), OutboundSettings.poll_shipped_minutes > 0, Account.api_key != "")
            )
        ).all()
    ran = 0
    now = utcnow()
    for account_id, code, minutes in rows:
        async with db.transaction() as session:
            timer = await timer_for(session, "poll_shipped", account_id)
            due = timer.last_run_at is None or now - timer.last_run_at >= timedelta(minutes=minutes)
            if due:
                timer.last_run_at = now
        if not due:
            continue
        try:
            await reconcile_account(db, account_id, base_url=base_url, apply_missing=True, channels=channels)
            ran += 1
        except DomainError as exc:
            log.error("shipped feed poll failed", account=code, error=exc.message)
    return ran


async def run_tick(db: Database, *, base_url: str, channels: ChannelsPlugin | None = None) -> None:
    """Run every outbound task that is due now."""
    await run_due_releases(db, channels=channels)
    await run_due_polls(db, base_url=base_url, channels=channels)


@contextlib.asynccontextmanager
async def outbound_scheduler(db: Database, *, base_url: str, channels: ChannelsPlugin | None = None, tick_seconds: float = TICK_SECONDS) -> AsyncIterator[None]:
    """Run the outbound timer in the background for the duration of the block (the server's lifespan)."""

    async def loop() -> None:
        log.info("outbound scheduler started", tick_seconds=tick_seconds)
        while True:
            await asyncio.sleep(tick_seconds)
            try:
                await run_tick(db, base_url=base_url, channels=channels)
            except Exception:  # one failed tick must not stop the timer; the next tick tries again
                log.exception("outbound scheduler tick failed")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        log.info("outbound scheduler stopped")
