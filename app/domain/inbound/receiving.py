"""Receiving: stock arriving against a purchase order or blind, into a dock or straight to a bin.

Rules kept here:

- Quantities are units: the caller multiplies scans by the units of the barcode scanned.
- Over-receipt up to the warehouse's tolerance applies with a warning. Beyond it the receipt is
  rejected unless a supervisor overrides, and the receipt records the override.
- Batch-tracked products need a batch; serial-tracked ones one unique serial per unit.
- A batch keeps one expiry. A receipt with no expiry leaves the stored one as it is. A receipt
  with a different expiry is rejected as a conflict until the operator chooses to keep the
  stored date or use the scanned one.
- Stock received into a STAGING_DOCK gets a putaway job to its suggested destination.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import uuid_utils.compat as uuid_compat
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.models import (
    Batch,
    Job,
    JobLine,
    JobStatus,
    JobType,
    Location,
    LocationType,
    MovementReason,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    SerialNumber,
    Warehouse,
)
from app.domain.inbound.purchase_orders import find_purchase_order, refresh_status
from app.domain.inbound.putaway import Suggestion, suggest_putaway
from app.domain.inbound.schemas import ReceiptHistoryRead
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import JobLineSpec, create_job
from app.lib.errors import ConflictError, InvalidInputError, PermissionDeniedError
from app.lib.logging import get_logger

__all__ = ["EXPIRY_RESOLUTIONS", "ReceiveResult", "list_receipts", "receive_stock", "record_batch"]

log = get_logger(__name__)

EXPIRY_RESOLUTIONS = ("keep_stored", "use_scanned")
# Locations stock may be received into: a dock (then put away) or storage directly.
RECEIVING_TYPES = (
    LocationType.STAGING_DOCK.value,
    LocationType.PICK_FACE.value,
    LocationType.BULK_STORAGE.value,
    LocationType.OVERFLOW.value,
    LocationType.QUARANTINE.value,
    LocationType.CROSS_DOCK.value,
    LocationType.RETURNS.value,
)


@dataclass
class ReceiveResult:
    receipt: Receipt
    product: Product
    location: Location
    purchase_order: PurchaseOrder | None
    putaway_job: Job | None
    suggestion: Suggestion | None
    warnings: list[str] = field(default_factory=list)


async def record_batch(
    session: AsyncSession, product: Product, code: str, expiry: date | None, *, resolution: str | None = None
) -> tuple[Batch, list[str]]:
    """Find or create the batch, applying the expiry rules; return it and any warnings.

    No expiry scanned: the stored one stays. A stored batch without expiry takes the scanned one.
    A different expiry raises ConflictError (code ``batch_expiry_conflict``) unless
    ``resolution`` is "keep_stored" or "use_scanned".
    """
    warnings: list[str] = []
    batch = await session.scalar(select(Batch).where(Batch.product_id == product.id, Batch.code == code).with_for_update())
    if batch is None:
        batch = Batch(product_id=product.id, code=code, expiry=expiry)
        session.add(batch)
        await session.flush()
        return batch, warnings
    if expiry is None or batch.expiry == expiry:
        return batch, warnings
    if batch.expiry is None:
        batch.expiry = expiry
        return batch, warnings
    if resolution == "keep_stored":
        warnings.append(f"batch {code} keeps its stored expiry {batch.expiry.isoformat()}; the label said {expiry.isoformat()}")
        return batch, warnings
    if resolution == "use_scanned":
        warnings.append(f"batch {code} expiry changed from {batch.expiry.isoformat()} to {expiry.isoformat()}")
        log.warning("batch expiry changed", sku=product.sku, batch=code, old=batch.expiry.isoformat(), new=expiry.isoformat())
        batch.expiry = expiry
        return batch, warnings
    raise ConflictError(
        f"batch {code} of {product.sku} is stored with expiry {batch.expiry.isoformat()} but this label reads {expiry.isoformat()}: "
        "check the label, then resend with expiry_resolution keep_stored or use_scanned",
        code="batch_expiry_conflict",
        batch=code,
        stored_expiry=batch.expiry.isoformat(),
        scanned_expiry=expiry.isoformat(),
    )


def _check_serials(product: Product, serials: list[str], units: int) -> list[str]:
    cleaned = [serial.strip() for serial in serials]
    if product.tracking != "SERIAL":
        if cleaned:
            raise InvalidInputError(f"{product.sku} is not serial-tracked: leave serials out", field="serials")
        return []
    if len(cleaned) != units or any(not serial for serial in cleaned):
        raise InvalidInputError(
            f"{product.sku} is serial-tracked: scan one serial per unit ({units} units, {len(cleaned)} serials)",
            code="serials_required",
            field="serials",
        )
    duplicates = sorted({serial for serial in cleaned if cleaned.count(serial) > 1})
    if duplicates:
        raise InvalidInputError(f"serial {duplicates[0]} is scanned twice in this receipt", field="serials", serials=duplicates)
    return cleaned


async def _store_serials(session: AsyncSession, product: Product, serials: list[str], batch: str, location_id: UUID, receipt_id: UUID) -> None:
    if not serials:
        return
    existing = {row.serial: row for row in (await session.scalars(select(SerialNumber).where(SerialNumber.product_id == product.id, SerialNumber.serial.in_(serials)))).all()}
    in_stock = sorted(serial for serial, row in existing.items() if row.status == "in_stock")
    if in_stock:
        raise ConflictError(
            f"serial {in_stock[0]} of {product.sku} is already in stock: check the label, a serial is received once",
            code="serial_in_stock",
            serials=in_stock,
        )
    for serial in serials:
        row = existing.get(serial)
        if row is None:
            session.add(SerialNumber(product_id=product.id, serial=serial, batch=batch, location_id=location_id, status="in_stock", receipt_id=receipt_id))
        else:
            # A serial that left (shipped, returned to the supplier) and comes back is in stock again.
            row.status, row.location_id, row.batch, row.receipt_id = "in_stock", location_id, batch, receipt_id


def _check_tolerance(purchase_order: PurchaseOrder, line: PurchaseOrderLine, units: int, tolerance: int, sku: str, *, override: bool, actor: Actor) -> tuple[list[str], bool]:
    after = line.quantity_received + units
    ceiling = line.quantity_ordered + line.quantity_ordered * tolerance // 100
    if after <= line.quantity_ordered:
        return [], False
    if after <= ceiling:
        return [f"{sku}: {after} received against {line.quantity_ordered} ordered on {purchase_order.number} (within the {tolerance}% tolerance)"], False
    if not override:
        raise ConflictError(
            f"{sku}: receiving {units} makes {after} against {line.quantity_ordered} ordered on {purchase_order.number}, "
            f"beyond the {tolerance}% tolerance (at most {ceiling}): a supervisor must override",
            code="over_receipt_beyond_tolerance",
            ordered=line.quantity_ordered,
            received=line.quantity_received,
            quantity=units,
            maximum=ceiling,
        )
    if not actor.is_supervisor:
        raise PermissionDeniedError(f"receiving beyond the {tolerance}% tolerance needs a supervisor's override", code="override_needs_supervisor")
    return [f"supervisor override: {after} received against {line.quantity_ordered} ordered on {purchase_order.number}"], True


async def _add_to_putaway_job(session: AsyncSession, *, warehouse_id: UUID, dock: Location, product: Product, batch: str, units: int, reference: tuple[str, str], suggestion: Suggestion) -> Job:
    """Add the units to a not-yet-started putaway job for the same dock and delivery, or a new one."""
    reference_type, reference_id = reference
    job = await session.scalar(
        select(Job)
        .where(
            Job.type == JobType.PUTAWAY.value,
            Job.status.in_((JobStatus.READY.value, JobStatus.PENDING.value)),
            Job.reference_type == reference_type,
            Job.reference_id == reference_id,
            Job.warehouse_id == warehouse_id,
        )
        .options(selectinload(Job.lines))
        .order_by(Job.created_at)
        .limit(1)
    )
    destination = suggestion.location.id if suggestion.location else None
    if job is None:
        return await create_job(
            session,
            warehouse_id=warehouse_id,
            job_type=JobType.PUTAWAY,
            lines=[JobLineSpec(product_id=product.id, quantity=units, batch=batch, from_location_id=dock.id, to_location_id=destination)],
            reference_type=reference_type,
            reference_id=reference_id,
            zone=suggestion.location.zone if suggestion.location else "",
        )
    for line in job.lines:
        if line.product_id == product.id and line.batch == batch and line.from_location_id == dock.id and line.quantity_done == 0:
            line.quantity += units
            await session.flush()
            return job
    session.add(JobLine(job_id=job.id, product_id=product.id, batch=batch, from_location_id=dock.id, to_location_id=destination, quantity=units, quantity_done=0))
    await session.flush()
    return job


async def receive_stock(
    session: AsyncSession,
    *,
    product_id: UUID,
    location_id: UUID,
    units: int,
    actor: Actor,
    purchase_order: str | None = None,
    batch: str | None = None,
    expiry: date | None = None,
    serials: list[str] | None = None,
    override: bool = False,
    expiry_resolution: str | None = None,
) -> ReceiveResult:
    """Receive ``units`` of a product into a location, in the caller's transaction.

    Writes one ``receipt`` movement, updates the purchase order line and status, stores batch
    and serials, and for a staging dock adds a putaway job line. Raises a DomainError, leaving
    the database unchanged, when a rule above rejects the receipt.
    """
    if units <= 0:
        raise InvalidInputError(f"quantity {units} is invalid: receive at least 1 unit", field="quantity")
    if expiry_resolution is not None and expiry_resolution not in EXPIRY_RESOLUTIONS:
        raise InvalidInputError(f"expiry_resolution {expiry_resolution!r} is invalid: use keep_stored or use_scanned", field="expiry_resolution")
    product = await session.get(Product, product_id)
    location = await session.get(Location, location_id)
    if product is None or location is None:
        raise InvalidInputError("product or location not found")
    if location.archived:
        raise ConflictError(f"location {location.code} is archived: receive into an active location", code="location_archived", field="location")
    if location.type not in RECEIVING_TYPES:
        raise InvalidInputError(f"{location.code} is a {location.type}: receive into a staging dock or a storage location", field="location")
    warehouse = await session.get(Warehouse, location.warehouse_id)
    assert warehouse is not None

    warnings: list[str] = []
    batch_code = ""
    stored_expiry: date | None = None
    if product.tracking == "BATCH" and not (batch or "").strip():
        raise InvalidInputError(f"{product.sku} is batch-tracked: scan the batch label or type the batch", code="batch_required", field="batch")
    if product.tracking != "NONE" and (batch or "").strip():
        batch_row, batch_warnings = await record_batch(session, product, batch.strip(), expiry, resolution=expiry_resolution)  # type: ignore[union-attr]
        batch_code, stored_expiry = batch_row.code, batch_row.expiry
        warnings.extend(batch_warnings)
        if product.allocation_rule == "FEFO" and stored_expiry is None:
            warnings.append(f"{product.sku} is picked by earliest expiry but batch {batch_code} has none: add it")
    elif product.tracking == "NONE" and ((batch or "").strip() or expiry is not None):
        # NOTE: labels of untracked products often carry GS1 batch and expiry; storing them would
        # split the product's balances by batch, so they are ignored here.
        pass
    serial_list = _check_serials(product, serials or [], units)

    order: PurchaseOrder | None = None
    line: PurchaseOrderLine | None = None
    overridden = False
    if purchase_order is not None and str(purchase_order).strip():
        order = await find_purchase_order(session, number=str(purchase_order), for_update=True)
        if order.status in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED) or order.closed_short_by_id is not None:
            state = "closed short" if order.closed_short_by_id else order.status
            raise ConflictError(f"purchase order {order.number} is {state}: it takes no receipts; receive blind or ask the office", code="purchase_order_not_receivable")
        if order.warehouse_id != location.warehouse_id:
            raise InvalidInputError(f"purchase order {order.number} is for another warehouse than {location.code}", field="location")
        line = next((candidate for candidate in order.lines if candidate.product_id == product.id), None)
        if line is None:
            raise ConflictError(
                f"{product.sku} is not on purchase order {order.number}: set it aside, or receive it blind",
                code="not_on_purchase_order",
            )
        tolerance_warnings, overridden = _check_tolerance(order, line, units, warehouse.receipt_tolerance_percent, product.sku, override=override, actor=actor)
        warnings.extend(tolerance_warnings)

    receipt_id = uuid_compat.uuid7()
    reference = ("purchase_order", order.number) if order is not None else ("receipt", str(receipt_id))
    movement = await record_movement_for_receipt(session, product, location, units, batch_code, reference, actor)
    warnings.extend(movement.warnings)
    # The receipt row goes in first because serial numbers refer to it.
    receipt = Receipt(
        id=receipt_id,
        warehouse_id=location.warehouse_id,
        purchase_order_id=order.id if order else None,
        purchase_order_line_id=line.id if line else None,
        product_id=product.id,
        location_id=location.id,
        batch=batch_code,
        expiry=stored_expiry,
        quantity=units,
        serials=json.dumps(serial_list),
        movement_id=movement.movement.id,
        overridden=overridden,
        override_by_id=actor.user_id if overridden else None,
        operator_id=actor.user_id,
        device_id=actor.device_id,
        command_id=actor.command_id,
    )
    session.add(receipt)
    await session.flush()
    await _store_serials(session, product, serial_list, batch_code, location.id, receipt_id)
    if line is not None and order is not None:
        line.quantity_received += units
        refresh_status(order)

    job: Job | None = None
    suggestion: Suggestion | None = None
    if location.type == LocationType.STAGING_DOCK.value:
        suggestion = await suggest_putaway(session, product=product, batch=batch_code, quantity=units, warehouse_id=location.warehouse_id, exclude_location_id=location.id)
        job_reference = reference if order is not None else ("receiving_dock", str(location.id))
        job = await _add_to_putaway_job(session, warehouse_id=location.warehouse_id, dock=location, product=product, batch=batch_code, units=units, reference=job_reference, suggestion=suggestion)
        receipt.putaway_job_id = job.id
    receipt.warnings = "\n".join(warnings)
    await session.flush()
    log.info(
        "stock received",
        sku=product.sku,
        units=units,
        location=location.code,
        purchase_order=order.number if order else None,
        batch=batch_code,
        overridden=overridden,
        command_id=str(actor.command_id) if actor.command_id else None,
    )
    return ReceiveResult(receipt=receipt, product=product, location=location, purchase_order=order, putaway_job=job, suggestion=suggestion, warnings=warnings)


async def record_movement_for_receipt(session: AsyncSession, product: Product, location: Location, units: int, batch: str, reference: tuple[str, str], actor: Actor):  # type: ignore[no-untyped-def]
    """Write the receipt movement into ``location``."""
    from app.domain.stock.ledger import record_movement

    return await record_movement(
        session,
        product_id=product.id,
        sku=product.sku,
        quantity=units,
        reason=MovementReason.RECEIPT,
        to_location_id=location.id,
        batch=batch,
        reference_type=reference[0],
        reference_id=reference[1],
        **actor.movement_fields(),
    )


async def list_receipts(session: AsyncSession, *, purchase_order: str | None = None, limit: int = 100, offset: int = 0) -> list[ReceiptHistoryRead]:
    """List receipts newest first, optionally of one purchase order (by number)."""
    if not 1 <= limit <= 500:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to 500", field="limit")
    statement = (
        select(Receipt, Product.sku, Location.code, PurchaseOrder.number)
        .join(Product, Product.id == Receipt.product_id)
        .join(Location, Location.id == Receipt.location_id)
        .outerjoin(PurchaseOrder, PurchaseOrder.id == Receipt.purchase_order_id)
        .order_by(Receipt.created_at.desc(), Receipt.id.desc())
        .limit(limit)
        .offset(max(offset, 0))
    )
    if purchase_order is not None:
        order = await find_purchase_order(session, number=purchase_order)
        statement = statement.where(Receipt.purchase_order_id == order.id)
    rows = (await session.execute(statement)).all()
    return [
        ReceiptHistoryRead(
            receipt_id=receipt.id,
            received_at=receipt.created_at,
            sku=sku,
            location=code,
            quantity=receipt.quantity,
            batch=receipt.batch,
            expiry=receipt.expiry,
            serials=json.loads(receipt.serials or "[]"),
            purchase_order=number,
            putaway_job_id=receipt.putaway_job_id,
            overridden=receipt.overridden,
            operator_id=receipt.operator_id,
            device_id=receipt.device_id,
            warnings=[line for line in receipt.warnings.split("\n") if line],
        )
        for receipt, sku, code, number in rows
    ]
