"""Releasing orders to the floor: allocate, create pick jobs, set RELEASED; batch pick jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Allocation,
    AllocationStatus,
    Job,
    JobLine,
    JobStatus,
    JobType,
    Location,
    Order,
    OrderLine,
    OrderRouting,
    OrderStatus,
    OutboundSettings,
    RoutingFlow,
)
from app.domain.jobs.services import JobLineSpec, create_job
from app.domain.live.publisher import StatusChange
from app.domain.orders.status import record_status_change
from app.domain.outbound.allocation import Shortfall, allocate_lines, line_need
from app.domain.outbound.routing import get_outbound_settings, route_order
from app.lib.errors import ConflictError, InsufficientStockError, InvalidInputError, NotFoundError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "ReleaseResult",
    "allocate_order",
    "create_batch_pick_job",
    "create_pick_job",
    "link_job_lines",
    "load_order",
    "release_order",
]

log = get_logger(__name__)


@dataclass
class ReleaseResult:
    """The outcome of releasing one order."""

    order_id: UUID
    order_number: str
    status: str
    job_id: UUID | None = None
    allocated: int = 0
    shortfalls: list[Shortfall] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "order_id": str(self.order_id),
            "order_number": self.order_number,
            "status": self.status,
            "job_id": str(self.job_id) if self.job_id else None,
            "allocated": self.allocated,
            "short": [shortfall.as_dict() for shortfall in self.shortfalls],
        }


async def load_order(session: AsyncSession, order_id: UUID, *, account_id: UUID | None = None, for_update: bool = False) -> Order:
    """Return the order; an order of another account is reported as not found."""
    statement = select(Order).where(Order.id == order_id)
    if account_id is not None:
        statement = statement.where(Order.account_id == account_id)
    if for_update:
        statement = statement.with_for_update()
    order = await session.scalar(statement)
    if order is None:
        raise NotFoundError(f"order {order_id} not found", order_id=str(order_id))
    return order


async def _active_lines(session: AsyncSession, order_id: UUID) -> list[OrderLine]:
    statement = select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.active.is_(True)).order_by(OrderLine.position)
    return list((await session.scalars(statement)).all())


async def allocate_order(
    session: AsyncSession, order: Order, *, allow_partial: bool = False, settings: OutboundSettings | None = None
) -> tuple[list[Allocation], list[Shortfall]]:
    """Allocate every active line of ``order`` that still needs units (FEFO/FIFO, pick faces first)."""
    settings = settings or await get_outbound_settings(session, order.warehouse_id)
    lines = await _active_lines(session, order.id)
    needs = [(line, line_need(line)) for line in lines]
    plan = await allocate_lines(
        session, order, needs, min_shelf_life_days=settings.min_shelf_life_days, allow_partial=allow_partial
    )
    return plan.allocations, plan.shortfalls


async def create_pick_job(session: AsyncSession, order: Order, allocations: list[Allocation]) -> Job | None:
    """Create a single-order PICK job with one line per allocation, in pick sequence."""
    if not allocations:
        return None
    locations = {
        location.id: location
        for location in (await session.scalars(select(Location).where(Location.id.in_({a.location_id for a in allocations})))).all()
    }
    ordered = sorted(allocations, key=lambda a: (locations[a.location_id].pick_sequence, locations[a.location_id].code, a.batch))
    job = await create_job(
        session,
        warehouse_id=order.warehouse_id,
        job_type=JobType.PICK,
        lines=[JobLineSpec(product_id=a.product_id, quantity=a.quantity, batch=a.batch, from_location_id=a.location_id) for a in ordered],
        reference_type="order",
        reference_id=str(order.id),
        note=f"pick order {order.order_number}",
    )
    job.order_id = order.id
    await link_job_lines(session, job, ordered)
    return job


async def link_job_lines(session: AsyncSession, job: Job, allocations: list[Allocation]) -> None:
    """Point each allocation at the job line created for it (lines with equal keys are interchangeable)."""
    lines = (await session.scalars(select(JobLine).where(JobLine.job_id == job.id))).all()
    by_key: dict[tuple, list[JobLine]] = {}
    for line in lines:
        by_key.setdefault((line.product_id, line.from_location_id, line.batch, line.quantity), []).append(line)
    for allocation in allocations:
        allocation.job_line_id = by_key[(allocation.product_id, allocation.location_id, allocation.batch, allocation.quantity)].pop().id
    await session.flush()


async def release_order(
    session: AsyncSession,
    order_id: UUID,
    *,
    account_id: UUID | None = None,
    allow_partial: bool | None = None,
    cause: str = "release",
) -> ReleaseResult:
    """Release a PENDING WMS-outbound order: allocate its stock, create its pick job, set RELEASED.

    Raises :class:`InsufficientStockError` (sku, requested, available) when stock is short and
    partial release is not allowed; nothing is reserved then. ``allow_partial`` defaults to the
    warehouse setting. An order that Starshipit's own flow handles (headless routing) is rejected.
    """
    order = await load_order(session, order_id, account_id=account_id, for_update=True)
    if order.status != OrderStatus.PENDING.value:
        raise ConflictError(
            f"order {order.order_number} is {order.status}: only PENDING orders can be released",
            code="order_not_pending",
            order_number=order.order_number,
            status=order.status,
        )
    if order.on_hold:
        raise ConflictError(f"order {order.order_number} is on hold: take it off hold first", code="order_on_hold", order_number=order.order_number)
    routing = await session.scalar(select(OrderRouting).where(OrderRouting.order_id == order.id))
    if routing is None:
        await route_order(session, order)
        routing = await session.scalar(select(OrderRouting).where(OrderRouting.order_id == order.id))
    if routing is None or routing.flow != RoutingFlow.WMS:
        raise ConflictError(
            f"order {order.order_number} is routed to Starshipit's own flow ({order.routed_by}): it is not released in the WMS",
            code="order_not_wms_outbound",
            order_number=order.order_number,
        )
    settings = await get_outbound_settings(session, order.warehouse_id)
    partial = settings.allow_partial_release if allow_partial is None else allow_partial
    allocations, shortfalls = await allocate_order(session, order, allow_partial=partial, settings=settings)
    if not allocations:
        existing = await session.scalar(
            select(Allocation.id).where(Allocation.order_id == order.id, Allocation.status.in_(AllocationStatus.OPEN)).limit(1)
        )
        if existing is None:
            lines = await _active_lines(session, order.id)
            if not any(line.product_id for line in lines):
                raise InvalidInputError(
                    f"order {order.order_number} has no lines with a known product: map its SKUs first", code="nothing_to_release"
                )
            raise InsufficientStockError(
                f"no stock available for order {order.order_number}: it stays PENDING until stock arrives",
                order_number=order.order_number,
                sku=shortfalls[0].sku if shortfalls else "",
                available=0,
                lines=[shortfall.as_dict() for shortfall in shortfalls],
            )
    job = await create_pick_job(session, order, allocations)
    change = await record_status_change(session, order, OrderStatus.RELEASED, cause)
    if routing.short_since is not None or shortfalls:
        routing.short_since = utcnow() if shortfalls else None
        routing.short_detail = "; ".join(f"{s.sku} short {s.requested - s.available}" for s in shortfalls)
    await session.flush()
    log.info(
        "order released",
        order_id=str(order.id),
        order_number=order.order_number,
        job_id=str(job.id) if job else None,
        allocations=len(allocations),
        short=len(shortfalls),
    )
    return ReleaseResult(
        order_id=order.id,
        order_number=order.order_number,
        status=order.status,
        job_id=job.id if job else None,
        allocated=sum(a.quantity for a in allocations),
        shortfalls=shortfalls,
        changes=[change] if change else [],
    )


async def create_batch_pick_job(session: AsyncSession, order_ids: list[UUID], *, account_id: UUID | None = None) -> Job:
    """Merge the untouched single-order pick jobs of ``order_ids`` into one batch job (one walk).

    Each order keeps its own tote, which the picker scans at that order's first pick. Orders must be
    RELEASED, in one warehouse, with a READY pick job that no one has started.
    """
    if len(set(order_ids)) < 2:
        raise InvalidInputError("a batch pick job needs at least two different orders", field="order_ids")
    orders = [await load_order(session, order_id, account_id=account_id) for order_id in dict.fromkeys(order_ids)]
    warehouses = {order.warehouse_id for order in orders}
    if len(warehouses) != 1:
        raise InvalidInputError("orders of a batch pick job must be in one warehouse", field="order_ids")
    old_jobs: list[Job] = []
    allocations: list[Allocation] = []
    for order in orders:
        job = await session.scalar(
            select(Job).where(Job.order_id == order.id, Job.type == JobType.PICK.value, Job.status.in_((JobStatus.READY.value, JobStatus.ASSIGNED.value)))
        )
        if order.status != OrderStatus.RELEASED.value or job is None:
            raise ConflictError(
                f"order {order.order_number} has no untouched pick job: only released orders whose picking has not started can be batched",
                code="order_not_batchable",
                order_number=order.order_number,
            )
        done = await session.scalar(select(JobLine.id).where(JobLine.job_id == job.id, JobLine.quantity_done > 0).limit(1))
        if done is not None:
            raise ConflictError(f"picking of order {order.order_number} has started: it cannot join a batch", code="order_not_batchable")
        old_jobs.append(job)
        allocations.extend(
            (
                await session.scalars(
                    select(Allocation).where(Allocation.order_id == order.id, Allocation.status == AllocationStatus.ALLOCATED, Allocation.quantity > 0)
                )
            ).all()
        )
    locations = {
        location.id: location
        for location in (await session.scalars(select(Location).where(Location.id.in_({a.location_id for a in allocations})))).all()
    }
    ordered = sorted(allocations, key=lambda a: (locations[a.location_id].pick_sequence, locations[a.location_id].code, a.batch, str(a.order_id)))
    batch_job = await create_job(
        session,
        warehouse_id=warehouses.pop(),
        job_type=JobType.PICK,
        lines=[JobLineSpec(product_id=a.product_id, quantity=a.quantity, batch=a.batch, from_location_id=a.location_id) for a in ordered],
        reference_type="pick_batch",
        reference_id=",".join(order.order_number for order in orders)[:80],
        note=f"batch pick of {len(orders)} orders",
    )
    await link_job_lines(session, batch_job, ordered)
    for job in old_jobs:
        job.status = JobStatus.CANCELLED.value
        job.finished_at = utcnow()
        job.note = (job.note + f" merged into batch job {batch_job.id}")[:500]
    await session.flush()
    log.info("batch pick job created", job_id=str(batch_job.id), orders=len(orders), lines=len(ordered))
    return batch_job
