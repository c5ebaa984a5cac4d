"""Tracking updates, status history sequence, signatures and the reservation helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from app.db.models import Allocation, OrderStatus, StockBalance
from app.domain.orders.status import record_status_change
from app.domain.orders.tracking import apply_tracking_update, canonical_tracking_status
from app.domain.stock.reservations import release_allocations, return_picked_units
from app.domain.webhooks.schemas import TrackingPayload
from app.domain.webhooks.signing import sign_body, verify_signature
from tests.factories import add_stock, on_hand
from tests.unit.orders.kit import allocate, allocations_of, apply, envelope, get_order, jobs_of, load_account, pick

pytestmark = pytest.mark.anyio


def _at(hour: int) -> datetime:
    return datetime(2026, 12, 2, hour, 0, tzinfo=UTC)


async def _track(db, status: str, hour: int, order_number: str = "SO-1001", tracking_number: str | None = "TRK"):
    account = await load_account(db)
    payload = TrackingPayload(order_number=order_number, tracking_status=status, tracking_number=tracking_number)
    async with db.transaction() as session:
        return await apply_tracking_update(session, account, payload, _at(hour))


def test_signature_round_trip() -> None:
    body = b'{"a": 1}'
    signature = sign_body("test-secret", body)
    assert signature == signature.lower()
    assert len(signature) == 64
    assert verify_signature("test-secret", body, signature)
    assert verify_signature("test-secret", body, f" {signature.upper()} ")
    assert not verify_signature("test-secret", body + b" ", signature)
    assert not verify_signature("other", body, signature)
    assert not verify_signature("test-secret", body, None)
    assert not verify_signature("test-secret", body, "")
    assert not verify_signature("", body, sign_body("", body))


def test_tracking_status_spelling() -> None:
    assert canonical_tracking_status("intransit") == "InTransit"
    assert canonical_tracking_status("Out For Delivery") == "OutForDelivery"
    assert canonical_tracking_status("Lost") == "Lost"


async def test_tracking_newer_wins(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 1)]))
    assert (await _track(db, "Dispatched", 8)).outcome == "applied"
    assert (await _track(db, "Delivered", 12)).outcome == "applied"
    stale = await _track(db, "InTransit", 10)
    assert stale.outcome == "stale"
    order, _ = await get_order(db)
    assert order.tracking_status == "Delivered"
    assert order.tracking_updated_at == _at(12)
    assert order.tracking_number == "TRK"


async def test_tracking_same_time_ranked(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 1)]))
    await _track(db, "OutForDelivery", 9)
    assert (await _track(db, "InTransit", 9)).outcome == "stale"
    assert (await _track(db, "Delivered", 9)).outcome == "applied"
    order, _ = await get_order(db)
    assert order.tracking_status == "Delivered"


async def test_tracking_unknown_order_ignored(db, seed) -> None:
    result = await _track(db, "Delivered", 9, order_number="NOPE")
    assert result.outcome == "ignored"
    assert result.order is None


async def test_status_seq_increases(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 1)]))
    order, _ = await get_order(db)
    async with db.transaction() as session:
        loaded = await session.get(type(order), order.id)
        released = await record_status_change(session, loaded, OrderStatus.RELEASED, "release")
        again = await record_status_change(session, loaded, OrderStatus.RELEASED, "release")
        pending = await record_status_change(session, loaded, "PENDING", "order_changed")
    assert again is None
    assert released is not None and pending is not None
    assert pending.seq > released.seq
    assert (released.previous_status, released.status) == ("PENDING", "RELEASED")
    assert pending.order_number == "SO-1001"


async def test_release_never_frees_more(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 4)]))
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 4)
    # Someone else's bug left the balance holding only 1 of the 4 reserved units.
    async with db.transaction() as session:
        await session.execute(update(StockBalance).where(StockBalance.product_id == seed.products["SKU-A"]).values(allocated=1))
    order, _ = await get_order(db)
    async with db.transaction() as session:
        loaded = await session.get(type(order), order.id)
        result = await release_allocations(session, loaded, reason="test")
    assert result.units == 4
    async with db.read() as session:
        allocated = await session.scalar(
            select(StockBalance.allocated).where(StockBalance.product_id == seed.products["SKU-A"], StockBalance.location_id == seed.locations["A-01-01"])
        )
    assert allocated == 0
    assert [a.status for a in await allocations_of(db, order.id)] == ["RELEASED"]


async def test_release_limited_per_line(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 5)]))
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 3)
    order, lines = await get_order(db)
    async with db.transaction() as session:
        loaded = await session.get(type(order), order.id)
        result = await release_allocations(session, loaded, reason="test", limits={lines[0].id: 4})
    assert result.units == 4
    # The newest allocation goes first; the oldest keeps one unit.
    assert [(a.status, a.quantity) for a in await allocations_of(db, order.id)] == [("ALLOCATED", 1), ("RELEASED", 0)]
    _order, lines = await get_order(db)
    assert lines[0].quantity_allocated == 1


async def test_return_without_returns_location(db, seed) -> None:
    from app.db.models import Location

    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 2)]))
    allocation_id = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await pick(db, seed, allocation_id, "TOTE-01")
    async with db.transaction() as session:
        await session.execute(update(Location).where(Location.code == "RET-01").values(archived=True))
    order, _ = await get_order(db)
    async with db.transaction() as session:
        loaded = await session.get(type(order), order.id)
        result = await return_picked_units(session, loaded, reason="test")
    # No RETURNS location left: the staging dock takes the units.
    assert result.units == 2
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 2
    job, lines = [(job, lines) for job, lines in await jobs_of(db, order.id) if job.type == "RETURN_TO_STOCK"][0]
    assert [(line.from_location_id, line.to_location_id, line.quantity) for line in lines] == [
        (seed.locations["REC-01"], seed.locations["A-01-01"], 2)
    ]
    async with db.read() as session:
        allocation = await session.get(Allocation, allocation_id)
    assert allocation is not None
    assert (allocation.status, allocation.quantity_picked) == ("RELEASED", 0)
