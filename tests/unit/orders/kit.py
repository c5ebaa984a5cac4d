"""Helpers for order event tests: envelopes, signing, direct application, allocations and picks.

Imported as ``tests.unit.orders.kit`` by the unit and integration tests of the order event rules.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from app.db import Database
from app.db.models import (
    Account,
    Allocation,
    AllocationStatus,
    Job,
    JobLine,
    JobStatus,
    JobType,
    MovementReason,
    Order,
    OrderLine,
    OrderStatusEvent,
    StockBalance,
    StockMovement,
    WebhookEvent,
)
from app.domain.orders.events import EventResult, apply_order_event
from app.domain.stock.figures import StockFigures, get_stock_figures
from app.domain.stock.ledger import ensure_balance, record_movement
from app.domain.webhooks.schemas import OrderEnvelope, decode_webhook_body
from app.domain.webhooks.signing import sign_body
from tests.factories import WEBHOOK_SECRET, Seed

T1 = "2026-12-01T10:00:00.1234567+00:00"
T2 = "2026-12-01T11:00:00.1234567+00:00"
T3 = "2026-12-01T12:00:00Z"
T4 = "2026-12-01T13:00:00"

Item = tuple[str, int] | dict[str, Any]


def item(sku: str, quantity: int, **extra: Any) -> dict[str, Any]:
    """Build one Starshipit order item; the item id is derived from the SKU unless given."""
    body: dict[str, Any] = {"item_id": f"it-{sku}", "sku": sku, "description": f"{sku} item", "quantity": quantity}
    body.update(extra)
    return body


def envelope(
    event: str,
    items: list[Item] | None = None,
    *,
    order_id: str | int = "1001",
    order_number: str | int | None = None,
    occurred_at: str = T1,
    event_id: str | None = None,
    packages: list[dict[str, Any]] | None = None,
    **order_extra: Any,
) -> dict[str, Any]:
    """Build an order event envelope as Starshipit's stand-in sends it."""
    order: dict[str, Any] = {
        "order_id": order_id,
        "order_number": order_number if order_number is not None else f"SO-{order_id}",
        "reference": "ref",
        "status": "Unshipped",
        "destination": {"name": "Jo Bloggs", "city": "Auckland", "country": "NZ"},
    }
    if items is not None:
        order["items"] = [item(*entry) if isinstance(entry, tuple) else entry for entry in items]
    if packages is not None:
        order["packages"] = packages
    order.update(order_extra)
    return {
        "event": event,
        "event_id": event_id or f"evt-{event}-{order_id}-{occurred_at}",
        "occurred_at": occurred_at,
        "account_id": 42,
        "order": order,
    }


def body_of(value: dict[str, Any]) -> bytes:
    """Encode an envelope the way a sender would."""
    return json.dumps(value).encode("utf-8")


def signed_headers(body: bytes, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """Headers of a delivery signed with ``secret``."""
    return {"X-Starshipit-Signature": sign_body(secret, body), "Content-Type": "application/json"}


async def load_account(db: Database, code: str = "acme") -> Account:
    """Load an account by code."""
    async with db.read() as session:
        account = await session.scalar(select(Account).where(Account.code == code))
    assert account is not None
    return account


async def apply(db: Database, value: dict[str, Any], code: str = "acme") -> EventResult:
    """Decode ``value`` as the receiver does and apply it in one transaction."""
    account = await load_account(db, code)
    parsed = decode_webhook_body(body_of(value), OrderEnvelope)
    async with db.transaction() as session:
        return await apply_order_event(session, account, parsed)


async def get_order(db: Database, starshipit_order_id: str = "1001", account_id: UUID | None = None) -> tuple[Order, list[OrderLine]]:
    """Load an order and all its lines (removed ones too)."""
    async with db.read() as session:
        statement = select(Order).where(Order.starshipit_order_id == starshipit_order_id)
        if account_id is not None:
            statement = statement.where(Order.account_id == account_id)
        order = await session.scalar(statement)
        assert order is not None, f"order {starshipit_order_id} not found"
        lines = list((await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))).all())
    return order, lines


def line_by_sku(lines: list[OrderLine], sku: str) -> OrderLine:
    """Pick the line of ``sku``."""
    return next(line for line in lines if line.sku == sku)


async def figures(db: Database, seed: Seed, sku: str) -> StockFigures:
    """Stock figures of one product across the warehouse."""
    async with db.read() as session:
        return (await get_stock_figures(session, [seed.products[sku]]))[seed.products[sku]]


async def movements(db: Database, reason: str | None = None) -> list[StockMovement]:
    """Every movement, optionally of one reason, in ledger order."""
    async with db.read() as session:
        statement = select(StockMovement).order_by(StockMovement.id)
        if reason is not None:
            statement = statement.where(StockMovement.reason == reason)
        return list((await session.scalars(statement)).all())


async def status_history(db: Database, order_id: UUID) -> list[OrderStatusEvent]:
    """The order's status history in sequence order."""
    async with db.read() as session:
        return list((await session.scalars(select(OrderStatusEvent).where(OrderStatusEvent.order_id == order_id).order_by(OrderStatusEvent.id))).all())


async def webhook_events(db: Database) -> list[WebhookEvent]:
    """Every event log row, oldest first."""
    async with db.read() as session:
        return list((await session.scalars(select(WebhookEvent).order_by(WebhookEvent.received_at, WebhookEvent.id))).all())


async def allocate(db: Database, seed: Seed, order_id: str, sku: str, location: str, quantity: int, *, with_job: bool = True) -> UUID:
    """Reserve ``quantity`` of an order line at ``location`` as the outbound release would, with a pick job."""
    order, lines = await get_order(db, order_id)
    line = line_by_sku(lines, sku)
    product_id = seed.products[sku]
    location_id = seed.locations[location]
    async with db.transaction() as session:
        await ensure_balance(session, product_id, location_id, "")
        await session.execute(
            update(StockBalance)
            .where(StockBalance.product_id == product_id, StockBalance.location_id == location_id, StockBalance.batch == "")
            .values(allocated=StockBalance.allocated + quantity)
        )
        job_line_id = None
        if with_job:
            job = Job(warehouse_id=order.warehouse_id, type=JobType.PICK.value, status=JobStatus.READY.value, order_id=order.id)
            session.add(job)
            await session.flush()
            job_line = JobLine(job_id=job.id, product_id=product_id, from_location_id=location_id, quantity=quantity)
            session.add(job_line)
            await session.flush()
            job_line_id = job_line.id
        allocation = Allocation(
            order_id=order.id,
            order_line_id=line.id,
            product_id=product_id,
            location_id=location_id,
            quantity=quantity,
            quantity_picked=0,
            status=AllocationStatus.ALLOCATED,
            job_line_id=job_line_id,
        )
        session.add(allocation)
        db_line = await session.get(OrderLine, line.id)
        assert db_line is not None
        db_line.quantity_allocated += quantity
        await session.flush()
        return allocation.id


async def pick(db: Database, seed: Seed, allocation_id: UUID, to_location: str = "TOTE-01") -> None:
    """Pick every reserved unit of an allocation into ``to_location`` as a handheld pick would."""
    async with db.transaction() as session:
        allocation = await session.get(Allocation, allocation_id)
        assert allocation is not None
        units = allocation.quantity
        await session.execute(
            update(StockBalance)
            .where(
                StockBalance.product_id == allocation.product_id,
                StockBalance.location_id == allocation.location_id,
                StockBalance.batch == allocation.batch,
            )
            .values(allocated=StockBalance.allocated - units)
        )
        await record_movement(
            session,
            product_id=allocation.product_id,
            quantity=units,
            reason=MovementReason.PICK,
            from_location_id=allocation.location_id,
            to_location_id=seed.locations[to_location],
            reference_type="order",
            reference_id=str(allocation.order_id),
        )
        allocation.quantity = 0
        allocation.quantity_picked += units
        allocation.picked_location_id = seed.locations[to_location]
        allocation.status = AllocationStatus.PICKED
        line = await session.get(OrderLine, allocation.order_line_id)
        assert line is not None
        line.quantity_allocated -= units
        line.quantity_picked += units


async def allocations_of(db: Database, order_id: UUID) -> list[Allocation]:
    """Every allocation of the order."""
    async with db.read() as session:
        return list((await session.scalars(select(Allocation).where(Allocation.order_id == order_id).order_by(Allocation.created_at))).all())


async def jobs_of(db: Database, order_id: UUID) -> list[tuple[Job, list[JobLine]]]:
    """Every job of the order with its lines."""
    async with db.read() as session:
        jobs = (await session.scalars(select(Job).where(Job.order_id == order_id).order_by(Job.created_at))).all()
        result = []
        for job in jobs:
            lines = (await session.scalars(select(JobLine).where(JobLine.job_id == job.id))).all()
            result.append((job, list(lines)))
    return result


async def allocated_total(db: Database, seed: Seed, sku: str) -> int:
    """Sum of ``stock_balance.allocated`` of a product."""
    return (await figures(db, seed, sku)).allocated


async def open_allocation_units(db: Database, seed: Seed, sku: str) -> int:
    """Units reserved by open allocations of a product (what ``allocated`` must equal)."""
    async with db.read() as session:
        rows = (
            await session.scalars(
                select(Allocation.quantity).where(Allocation.product_id == seed.products[sku], Allocation.status.in_(AllocationStatus.OPEN))
            )
        ).all()
    return sum(rows)
