"""Helpers of the outbound tests: orders from events, warehouse modes, actors and ledger checks."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import select

from app.db import Database
from app.db.models import Account, Allocation, AllocationStatus, Job, JobType, Order, OrderLine, StockBalance, Warehouse
from app.domain.auth.schemas import AuthUser
from app.domain.jobs.actor import Actor
from app.domain.orders.events import apply_order_event
from app.domain.outbound.routing import get_outbound_settings, route_order
from app.domain.webhooks.schemas import OrderEnvelope
from tests.factories import Seed

_clock = itertools.count(1)


def event_time() -> str:
    """Return a strictly increasing occurred_at, so consecutive events are never stale."""
    return (datetime(2026, 12, 1, tzinfo=UTC) + timedelta(seconds=next(_clock))).isoformat()


def order_body(number: str, lines: list[tuple[str, int]], **extra: Any) -> dict[str, Any]:
    """Build Starshipit's order object for ``number`` with (sku, quantity) lines."""
    return {
        "order_id": str(900000 + int(number)),
        "order_number": number,
        "items": [{"item_id": f"{number}-{index}", "sku": sku, "quantity": quantity} for index, (sku, quantity) in enumerate(lines)],
        **extra,
    }


def envelope(event: str, order: dict[str, Any], account_code: str = "acme") -> dict[str, Any]:
    """Wrap an order object in the documented event envelope."""
    return {"event": event, "event_id": f"{event}-{order['order_id']}-{next(_clock)}", "occurred_at": event_time(), "account_id": account_code, "order": order}


async def apply_event(db: Database, account_id: UUID, body: dict[str, Any]) -> Any:
    """Apply one order event as the webhook receiver would, and route the order with its payload."""
    async with db.transaction() as session:
        account = await session.get(Account, account_id)
        assert account is not None
        result = await apply_order_event(session, account, msgspec.convert(body, OrderEnvelope))
        if result.order is not None:
            await route_order(session, result.order, body["order"])
        return result


async def create_order(db: Database, seed: Seed, number: str, lines: list[tuple[str, int]], **extra: Any) -> UUID:
    """Create an order through ``order_created`` and return its id."""
    result = await apply_event(db, seed.account_id, envelope("order_created", order_body(number, lines, **extra)))
    return result.order.id


async def set_mode(db: Database, seed: Seed, mode: str, **settings: Any) -> None:
    """Set the warehouse's outbound mode and any outbound settings."""
    async with db.transaction() as session:
        warehouse = await session.get(Warehouse, seed.warehouse_id)
        assert warehouse is not None
        warehouse.outbound_mode = mode
        row = await get_outbound_settings(session, seed.warehouse_id)
        for name, value in settings.items():
            setattr(row, name, value)


def operator_actor(seed: Seed, device_id: str = "HH-1") -> Actor:
    """The seeded operator as the actor of picks and packs."""
    assert seed.operator_id is not None
    return Actor(user=AuthUser(id=seed.operator_id, username="op1", role="operator"), device_id=device_id)


async def allocations_of(db: Database, order_id: UUID) -> list[Allocation]:
    """Open allocations of an order."""
    async with db.read() as session:
        return list(
            (
                await session.scalars(
                    select(Allocation).where(Allocation.order_id == order_id, Allocation.status.in_(AllocationStatus.OPEN)).order_by(Allocation.created_at)
                )
            ).all()
        )


async def pick_job_of(db: Database, order_id: UUID) -> Job:
    """The newest pick job of an order."""
    async with db.read() as session:
        job = await session.scalar(select(Job).where(Job.order_id == order_id, Job.type == JobType.PICK.value).order_by(Job.created_at.desc()).limit(1))
    assert job is not None
    return job


async def balance(db: Database, seed: Seed, sku: str, location: str, batch: str = "") -> tuple[int, int]:
    """(on hand, allocated) of one balance."""
    async with db.read() as session:
        row = await session.scalar(
            select(StockBalance).where(
                StockBalance.product_id == seed.products[sku], StockBalance.location_id == seed.locations[location], StockBalance.batch == batch
            )
        )
    return (row.on_hand, row.allocated) if row else (0, 0)


async def load_order(db: Database, order_id: UUID) -> tuple[Order, list[OrderLine]]:
    """An order and its lines."""
    async with db.read() as session:
        order = await session.get(Order, order_id)
        lines = list((await session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.position))).all())
    assert order is not None
    return order, lines


async def assert_ledger_ok(db: Database) -> None:
    """Run the ledger verifier and fail with its findings."""
    from app.domain.stock.verify import verify_ledger

    async with db.read() as session:
        violations = await verify_ledger(session)
    assert not violations, [str(violation) for violation in violations]
