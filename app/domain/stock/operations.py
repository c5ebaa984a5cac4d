"""Stock operations shared by the REST API, scan commands and the CLI: moves and adjustments."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import NO_BATCH, Location, MovementReason, Product
from app.domain.stock.ledger import MovementResult, record_movement
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError

__all__ = ["ADJUSTMENT_REASON_CODES", "adjust_stock", "move_stock"]

ADJUSTMENT_REASON_CODES = ("damaged", "found", "lost", "expired", "correction")


async def _get_location(session: AsyncSession, location_id: UUID) -> Location:
    location = await session.get(Location, location_id)
    if location is None:
        raise NotFoundError(f"location {location_id} not found", location_id=str(location_id))
    return location


async def _get_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFoundError(f"product {product_id} not found", product_id=str(product_id))
    return product


async def move_stock(
    session: AsyncSession,
    *,
    product_id: UUID,
    from_location_id: UUID,
    to_location_id: UUID,
    quantity: int,
    batch: str = NO_BATCH,
    reason: MovementReason = MovementReason.MOVE,
    reference_type: str = "",
    reference_id: str = "",
    operator_id: UUID | None = None,
    device_id: str | None = None,
    command_id: UUID | None = None,
    scan: str | None = None,
) -> MovementResult:
    """Move units between two locations of one warehouse; a shortfall is applied and flagged."""
    product = await _get_product(session, product_id)
    source = await _get_location(session, from_location_id)
    target = await _get_location(session, to_location_id)
    if source.warehouse_id != target.warehouse_id:
        raise InvalidInputError(f"{source.code} and {target.code} are in different warehouses: transfer stock instead of moving it")
    if target.archived:
        raise ConflictError(f"location {target.code} is archived: choose another destination", location=target.code)
    return await record_movement(
        session,
        product_id=product.id,
        sku=product.sku,
        quantity=quantity,
        reason=reason,
        from_location_id=source.id,
        to_location_id=target.id,
        batch=batch,
        reference_type=reference_type,
        reference_id=reference_id,
        operator_id=operator_id,
        device_id=device_id,
        command_id=command_id,
        scan=scan,
    )


async def adjust_stock(
    session: AsyncSession,
    *,
    product_id: UUID,
    location_id: UUID,
    quantity_change: int,
    reason_code: str,
    batch: str = NO_BATCH,
    note: str = "",
    operator_id: UUID | None = None,
    device_id: str | None = None,
    command_id: UUID | None = None,
    scan: str | None = None,
) -> MovementResult:
    """Add (positive) or remove (negative) units at a location with a mandatory reason code."""
    if reason_code not in ADJUSTMENT_REASON_CODES:
        raise InvalidInputError(
            f"reason code {reason_code!r} is invalid: use one of {', '.join(ADJUSTMENT_REASON_CODES)}", field="reason_code"
        )
    if quantity_change == 0:
        raise InvalidInputError("quantity change is 0: an adjustment adds or removes at least one unit", field="quantity_change")
    product = await _get_product(session, product_id)
    location = await _get_location(session, location_id)
    return await record_movement(
        session,
        product_id=product.id,
        sku=product.sku,
        quantity=abs(quantity_change),
        reason=MovementReason.ADJUSTMENT,
        from_location_id=location.id if quantity_change < 0 else None,
        to_location_id=location.id if quantity_change > 0 else None,
        batch=batch,
        reference_type="adjustment",
        reference_id=reason_code,
        operator_id=operator_id,
        device_id=device_id,
        command_id=command_id,
        scan=scan,
        note=note,
    )
