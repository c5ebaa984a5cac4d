"""Orders written straight into the database for read-side and live tests.

These tests check reading and pushing orders, not the event rules, so they build the rows the
event rules would have written: the order, its lines and one status history row per change.
"""

from __future__ import annotations

from uuid import UUID

from app.db import Database
from app.db.models import Order, OrderLine, OrderStatusEvent
from app.domain.live.publisher import StatusChange
from tests.factories import Seed


async def create_order(
    db: Database,
    seed: Seed,
    number: str,
    lines: list[tuple[str, int]],
    *,
    status: str = "PENDING",
    starshipit_order_id: str | None = None,
) -> UUID:
    """Insert an order with ``lines`` of (sku, quantity) and its first status event; return its id."""
    async with db.transaction() as session:
        order = Order(
            account_id=seed.account_id,
            warehouse_id=seed.warehouse_id,
            starshipit_order_id=starshipit_order_id or f"ss-{number}",
            order_number=number,
            reference=f"ref {number}",
            status=status,
            destination={"name": "Kim Lee", "country": "NZ"},
        )
        session.add(order)
        await session.flush()
        for position, (sku, quantity) in enumerate(lines):
            product_id = seed.products.get(sku)
            session.add(
                OrderLine(
                    order_id=order.id,
                    item_id=f"item-{position}",
                    sku=sku,
                    product_id=product_id,
                    position=position,
                    quantity_ordered=quantity,
                    quantity_committed=quantity if status in ("PENDING", "RELEASED", "PARTIALLY_SHIPPED") else 0,
                    unknown_sku=product_id is None,
                )
            )
        session.add(
            OrderStatusEvent(
                order_id=order.id,
                account_id=seed.account_id,
                warehouse_id=seed.warehouse_id,
                order_number=number,
                status=status,
                previous_status=None,
                cause="test",
            )
        )
    return order.id


async def change_status(db: Database, seed: Seed, order_id: UUID, status: str) -> StatusChange:
    """Set a new status and write its history row; return the live message for it."""
    async with db.transaction() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        previous = order.status
        order.status = status
        event = OrderStatusEvent(
            order_id=order.id,
            account_id=order.account_id,
            warehouse_id=order.warehouse_id,
            order_number=order.order_number,
            status=status,
            previous_status=previous,
            cause="test",
        )
        session.add(event)
        await session.flush()
        change = StatusChange(
            seq=event.id,
            order_id=order.id,
            order_number=order.order_number,
            status=status,
            previous_status=previous,
            at=event.at,
            warehouse_id=order.warehouse_id,
        )
    return change
