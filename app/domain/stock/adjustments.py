"""Stock adjustments over REST: products named by SKU, locations by code, a size limit by role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Role, StockBalance
from app.domain.auth.schemas import AuthUser
from app.domain.stock.operations import adjust_stock
from app.domain.stock.queries import find_location, find_product, find_warehouse
from app.domain.stock.schemas import AdjustmentRequest, AdjustmentResult
from app.lib.errors import PermissionDeniedError

__all__ = ["adjust_stock_by_codes", "check_adjustment_limit"]


def check_adjustment_limit(user: AuthUser, quantity_change: int, limit: int) -> None:
    """Raise PermissionDeniedError when a user below supervisor adjusts more than ``limit`` units."""
    if abs(quantity_change) <= limit:
        return
    if Role(user.role).rank >= Role.SUPERVISOR.rank:
        return
    raise PermissionDeniedError(
        f"an adjustment of {quantity_change:+d} units exceeds the limit of {limit} units for operators: "
        "ask a supervisor to make it",
        code="adjustment_limit_exceeded",
        limit=limit,
        quantity_change=quantity_change,
    )


async def adjust_stock_by_codes(
    session: AsyncSession, data: AdjustmentRequest, *, user: AuthUser, limit: int
) -> AdjustmentResult:
    """Apply one adjustment in the caller's transaction and return the balance after it.

    The size limit is checked before anything is read, so a rejected request changes nothing.
    """
    check_adjustment_limit(user, data.quantity_change, limit)
    product = await find_product(session, sku=data.sku, product_id=data.product_id)
    warehouse_id = (await find_warehouse(session, data.warehouse)).id if data.warehouse else None
    location = await find_location(session, data.location, warehouse_id)
    result = await adjust_stock(
        session,
        product_id=product.id,
        location_id=location.id,
        quantity_change=data.quantity_change,
        reason_code=data.reason_code,
        batch=data.batch,
        note=data.note,
        operator_id=user.id,
        device_id=data.device_id,
    )
    on_hand = await session.scalar(
        select(StockBalance.on_hand).where(
            StockBalance.product_id == product.id,
            StockBalance.location_id == location.id,
            StockBalance.batch == data.batch,
        )
    )
    return AdjustmentResult(
        movement_id=result.movement.id,
        product_id=product.id,
        sku=product.sku,
        location=location.code,
        batch=data.batch,
        quantity_change=data.quantity_change,
        on_hand=int(on_hand or 0),
        warnings=result.warnings,
    )
