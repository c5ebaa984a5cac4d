"""Packing: verify every unit of an order at a packing bench, then ask Starshipit for the label.

A pack session starts from a scan of the order number or of the tote holding the order. Each
scanned unit must be a picked, not yet packed unit of that order: anything else (a product not on
the order, one unit too many) is rejected. A verified unit moves in the ledger from its tote to the
bench (reason ``pack``). The WMS never books stock out itself: the shipment request to Starshipit
leads to ``order_shipped``, whose rule books the packed units out of the bench, once.

Creating the shipment and its label is in :mod:`app.domain.outbound.shipping`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Allocation,
    AllocationStatus,
    Job,
    JobStatus,
    JobType,
    Location,
    LocationType,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    PackSession,
    PackSessionStatus,
    PickTote,
    Product,
)
from app.domain.barcodes.resolve import resolve_location, resolve_product
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import FINISHED_STATUSES
from app.domain.stock.ledger import record_movement
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "PackProgress",
    "find_order_for_pack",
    "load_pack_session",
    "open_pack_session",
    "pack_item",
    "pack_progress",
    "unpacked_units",
]

log = get_logger(__name__)


@dataclass
class PackProgress:
    """Units of an order: picked and waiting to be packed, packed in this session."""

    session_id: UUID
    order_id: UUID
    order_number: str
    status: str
    bench: str
    expected: dict[str, int] = field(default_factory=dict)
    packed: dict[str, int] = field(default_factory=dict)
    last_error: str = ""
    tracking_numbers: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not any(self.expected.values()) and bool(self.packed)

    def as_dict(self) -> dict:
        return {
            "session_id": str(self.session_id),
            "order_id": str(self.order_id),
            "order_number": self.order_number,
            "status": self.status,
            "bench": self.bench,
            "to_pack": self.expected,
            "packed": self.packed,
            "complete": self.complete,
            "last_error": self.last_error,
            "tracking_numbers": self.tracking_numbers,
        }


async def find_order_for_pack(session: AsyncSession, scan: str, *, account_id: UUID | None = None) -> Order:
    """Return the order a pack-bench scan names: a tote holding it, or its order number."""
    text = scan.strip()
    if not text:
        raise InvalidInputError("the scan is empty: scan the order number or the tote", code="empty_scan")
    try:
        match = await resolve_location(session, text)
    except NotFoundError:
        match = None
    if match is not None:
        if match.type != LocationType.TOTE.value:
            raise InvalidInputError(f"{match.code} is a {match.type}: scan an order number or a tote", code="not_a_tote")
        # The tote's order is the one that still has picked units in it.
        pick_tote = await session.scalar(
            select(PickTote)
            .join(Allocation, (Allocation.order_id == PickTote.order_id) & (Allocation.picked_location_id == PickTote.tote_location_id))
            .where(
                PickTote.tote_location_id == match.location_id,
                PickTote.released.is_(False),
                Allocation.status.in_(AllocationStatus.OPEN),
                Allocation.quantity_picked > 0,
            )
            .order_by(PickTote.created_at.desc())
            .limit(1)
        )
        if pick_tote is None:
            raise NotFoundError(f"tote {match.code} contains no picked order: scan the order number instead", code="tote_empty", tote=match.code)
        order = await session.get(Order, pick_tote.order_id)
        if order is None or (account_id is not None and order.account_id != account_id):
            raise NotFoundError(f"tote {match.code} contains no order of this account", code="tote_empty")
        return order
    statement = select(Order).where(Order.order_number == text)
    if account_id is not None:
        statement = statement.where(Order.account_id == account_id)
    orders = list((await session.scalars(statement.limit(3))).all())
    if not orders:
        raise NotFoundError(f"order {text!r} not found: scan the order number on the pick slip or the tote", code="order_not_found", scan=text)
    if len(orders) > 1:
        raise ConflictError(
            f"order number {text} exists in several accounts: scan the tote instead, or choose the account",
            code="ambiguous_order",
        )
    return orders[0]


async def _bench_for(session: AsyncSession, warehouse_id: UUID, bench_scan: str | None) -> Location:
    if bench_scan:
        match = await resolve_location(session, bench_scan)
        if match.type != LocationType.PACKING_BENCH.value:
            raise InvalidInputError(f"{match.code} is a {match.type}, not a packing bench", code="not_a_bench")
        if match.warehouse_id != warehouse_id:
            raise InvalidInputError(f"packing bench {match.code} is in another warehouse than the order", code="wrong_warehouse")
        bench = await session.get(Location, match.location_id)
    else:
        bench = await session.scalar(
            select(Location)
            .where(Location.warehouse_id == warehouse_id, Location.type == LocationType.PACKING_BENCH.value, Location.archived.is_(False))
            .order_by(Location.code)
            .limit(1)
        )
    if bench is None:
        raise NotFoundError("this warehouse has no packing bench location: create one of type PACKING_BENCH", code="no_packing_bench")
    return bench


async def unpacked_units(session: AsyncSession, order_id: UUID, bench_id: UUID) -> dict[str, int]:
    rows = (
        await session.execute(
            select(Product.sku, Allocation.quantity_picked)
            .join(Product, Product.id == Allocation.product_id)
            .where(
                Allocation.order_id == order_id,
                Allocation.status.in_(AllocationStatus.OPEN),
                Allocation.quantity_picked > 0,
                Allocation.picked_location_id != bench_id,
            )
        )
    ).all()
    units: dict[str, int] = defaultdict(int)
    for sku, picked in rows:
        units[sku] += picked
    return dict(units)


async def pack_progress(session: AsyncSession, pack_session: PackSession) -> PackProgress:
    """Return what is left to pack and what is packed in ``pack_session``."""
    order = await session.get(Order, pack_session.order_id)
    bench = await session.get(Location, pack_session.bench_location_id)
    assert order is not None and bench is not None
    return PackProgress(
        session_id=pack_session.id,
        order_id=order.id,
        order_number=order.order_number,
        status=pack_session.status,
        bench=bench.code,
        expected=await unpacked_units(session, order.id, bench.id),
        packed=dict(pack_session.packed or {}),
        last_error=pack_session.last_error,
        tracking_numbers=list(pack_session.tracking_numbers or []),
    )


async def open_pack_session(
    session: AsyncSession, *, scan: str, actor: Actor, account_id: UUID | None = None, bench_scan: str | None = None
) -> PackSession:
    """Open (or return the open) pack session of the order a scan names."""
    order = await find_order_for_pack(session, scan, account_id=account_id)
    if order.status in (OrderStatus.CANCELLED.value, OrderStatus.SHIPPED.value):
        raise ConflictError(f"order {order.order_number} is {order.status}: do not pack it", code="order_closed", status=order.status)
    existing = await session.scalar(
        select(PackSession).where(PackSession.order_id == order.id, PackSession.status.in_(PackSessionStatus.ACTIVE)).limit(1)
    )
    if existing is not None:
        if existing.status == PackSessionStatus.PAUSED:
            raise ConflictError(f"packing of order {order.order_number} is paused: {existing.pause_reason}", code="pack_paused")
        return existing
    bench = await _bench_for(session, order.warehouse_id, bench_scan)
    if not await unpacked_units(session, order.id, bench.id):
        raise ConflictError(f"order {order.order_number} has no picked units waiting to be packed", code="nothing_to_pack")
    job = await session.scalar(
        select(Job).where(Job.order_id == order.id, Job.type == JobType.PACK.value, Job.status.not_in(FINISHED_STATUSES)).limit(1)
    )
    if job is not None and job.status != JobStatus.PAUSED.value:
        job.status = JobStatus.IN_PROGRESS.value
        job.assigned_to_id = job.assigned_to_id or actor.user_id
        job.started_at = job.started_at or utcnow()
    pack_session = PackSession(
        order_id=order.id,
        account_id=order.account_id,
        job_id=job.id if job else None,
        bench_location_id=bench.id,
        status=PackSessionStatus.OPEN,
        packed={},
        dimensions_m=[],
        tracking_numbers=[],
        opened_by_id=actor.user_id,
    )
    session.add(pack_session)
    await session.flush()
    log.info("pack session opened", session_id=str(pack_session.id), order_number=order.order_number, bench=bench.code)
    return pack_session


async def load_pack_session(session: AsyncSession, session_id: UUID, *, account_id: UUID | None = None, for_update: bool = False) -> PackSession:
    """Return a pack session; one of another account is reported as not found."""
    statement = select(PackSession).where(PackSession.id == session_id)
    if account_id is not None:
        statement = statement.where(PackSession.account_id == account_id)
    if for_update:
        statement = statement.with_for_update()
    pack_session = await session.scalar(statement)
    if pack_session is None:
        raise NotFoundError(f"pack session {session_id} not found", session_id=str(session_id))
    return pack_session


async def pack_item(session: AsyncSession, pack_session: PackSession, *, item_scan: str, quantity: int, actor: Actor) -> PackProgress:
    """Verify ``quantity`` scanned units against the order and move them from the tote to the bench."""
    if quantity < 1:
        raise InvalidInputError(f"quantity {quantity} is invalid: pack at least one unit", field="quantity")
    if pack_session.status == PackSessionStatus.PAUSED:
        raise ConflictError(f"packing is paused: {pack_session.pause_reason}", code="pack_paused")
    if pack_session.status != PackSessionStatus.OPEN:
        raise ConflictError(f"pack session is {pack_session.status}: scan the order again to start a new one", code="pack_session_closed")
    order = await session.get(Order, pack_session.order_id)
    assert order is not None
    match = await resolve_product(session, item_scan)
    units = quantity * max(match.units, 1)
    waiting = await unpacked_units(session, order.id, pack_session.bench_location_id)
    if match.sku not in waiting:
        on_order = await session.scalar(
            select(OrderLine.id).where(OrderLine.order_id == order.id, OrderLine.product_id == match.product_id, OrderLine.active.is_(True)).limit(1)
        )
        if on_order is None:
            raise ConflictError(
                f"wrong item: {match.sku} is not in order {order.order_number}; put it aside", code="wrong_item", sku=match.sku
            )
        raise ConflictError(
            f"extra unit: every picked {match.sku} of order {order.order_number} is already packed; put it aside",
            code="extra_unit",
            sku=match.sku,
        )
    if units > waiting[match.sku]:
        raise ConflictError(
            f"extra unit: order {order.order_number} has {waiting[match.sku]} {match.sku} left to pack, you scanned {units}",
            code="extra_unit",
            sku=match.sku,
            remaining=waiting[match.sku],
        )

    allocations = (
        await session.scalars(
            select(Allocation)
            .where(
                Allocation.order_id == order.id,
                Allocation.product_id == match.product_id,
                Allocation.status.in_(AllocationStatus.OPEN),
                Allocation.quantity_picked > 0,
                Allocation.picked_location_id != pack_session.bench_location_id,
            )
            .order_by(Allocation.id)
        )
    ).all()
    remaining = units
    for allocation in allocations:
        if remaining == 0:
            break
        take = min(allocation.quantity_picked, remaining)
        source = allocation.picked_location_id
        assert source is not None
        await record_movement(
            session,
            product_id=allocation.product_id,
            sku=match.sku,
            quantity=take,
            reason=MovementReason.PACK,
            from_location_id=source,
            to_location_id=pack_session.bench_location_id,
            batch=allocation.batch,
            reference_type="order",
            reference_id=str(order.id),
            note=f"order {order.order_number}",
            **actor.movement_fields(),
        )
        if take == allocation.quantity_picked and allocation.quantity == 0:
            allocation.picked_location_id = pack_session.bench_location_id
        else:
            # Part of this allocation's picked units moved: the packed part becomes its own row so
            # each row records where its units are.
            allocation.quantity_picked -= take
            session.add(
                Allocation(
                    order_id=allocation.order_id,
                    order_line_id=allocation.order_line_id,
                    product_id=allocation.product_id,
                    location_id=allocation.location_id,
                    batch=allocation.batch,
                    quantity=0,
                    quantity_picked=take,
                    picked_location_id=pack_session.bench_location_id,
                    status=AllocationStatus.PICKED,
                    job_line_id=allocation.job_line_id,
                )
            )
        remaining -= take
    packed = dict(pack_session.packed or {})
    packed[match.sku] = packed.get(match.sku, 0) + units
    pack_session.packed = packed
    await session.flush()
    if not await unpacked_units(session, order.id, pack_session.bench_location_id):
        # Every picked unit is on the bench: release the totes for the next order.
        for pick_tote in (await session.scalars(select(PickTote).where(PickTote.order_id == order.id, PickTote.released.is_(False)))).all():
            pick_tote.released = True
        await session.flush()
    log.info("units packed", session_id=str(pack_session.id), order_number=order.order_number, sku=match.sku, units=units)
    return await pack_progress(session, pack_session)
