"""Release and allocation: FEFO/FIFO, pick faces first, shelf life, shortfalls, races, automatic release."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from sqlalchemy import select

from app.db.models import Batch, Job, JobLine, JobType, Location, Product
from app.domain.outbound.autorelease import run_due_releases
from app.domain.outbound.release import ReleaseResult, release_order
from app.lib.errors import ConflictError, InsufficientStockError
from app.lib.timeutil import utcnow
from tests.factories import Seed, add_stock
from tests.integration.outbound.kit import allocations_of, assert_ledger_ok, balance, create_order, load_order, set_mode

pytestmark = pytest.mark.anyio


async def _release(db, order_id, **kwargs) -> ReleaseResult:
    async with db.transaction() as session:
        return await release_order(session, order_id, **kwargs)


async def _codes(db) -> dict:
    async with db.read() as session:
        return dict((await session.execute(select(Location.id, Location.code))).tuples().all())


async def test_release_fifo_pick_face_first(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)
    await add_stock(db, seed, "SKU-A", "A-01-02", 2)
    order_id = await create_order(db, seed, "2001", [("SKU-A", 3)])
    result = await _release(db, order_id)
    codes = await _codes(db)
    placed = [(codes[a.location_id], a.quantity) for a in await allocations_of(db, order_id)]
    assert sorted(placed) == [("A-01-02", 2), ("B-01-01", 1)]
    order, lines = await load_order(db, order_id)
    assert order.status == "RELEASED"
    assert lines[0].quantity_allocated == 3
    assert await balance(db, seed, "SKU-A", "A-01-02") == (2, 2)
    assert await balance(db, seed, "SKU-A", "B-01-01") == (5, 1)
    async with db.read() as session:
        job = await session.get(Job, result.job_id)
        lines = (await session.scalars(select(JobLine).where(JobLine.job_id == job.id))).all()
    assert job.type == JobType.PICK.value
    assert sorted((codes[line.from_location_id], line.quantity) for line in lines) == [("A-01-02", 2), ("B-01-01", 1)]
    await assert_ledger_ok(db)


async def test_release_fefo_and_shelf_life(db, seed: Seed) -> None:
    await set_mode(db, seed, "full", min_shelf_life_days=5)
    today = utcnow().date()
    async with db.transaction() as session:
        product = await session.get(Product, seed.products["SKU-B"])
        product.allocation_rule = "FEFO"
        product.tracking = "BATCH"
        session.add_all(
            [
                Batch(product_id=product.id, code="LATE", expiry=today + timedelta(days=30)),
                Batch(product_id=product.id, code="SOON", expiry=today + timedelta(days=10)),
                Batch(product_id=product.id, code="TOO-SOON", expiry=today + timedelta(days=2)),
            ]
        )
    await add_stock(db, seed, "SKU-B", "A-01-01", 4, batch="LATE")
    await add_stock(db, seed, "SKU-B", "B-01-02", 2, batch="SOON")
    await add_stock(db, seed, "SKU-B", "A-01-02", 9, batch="TOO-SOON")
    order_id = await create_order(db, seed, "2002", [("SKU-B", 3)])
    await _release(db, order_id)
    placed = sorted((a.batch, a.quantity) for a in await allocations_of(db, order_id))
    assert placed == [("LATE", 1), ("SOON", 2)]
    assert await balance(db, seed, "SKU-B", "A-01-02", "TOO-SOON") == (9, 0)


async def test_release_batch_expiring_today(db, seed: Seed) -> None:
    await set_mode(db, seed, "full", min_shelf_life_days=0)
    async with db.transaction() as session:
        product = await session.get(Product, seed.products["SKU-C"])
        product.allocation_rule = "FEFO"
        session.add(Batch(product_id=product.id, code="TODAY", expiry=utcnow().date()))
    await add_stock(db, seed, "SKU-C", "A-01-01", 1, batch="TODAY")
    order_id = await create_order(db, seed, "2003", [("SKU-C", 1)])
    await _release(db, order_id)
    assert [(a.batch, a.quantity) for a in await allocations_of(db, order_id)] == [("TODAY", 1)]


async def test_release_short_raises(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    order_id = await create_order(db, seed, "2004", [("SKU-A", 5)])
    with pytest.raises(InsufficientStockError) as caught:
        await _release(db, order_id)
    assert caught.value.detail["sku"] == "SKU-A"
    assert caught.value.detail["requested"] == 5
    assert caught.value.detail["available"] == 2
    order, _lines = await load_order(db, order_id)
    assert order.status == "PENDING"
    assert await balance(db, seed, "SKU-A", "A-01-01") == (2, 0)


async def test_release_partial(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    order_id = await create_order(db, seed, "2005", [("SKU-A", 5), ("SKU-B", 1)])
    result = await _release(db, order_id, allow_partial=True)
    assert result.status == "RELEASED"
    assert result.allocated == 2
    assert sorted((s.sku, s.available) for s in result.shortfalls) == [("SKU-A", 2), ("SKU-B", 0)]
    await assert_ledger_ok(db)


async def test_release_headless_rejected(db, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    order_id = await create_order(db, seed, "2006", [("SKU-A", 1)])
    with pytest.raises(ConflictError) as caught:
        await _release(db, order_id)
    assert caught.value.code == "order_not_wms_outbound"


@pytest.mark.postgres
async def test_release_race_last_unit(db, seed: Seed, db_backend: str) -> None:
    """K2, allocation half: two orders race for the last unit; exactly one wins."""
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    first = await create_order(db, seed, "2101", [("SKU-A", 1)])
    second = await create_order(db, seed, "2102", [("SKU-A", 1)])
    outcomes: dict = {}

    async def attempt(order_id) -> None:
        try:
            outcomes[order_id] = await _release(db, order_id)
        except InsufficientStockError as exc:
            outcomes[order_id] = exc

    async with anyio.create_task_group() as group:
        group.start_soon(attempt, first)
        group.start_soon(attempt, second)
    wins = [value for value in outcomes.values() if isinstance(value, ReleaseResult)]
    losses = [value for value in outcomes.values() if isinstance(value, InsufficientStockError)]
    assert len(wins) == 1
    assert len(losses) == 1
    assert losses[0].detail["sku"] == "SKU-A"
    assert losses[0].detail["available"] == 0
    assert await balance(db, seed, "SKU-A", "A-01-01") == (1, 1)
    await assert_ledger_ok(db)


async def test_release_on_stock_arrival(db, seed: Seed) -> None:
    await set_mode(db, seed, "full", release_on_stock_arrival=True)
    order_id = await create_order(db, seed, "2201", [("SKU-A", 2)])
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    first = await run_due_releases(db)
    assert first.released == []
    assert [entry["code"] for entry in first.waiting] == ["insufficient_stock"]
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    second = await run_due_releases(db)
    assert [result.order_id for result in second.released] == [order_id]
    third = await run_due_releases(db)
    assert third.released == []
    order, _lines = await load_order(db, order_id)
    assert order.status == "RELEASED"


async def test_release_on_timer(db, seed: Seed) -> None:
    await set_mode(db, seed, "full", auto_release_minutes=5)
    await add_stock(db, seed, "SKU-A", "A-01-01", 3)
    order_id = await create_order(db, seed, "2301", [("SKU-A", 1)])
    report = await run_due_releases(db)
    assert [result.order_id for result in report.released] == [order_id]
    later = await create_order(db, seed, "2302", [("SKU-A", 1)])
    not_due = await run_due_releases(db)
    assert not_due.released == []
    order, _lines = await load_order(db, later)
    assert order.status == "PENDING"


async def test_release_endpoint(app_client, db, seed: Seed, supervisor_headers, operator_headers) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    order_id = await create_order(db, seed, "2401", [("SKU-A", 1)])
    short_id = await create_order(db, seed, "2402", [("SKU-A", 4)])
    denied = await app_client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=operator_headers)
    assert denied.status_code == 403
    ok = await app_client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=supervisor_headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "RELEASED"
    short = await app_client.post(f"/api/v1/outbound/orders/{short_id}/release", headers=supervisor_headers)
    assert short.status_code == 409
    assert short.json()["code"] == "insufficient_stock"
    assert short.json()["detail"]["sku"] == "SKU-A"
    other = await app_client.post(f"/api/v1/outbound/orders/{order_id}/release?account=nobody", headers=supervisor_headers)
    assert other.status_code == 404
