"""Automatic release: every N minutes, and when stock arrives for orders waiting on it.

Each order is released in its own transaction, so one short order never blocks the others, and the
status changes are published after each commit. "Stock arrives" is read from the ledger: any
movement into a location of the warehouse with an id above the stored watermark (receipts,
putaways, returns, positive counts and adjustments) triggers a release attempt of the PENDING
WMS-outbound orders that contain one of the products moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from litestar.channels import ChannelsPlugin
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import (
    Location,
    Order,
    OrderLine,
    OrderRouting,
    OrderStatus,
    OutboundSettings,
    OutboundTimer,
    RoutingFlow,
    StockMovement,
)
from app.domain.live.publisher import publish_status_changes
from app.domain.outbound.release import ReleaseResult, release_order
from app.lib.errors import DomainError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["AutoReleaseReport", "release_pending_orders", "release_on_stock_arrival", "run_due_releases", "timer_for"]

log = get_logger(__name__)


@dataclass
class AutoReleaseReport:
    """Orders an automatic run released, and those it left PENDING with the reason."""

    released: list[ReleaseResult] = field(default_factory=list)
    waiting: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"released": [result.as_dict() for result in self.released], "waiting": self.waiting}


async def timer_for(session: AsyncSession, task: str, scope_id: UUID) -> OutboundTimer:
    """Return the timer row of ``task`` for a warehouse or account, creating it on first use."""
    timer = await session.scalar(select(OutboundTimer).where(OutboundTimer.task == task, OutboundTimer.scope_id == scope_id))
    if timer is None:
        timer = OutboundTimer(task=task, scope_id=scope_id, watermark=0)
        session.add(timer)
        await session.flush()
    return timer


async def _pending_wms_orders(session: AsyncSession, warehouse_id: UUID, product_ids: set[UUID] | None) -> list[UUID]:
    statement = (
        select(Order.id)
        .join(OrderRouting, OrderRouting.order_id == Order.id)
        .where(
            Order.warehouse_id == warehouse_id,
            Order.status == OrderStatus.PENDING.value,
            Order.on_hold.is_(False),
            OrderRouting.flow == RoutingFlow.WMS,
        )
        .order_by(Order.created_at, Order.id)
    )
    if product_ids is not None:
        statement = statement.where(
            Order.id.in_(select(OrderLine.order_id).where(OrderLine.product_id.in_(product_ids), OrderLine.active.is_(True)))
        )
    return list((await session.scalars(statement)).all())


async def release_pending_orders(
    db: Database,
    warehouse_id: UUID,
    *,
    channels: ChannelsPlugin | None = None,
    product_ids: set[UUID] | None = None,
    limit: int = 500,
) -> AutoReleaseReport:
    """Try to release every PENDING WMS-outbound order of a warehouse, oldest first, one per transaction."""
    async with db.read() as session:
        order_ids = (await _pending_wms_orders(session, warehouse_id, product_ids))[:limit]
    report = AutoReleaseReport()
    for order_id in order_ids:
        try:
            async with db.transaction() as session:
                result = await release_order(session, order_id, cause="auto_release")
        except DomainError as exc:
            report.waiting.append({"order_id": str(order_id), "code": exc.code, "message": exc.message})
            if exc.code == "insufficient_stock":
                async with db.transaction() as session:
                    routing = await session.scalar(select(OrderRouting).where(OrderRouting.order_id == order_id))
                    if routing is not None:
                        routing.short_since = routing.short_since or utcnow()
                        routing.short_detail = exc.message[:2000]
            continue
        report.released.append(result)
        publish_status_changes(channels, result.changes)
    if order_ids:
        log.info("automatic release run", warehouse_id=str(warehouse_id), released=len(report.released), waiting=len(report.waiting))
    return report


async def release_on_stock_arrival(db: Database, warehouse_id: UUID, *, channels: ChannelsPlugin | None = None) -> AutoReleaseReport:
    """Release PENDING orders of products that received stock since the last look at the ledger."""
    async with db.transaction() as session:
        timer = await timer_for(session, "stock_arrival", warehouse_id)
        watermark = timer.watermark
        newest = await session.scalar(select(func.max(StockMovement.id)))
        if newest is None or newest <= watermark:
            return AutoReleaseReport()
        product_ids = set(
            (
                await session.scalars(
                    select(StockMovement.product_id)
                    .join(Location, Location.id == StockMovement.to_location_id)
                    .where(StockMovement.id > watermark, StockMovement.id <= newest, Location.warehouse_id == warehouse_id)
                    .distinct()
                )
            ).all()
        )
        timer.watermark = newest
    if not product_ids:
        return AutoReleaseReport()
    return await release_pending_orders(db, warehouse_id, channels=channels, product_ids=product_ids)


async def run_due_releases(db: Database, *, channels: ChannelsPlugin | None = None) -> AutoReleaseReport:
    """Run the automatic releases that are due in every warehouse (called by the scheduler tick)."""
    total = AutoReleaseReport()
    async with db.read() as session:
        settings_rows = (await session.scalars(select(OutboundSettings))).all()
    now = utcnow()
    for settings in settings_rows:
        if settings.release_on_stock_arrival:
            report = await release_on_stock_arrival(db, settings.warehouse_id, channels=channels)
            total.released.extend(report.released)
            total.waiting.extend(report.waiting)
        if settings.auto_release_minutes > 0:
            async with db.transaction() as session:
                timer = await timer_for(session, "auto_release", settings.warehouse_id)
                due = timer.last_run_at is None or now - timer.last_run_at >= timedelta(minutes=settings.auto_release_minutes)
                if due:
                    timer.last_run_at = now
            if due:
                report = await release_pending_orders(db, settings.warehouse_id, channels=channels)
                total.released.extend(report.released)
                total.waiting.extend(report.waiting)
    return total
