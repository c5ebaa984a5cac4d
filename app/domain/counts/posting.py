"""Posting stocktakes: approved variances become ``count`` movements; cancelling posts nothing."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    CountStatus,
    Discrepancy,
    Job,
    JobStatus,
    Location,
    MovementReason,
    Product,
    StockBalance,
    Stocktake,
    StocktakeCount,
    StocktakeScope,
    StocktakeStatus,
)
from app.domain.counts.services import PostOutcome, load_stocktake, record_count
from app.domain.jobs.actor import Actor
from app.domain.stock.ledger import record_movement
from app.lib.errors import ConflictError, PermissionDeniedError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["cancel_stocktake", "post_stocktake"]

log = get_logger(__name__)


async def _zero_uncounted(session: AsyncSession, stocktake: Stocktake, actor: Actor) -> None:
    """Count as zero the stock at visited locations of the stocktake that was not counted."""
    counts = (await session.scalars(select(StocktakeCount).where(StocktakeCount.stocktake_id == stocktake.id, StocktakeCount.status != CountStatus.SUPERSEDED))).all()
    visited = {count.location_id for count in counts}
    counted = {(count.location_id, count.product_id, count.batch) for count in counts}
    if not visited:
        return
    balances = (await session.scalars(select(StockBalance).where(StockBalance.location_id.in_(visited), StockBalance.on_hand != 0))).all()
    for balance in balances:
        if (balance.location_id, balance.product_id, balance.batch) in counted:
            continue
        location = await session.get(Location, balance.location_id)
        product = await session.get(Product, balance.product_id)
        assert location is not None and product is not None
        await record_count(session, location=location, product=product, counted_quantity=0, actor=actor, stocktake_id=stocktake.id, batch=balance.batch, require_batch=False)


async def _resolve_counted_discrepancies(session: AsyncSession, stocktake: Stocktake, keys: set[tuple[UUID, UUID]]) -> None:
    for product_id, location_id in keys:
        on_hand = await session.scalar(select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(StockBalance.product_id == product_id, StockBalance.location_id == location_id))
        if on_hand is not None and on_hand < 0:
            continue
        for discrepancy in (
            await session.scalars(
                select(Discrepancy).where(Discrepancy.product_id == product_id, Discrepancy.location_id == location_id, Discrepancy.resolved.is_(False), Discrepancy.kind == "negative_stock")
            )
        ).all():
            discrepancy.resolved = True
            discrepancy.status = "resolved"
            discrepancy.resolution_note = f"counted in stocktake {stocktake.id}"


async def post_stocktake(session: AsyncSession, stocktake_id: UUID, *, actor: Actor) -> PostOutcome:
    """Post the approved variances as ``count`` movements and close the stocktake (supervisors).

    For a location stocktake with ``zero_uncounted``, uncounted stock at visited locations is
    first counted as zero. When any count still waits for approval nothing is posted, the
    outcome lists those counts, and the stocktake stays OPEN.
    """
    if not actor.is_supervisor:
        raise PermissionDeniedError("only a supervisor can post a stocktake")
    stocktake = await load_stocktake(session, stocktake_id, for_update=True)
    if stocktake.status != StocktakeStatus.OPEN:
        raise ConflictError(f"stocktake {stocktake.id} is {stocktake.status}: it was posted or cancelled already", code="stocktake_closed")
    if stocktake.zero_uncounted:
        await _zero_uncounted(session, stocktake, actor)
    counts = (await session.scalars(select(StocktakeCount).where(StocktakeCount.stocktake_id == stocktake.id).order_by(StocktakeCount.counted_at, StocktakeCount.id))).all()
    pending = [count.id for count in counts if count.status == CountStatus.PENDING_APPROVAL]
    scope_locations = (await session.scalars(select(StocktakeScope.location_id).where(StocktakeScope.stocktake_id == stocktake.id, StocktakeScope.location_id.is_not(None)))).all()
    visited = {count.location_id for count in counts if count.status != CountStatus.SUPERSEDED}
    not_counted = sorted((await session.scalars(select(Location.code).where(Location.id.in_([loc for loc in scope_locations if loc not in visited])))).all()) if scope_locations else []
    if pending:
        return PostOutcome(stocktake=stocktake, posted=False, pending=pending, not_counted=not_counted)

    outcome = PostOutcome(stocktake=stocktake, posted=True, not_counted=not_counted)
    touched: set[tuple[UUID, UUID]] = set()
    for count in counts:
        if count.status != CountStatus.APPROVED:
            continue
        if count.variance != 0:
            product = await session.get(Product, count.product_id)
            movement = await record_movement(
                session,
                product_id=count.product_id,
                sku=product.sku if product else "",
                quantity=abs(count.variance),
                reason=MovementReason.COUNT,
                from_location_id=count.location_id if count.variance < 0 else None,
                to_location_id=count.location_id if count.variance > 0 else None,
                batch=count.batch,
                reference_type="stocktake",
                reference_id=str(stocktake.id),
                operator_id=actor.user_id,
                device_id=actor.device_id,
                command_id=actor.command_id,
                note=f"counted {count.counted_quantity}, expected {count.expected_quantity} at the count",
            )
            count.movement_id = movement.movement.id
            outcome.movements += 1
            outcome.warnings.extend(movement.warnings)
        count.status = CountStatus.POSTED
        touched.add((count.product_id, count.location_id))
    await _resolve_counted_discrepancies(session, stocktake, touched)
    stocktake.status = StocktakeStatus.POSTED
    stocktake.posted_by_id = actor.user_id
    stocktake.posted_at = utcnow()
    if stocktake.job_id is not None:
        job = await session.get(Job, stocktake.job_id)
        if job is not None and job.status not in (JobStatus.COMPLETED.value, JobStatus.CANCELLED.value, JobStatus.FAILED.value):
            job.status = JobStatus.COMPLETED.value
            job.finished_at = utcnow()
    await session.flush()
    log.info("stocktake posted", stocktake_id=str(stocktake.id), movements=outcome.movements, by=str(actor.user_id))
    return outcome


async def cancel_stocktake(session: AsyncSession, stocktake_id: UUID, *, actor: Actor) -> Stocktake:
    """Cancel an open stocktake without posting anything (supervisors)."""
    if not actor.is_supervisor:
        raise PermissionDeniedError("only a supervisor can cancel a stocktake")
    stocktake = await load_stocktake(session, stocktake_id, for_update=True)
    if stocktake.status != StocktakeStatus.OPEN:
        raise ConflictError(f"stocktake {stocktake.id} is {stocktake.status}", code="stocktake_closed")
    stocktake.status = StocktakeStatus.CANCELLED
    if stocktake.job_id is not None:
        job = await session.get(Job, stocktake.job_id)
        if job is not None and job.status not in (JobStatus.COMPLETED.value, JobStatus.CANCELLED.value, JobStatus.FAILED.value):
            job.status = JobStatus.CANCELLED.value
            job.finished_at = utcnow()
    await session.flush()
    return stocktake
