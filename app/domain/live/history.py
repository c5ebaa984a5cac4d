"""Replaying the order status history to a client that reconnects with its last seq."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import OrderStatusEvent
from app.domain.live.publisher import StatusChange

__all__ = ["Replay", "latest_seq", "load_missed_changes", "to_status_change"]


@dataclass
class Replay:
    """The changes to send, or ``resync`` when more than the replay limit were missed."""

    changes: list[StatusChange]
    resync: bool
    missed: int
    last_seq: int


def to_status_change(event: OrderStatusEvent) -> StatusChange:
    """Build the live message of one status history row."""
    return StatusChange(
        seq=event.id,
        order_id=event.order_id,
        order_number=event.order_number,
        status=event.status,
        previous_status=event.previous_status,
        at=event.at,
        warehouse_id=event.warehouse_id,
    )


async def latest_seq(session: AsyncSession) -> int:
    """Return the newest seq of the status history, 0 when it is empty."""
    return int(await session.scalar(select(func.coalesce(func.max(OrderStatusEvent.id), 0))) or 0)


async def load_missed_changes(
    session: AsyncSession,
    *,
    after_seq: int,
    max_events: int,
    warehouse_id: UUID | None = None,
    order_id: UUID | None = None,
) -> Replay:
    """Return the changes after ``after_seq`` in one warehouse or order, ordered by seq.

    At most ``max_events`` are replayed; with more missing the result is a resync. A seq newer
    than anything in the history means the client followed another database, so it resyncs too.
    """
    newest = await latest_seq(session)
    scope = []
    if warehouse_id is not None:
        scope.append(OrderStatusEvent.warehouse_id == warehouse_id)
    if order_id is not None:
        scope.append(OrderStatusEvent.order_id == order_id)
    if after_seq > newest:
        return Replay(changes=[], resync=True, missed=0, last_seq=newest)
    rows = (
        await session.scalars(
            select(OrderStatusEvent)
            .where(OrderStatusEvent.id > after_seq, *scope)
            .order_by(OrderStatusEvent.id)
            .limit(max_events + 1)
        )
    ).all()
    if len(rows) > max_events:
        missed = int(
            await session.scalar(select(func.count()).select_from(OrderStatusEvent).where(OrderStatusEvent.id > after_seq, *scope)) or 0
        )
        return Replay(changes=[], resync=True, missed=missed, last_seq=newest)
    return Replay(changes=[to_status_change(row) for row in rows], resync=False, missed=len(rows), last_seq=newest)
