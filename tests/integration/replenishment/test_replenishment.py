"""Replenishment: triggered when stock leaves a pick face, on demand, carried out by move scans."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from app.db import Database
from app.db.models import Batch, Job, Location, Product, StockBalance
from tests.factories import Seed, add_stock, on_hand
from tests.integration.inbound.helpers import Device

pytestmark = pytest.mark.anyio


async def _face(db: Database, seed: Seed, sku: str = "SKU-A", location: str = "A-01-01", minimum: int = 5, maximum: int = 20, **product) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as session:
        await session.execute(update(Location).where(Location.code == location).values(min_quantity=minimum, max_quantity=maximum))
        await session.execute(update(Product).where(Product.sku == sku).values(pick_face_location_id=seed.locations[location], **product))


async def _jobs(client: AsyncTestClient, headers: dict[str, str]) -> list[dict]:
    return (await client.get("/api/v1/jobs", params={"type": "REPLENISHMENT"}, headers=headers)).json()


@pytest.mark.postgres
async def test_pick_below_min_creates_job(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _face(db, seed)
    await add_stock(db, seed, "SKU-A", "A-01-01", 8)
    await add_stock(db, seed, "SKU-A", "B-01-01", 30)
    device = await Device(app_client, "HH-R").sign_in({"pin": seed.operator_pin})
    above = await device.run("move", {"from_location": "A-01-01", "item": "SKU-A", "quantity": 3, "to_location": "PACK-01"})
    assert above["status"] == "applied"
    assert await _jobs(app_client, supervisor_headers) == []

    below = await device.run("move", {"from_location": "A-01-01", "item": "SKU-A", "quantity": 1, "to_location": "PACK-01"})
    assert below["status"] == "applied"
    jobs = await _jobs(app_client, supervisor_headers)
    assert len(jobs) == 1
    assert jobs[0]["status"] == "READY"
    assert [(line["from_location"], line["to_location"], line["quantity"]) for line in jobs[0]["lines"]] == [("B-01-01", "A-01-01", 16)]

    # Further picks while the job is open create no second job.
    await device.run("move", {"from_location": "A-01-01", "item": "SKU-A", "quantity": 2, "to_location": "PACK-01"})
    assert len(await _jobs(app_client, supervisor_headers)) == 1


async def test_replenish_by_move_scans(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _face(db, seed, minimum=5, maximum=12)
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    await add_stock(db, seed, "SKU-A", "B-01-01", 6)
    await add_stock(db, seed, "SKU-A", "B-01-02", 6)
    created = (await app_client.post("/api/v1/replenishment", json={}, headers=supervisor_headers)).json()
    assert len(created) == 1
    job = created[0]
    assert sum(line["quantity"] for line in job["lines"]) == 10

    device = await Device(app_client, "HH-R").sign_in({"pin": seed.operator_pin})
    for line in job["lines"]:
        result = await device.run(
            "move", {"from_location": line["from_location"], "item": "SKU-A", "quantity": line["quantity"], "to_location": "A-01-01", "job_line_id": line["id"]}
        )
        assert result["status"] == "applied", result
    done = (await app_client.get(f"/api/v1/jobs/{job['id']}", headers=supervisor_headers)).json()
    assert done["status"] == "COMPLETED"
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 12
    assert await on_hand(db, seed, "SKU-A", "B-01-01") + await on_hand(db, seed, "SKU-A", "B-01-02") == 2


@pytest.mark.postgres
async def test_earliest_expiry_first(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _face(db, seed, minimum=5, maximum=15, tracking="BATCH", allocation_rule="FEFO")
    async with db.transaction() as session:
        session.add(Batch(product_id=seed.products["SKU-A"], code="LATE", expiry=date(2027, 6, 30)))
        session.add(Batch(product_id=seed.products["SKU-A"], code="EARLY", expiry=date(2027, 1, 31)))
    await add_stock(db, seed, "SKU-A", "B-01-01", 10, batch="LATE")
    await add_stock(db, seed, "SKU-A", "B-01-02", 10, batch="EARLY")
    created = (await app_client.post("/api/v1/replenishment", json={"product": "SKU-A"}, headers=supervisor_headers)).json()
    lines = [(line["from_location"], line["batch"], line["quantity"]) for line in created[0]["lines"]]
    assert lines == [("B-01-02", "EARLY", 10), ("B-01-01", "LATE", 5)]


async def test_oldest_stock_first(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _face(db, seed, minimum=2, maximum=4)
    await add_stock(db, seed, "SKU-A", "B-01-02", 3)
    await add_stock(db, seed, "SKU-A", "B-01-01", 3)
    created = (await app_client.post("/api/v1/replenishment", json={"location": "A-01-01"}, headers=supervisor_headers)).json()
    assert [(line["from_location"], line["quantity"]) for line in created[0]["lines"]] == [("B-01-02", 3), ("B-01-01", 1)]


async def test_allocated_stock_is_not_available(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _face(db, seed, minimum=5, maximum=10)
    await add_stock(db, seed, "SKU-A", "A-01-01", 6)
    await add_stock(db, seed, "SKU-A", "B-01-01", 20)
    assert (await app_client.post("/api/v1/replenishment", json={}, headers=supervisor_headers)).json() == []
    async with db.transaction() as session:
        await session.execute(update(StockBalance).where(StockBalance.location_id == seed.locations["B-01-01"]).values(allocated=15))
        await session.execute(update(StockBalance).where(StockBalance.location_id == seed.locations["A-01-01"]).values(allocated=2))
    created = (await app_client.post("/api/v1/replenishment", json={}, headers=supervisor_headers)).json()
    # Face available 4 < 5: refill by 6, but bulk has only 5 free.
    assert [line["quantity"] for line in created[0]["lines"]] == [5]
    assert "1 short in bulk" in created[0]["note"]
    async with db.transaction() as session:
        await session.execute(update(StockBalance).values(allocated=0))


async def test_no_bulk_stock_no_job(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _face(db, seed)
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    assert (await app_client.post("/api/v1/replenishment", json={}, headers=supervisor_headers)).json() == []
    async with db.read() as session:
        assert (await session.scalar(select(Job.id))) is None


async def test_face_without_min_never_triggers(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-A").values(pick_face_location_id=seed.locations["A-01-01"]))
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    device = await Device(app_client, "HH-R").sign_in({"pin": seed.operator_pin})
    await device.run("move", {"from_location": "A-01-01", "item": "SKU-A", "quantity": 1, "to_location": "PACK-01"})
    assert await _jobs(app_client, supervisor_headers) == []
