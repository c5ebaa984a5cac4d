"""The ``move`` and ``adjust`` scan commands.

Both carry raw scan strings, resolved here with the barcode module: a pack barcode multiplies the
scanned quantity by its units, and a GS1 label supplies the batch. The conflict rules they follow
are described in :mod:`app.domain.sync.conflicts`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from app.db.models import NO_BATCH, Location, MovementReason
from app.domain.barcodes import LocationMatch, ProductMatch, resolve_location, resolve_product
from app.domain.stock.adjustments import check_adjustment_limit
from app.domain.stock.ledger import MovementResult, record_movement
from app.domain.stock.operations import adjust_stock, move_stock
from app.domain.sync.conflicts import flag_archived_location, record_job_progress
from app.domain.sync.registry import CommandContext, CommandOutcome, register_command
from app.lib.errors import InvalidInputError

__all__ = ["AdjustPayload", "MovePayload", "apply_adjust", "apply_move"]

Scan = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Note = Annotated[str, msgspec.Meta(max_length=500)]
BatchCode = Annotated[str, msgspec.Meta(max_length=80)]


class MovePayload(msgspec.Struct, forbid_unknown_fields=True):
    """Units moved from one location to another; ``job_line_id`` when the move carries out a job line."""

    from_location: Scan
    item: Scan
    quantity: Annotated[int, msgspec.Meta(gt=0, le=1_000_000)]
    to_location: Scan
    batch: BatchCode | None = None
    job_line_id: UUID | None = None


class AdjustPayload(msgspec.Struct, forbid_unknown_fields=True):
    """Units added (positive) or removed (negative) at a location, with a reason code."""

    location: Scan
    item: Scan
    quantity_change: Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
    reason_code: Literal["damaged", "found", "lost", "expired", "correction"]
    batch: BatchCode | None = None
    note: Note = ""

    def __post_init__(self) -> None:
        if self.quantity_change == 0:
            raise ValueError("quantity_change is 0: an adjustment adds or removes at least one unit")


# The default of WMS_ADJUSTMENT_LIMIT, for settings objects built before that setting existed.
_DEFAULT_ADJUSTMENT_LIMIT = 50


def choose_batch(typed: str | None, product: ProductMatch, item_scan: str) -> str:
    """Return the batch typed by the operator or read from the label; a disagreement is rejected."""
    if typed and product.batch and typed != product.batch:
        raise InvalidInputError(
            f"batch {typed!r} was typed but the label {item_scan!r} carries batch {product.batch!r}: rescan or correct the batch",
            code="batch_mismatch",
        )
    return typed or product.batch or NO_BATCH


def _units(quantity: int, product: ProductMatch) -> int:
    # A pack barcode (case of 12) counts its units per scanned quantity.
    return quantity * max(product.units, 1)


async def _move_into_archived(
    context: CommandContext,
    source: LocationMatch,
    target: LocationMatch,
    product: ProductMatch,
    units: int,
    batch: str,
    movement_fields: dict[str, object],
) -> tuple[MovementResult, str]:
    # The units are physically in the archived location now: record them there and flag it.
    # move_stock rejects an archived destination, which is right before the move but not after it.
    if source.warehouse_id != target.warehouse_id:
        raise InvalidInputError(f"{source.code} and {target.code} are in different warehouses: transfer stock instead of moving it")
    moved = await record_movement(
        context.session,
        product_id=product.product_id,
        sku=product.sku,
        quantity=units,
        reason=MovementReason.MOVE,
        from_location_id=source.location_id,
        to_location_id=target.location_id,
        batch=batch,
        **movement_fields,  # type: ignore[arg-type]
    )
    location = await context.session.get(Location, target.location_id)
    assert location is not None
    warning = await flag_archived_location(context.session, location, product, units, moved.movement.id)
    return moved, warning


@register_command("move", MovePayload)
async def apply_move(context: CommandContext, payload: MovePayload) -> CommandOutcome:
    """Move units between two scanned locations, applied even when the source runs negative."""
    session = context.session
    source = await resolve_location(session, payload.from_location)
    target = await resolve_location(session, payload.to_location)
    product = await resolve_product(session, payload.item)
    batch = choose_batch(payload.batch, product, payload.item)
    units = _units(payload.quantity, product)
    movement_fields = {
        "operator_id": context.user.id,
        "device_id": context.device_id,
        "command_id": context.command_id,
        "scan": payload.item,
    }
    warnings: list[str] = []
    if target.archived:
        moved, archived_warning = await _move_into_archived(context, source, target, product, units, batch, movement_fields)
        warnings.append(archived_warning)
    else:
        moved = await move_stock(
            session,
            product_id=product.product_id,
            from_location_id=source.location_id,
            to_location_id=target.location_id,
            quantity=units,
            batch=batch,
            **movement_fields,
        )

    warnings.extend(moved.warnings)
    result: dict[str, object] = {
        "movement_id": moved.movement.id,
        "sku": product.sku,
        "product_id": str(product.product_id),
        "quantity": units,
        "batch": batch,
        "from_location": source.code,
        "to_location": target.code,
    }
    if payload.job_line_id is not None:
        job_result, job_warnings = await record_job_progress(context, payload.job_line_id, product, source, target, units)
        result["job"] = job_result
        warnings.extend(job_warnings)
    return CommandOutcome(result=result, warnings=warnings)


@register_command("adjust", AdjustPayload)
async def apply_adjust(context: CommandContext, payload: AdjustPayload) -> CommandOutcome:
    """Add or remove units at a scanned location with a reason code; operators have a size limit."""
    session = context.session
    location = await resolve_location(session, payload.location)
    product = await resolve_product(session, payload.item)
    batch = choose_batch(payload.batch, product, payload.item)
    change = payload.quantity_change * max(product.units, 1)
    check_adjustment_limit(context.user, change, getattr(context.settings, "adjustment_limit", _DEFAULT_ADJUSTMENT_LIMIT))
    adjusted = await adjust_stock(
        session,
        product_id=product.product_id,
        location_id=location.location_id,
        quantity_change=change,
        reason_code=payload.reason_code,
        batch=batch,
        note=payload.note,
        operator_id=context.user.id,
        device_id=context.device_id,
        command_id=context.command_id,
        scan=payload.item,
    )
    warnings = list(adjusted.warnings)
    if location.archived:
        row = await session.get(Location, location.location_id)
        assert row is not None
        if change > 0:
            warnings.append(await flag_archived_location(session, row, product, change, adjusted.movement.id))
    return CommandOutcome(
        result={
            "movement_id": adjusted.movement.id,
            "sku": product.sku,
            "product_id": str(product.product_id),
            "location": location.code,
            "batch": batch,
            "quantity_change": change,
            "reason_code": payload.reason_code,
        },
        warnings=warnings,
    )
