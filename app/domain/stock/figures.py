"""Inventory figures of brief-defined meaning: on hand, committed, available, allocated, incoming."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Location, Order, OrderLine, OrderStatus, StockBalance

__all__ = ["StockFigures", "get_stock_figures", "incoming_quantities"]

OPEN_STATUSES = [s.value for s in OrderStatus if s.is_open]


@dataclass
class StockFigures:
    """Totals of one product. ``available`` = on hand − committed and may be negative (oversold)."""

    product_id: UUID
    on_hand: int = 0
    committed: int = 0
    allocated: int = 0
    incoming: int = 0
    rows: list[dict] = field(default_factory=list)

    @property
    def available(self) -> int:
        """On hand minus committed; negative means oversold."""
        return self.on_hand - self.committed


async def incoming_quantities(session: AsyncSession, product_ids: list[UUID]) -> dict[UUID, int]:
    """Return units on open purchase orders per product (zero until purchasing is installed)."""
    try:
        from app.domain.inbound.figures import open_purchase_quantities  # type: ignore[import-not-found]
    except ImportError:
        return {}
    return await open_purchase_quantities(session, product_ids)


async def get_stock_figures(
    session: AsyncSession, product_ids: list[UUID], warehouse_id: UUID | None = None
) -> dict[UUID, StockFigures]:
    """Compute the figures of each product, with one row per location and batch."""
    figures = {product_id: StockFigures(product_id=product_id) for product_id in product_ids}
    if not product_ids:
        return figures

    balances = (
        select(StockBalance, Location)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.product_id.in_(product_ids))
        .order_by(Location.pick_sequence, Location.code, StockBalance.batch)
    )
    if warehouse_id is not None:
        balances = balances.where(Location.warehouse_id == warehouse_id)
    for balance, location in (await session.execute(balances)).all():
        if balance.on_hand == 0 and balance.allocated == 0:
            continue
        entry = figures[balance.product_id]
        entry.on_hand += balance.on_hand
        entry.allocated += balance.allocated
        entry.rows.append(
            {
                "location_id": location.id,
                "location": location.code,
                "location_type": location.type,
                "batch": balance.batch,
                "on_hand": balance.on_hand,
                "allocated": balance.allocated,
            }
        )

    committed = (
        select(OrderLine.product_id, func.coalesce(func.sum(OrderLine.quantity_committed), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id.in_(product_ids), Order.status.in_(OPEN_STATUSES))
        .group_by(OrderLine.product_id)
    )
    if warehouse_id is not None:
        committed = committed.where(Order.warehouse_id == warehouse_id)
    for product_id, quantity in (await session.execute(committed)).all():
        figures[product_id].committed = int(quantity)

    for product_id, quantity in (await incoming_quantities(session, product_ids)).items():
        figures[product_id].incoming = quantity
    return figures
