"""Order lines: refreshing them from a payload, committed quantities, and what an order may hold.

A line is matched to a payload item by Starshipit's ``item_id``, or by SKU when the item has none.
Lines that disappear from the payload stay in the table with ``active`` false, so their history and
shipped quantities remain. A line "really changes" when its SKU or ordered quantity changes, or when
a line is added, removed or brought back. A new description alone is stored but is no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Allocation, AllocationStatus, Discrepancy, Job, JobLine, JobStatus, JobType, Order, OrderLine, OrderStatus, Product
from app.domain.orders.payload import ItemLine, line_key
from app.domain.stock.reservations import open_allocations, release_allocations, return_picked_units
from app.lib.logging import get_logger

__all__ = [
    "OPEN_JOB_STATUSES",
    "HoldingsResult",
    "cancel_order_jobs",
    "load_lines",
    "reconcile_holdings",
    "refresh_commitments",
    "sync_lines",
]

log = get_logger(__name__)

OPEN_JOB_STATUSES = (
    JobStatus.PENDING.value,
    JobStatus.READY.value,
    JobStatus.ASSIGNED.value,
    JobStatus.IN_PROGRESS.value,
    JobStatus.PAUSED.value,
)


async def load_lines(session: AsyncSession, order: Order) -> list[OrderLine]:
    """Load every line of the order, removed ones included, in payload order."""
    statement = select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position, OrderLine.created_at)
    return list((await session.scalars(statement)).all())


async def _product_ids_by_sku(session: AsyncSession, skus: set[str]) -> dict[str, UUID]:
    if not skus:
        return {}
    rows = (await session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus)))).all()
    return {sku: product_id for sku, product_id in rows}


def _flag_unknown_sku(session: AsyncSession, order: Order, line: OrderLine) -> None:
    session.add(
        Discrepancy(
            kind="unknown_sku",
            sku=line.sku,
            quantity=line.quantity_ordered,
            reference_type="order",
            reference_id=str(order.id),
            message=f"order {order.order_number} has SKU {line.sku or '(blank)'} that is not in the catalogue: add the product or fix the order",
        )
    )


def _match(lines: list[OrderLine], item: ItemLine) -> OrderLine | None:
    by_key = {line_key(line.item_id, line.sku): line for line in lines}
    found = by_key.get(item.key)
    if found is None and item.item_id:
        # An earlier payload may have carried this item without its id.
        found = by_key.get(("sku", item.sku))
    return found


async def sync_lines(
    session: AsyncSession,
    order: Order,
    lines: list[OrderLine],
    items: list[ItemLine],
    *,
    only_add: bool = False,
) -> tuple[list[OrderLine], bool]:
    """Bring the stored lines in line with the payload items; return all lines and whether they really changed.

    New SKUs not in the catalogue are kept on the line with ``unknown_sku`` set and a discrepancy
    opened. With ``only_add`` (a payload older than what the order reflects) only items that match
    no stored line are added, and existing lines are left untouched.
    """
    products = await _product_ids_by_sku(session, {item.sku for item in items if item.sku})
    changed = False
    seen: set[UUID] = set()
    result = list(lines)
    next_position = max((line.position for line in lines), default=-1) + 1
    for position, item in enumerate(items):
        line = _match([line for line in result if line.id not in seen], item)
        if line is None:
            line = OrderLine(
                order_id=order.id,
                item_id=item.item_id,
                sku=item.sku,
                product_id=products.get(item.sku),
                description=item.description,
                position=next_position + position,
                quantity_ordered=item.quantity,
                quantity_committed=0,
                quantity_allocated=0,
                quantity_picked=0,
                quantity_shipped=0,
                unknown_sku=item.sku not in products,
                active=True,
            )
            session.add(line)
            await session.flush()
            if line.unknown_sku:
                _flag_unknown_sku(session, order, line)
            result.append(line)
            changed = True
        elif only_add:
            pass
        else:
            if not line.active or line.quantity_ordered != item.quantity or line.sku != item.sku:
                changed = True
            if line.sku != item.sku:
                line.sku = item.sku
                line.product_id = products.get(item.sku)
                line.unknown_sku = item.sku not in products
                if line.unknown_sku:
                    _flag_unknown_sku(session, order, line)
            line.item_id = item.item_id or line.item_id
            line.quantity_ordered = item.quantity
            line.description = item.description or line.description
            line.active = True
        seen.add(line.id)
    for line in result:
        if not only_add and line.id not in seen and line.active:
            line.active = False
            changed = True
    return result, changed


def refresh_commitments(order: Order, lines: list[OrderLine]) -> None:
    """Set each line's committed quantity: ordered minus shipped while the order and line are open, else 0."""
    is_open = OrderStatus(order.status).is_open
    for line in lines:
        if is_open and line.active:
            line.quantity_committed = max(line.quantity_ordered - line.quantity_shipped, 0)
        else:
            line.quantity_committed = 0


@dataclass
class HoldingsResult:
    """Units given up by :func:`reconcile_holdings` and the jobs it cancelled."""

    released: int = 0
    returned: int = 0
    return_job: Job | None = None
    cancelled_jobs: list[Job] = field(default_factory=list)


async def reconcile_holdings(session: AsyncSession, order: Order, lines: list[OrderLine], *, reason: str) -> HoldingsResult:
    """Release what the order holds beyond what its lines still need, then cancel pick jobs left empty.

    A line may hold ordered minus shipped units while the order and the line are open, and none
    otherwise or when its SKU changed to another product. Reserved units beyond that are released first, then picked units are returned to stock
    through a RETURN_TO_STOCK job.
    """
    allocations = await open_allocations(session, order)
    is_open = OrderStatus(order.status).is_open
    release_limits: dict[UUID, int] = {}
    return_limits: dict[UUID, int] = {}
    for line in lines:
        mine = [allocation for allocation in allocations if allocation.order_line_id == line.id]
        if not mine:
            continue
        reserved = sum(allocation.quantity for allocation in mine)
        picked = sum(allocation.quantity_picked for allocation in mine)
        allowed = max(line.quantity_ordered - line.quantity_shipped, 0) if is_open and line.active else 0
        if any(allocation.product_id != line.product_id for allocation in mine):
            # The line's SKU changed: what it holds is the wrong product, so all of it goes back.
            allowed = 0
        excess = reserved + picked - allowed
        if excess <= 0:
            continue
        release_limits[line.id] = min(excess, reserved)
        if excess > reserved:
            return_limits[line.id] = excess - reserved

    result = HoldingsResult()
    if release_limits:
        result.released = (await release_allocations(session, order, reason=reason, limits=release_limits)).units
    if return_limits:
        returned = await return_picked_units(session, order, reason=reason, limits=return_limits)
        result.returned = returned.units
        result.return_job = returned.job
    if result.released or result.returned:
        result.cancelled_jobs = await cancel_order_jobs(session, order, reason=reason, only_without_work=True)
    return result


async def cancel_order_jobs(
    session: AsyncSession,
    order: Order,
    *,
    reason: str,
    job_types: tuple[str, ...] = (JobType.PICK.value, JobType.PACK.value),
    only_without_work: bool = False,
) -> list[Job]:
    """Cancel the order's open jobs of ``job_types`` and return them.

    With ``only_without_work`` a job is cancelled only when none of its lines is linked to an open
    allocation any more. A job none of whose lines was ever linked to an allocation counts as without
    work too, because the order is going back to PENDING and a new release creates fresh jobs.
    """
    jobs = list(
        (
            await session.scalars(
                select(Job).where(Job.order_id == order.id, Job.type.in_(job_types), Job.status.in_(OPEN_JOB_STATUSES))
            )
        ).all()
    )
    cancelled: list[Job] = []
    for job in jobs:
        if only_without_work:
            open_links = await session.scalar(
                select(Allocation.id)
                .join(JobLine, JobLine.id == Allocation.job_line_id)
                .where(JobLine.job_id == job.id, Allocation.status.in_(AllocationStatus.OPEN))
                .limit(1)
            )
            if open_links is not None:
                continue
        job.status = JobStatus.CANCELLED.value
        job.note = (f"{job.note}; cancelled: {reason}" if job.note else f"cancelled: {reason}")[:500]
        cancelled.append(job)
        log.info("job cancelled", job_id=str(job.id), order_id=str(order.id), job_type=job.type, reason=reason)
    await session.flush()
    return cancelled
