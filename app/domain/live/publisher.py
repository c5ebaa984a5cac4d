"""Publishing order status changes to channel subscribers, after the commit that made them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar.channels import ChannelsPlugin

from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "StatusChange",
    "TrackingChange",
    "order_channel",
    "publish_status_changes",
    "publish_tracking_change",
    "tracking_change_of",
    "warehouse_channel",
]

log = get_logger(__name__)


class StatusChange(msgspec.Struct, frozen=True):
    """One order status change as sent to live clients; ``seq`` is the status history's id."""

    seq: int
    order_id: UUID
    order_number: str
    status: str
    previous_status: str | None
    at: datetime
    warehouse_id: UUID
    type: str = "order_status"


def warehouse_channel(warehouse_id: UUID | str) -> str:
    """Name the channel that carries every change in one warehouse."""
    return f"warehouse:{warehouse_id}"


def order_channel(order_id: UUID | str) -> str:
    """Name the channel that carries the changes of one order."""
    return f"order:{order_id}"


def publish_status_changes(channels: ChannelsPlugin | None, changes: Iterable[StatusChange]) -> None:
    """Queue each change for the warehouse and order channels. Call only after the commit.

    Delivery is best effort: a client that misses one resumes from the status history by ``seq``.
    """
    if channels is None:
        return
    for change in changes:
        payload = msgspec.json.encode(change)
        try:
            channels.publish(payload, [warehouse_channel(change.warehouse_id), order_channel(change.order_id)])
        except Exception:  # a broken backend must not fail the request whose commit already happened
            log.exception("publishing a status change failed", seq=change.seq, order_id=str(change.order_id))


class TrackingChange(msgspec.Struct, frozen=True):
    """A courier tracking update of an order, sent live to boards. It has no seq and is not replayed."""

    order_id: UUID
    order_number: str
    tracking_status: str
    tracking_number: str
    at: datetime
    warehouse_id: UUID
    type: str = "order_tracking"


def publish_tracking_change(channels: ChannelsPlugin | None, change: TrackingChange) -> None:
    """Queue a tracking update for the warehouse and order channels. Call only after the commit."""
    if channels is None:
        return
    try:
        channels.publish(msgspec.json.encode(change), [warehouse_channel(change.warehouse_id), order_channel(change.order_id)])
    except Exception:  # a broken backend must not fail the request whose commit already happened
        log.exception("publishing a tracking change failed", order_id=str(change.order_id))


def tracking_change_of(order: Any) -> TrackingChange:
    """Build the live tracking message of an order whose tracking fields were just committed."""
    return TrackingChange(
        order_id=order.id,
        order_number=order.order_number,
        tracking_status=order.tracking_status,
        tracking_number=order.tracking_number,
        at=order.tracking_updated_at or utcnow(),
        warehouse_id=order.warehouse_id,
    )
