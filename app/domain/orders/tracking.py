"""Courier tracking updates from Starshipit's public tracking webhook.

Updates arrive unordered. Each carries ``last_updated_date``, and the receive time is used when it is
missing. An update older than the one the order shows is stale. It is recorded and changes nothing,
so a late InTransit never overwrites Delivered. Two updates with the same time are ordered by
how far along the delivery each status is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Account, Order, WebhookOutcome
from app.domain.orders.events import EventResult
from app.domain.webhooks.schemas import TRACKING_STATUSES, TrackingPayload, text_or_none
from app.lib.logging import get_logger

__all__ = ["STATUS_RANK", "apply_tracking_update", "canonical_tracking_status", "find_order_by_number"]

log = get_logger(__name__)

# How far along the delivery each status is; only used to order two updates with the same time.
STATUS_RANK = {
    "Printed": 1,
    "AwaitingCollection": 2,
    "Dispatched": 3,
    "InTransit": 4,
    "Exception": 4,
    "OutForDelivery": 5,
    "AttemptedDelivery": 6,
    "PickupInStore": 7,
    "Delivered": 8,
    "Cancelled": 8,
}

_CANONICAL = {status.lower(): status for status in TRACKING_STATUSES}


def canonical_tracking_status(value: str) -> str:
    """Spell a known status the way Starshipit documents it (``intransit`` becomes ``InTransit``); keep others as sent."""
    text = value.strip()
    return _CANONICAL.get(text.replace(" ", "").lower(), text)


async def find_order_by_number(session: AsyncSession, account: Account, order_number: str, tracking_number: str | None) -> Order | None:
    """Find the account's order by number, preferring the one with this tracking number, then the newest."""
    orders = (
        await session.scalars(
            select(Order)
            .where(Order.account_id == account.id, Order.order_number == order_number)
            .order_by(Order.created_at.desc())
            .with_for_update()
        )
    ).all()
    if tracking_number:
        for order in orders:
            if order.tracking_number == tracking_number:
                return order
    return orders[0] if orders else None


async def apply_tracking_update(session: AsyncSession, account: Account, payload: TrackingPayload, updated_at: datetime) -> EventResult:
    """Apply one tracking update of ``account`` in the caller's transaction.

    ``updated_at`` is the payload's ``last_updated_date`` parsed, or the receive time when it had
    none. Outcomes: ``applied``, ``stale`` (older than what the order shows) or ``ignored`` (no such
    order in this account).
    """
    order_number = text_or_none(payload.order_number) or ""
    tracking_number = text_or_none(payload.tracking_number)
    status = canonical_tracking_status(payload.tracking_status)
    order = await find_order_by_number(session, account, order_number, tracking_number)
    if order is None:
        # NOTE: the update is kept in the event log only. It is not replayed when the order arrives later.
        return EventResult(outcome=WebhookOutcome.IGNORED, detail=f"no order {order_number} in account {account.code}")

    current = order.tracking_updated_at
    if current is not None:
        older = updated_at < current
        same_time_behind = updated_at == current and STATUS_RANK.get(status, 0) < STATUS_RANK.get(order.tracking_status, 0)
        if older or same_time_behind:
            log.info(
                "stale tracking update ignored",
                order_id=str(order.id),
                status=status,
                current_status=order.tracking_status,
                updated_at=updated_at.isoformat(),
            )
            return EventResult(
                outcome=WebhookOutcome.STALE,
                order=order,
                detail=f"{status} from {updated_at.isoformat()} is older than {order.tracking_status} from {current.isoformat()}",
            )

    order.tracking_status = status[:40]
    order.tracking_updated_at = updated_at
    if tracking_number:
        order.tracking_number = tracking_number[:80]
    return EventResult(outcome=WebhookOutcome.APPLIED, order=order, detail=f"tracking status {status}")
