"""Putaway: where received stock should go, and moving it there.

The suggestion follows a fixed order of preference:

1. the product's pick face, when it is active and the units fit under its max;
2. a storage bin (BULK_STORAGE or OVERFLOW) already holding the same product and batch, so a
   batch stays together;
3. an empty storage bin in the product's putaway zone (or its pick face's zone), bulk before
   overflow, in pick sequence.

A zone whose putaway mode is "enforced" accepts a destination other than the suggestion only
with a supervisor's override. In other zones a different destination applies with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.models import (
    Job,
    JobLine,
    JobType,
    Location,
    LocationType,
    MovementReason,
    Product,
    PutawayMode,
    SerialNumber,
    StockBalance,
    Zone,
)
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import OPEN_STATUSES, load_job, record_line_progress
from app.domain.stock.ledger import MovementResult, record_movement
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError

__all__ = ["PutawayResult", "Suggestion", "putaway_stock", "resolve_batch_at", "suggest_putaway", "zone_is_enforced"]

STORAGE_TYPES = (LocationType.BULK_STORAGE.value, LocationType.OVERFLOW.value)
# Location types that putaway may fill. Docks, benches and totes are for flow, not storage.
PUTAWAY_DESTINATION_TYPES = (
    LocationType.PICK_FACE.value,
    LocationType.BULK_STORAGE.value,
    LocationType.OVERFLOW.value,
    LocationType.QUARANTINE.value,
    LocationType.RETURNS.value,
    LocationType.CROSS_DOCK.value,
)


@dataclass(frozen=True)
class Suggestion:
    """A suggested destination (None when no rule found one) and the rule that chose it."""

    location: Location | None
    rule: str

    @property
    def code(self) -> str | None:
        """Code of the suggested location."""
        return self.location.code if self.location else None


@dataclass
class PutawayResult:
    movement: MovementResult
    suggestion: Suggestion
    job: Job | None = None
    warnings: list[str] = field(default_factory=list)
    overridden: bool = False


async def _on_hand_at(session: AsyncSession, product_id: UUID, location_id: UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(StockBalance.product_id == product_id, StockBalance.location_id == location_id)
    )
    return int(total or 0)


async def suggest_putaway(
    session: AsyncSession, *, product: Product, batch: str, quantity: int, warehouse_id: UUID, exclude_location_id: UUID | None = None
) -> Suggestion:
    """Return the preferred destination for ``quantity`` units of ``product`` and ``batch``."""
    pick_face = await session.get(Location, product.pick_face_location_id) if product.pick_face_location_id else None
    if pick_face is not None and not pick_face.archived and pick_face.warehouse_id == warehouse_id and pick_face.id != exclude_location_id:
        fits = pick_face.max_quantity is None or await _on_hand_at(session, product.id, pick_face.id) + quantity <= pick_face.max_quantity
        if fits:
            return Suggestion(pick_face, "pick_face")

    holding = (
        select(Location)
        .join(StockBalance, StockBalance.location_id == Location.id)
        .where(
            StockBalance.product_id == product.id,
            StockBalance.batch == batch,
            StockBalance.on_hand > 0,
            Location.warehouse_id == warehouse_id,
            Location.archived.is_(False),
            Location.type.in_(STORAGE_TYPES),
        )
        .order_by(Location.pick_sequence, Location.code)
        .limit(1)
    )
    if exclude_location_id is not None:
        holding = holding.where(Location.id != exclude_location_id)
    location = await session.scalar(holding)
    if location is not None:
        return Suggestion(location, "same_product_and_batch")

    zone = product.putaway_zone or (pick_face.zone if pick_face is not None else "")
    occupied = exists().where(and_(StockBalance.location_id == Location.id, (StockBalance.on_hand != 0) | (StockBalance.allocated != 0)))
    empty = (
        select(Location)
        .where(Location.warehouse_id == warehouse_id, Location.archived.is_(False), Location.type.in_(STORAGE_TYPES), ~occupied)
        .order_by((Location.type != LocationType.BULK_STORAGE.value), Location.pick_sequence, Location.code)
        .limit(1)
    )
    if zone:
        empty = empty.where(Location.zone == zone)
    location = await session.scalar(empty)
    if location is not None:
        return Suggestion(location, "empty_bin_in_zone" if zone else "empty_bin")
    return Suggestion(None, "none")


async def zone_is_enforced(session: AsyncSession, warehouse_id: UUID, zone: str) -> bool:
    """Tell whether putaway in ``zone`` must follow the suggestion."""
    if not zone:
        return False
    mode = await session.scalar(select(Zone.putaway_mode).where(Zone.warehouse_id == warehouse_id, Zone.code == zone))
    return mode == PutawayMode.ENFORCED


async def resolve_batch_at(session: AsyncSession, product: Product, location: Location, batch: str | None) -> str:
    """Return the batch to move: the one given, or the only batch of ``product`` at ``location``.

    Products not tracked by batch always use "". A batch-tracked product with several batches at
    the source needs the batch scanned or typed.
    """
    if product.tracking == "NONE":
        return ""
    if batch:
        return batch
    batches = (
        await session.scalars(
            select(StockBalance.batch).where(StockBalance.product_id == product.id, StockBalance.location_id == location.id, StockBalance.on_hand > 0).order_by(StockBalance.batch)
        )
    ).all()
    if len(batches) == 1:
        return batches[0]
    if not batches:
        return ""
    raise InvalidInputError(
        f"{product.sku} has batches {', '.join(batches)} at {location.code}: scan the batch label or type the batch",
        code="batch_required",
        batches=list(batches),
    )


async def _find_job_line(session: AsyncSession, *, job_id: UUID | None, product_id: UUID, batch: str, from_location_id: UUID) -> tuple[Job | None, JobLine | None]:
    if job_id is not None:
        job = await load_job(session, job_id, for_update=True)
        if job.type not in (JobType.PUTAWAY.value, JobType.RETURN_TO_STOCK.value):
            raise InvalidInputError(f"job {job_id} is a {job.type} job, not a putaway", field="job_id")
        for line in sorted(job.lines, key=lambda line: line.id):
            if line.product_id == product_id and line.batch == batch and line.from_location_id == from_location_id and line.quantity_done < line.quantity:
                return job, line
        raise ConflictError(f"job {job_id} has no open line for this product and batch from this location", code="job_line_not_found")
    statement = (
        select(JobLine)
        .join(Job, Job.id == JobLine.job_id)
        .where(
            Job.type == JobType.PUTAWAY.value,
            Job.status.in_(OPEN_STATUSES),
            JobLine.product_id == product_id,
            JobLine.batch == batch,
            JobLine.from_location_id == from_location_id,
            JobLine.quantity_done < JobLine.quantity,
        )
        .order_by(Job.created_at, JobLine.id)
        .limit(1)
    )
    line = await session.scalar(statement)
    if line is None:
        return None, None
    job = await session.scalar(select(Job).where(Job.id == line.job_id).options(selectinload(Job.lines)).with_for_update())
    line = next(candidate for candidate in job.lines if candidate.id == line.id)  # type: ignore[union-attr]
    return job, line


async def _move_serials(session: AsyncSession, product: Product, serials: list[str], quantity: int, source: Location, target: Location, warnings: list[str]) -> None:
    """Record the new location of the serials scanned with a putaway of a serial-tracked product."""
    if product.tracking != "SERIAL":
        if serials:
            raise InvalidInputError(f"{product.sku} is not serial-tracked: leave serials out", field="serials")
        return
    if not serials:
        # The units still move; only the serials' locations stay unknown until they are scanned.
        warnings.append(f"{product.sku} is serial-tracked but no serials were scanned: their locations are not updated")
        return
    if len(serials) != quantity or len(set(serials)) != len(serials):
        raise InvalidInputError(f"scan one distinct serial per unit: {quantity} units, {len(serials)} serials", code="serials_required", field="serials")
    rows = (await session.scalars(select(SerialNumber).where(SerialNumber.product_id == product.id, SerialNumber.serial.in_(serials)))).all()
    found = {row.serial: row for row in rows}
    for serial in serials:
        row = found.get(serial)
        if row is None or row.status != "in_stock":
            raise ConflictError(f"serial {serial} of {product.sku} is not in stock: check the label", code="serial_not_in_stock", serial=serial)
        if row.location_id != source.id:
            warnings.append(f"serial {serial} was recorded elsewhere than {source.code}; it is now at {target.code}")
        row.location_id = target.id


async def putaway_stock(
    session: AsyncSession,
    *,
    product_id: UUID,
    from_location_id: UUID,
    to_location_id: UUID,
    quantity: int,
    actor: Actor,
    batch: str | None = None,
    job_id: UUID | None = None,
    override: bool = False,
    serials: list[str] | None = None,
) -> PutawayResult:
    """Move ``quantity`` units from a dock (or any location) to their storage destination.

    An open putaway job for the same product, batch and source is progressed even when the
    scan names no job. The destination is checked against the suggestion: a job's planned
    destination, else :func:`suggest_putaway`.
    """
    if quantity <= 0:
        raise InvalidInputError(f"quantity {quantity} is invalid: put away at least 1 unit", field="quantity")
    product = await session.get(Product, product_id)
    source = await session.get(Location, from_location_id)
    target = await session.get(Location, to_location_id)
    if product is None or source is None or target is None:
        raise NotFoundError("product or location not found")
    if source.warehouse_id != target.warehouse_id:
        raise InvalidInputError(f"{source.code} and {target.code} are in different warehouses", field="to_location")
    if target.archived:
        raise ConflictError(f"location {target.code} is archived: put the stock elsewhere", code="location_archived", field="to_location")
    if target.type not in PUTAWAY_DESTINATION_TYPES:
        raise InvalidInputError(f"{target.code} is a {target.type}: put stock away into a storage location", field="to_location")
    batch_code = await resolve_batch_at(session, product, source, batch)

    job, line = await _find_job_line(session, job_id=job_id, product_id=product.id, batch=batch_code, from_location_id=source.id)
    if line is not None and line.to_location_id is not None:
        planned = await session.get(Location, line.to_location_id)
        suggestion = Suggestion(planned, "job") if planned is not None and not planned.archived else await suggest_putaway(
            session, product=product, batch=batch_code, quantity=quantity, warehouse_id=source.warehouse_id, exclude_location_id=source.id
        )
    else:
        suggestion = await suggest_putaway(session, product=product, batch=batch_code, quantity=quantity, warehouse_id=source.warehouse_id, exclude_location_id=source.id)

    if suggestion.rule == "job" and suggestion.location is not None and suggestion.location.id != target.id:
        # The job planned the whole line at receipt. A part that now fits a better place (the pick
        # face, for a smaller quantity) follows the current suggestion instead.
        current = await suggest_putaway(session, product=product, batch=batch_code, quantity=quantity, warehouse_id=source.warehouse_id, exclude_location_id=source.id)
        if current.location is not None and current.location.id == target.id:
            suggestion = current

    warnings: list[str] = []
    overridden = False
    if suggestion.location is not None and suggestion.location.id != target.id:
        enforced = await zone_is_enforced(session, target.warehouse_id, suggestion.location.zone) or await zone_is_enforced(session, target.warehouse_id, target.zone)
        if enforced:
            if not override:
                raise ConflictError(
                    f"putaway is enforced here: take {product.sku} to {suggestion.code}, not {target.code}, or ask a supervisor to override",
                    code="putaway_destination_enforced",
                    suggested_location=suggestion.code,
                    scanned_location=target.code,
                )
            if not actor.is_supervisor:
                raise PermissionDeniedError(
                    f"only a supervisor can override the enforced destination {suggestion.code}", code="override_needs_supervisor"
                )
            overridden = True
            warnings.append(f"supervisor override: {target.code} instead of enforced {suggestion.code}")
        else:
            warnings.append(f"put away to {target.code}; the suggested location was {suggestion.code}")

    await _move_serials(session, product, serials or [], quantity, source, target, warnings)

    reference_type, reference_id = ("job", str(job.id)) if job is not None else ("putaway", "")
    movement = await record_movement(
        session,
        product_id=product.id,
        sku=product.sku,
        quantity=quantity,
        reason=MovementReason.PUTAWAY,
        from_location_id=source.id,
        to_location_id=target.id,
        batch=batch_code,
        reference_type=reference_type,
        reference_id=reference_id,
        note="supervisor override of enforced putaway" if overridden else "",
        **actor.movement_fields(),
    )
    warnings.extend(movement.warnings)
    if job is not None and line is not None:
        remaining = line.quantity - line.quantity_done
        if job.assigned_to_id is not None and job.assigned_to_id != actor.user_id:
            warnings.append(f"job {job.id} is assigned to someone else: this putaway was counted on it, so tell them")
        await record_line_progress(session, job, line, min(quantity, remaining), actor=actor, enforce_assignee=False)
        if quantity > remaining:
            warnings.append(f"{quantity - remaining} units more than job {job.id} planned were put away")
    return PutawayResult(movement=movement, suggestion=suggestion, job=job, warnings=warnings, overridden=overridden)
