"""Allocation: reserving an order's units at specific locations and batches.

Candidate stock is every balance of the order's products in the order's warehouse at a pickable
location (pick face, bulk storage, overflow) with free units (on hand − allocated). Batches that
expire before today + the warehouse's minimum shelf life are excluded. A batch expiring exactly on
that day is still allocated.

Order of preference, per product:
- FEFO (the product's allocation rule is FEFO): earliest expiry first (undated batches last), then
  pick faces before bulk, then pick sequence.
- FIFO: pick faces before bulk, then the oldest stock (batch, else balance, creation time), then
  pick sequence.
The product's own pick face comes before other pick faces in both.

Concurrency: the candidate rows are locked ``FOR UPDATE`` in (product, location, batch) order, the
same order the ledger locks balances in, so an allocation and a pick cannot deadlock on
PostgreSQL. SQLite serialises writers with BEGIN IMMEDIATE instead. Each reservation is then one
conditional ``UPDATE ... SET allocated = allocated + n WHERE allocated + n <= on_hand`` whose row
count is checked, so allocated can never exceed on hand even if a lock were missed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Allocation,
    AllocationStatus,
    Batch,
    Location,
    LocationType,
    Order,
    OrderLine,
    Product,
    StockBalance,
)
from app.lib.errors import InsufficientStockError
from app.lib.timeutil import utcnow

__all__ = [
    "PICKABLE_TYPES",
    "AllocationPlan",
    "Shortfall",
    "allocate_lines",
    "line_need",
    "reserve_units",
    "unreserve_units",
]

PICKABLE_TYPES = (LocationType.PICK_FACE.value, LocationType.BULK_STORAGE.value, LocationType.OVERFLOW.value)


@dataclass
class Shortfall:
    """Units of one order line that no candidate location could supply."""

    line_id: UUID
    sku: str
    requested: int
    available: int

    def as_dict(self) -> dict:
        return {"sku": self.sku, "requested": self.requested, "available": self.available, "short": self.requested - self.available}


@dataclass
class AllocationPlan:
    """Allocations an allocation run made, and the shortfalls it could not cover."""

    allocations: list[Allocation] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


@dataclass
class _Candidate:
    balance_id: UUID
    product_id: UUID
    location_id: UUID
    batch: str
    free: int
    is_pick_face: bool
    is_own_pick_face: bool
    pick_sequence: int
    code: str
    expiry: date | None
    received: datetime


def line_need(line: OrderLine) -> int:
    """Return the units of ``line`` still to reserve: committed minus allocated and picked."""
    return max(0, line.quantity_committed - line.quantity_allocated - line.quantity_picked)


def _sort_key(candidate: _Candidate, fefo: bool) -> tuple:
    if candidate.is_own_pick_face:
        face_rank = 0
    elif candidate.is_pick_face:
        face_rank = 1
    else:
        face_rank = 2
    if fefo:
        return (candidate.expiry or date.max, face_rank, candidate.pick_sequence, candidate.code, candidate.batch)
    return (face_rank, candidate.received, candidate.pick_sequence, candidate.code, candidate.batch)


async def _load_candidates(
    session: AsyncSession,
    warehouse_id: UUID,
    product_ids: list[UUID],
    expiry_cutoff: date,
    exclude_location_ids: set[UUID],
    rules: dict[UUID, tuple[UUID | None, str]],
) -> dict[UUID, list[_Candidate]]:
    statement = (
        select(StockBalance, Location, Batch.expiry, Batch.created_at)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Batch, and_(Batch.product_id == StockBalance.product_id, Batch.code == StockBalance.batch))
        .where(
            StockBalance.product_id.in_(product_ids),
            Location.warehouse_id == warehouse_id,
            Location.type.in_(PICKABLE_TYPES),
            Location.archived.is_(False),
            StockBalance.on_hand - StockBalance.allocated > 0,
        )
        .order_by(StockBalance.product_id, StockBalance.location_id, StockBalance.batch)
        .with_for_update(of=StockBalance)
    )
    own_faces = {product_id: face for product_id, (face, _rule) in rules.items()}
    candidates: dict[UUID, list[_Candidate]] = defaultdict(list)
    for balance, location, expiry, batch_created in (await session.execute(statement)).all():
        if location.id in exclude_location_ids:
            continue
        if expiry is not None and expiry < expiry_cutoff:
            continue
        candidates[balance.product_id].append(
            _Candidate(
                balance_id=balance.id,
                product_id=balance.product_id,
                location_id=location.id,
                batch=balance.batch,
                free=balance.on_hand - balance.allocated,
                is_pick_face=location.type == LocationType.PICK_FACE.value,
                is_own_pick_face=own_faces.get(balance.product_id) == location.id,
                pick_sequence=location.pick_sequence,
                code=location.code,
                expiry=expiry,
                received=batch_created or balance.created_at,
            )
        )
    return candidates


async def reserve_units(session: AsyncSession, balance_id: UUID, quantity: int, *, sku: str) -> None:
    """Add ``quantity`` to a balance's allocated, only while it stays within on hand."""
    result = await session.execute(
        update(StockBalance)
        .where(StockBalance.id == balance_id, StockBalance.allocated + quantity <= StockBalance.on_hand)
        .values(allocated=StockBalance.allocated + quantity, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        balance = await session.get(StockBalance, balance_id, populate_existing=True)
        available = (balance.on_hand - balance.allocated) if balance else 0
        raise InsufficientStockError(
            f"insufficient stock of {sku}: {quantity} requested, {max(available, 0)} available at the location",
            sku=sku,
            requested=quantity,
            available=max(available, 0),
        )


async def unreserve_units(session: AsyncSession, *, product_id: UUID, location_id: UUID, batch: str, quantity: int) -> None:
    """Take ``quantity`` off a balance's allocated; never below zero."""
    if quantity <= 0:
        return
    result = await session.execute(
        update(StockBalance)
        .where(
            StockBalance.product_id == product_id,
            StockBalance.location_id == location_id,
            StockBalance.batch == batch,
            StockBalance.allocated >= quantity,
        )
        .values(allocated=StockBalance.allocated - quantity, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InsufficientStockError(
            f"cannot release {quantity} allocated units: the balance has fewer allocated; run wms verify", product_id=str(product_id), requested=quantity
        )


async def allocate_lines(
    session: AsyncSession,
    order: Order,
    needs: list[tuple[OrderLine, int]],
    *,
    min_shelf_life_days: int = 0,
    allow_partial: bool = False,
    exclude_location_ids: set[UUID] | None = None,
    today: date | None = None,
) -> AllocationPlan:
    """Reserve ``needs`` (line, units) for ``order`` and create its Allocation rows.

    Without ``allow_partial`` any shortfall raises :class:`InsufficientStockError` before anything
    is reserved, with ``sku``, ``requested`` and ``available`` of the first short line and every
    short line in ``lines``. With it, what can be reserved is, and the rest is returned as shortfalls.
    """
    needs = [(line, need) for line, need in needs if need > 0 and line.product_id is not None]
    plan = AllocationPlan()
    if not needs:
        return plan
    product_ids = sorted({line.product_id for line, _ in needs}, key=str)  # type: ignore[misc]
    cutoff = (today or utcnow().date()) + timedelta(days=max(0, min_shelf_life_days))
    rules = {
        product_id: (face, rule)
        for product_id, face, rule in (
            await session.execute(select(Product.id, Product.pick_face_location_id, Product.allocation_rule).where(Product.id.in_(product_ids)))
        ).all()
    }
    candidates = await _load_candidates(session, order.warehouse_id, product_ids, cutoff, exclude_location_ids or set(), rules)
    for product_id, rows in candidates.items():
        fefo = rules.get(product_id, (None, "FIFO"))[1] == "FEFO"
        rows.sort(key=lambda candidate: _sort_key(candidate, fefo))

    picks: list[tuple[OrderLine, _Candidate, int]] = []
    for line, need in needs:
        remaining = need
        for candidate in candidates.get(line.product_id, []):  # type: ignore[arg-type]
            if remaining == 0:
                break
            take = min(candidate.free, remaining)
            if take <= 0:
                continue
            candidate.free -= take
            remaining -= take
            picks.append((line, candidate, take))
        if remaining:
            plan.shortfalls.append(Shortfall(line_id=line.id, sku=line.sku, requested=need, available=need - remaining))

    if plan.shortfalls and not allow_partial:
        first = plan.shortfalls[0]
        raise InsufficientStockError(
            f"insufficient stock for order {order.order_number}: {first.sku} needs {first.requested}, "
            f"{first.available} available; release it when stock arrives or allow a partial release",
            sku=first.sku,
            requested=first.requested,
            available=first.available,
            order_number=order.order_number,
            lines=[shortfall.as_dict() for shortfall in plan.shortfalls],
        )

    for line, candidate, take in picks:
        await reserve_units(session, candidate.balance_id, take, sku=line.sku)
        allocation = Allocation(
            order_id=order.id,
            order_line_id=line.id,
            product_id=candidate.product_id,
            location_id=candidate.location_id,
            batch=candidate.batch,
            quantity=take,
            quantity_picked=0,
            status=AllocationStatus.ALLOCATED,
        )
        session.add(allocation)
        line.quantity_allocated += take
        plan.allocations.append(allocation)
    await session.flush()
    return plan
