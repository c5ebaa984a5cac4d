"""Releasing what an order holds: reserved units (allocations) and picked units not yet shipped.

An :class:`~app.db.models.Allocation` carries two quantities. ``quantity`` is the number of units
still reserved at ``location_id``, and the same units are counted in that balance's ``allocated``.
``quantity_picked`` is the number of units already taken to ``picked_location_id`` (a tote, a trolley
or the packing bench) and neither shipped nor returned yet. Both count down as units ship or come back,
and an allocation whose two quantities reach zero is closed: RELEASED when it was given up, SHIPPED
when its units left with the order. ``OrderLine.quantity_allocated`` and ``OrderLine.quantity_picked``
mirror the sums over the line's open allocations.

Releasing reserved units needs no movement because nothing moved on the floor. Picked units did move,
so :func:`return_picked_units` books a ``return`` movement from where they are to the warehouse's
returns location (or its staging dock) and opens a RETURN_TO_STOCK job that puts them back where they
were picked from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Allocation,
    AllocationStatus,
    Job,
    JobLine,
    JobStatus,
    JobType,
    Location,
    LocationType,
    MovementReason,
    Order,
    OrderLine,
    Product,
    StockBalance,
    StockMovement,
)
from app.domain.stock.ledger import record_movement
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "ReleaseResult",
    "ReturnResult",
    "close_if_empty",
    "find_return_location",
    "free_allocated_units",
    "open_allocations",
    "release_allocations",
    "return_picked_units",
]

log = get_logger(__name__)


@dataclass
class ReleaseResult:
    """Reserved units given up, per order line id."""

    units_by_line: dict[UUID, int] = field(default_factory=dict)

    @property
    def units(self) -> int:
        """Total units released."""
        return sum(self.units_by_line.values())


@dataclass
class ReturnResult:
    """Picked units sent back, the movements that booked them and the RETURN_TO_STOCK job."""

    units_by_line: dict[UUID, int] = field(default_factory=dict)
    movements: list[StockMovement] = field(default_factory=list)
    job: Job | None = None

    @property
    def units(self) -> int:
        """Total units returned."""
        return sum(self.units_by_line.values())


async def open_allocations(session: AsyncSession, order: Order, line_ids: Iterable[UUID] | None = None) -> list[Allocation]:
    """Load the order's ALLOCATED and PICKED allocations (optionally of some lines), oldest first."""
    statement = select(Allocation).where(Allocation.order_id == order.id, Allocation.status.in_(AllocationStatus.OPEN))
    if line_ids is not None:
        statement = statement.where(Allocation.order_line_id.in_(list(line_ids)))
    statement = statement.order_by(Allocation.created_at, Allocation.id)
    return list((await session.scalars(statement)).all())


async def free_allocated_units(session: AsyncSession, allocation: Allocation, units: int) -> int:
    """Subtract ``units`` from the ``allocated`` figure of the allocation's balance; return what was freed.

    Never frees more than the balance holds: a smaller stored figure is a broken invariant, which is
    logged with the ids so that ``wms verify`` and a supervisor can follow it up.
    """
    key = (
        StockBalance.product_id == allocation.product_id,
        StockBalance.location_id == allocation.location_id,
        StockBalance.batch == allocation.batch,
    )
    balance_allocated = await session.scalar(select(StockBalance.allocated).where(*key).with_for_update())
    freed = min(units, max(int(balance_allocated or 0), 0))
    if freed < units:
        log.error(
            "stock balance has fewer allocated units than the allocation being released",
            allocation_id=str(allocation.id),
            order_id=str(allocation.order_id),
            balance_allocated=int(balance_allocated or 0),
            releasing=units,
        )
    if freed > 0:
        await session.execute(
            update(StockBalance)
            .where(*key)
            .values(allocated=StockBalance.allocated - freed, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return freed


def close_if_empty(allocation: Allocation, closed_status: str) -> None:
    """Close an allocation that no longer reserves or carries any unit; else keep it open."""
    if allocation.quantity <= 0 and allocation.quantity_picked <= 0:
        allocation.status = closed_status
    elif allocation.quantity <= 0:
        allocation.status = AllocationStatus.PICKED


async def _lines_by_id(session: AsyncSession, order: Order) -> dict[UUID, OrderLine]:
    lines = (await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))).all()
    return {line.id: line for line in lines}


def _selected(lines: Iterable[OrderLine] | None) -> set[UUID] | None:
    return None if lines is None else {line.id for line in lines}


async def release_allocations(
    session: AsyncSession,
    order: Order,
    lines: Iterable[OrderLine] | None = None,
    *,
    reason: str,
    limits: dict[UUID, int] | None = None,
) -> ReleaseResult:
    """Give up the reserved units of the order's open allocations, in the caller's transaction.

    ``lines`` restricts the release to those order lines (all lines when None). ``limits`` caps the
    units released per order line id. The newest allocations go first, so the oldest ones are kept
    because a picker is usually already walking to them. Picked units are left alone: see
    :func:`return_picked_units`.
    """
    selected = _selected(lines)
    allocations = await open_allocations(session, order, selected)
    order_lines = await _lines_by_id(session, order)
    result = ReleaseResult()
    for allocation in reversed(allocations):
        if allocation.quantity <= 0:
            continue
        budget = allocation.quantity
        if limits is not None:
            budget = min(budget, limits.get(allocation.order_line_id, 0) - result.units_by_line.get(allocation.order_line_id, 0))
        if budget <= 0:
            continue
        freed = await free_allocated_units(session, allocation, budget)
        # The allocation gives up ``budget`` units even when the balance held fewer: the reservation
        # is gone either way, and the shortfall was logged.
        allocation.quantity -= budget
        close_if_empty(allocation, AllocationStatus.RELEASED)
        line = order_lines.get(allocation.order_line_id)
        if line is not None:
            line.quantity_allocated = max(line.quantity_allocated - budget, 0)
        result.units_by_line[allocation.order_line_id] = result.units_by_line.get(allocation.order_line_id, 0) + budget
        log.info(
            "allocation released",
            order_id=str(order.id),
            allocation_id=str(allocation.id),
            units=budget,
            freed=freed,
            reason=reason,
        )
    await session.flush()
    return result


async def find_return_location(session: AsyncSession, warehouse_id: UUID) -> Location | None:
    """Return the warehouse's RETURNS location, else its STAGING_DOCK, else None."""
    for location_type in (LocationType.RETURNS, LocationType.STAGING_DOCK):
        location = await session.scalar(
            select(Location)
            .where(Location.warehouse_id == warehouse_id, Location.type == location_type.value, Location.archived.is_(False))
            .order_by(Location.pick_sequence, Location.code)
            .limit(1)
        )
        if location is not None:
            return location
    return None


async def return_picked_units(
    session: AsyncSession,
    order: Order,
    lines: Iterable[OrderLine] | None = None,
    *,
    reason: str,
    limits: dict[UUID, int] | None = None,
) -> ReturnResult:
    """Send picked-but-unshipped units back to stock, in the caller's transaction.

    Handles each open allocation with picked units of ``lines`` (all lines when None), capped per
    line by ``limits``. It books a ``return`` movement, referenced to the order, from
    ``picked_location_id`` to the warehouse's returns location. Then it adds a line to one
    RETURN_TO_STOCK job that moves the units on to the location they were picked from.
    """
    selected = _selected(lines)
    allocations = await open_allocations(session, order, selected)
    order_lines = await _lines_by_id(session, order)
    target = await find_return_location(session, order.warehouse_id)
    result = ReturnResult()
    for allocation in reversed(allocations):
        if allocation.quantity_picked <= 0:
            continue
        units = allocation.quantity_picked
        if limits is not None:
            units = min(units, limits.get(allocation.order_line_id, 0) - result.units_by_line.get(allocation.order_line_id, 0))
        if units <= 0:
            continue

        # The units stay where they are when there is no returns or staging location, or when they
        # were picked in place. The job then starts from there.
        job_source = allocation.picked_location_id
        if allocation.picked_location_id is not None and target is not None and target.id != allocation.picked_location_id:
            product = await session.get(Product, allocation.product_id)
            movement = await record_movement(
                session,
                product_id=allocation.product_id,
                sku=product.sku if product else "",
                quantity=units,
                reason=MovementReason.RETURN,
                from_location_id=allocation.picked_location_id,
                to_location_id=target.id,
                batch=allocation.batch,
                reference_type="order",
                reference_id=str(order.id),
                note=f"order {order.order_number}: picked units returned ({reason})",
            )
            result.movements.append(movement.movement)
            job_source = target.id
        elif target is None:
            log.warning("warehouse has no returns or staging location; picked units stay put", order_id=str(order.id))

        if result.job is None:
            result.job = Job(
                warehouse_id=order.warehouse_id,
                type=JobType.RETURN_TO_STOCK.value,
                status=JobStatus.READY.value,
                order_id=order.id,
                note=f"Return picked units of order {order.order_number} to stock ({reason})"[:500],
            )
            session.add(result.job)
            await session.flush()
        session.add(
            JobLine(
                job_id=result.job.id,
                product_id=allocation.product_id,
                batch=allocation.batch,
                from_location_id=job_source,
                to_location_id=allocation.location_id,
                quantity=units,
            )
        )

        allocation.quantity_picked -= units
        close_if_empty(allocation, AllocationStatus.RELEASED)
        line = order_lines.get(allocation.order_line_id)
        if line is not None:
            line.quantity_picked = max(line.quantity_picked - units, 0)
        result.units_by_line[allocation.order_line_id] = result.units_by_line.get(allocation.order_line_id, 0) + units
        log.info("picked units returned", order_id=str(order.id), allocation_id=str(allocation.id), units=units, reason=reason)
    await session.flush()
    return result
