"""Order status changes: the history row (whose id is the global sequence) and the live message."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Order, OrderStatus, OrderStatusEvent
from app.domain.live.publisher import StatusChange
from app.lib.timeutil import utcnow

__all__ = ["derive_open_status", "record_status_change"]


async def record_status_change(
    session: AsyncSession,
    order: Order,
    new_status: OrderStatus | str,
    cause: str,
    *,
    created: bool = False,
) -> StatusChange | None:
    """Set ``order.status`` and append the change to the status history, in the caller's transaction.

    ``cause`` names what changed it (``order_created``, ``release``, ``pack``). With ``created`` the
    history row has no previous status, which marks the order's first appearance. Returns the
    :class:`StatusChange` to publish once the transaction commits, or None when the status is
    already ``new_status`` and nothing was recorded. The order must have been flushed (it needs its id).
    """
    status = OrderStatus(new_status).value
    previous = None if created else order.status
    if not created and previous == status:
        return None
    order.status = status
    event = OrderStatusEvent(
        order_id=order.id,
        account_id=order.account_id,
        warehouse_id=order.warehouse_id,
        order_number=order.order_number,
        status=status,
        previous_status=previous,
        cause=cause[:80],
        at=utcnow(),
    )
    session.add(event)
    await session.flush()
    return StatusChange(
        seq=event.id,
        order_id=order.id,
        order_number=order.order_number,
        status=status,
        previous_status=previous,
        at=event.at,
        warehouse_id=order.warehouse_id,
    )


def derive_open_status(ordered: int, shipped: int) -> OrderStatus:
    """Return the status of an uncancelled order from its active lines' ordered and shipped totals.

    Nothing shipped gives PENDING, everything shipped SHIPPED, anything between PARTIALLY_SHIPPED.
    An order with no units at all stays PENDING.
    """
    if shipped <= 0:
        return OrderStatus.PENDING
    if shipped >= ordered:
        return OrderStatus.SHIPPED
    return OrderStatus.PARTIALLY_SHIPPED
