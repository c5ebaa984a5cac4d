"""Picking: confirm one scanned pick of a pick job, including short picks.

A pick names the job, the location scanned (required when the warehouse settings require it), the product
scanned (with its batch when the product tracks batches, its serial when it tracks serials) and the
quantity. The units move in the ledger from the bin to the order's tote (reason ``pick``) and their
reservation at the bin is released, in one transaction.

Each order of a job has its own tote: the picker scans a tote at the order's first pick, and later
picks for that order go to the same tote. In a batch job the tote scanned chooses the order.

A short pick (``short_reason`` given, fewer units than the line needs) records what was found,
releases the rest of the bin's reservation, opens a cycle count job and a discrepancy for the bin,
and reallocates the missing units from other locations as new lines of the same job (see
:mod:`app.domain.outbound.shortpick`). Units no other location holds leave the order line short.
"""

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
    LocationType,
    MovementReason,
    Order,
    OrderLine,
    PickTote,
    Product,
)
from app.domain.barcodes.resolve import resolve_location, resolve_product
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import FINISHED_STATUSES, JobLineSpec, create_job, load_job, record_line_progress
from app.domain.outbound.allocation import unreserve_units
from app.domain.outbound.routing import get_outbound_settings
from app.domain.outbound.shortpick import handle_short_pick
from app.domain.stock.ledger import record_movement
from app.lib.errors import ConflictError, InvalidInputError
from app.lib.logging import get_logger

__all__ = ["PickResult", "confirm_pick", "order_fully_picked", "tote_in_use"]

log = get_logger(__name__)


@dataclass
class PickResult:
    """Outcome of one confirmed pick, returned to the handheld."""

    job_id: UUID
    job_status: str
    order_id: UUID
    order_number: str
    sku: str
    location: str
    tote: str
    batch: str
    quantity: int
    short: int = 0
    reallocated: list[dict] = field(default_factory=list)
    left_short: int = 0
    cycle_count_job_id: UUID | None = None
    order_picked: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "job_id": str(self.job_id),
            "job_status": self.job_status,
            "order_id": str(self.order_id),
            "order_number": self.order_number,
            "sku": self.sku,
            "location": self.location,
            "tote": self.tote,
            "batch": self.batch,
            "quantity": self.quantity,
            "short": self.short,
            "reallocated": self.reallocated,
            "left_short": self.left_short,
            "cycle_count_job_id": str(self.cycle_count_job_id) if self.cycle_count_job_id else None,
            "order_picked": self.order_picked,
        }


async def _open_allocations(session: AsyncSession, job: Job, product_id: UUID) -> list[tuple[Allocation, JobLine, Location]]:
    statement = (
        select(Allocation, JobLine, Location)
        .join(JobLine, JobLine.id == Allocation.job_line_id)
        .join(Location, Location.id == Allocation.location_id)
        .where(
            JobLine.job_id == job.id,
            Allocation.product_id == product_id,
            Allocation.status == AllocationStatus.ALLOCATED,
            Allocation.quantity > 0,
        )
        .order_by(Location.pick_sequence, Location.code, Allocation.batch, Allocation.id)
    )
    return [tuple(row) for row in (await session.execute(statement)).all()]  # type: ignore[misc]


async def _resolve_tote(session: AsyncSession, raw: str, warehouse_id: UUID) -> Location:
    match = await resolve_location(session, raw)
    if match.type != LocationType.TOTE.value:
        raise InvalidInputError(f"{match.code} is a {match.type}, not a tote: scan a tote label", code="not_a_tote", scan=raw)
    if match.warehouse_id != warehouse_id:
        raise InvalidInputError(f"tote {match.code} belongs to another warehouse", code="wrong_warehouse")
    tote = await session.get(Location, match.location_id)
    assert tote is not None
    return tote


async def _choose_allocation(
    session: AsyncSession,
    job: Job,
    candidates: list[tuple[Allocation, JobLine, Location]],
    tote_scan: str | None,
) -> tuple[Allocation, JobLine, Location, Location]:
    """Pick the allocation this scan serves and the tote its units go to, assigning the tote if new."""
    totes = {
        pick_tote.order_id: pick_tote
        for pick_tote in (await session.scalars(select(PickTote).where(PickTote.job_id == job.id, PickTote.released.is_(False)))).all()
    }
    if tote_scan:
        tote = await _resolve_tote(session, tote_scan, job.warehouse_id)
        owner = next((pick_tote for pick_tote in totes.values() if pick_tote.tote_location_id == tote.id), None)
        if owner is not None:
            for allocation, line, location in candidates:
                if allocation.order_id == owner.order_id:
                    return allocation, line, location, tote
            order = await session.get(Order, owner.order_id)
            raise ConflictError(
                f"tote {tote.code} contains order {order.order_number if order else owner.order_id}, which needs no more of this item here: scan that order's tote",
                code="wrong_tote",
                tote=tote.code,
            )
        if await tote_in_use(session, tote.id, exclude_job_id=job.id):
            raise ConflictError(f"tote {tote.code} still contains another order's units: use an empty tote", code="tote_in_use", tote=tote.code)
        for allocation, line, location in candidates:
            if allocation.order_id not in totes:
                session.add(PickTote(job_id=job.id, order_id=allocation.order_id, tote_location_id=tote.id, released=False))
                await session.flush()
                return allocation, line, location, tote
        raise ConflictError(
            f"every order needing this item already has a tote: scan that order's tote instead of {tote.code}", code="wrong_tote"
        )
    for allocation, line, location in candidates:
        pick_tote = totes.get(allocation.order_id)
        if pick_tote is not None:
            tote = await session.get(Location, pick_tote.tote_location_id)
            assert tote is not None
            return allocation, line, location, tote
    order = await session.get(Order, candidates[0][0].order_id)
    raise InvalidInputError(
        f"order {order.order_number if order else ''} has no tote yet: scan an empty tote with this pick",
        code="tote_required",
    )


async def tote_in_use(session: AsyncSession, tote_id: UUID, *, exclude_job_id: UUID | None = None) -> bool:
    """Tell whether a tote still contains picked units of an order assigned to it by another job.

    An assignment whose order has no picked units left in the tote (packed, shipped, or returned to
    stock after a cancellation) no longer blocks the tote.
    """
    statement = (
        select(PickTote.id)
        .join(
            Allocation,
            (Allocation.order_id == PickTote.order_id) & (Allocation.picked_location_id == PickTote.tote_location_id),
        )
        .where(
            PickTote.tote_location_id == tote_id,
            PickTote.released.is_(False),
            Allocation.status.in_(AllocationStatus.OPEN),
            Allocation.quantity_picked > 0,
        )
        .limit(1)
    )
    if exclude_job_id is not None:
        statement = statement.where(PickTote.job_id != exclude_job_id)
    return await session.scalar(statement) is not None


async def order_fully_picked(session: AsyncSession, order_id: UUID) -> bool:
    """Tell whether no unit of the order remains reserved and unpicked."""
    remaining = await session.scalar(
        select(Allocation.id)
        .where(Allocation.order_id == order_id, Allocation.status == AllocationStatus.ALLOCATED, Allocation.quantity > 0)
        .limit(1)
    )
    return remaining is None


async def _ensure_pack_job(session: AsyncSession, order: Order) -> None:
    existing = await session.scalar(
        select(Job.id).where(Job.order_id == order.id, Job.type == JobType.PACK.value, Job.status.not_in(FINISHED_STATUSES)).limit(1)
    )
    if existing is not None:
        return
    lines = (
        await session.execute(
            select(Allocation.product_id, Allocation.batch, Allocation.quantity_picked).where(
                Allocation.order_id == order.id, Allocation.status.in_(AllocationStatus.OPEN), Allocation.quantity_picked > 0
            )
        )
    ).all()
    specs = [JobLineSpec(product_id=product_id, quantity=picked, batch=batch) for product_id, batch, picked in lines]
    if not specs:
        return
    job = await create_job(
        session,
        warehouse_id=order.warehouse_id,
        job_type=JobType.PACK,
        lines=specs,
        reference_type="order",
        reference_id=str(order.id),
        note=f"pack order {order.order_number}",
    )
    job.order_id = order.id
    await session.flush()


async def confirm_pick(
    session: AsyncSession,
    *,
    job_id: UUID,
    item_scan: str,
    quantity: int,
    actor: Actor,
    location_scan: str | None = None,
    tote_scan: str | None = None,
    short_reason: str | None = None,
    batch: str | None = None,
) -> PickResult:
    """Confirm one pick on a PICK job; raise a DomainError naming what to rescan when it does not fit."""
    if quantity < 0:
        raise InvalidInputError(f"quantity {quantity} is invalid: confirm 0 or more units", field="quantity")
    short_reason = (short_reason or "").strip() or None
    if quantity == 0 and short_reason is None:
        raise InvalidInputError("quantity 0 needs a short reason, such as 'bin empty'", field="short_reason")

    job = await load_job(session, job_id, for_update=True)
    if job.type != JobType.PICK.value:
        raise InvalidInputError(f"job {job.id} is a {job.type} job, not a pick job", code="wrong_job_type")
    if job.status == JobStatus.PAUSED.value:
        raise ConflictError(f"job {job.id} is paused: {job.pause_reason}", code="job_paused", reason=job.pause_reason)
    if job.status in FINISHED_STATUSES:
        raise ConflictError(f"job {job.id} is {job.status}: there is nothing left to pick", code="job_finished")

    settings = await get_outbound_settings(session, job.warehouse_id)
    scanned_location: Location | None = None
    if location_scan:
        match = await resolve_location(session, location_scan)
        if match.warehouse_id != job.warehouse_id:
            raise InvalidInputError(f"location {match.code} is in another warehouse than this job", code="wrong_warehouse")
        scanned_location = await session.get(Location, match.location_id)
    elif settings.require_location_scan:
        raise InvalidInputError("scan the location before the item: this warehouse requires it", code="location_scan_required", field="location")

    product_match = await resolve_product(session, item_scan)
    product = await session.get(Product, product_match.product_id)
    assert product is not None
    scanned_batch = (batch or product_match.batch or "").strip()
    if product.tracking == "BATCH" and not scanned_batch:
        raise InvalidInputError(f"{product.sku} tracks batches: scan the batch label or type the batch", code="batch_required", field="batch")
    serial = product_match.serial
    if product.tracking == "SERIAL":
        if not serial:
            raise InvalidInputError(f"{product.sku} tracks serial numbers: scan the serial label", code="serial_required")
        if quantity > 1:
            raise InvalidInputError(f"{product.sku} tracks serial numbers: confirm one unit per scan", field="quantity")

    candidates = await _open_allocations(session, job, product.id)
    if not candidates:
        raise ConflictError(f"{product.sku} is not (or no longer) to be picked on this job", code="wrong_item", sku=product.sku)
    if scanned_location is not None:
        here = [row for row in candidates if row[0].location_id == scanned_location.id]
        if not here:
            where = ", ".join(dict.fromkeys(row[2].code for row in candidates))
            raise ConflictError(
                f"no {product.sku} to pick at {scanned_location.code}: go to {where}",
                code="wrong_location",
                sku=product.sku,
                expected=where,
            )
        candidates = here
    if product.tracking == "BATCH":
        same_batch = [row for row in candidates if row[0].batch == scanned_batch]
        if not same_batch:
            expected = ", ".join(dict.fromkeys(row[0].batch for row in candidates))
            raise ConflictError(
                f"batch {scanned_batch} of {product.sku} is not the allocated one: pick batch {expected}",
                code="wrong_batch",
                expected=expected,
            )
        candidates = same_batch

    allocation, job_line, location, tote = await _choose_allocation(session, job, candidates, tote_scan)
    order = await session.get(Order, allocation.order_id)
    order_line = await session.get(OrderLine, allocation.order_line_id)
    assert order is not None and order_line is not None
    remaining = allocation.quantity
    if quantity > remaining:
        raise ConflictError(
            f"only {remaining} {product.sku} to pick here for order {order.order_number}: put {remaining} in {tote.code} and confirm {remaining}",
            code="quantity_too_high",
            remaining=remaining,
        )

    result = PickResult(
        job_id=job.id,
        job_status=job.status,
        order_id=order.id,
        order_number=order.order_number,
        sku=product.sku,
        location=location.code,
        tote=tote.code,
        batch=allocation.batch,
        quantity=quantity,
    )
    if quantity > 0:
        movement = await record_movement(
            session,
            product_id=product.id,
            sku=product.sku,
            quantity=quantity,
            reason=MovementReason.PICK,
            from_location_id=location.id,
            to_location_id=tote.id,
            batch=allocation.batch,
            reference_type="order",
            reference_id=str(order.id),
            note=f"order {order.order_number}" + (f" serial {serial}" if serial else ""),
            **actor.movement_fields(),
        )
        result.warnings.extend(movement.warnings)
        await unreserve_units(session, product_id=product.id, location_id=location.id, batch=allocation.batch, quantity=quantity)
        allocation.quantity -= quantity
        allocation.quantity_picked += quantity
        allocation.picked_location_id = tote.id
        if allocation.quantity == 0:
            allocation.status = AllocationStatus.PICKED
        order_line.quantity_allocated -= quantity
        order_line.quantity_picked += quantity

    missing = remaining - quantity
    if short_reason is not None and missing > 0:
        await handle_short_pick(session, job, allocation, job_line, location, product, order, order_line, missing, short_reason, actor, result)

    await record_line_progress(session, job, job_line, quantity, actor=actor)
    if job.status == JobStatus.COMPLETED.value and any(line.quantity_done < line.quantity for line in job.lines):
        job.status = JobStatus.IN_PROGRESS.value
        job.finished_at = None
    result.job_status = job.status

    order_ids = {order.id}
    if job.status == JobStatus.COMPLETED.value:
        order_ids |= set(
            (await session.scalars(select(PickTote.order_id).where(PickTote.job_id == job.id))).all()
        )
    for order_id in order_ids:
        if await order_fully_picked(session, order_id):
            picked_order = order if order_id == order.id else await session.get(Order, order_id)
            if picked_order is None:
                continue
            await _ensure_pack_job(session, picked_order)
            if order_id == order.id:
                result.order_picked = True
    await session.flush()
    log.info(
        "pick confirmed",
        job_id=str(job.id),
        order_number=order.order_number,
        sku=product.sku,
        location=location.code,
        tote=tote.code,
        quantity=quantity,
        short=result.short,
    )
    return result
