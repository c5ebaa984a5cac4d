"""The ``incoming`` inventory figure: units on open purchase orders not yet received."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus

__all__ = ["open_purchase_quantities"]


async def open_purchase_quantities(session: AsyncSession, product_ids: list[UUID]) -> dict[UUID, int]:
    """Return per product the units still open on CREATED and PARTIALLY_RECEIVED purchase orders.

    A line received beyond its order contributes zero, never a negative number. Drafts, closed
    and cancelled orders count nothing.
    """
    if not product_ids:
        return {}
    open_units = case(
        (PurchaseOrderLine.quantity_ordered > PurchaseOrderLine.quantity_received, PurchaseOrderLine.quantity_ordered - PurchaseOrderLine.quantity_received),
        else_=0,
    )
    statement = (
        select(PurchaseOrderLine.product_id, func.sum(open_units))
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .where(PurchaseOrderLine.product_id.in_(product_ids), PurchaseOrder.status.in_(PurchaseOrderStatus.OPEN))
        .group_by(PurchaseOrderLine.product_id)
    )
    return {product_id: int(total or 0) for product_id, total in (await session.execute(statement)).tuples()}
