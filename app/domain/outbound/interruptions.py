"""Interruptions: an order changed or deleted in Starshipit while the floor is working on it.

:func:`interrupt_order_work` runs in the transaction that applies ``order_changed`` or
``order_deleted``, before the event rules release allocations and return picked units, so the
picked units are still at their tote or bench when it reads them. It pauses every open pick job holding the order's lines
(a batch job included: its other orders wait until a supervisor or the picker resumes it), pauses
the order's pack job and pack sessions, and returns one alert per order for the devices.
:func:`publish_alerts` sends the alerts on ``order:{id}`` and ``warehouse:{id}`` after the commit.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import msgspec
from litestar.channels import ChannelsPlugin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Allocation,
    AllocationStatus,
    Job,
    JobLine,
    JobStatus,
    JobType,
    Location,
    Order,
    PackSession,
    PackSessionStatus,
    Product,
)
from app.domain.jobs.services import FINISHED_STATUSES
from app.domain.live.publisher import order_channel, warehouse_channel
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["OrderAlert", "interrupt_order_work", "publish_alerts"]

log = get_logger(__name__)


class OrderAlert(msgspec.Struct, frozen=True):
    """An alert for the handhelds and pack benches working on one order."""

    order_id: UUID
    order_number: str
    warehouse_id: UUID
    event: str
    message: str
    action: str
    job_ids: list[UUID]
    pack_session_ids: list[UUID]
    picked_units: list[dict]
    at: str
    type: str = "alert"
    kind: str = "order_interrupted"


def _describe(picked: list[dict]) -> str:
    return ", ".join(f"{unit['quantity']} {unit['sku']} in {unit['location']}" for unit in picked)


async def interrupt_order_work(session: AsyncSession, order: Order, event: str) -> OrderAlert | None:
    """Pause the pick and pack work on ``order`` and return the alert to publish after the commit.

    ``event`` is ``order_changed`` or ``order_deleted``. Returns None when no one is working on the
    order (no open pick or pack job, no active pack session, no picked units).
    """
    deleted = event == "order_deleted"
    reason = f"order {order.order_number} {'cancelled' if deleted else 'changed'} in Starshipit"

    job_ids = set(
        (
            await session.scalars(
                select(JobLine.job_id)
                .join(Allocation, Allocation.job_line_id == JobLine.id)
                .where(Allocation.order_id == order.id, Allocation.status.in_(AllocationStatus.OPEN))
            )
        ).all()
    )
    job_ids |= set(
        (
            await session.scalars(
                select(Job.id).where(Job.order_id == order.id, Job.type.in_((JobType.PICK.value, JobType.PACK.value)))
            )
        ).all()
    )
    paused: list[UUID] = []
    if job_ids:
        jobs = (await session.scalars(select(Job).where(Job.id.in_(job_ids)).order_by(Job.id).with_for_update())).all()
        for job in jobs:
            if job.status in FINISHED_STATUSES:
                continue
            # A job no one has started is replaced on the next release, so only work in hand pauses.
            if job.status in (JobStatus.IN_PROGRESS.value, JobStatus.ASSIGNED.value, JobStatus.PAUSED.value) or job.type == JobType.PACK.value:
                job.status = JobStatus.PAUSED.value
                job.pause_reason = reason[:300]
                paused.append(job.id)

    sessions = (
        await session.scalars(
            select(PackSession).where(PackSession.order_id == order.id, PackSession.status.in_(PackSessionStatus.ACTIVE))
        )
    ).all()
    for pack_session in sessions:
        pack_session.status = PackSessionStatus.PAUSED
        pack_session.pause_reason = reason[:300]

    rows = (
        await session.execute(
            select(Product.sku, Location.code, Allocation.quantity_picked)
            .join(Product, Product.id == Allocation.product_id)
            .join(Location, Location.id == Allocation.picked_location_id)
            .where(Allocation.order_id == order.id, Allocation.status.in_(AllocationStatus.OPEN), Allocation.quantity_picked > 0)
        )
    ).all()
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for sku, code, quantity in rows:
        totals[(sku, code)] += quantity
    picked = [{"sku": sku, "location": code, "quantity": quantity} for (sku, code), quantity in sorted(totals.items())]

    if not paused and not sessions and not picked:
        return None
    await session.flush()

    if deleted:
        message = f"Order {order.order_number} was cancelled: stop picking and packing it."
        action = (
            f"Take {_describe(picked)} to returns; a return-to-stock task puts them back."
            if picked
            else "Nothing was picked yet: move on to the next job."
        )
    else:
        message = f"Order {order.order_number} was changed in Starshipit: stop work on it until it is released again."
        action = (
            f"Keep {_describe(picked)} aside; units the new lines no longer need get a return-to-stock task."
            if picked
            else "Nothing was picked yet: move on to the next job."
        )
    log.info("order work interrupted", order_id=str(order.id), order_number=order.order_number, event_type=event, jobs=len(paused), picked=len(picked))
    return OrderAlert(
        order_id=order.id,
        order_number=order.order_number,
        warehouse_id=order.warehouse_id,
        event=event,
        message=message,
        action=action,
        job_ids=paused,
        pack_session_ids=[pack_session.id for pack_session in sessions],
        picked_units=picked,
        at=utcnow().isoformat(),
    )


def publish_alerts(channels: ChannelsPlugin | None, alerts: list[OrderAlert | None]) -> None:
    """Queue each alert on its order's and warehouse's channels. Call only after the commit."""
    if channels is None:
        return
    for alert in alerts:
        if alert is None:
            continue
        try:
            channels.publish(msgspec.json.encode(alert), [order_channel(alert.order_id), warehouse_channel(alert.warehouse_id)])
        except Exception:  # the commit already happened; a broken backend must not fail the request
            log.exception("publishing an alert failed", order_id=str(alert.order_id))
