"""Scan-level operations: resolve raw scans, then receive or put away (shared by REST and sync)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.barcodes import ProductMatch, resolve_location, resolve_product
from app.domain.inbound.putaway import PutawayResult, putaway_stock
from app.domain.inbound.receiving import ReceiveResult, receive_stock
from app.domain.inbound.schemas import PutawayPayload, ReceiptRead, ReceivePayload
from app.domain.jobs.actor import Actor
from app.lib.errors import ConflictError, InvalidInputError

__all__ = ["apply_putaway_scan", "apply_receive_scan", "merge_label_values", "receipt_read", "scanned_units"]


# The same maximum as the move and adjust commands. A larger number is usually a barcode scanned
# into the quantity field, and from 2**63 on the database cannot store it at all.
MAX_SCAN_QUANTITY = 1_000_000


def scanned_units(match: ProductMatch, quantity: int) -> int:
    """Return the units that ``quantity`` scans of the matched barcode count (case barcodes count N)."""
    if quantity <= 0:
        raise InvalidInputError(f"quantity {quantity} is invalid: count at least 1", field="quantity")
    if quantity > MAX_SCAN_QUANTITY:
        raise InvalidInputError(
            f"quantity {quantity} is invalid: the maximum is {MAX_SCAN_QUANTITY:,}, so check that no barcode was scanned into the quantity field",
            field="quantity",
        )
    return quantity * match.units


def merge_label_values(match: ProductMatch, batch: str | None, expiry: date | None) -> tuple[str | None, date | None]:
    """Combine batch and expiry typed by the operator with those read from a GS1 label.

    Either source may be missing. When both are given and differ, the scan is rejected because
    one of them is wrong and the operator must check which.
    """
    typed_batch = (batch or "").strip() or None
    if typed_batch and match.batch and typed_batch != match.batch:
        raise ConflictError(f"the label reads batch {match.batch} but {typed_batch} was typed: check which is right", code="batch_mismatch", field="batch")
    if expiry and match.expiry and expiry != match.expiry:
        raise ConflictError(
            f"the label reads expiry {match.expiry.isoformat()} but {expiry.isoformat()} was typed: check which is right", code="expiry_mismatch", field="expiry"
        )
    return typed_batch or match.batch, expiry or match.expiry


def receipt_read(result: ReceiveResult) -> ReceiptRead:
    """Return the wire form of a receipt."""
    receipt = result.receipt
    return ReceiptRead(
        receipt_id=receipt.id,
        movement_id=receipt.movement_id,
        product_id=receipt.product_id,
        sku=result.product.sku,
        location=result.location.code,
        quantity=receipt.quantity,
        batch=receipt.batch,
        expiry=receipt.expiry,
        purchase_order=result.purchase_order.number if result.purchase_order else None,
        purchase_order_status=result.purchase_order.status if result.purchase_order else None,
        putaway_job_id=result.putaway_job.id if result.putaway_job else None,
        suggested_location=result.suggestion.code if result.suggestion else None,
        overridden=receipt.overridden,
        warnings=result.warnings,
    )


async def apply_receive_scan(session: AsyncSession, payload: ReceivePayload, actor: Actor) -> ReceiveResult:
    """Resolve the scans of a ``receive`` command and receive the stock."""
    location = await resolve_location(session, payload.location)
    match = await resolve_product(session, payload.item)
    units = scanned_units(match, payload.quantity)
    batch, expiry = merge_label_values(match, payload.batch, payload.expiry)
    serials = list(payload.serials)
    if match.serial and not serials:
        serials = [match.serial]
    elif match.serial and match.serial not in serials:
        raise ConflictError(f"the label reads serial {match.serial}, which is not among the serials sent", code="serial_mismatch", field="serials")
    return await receive_stock(
        session,
        product_id=match.product_id,
        location_id=location.location_id,
        units=units,
        actor=actor,
        purchase_order=str(payload.purchase_order) if payload.purchase_order is not None else None,
        batch=batch,
        expiry=expiry,
        serials=serials,
        override=payload.override,
        expiry_resolution=payload.expiry_resolution,
    )


async def apply_putaway_scan(session: AsyncSession, payload: PutawayPayload, actor: Actor) -> PutawayResult:
    """Resolve the scans of a ``putaway`` command and move the stock."""
    source = await resolve_location(session, payload.from_location)
    target = await resolve_location(session, payload.to_location)
    match = await resolve_product(session, payload.item)
    units = scanned_units(match, payload.quantity)
    batch, _expiry = merge_label_values(match, payload.batch, None)
    return await putaway_stock(
        session,
        product_id=match.product_id,
        from_location_id=source.location_id,
        to_location_id=target.location_id,
        quantity=units,
        actor=actor,
        batch=batch,
        job_id=payload.job_id,
        override=payload.override,
        serials=[serial.strip() for serial in payload.serials] or ([match.serial] if match.serial else []),
    )


def putaway_result_dict(result: PutawayResult) -> dict:
    """Return the JSON result of a putaway for the device or the office."""
    movement = result.movement.movement
    return {
        "movement_id": movement.id,
        "quantity": movement.quantity,
        "batch": movement.batch,
        "suggested_location": result.suggestion.code,
        "suggestion_rule": result.suggestion.rule,
        "job_id": str(result.job.id) if result.job else None,
        "job_status": result.job.status if result.job else None,
        "overridden": result.overridden,
        "warnings": result.warnings,
    }
