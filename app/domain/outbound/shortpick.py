"""Short picks: what the picker did not find is counted, flagged and reallocated from other bins.

The missing units' reservation at the bin is released, a CYCLE_COUNT job and a ``short_pick``
discrepancy are opened for that bin, and the units are reallocated from other locations as new
lines of the same pick job. Units no other location holds leave the order line short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Allocation, AllocationStatus, Discrepancy, Job, JobLine, JobType, Location, Order, OrderLine, Product, StockBalance
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import JobLineSpec, create_job
from app.domain.outbound.allocation import allocate_lines, unreserve_units
from app.domain.outbound.routing import get_outbound_settings
from app.lib.logging import get_logger

if TYPE_CHECKING:
    from app.domain.outbound.picking import PickResult

__all__ = ["handle_short_pick"]

log = get_logger(__name__)


async def handle_short_pick(
    session: AsyncSession,
    job: Job,
    allocation: Allocation,
    job_line: JobLine,
    location: Location,
    product: Product,
    order: Order,
    order_line: OrderLine,
    missing: int,
    reason: str,
    actor: Actor,
    result: PickResult,
) -> None:
    """Release the missing units at the bin, open a count and a discrepancy, and reallocate them elsewhere."""
    await unreserve_units(session, product_id=allocation.product_id, location_id=allocation.location_id, batch=allocation.batch, quantity=missing)
    allocation.quantity -= missing
    if allocation.quantity == 0:
        allocation.status = AllocationStatus.PICKED if allocation.quantity_picked > 0 else AllocationStatus.RELEASED
    order_line.quantity_allocated -= missing
    job_line.quantity -= missing
    result.short = missing

    on_hand = await session.scalar(
        select(StockBalance.on_hand).where(
            StockBalance.product_id == product.id, StockBalance.location_id == location.id, StockBalance.batch == allocation.batch
        )
    )
    count_job = await create_job(
        session,
        warehouse_id=job.warehouse_id,
        job_type=JobType.CYCLE_COUNT,
        lines=[JobLineSpec(product_id=product.id, quantity=int(on_hand or 0), batch=allocation.batch, from_location_id=location.id)],
        reference_type="short_pick",
        reference_id=str(job.id),
        zone=location.zone,
        note=f"count {product.sku} at {location.code}: short pick for order {order.order_number} ({reason})",
        priority=10,
    )
    result.cycle_count_job_id = count_job.id
    session.add(
        Discrepancy(
            kind="short_pick",
            product_id=product.id,
            location_id=location.id,
            sku=product.sku,
            quantity=missing,
            reference_type="order",
            reference_id=str(order.id),
            message=f"{missing} {product.sku} missing at {location.code} for order {order.order_number}: {reason}",
        )
    )

    settings = await get_outbound_settings(session, order.warehouse_id)
    plan = await allocate_lines(
        session,
        order,
        [(order_line, missing)],
        min_shelf_life_days=settings.min_shelf_life_days,
        allow_partial=True,
        exclude_location_ids={location.id},
    )
    for new_allocation in plan.allocations:
        new_line = JobLine(
            job_id=job.id,
            product_id=new_allocation.product_id,
            batch=new_allocation.batch,
            from_location_id=new_allocation.location_id,
            quantity=new_allocation.quantity,
            quantity_done=0,
        )
        session.add(new_line)
        job.lines.append(new_line)
        await session.flush()
        new_allocation.job_line_id = new_line.id
        code = await session.scalar(select(Location.code).where(Location.id == new_allocation.location_id))
        result.reallocated.append({"location": code, "batch": new_allocation.batch, "quantity": new_allocation.quantity})
    result.left_short = sum(shortfall.requested - shortfall.available for shortfall in plan.shortfalls)
    if result.left_short:
        result.warnings.append(f"{result.left_short} {product.sku} left short on order {order.order_number}: no other location holds them")
    log.warning(
        "short pick",
        job_id=str(job.id),
        order_number=order.order_number,
        sku=product.sku,
        location=location.code,
        missing=missing,
        reallocated=missing - result.left_short,
        reason=reason,
    )
