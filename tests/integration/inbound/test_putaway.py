"""Putaway suggestions, enforced zones, job progress, and the receive-then-putaway replay."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from app.db import Database
from app.db.models import Location, LocationType, Product, Zone
from tests.factories import Seed, add_stock, on_hand
from tests.integration.inbound.helpers import Device, movement_count

pytestmark = pytest.mark.anyio


async def _pick_face(db: Database, seed: Seed, sku: str, location: str, maximum: int | None = None) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == sku).values(pick_face_location_id=seed.locations[location]))
        if maximum is not None:
            await session.execute(update(Location).where(Location.code == location).values(min_quantity=0, max_quantity=maximum))


async def _suggest(client: AsyncTestClient, headers: dict[str, str], **params) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get("/api/v1/putaway/suggestion", params={"from_location": "REC-01", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_suggestion_prefers_pick_face(app_client: AsyncTestClient, operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _pick_face(db, seed, "SKU-A", "A-01-01", maximum=10)
    suggestion = await _suggest(app_client, operator_headers, item="SKU-A", quantity=6)
    assert (suggestion["location"], suggestion["rule"]) == ("A-01-01", "pick_face")


async def test_suggestion_bin_with_same_batch(app_client: AsyncTestClient, operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _pick_face(db, seed, "SKU-A", "A-01-01", maximum=10)
    await add_stock(db, seed, "SKU-A", "A-01-01", 8, batch="L1")
    await add_stock(db, seed, "SKU-A", "B-01-02", 4, batch="L1")
    await add_stock(db, seed, "SKU-A", "B-01-01", 4, batch="L2")
    # 8 + 6 exceeds the pick face's max of 10, so the bin holding batch L1 comes next.
    suggestion = await _suggest(app_client, operator_headers, item="SKU-A", quantity=6, batch="L1")
    assert (suggestion["location"], suggestion["rule"]) == ("B-01-02", "same_product_and_batch")


@pytest.mark.postgres
async def test_suggestion_empty_bin_in_zone(app_client: AsyncTestClient, operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-B").values(putaway_zone="B"))
        session.add(Location(warehouse_id=seed.warehouse_id, code="C-01-01", barcode="C-01-01", type=LocationType.BULK_STORAGE.value, zone="C", pick_sequence=1))
    await add_stock(db, seed, "SKU-C", "B-01-01", 1)
    suggestion = await _suggest(app_client, operator_headers, item="SKU-B", quantity=3)
    assert (suggestion["location"], suggestion["rule"]) == ("B-01-02", "empty_bin_in_zone")


async def test_suggestion_none(app_client: AsyncTestClient, operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-C", "B-01-01", 1)
    await add_stock(db, seed, "SKU-C", "B-01-02", 1)
    suggestion = await _suggest(app_client, operator_headers, item="SKU-B", quantity=3)
    assert suggestion["location"] is None
    assert suggestion["rule"] == "none"


@pytest.mark.postgres
async def test_enforced_zone_needs_supervisor(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(Zone(warehouse_id=seed.warehouse_id, code="B", name="Bulk", putaway_mode="enforced"))
        await session.execute(update(Product).where(Product.sku == "SKU-A").values(putaway_zone="B"))
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    received = await device.run("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 6})
    assert received["result"]["suggested_location"] == "B-01-01"

    wrong = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 6, "to_location": "B-01-02"})
    assert wrong["status"] == "rejected"
    assert wrong["code"] == "putaway_destination_enforced"
    assert "B-01-01" in wrong["message"]
    not_allowed = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 6, "to_location": "B-01-02", "override": True})
    assert not_allowed["code"] == "override_needs_supervisor"
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 6

    supervisor = await Device(app_client, "HH-SUP", "super").sign_in({"username": "super", "password": seed.password})
    overridden = await supervisor.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 2, "to_location": "B-01-02", "override": True})
    assert overridden["status"] == "applied_with_warning", overridden
    assert overridden["result"]["overridden"] is True
    right = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 4, "to_location": "B-01-01"})
    # The supervisor's scan took the job over; the operator's units still count on it.
    assert right["status"] == "applied_with_warning", right
    assert "assigned to someone else" in right["warnings"][0]
    assert right["result"]["job_status"] == "COMPLETED"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 4
    assert await on_hand(db, seed, "SKU-A", "B-01-02") == 2


async def test_suggested_zone_allows_other_bin(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _pick_face(db, seed, "SKU-A", "A-01-01")
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    await device.run("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 3})
    result = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 3, "to_location": "B-01-02"})
    assert result["status"] == "applied_with_warning"
    assert "suggested location was A-01-01" in result["warnings"][0]
    assert await on_hand(db, seed, "SKU-A", "B-01-02") == 3


async def test_putaway_rejects_bad_destination(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "REC-01", 2)
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    packing = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 1, "to_location": "PACK-01"})
    assert packing["status"] == "rejected"
    async with db.transaction() as session:
        await session.execute(update(Location).where(Location.code == "B-01-02").values(archived=True))
    archived = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 1, "to_location": "B-01-02"})
    assert archived["code"] == "location_archived"
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 2


async def test_putaway_batch_choice(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-A").values(tracking="BATCH"))
    await add_stock(db, seed, "SKU-A", "REC-01", 2, batch="L1")
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    only = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 1, "to_location": "B-01-01"})
    assert only["result"]["batch"] == "L1"
    await add_stock(db, seed, "SKU-A", "REC-01", 2, batch="L2")
    ambiguous = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 1, "to_location": "B-01-01"})
    assert ambiguous["code"] == "batch_required"
    assert "L1, L2" in ambiguous["message"]


async def test_receive_then_putaway_replayed(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    """Offline queue replayed twice with a scan added mid-flush: each applies once, in order."""
    await _pick_face(db, seed, "SKU-A", "A-01-01")
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    receive = device.command("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 5})
    putaway = device.command("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 5, "to_location": "A-01-01"})
    first = await device.send(receive, putaway)
    assert [result["status"] for result in first] == ["applied", "applied"]
    extra = device.command("receive", {"location": "REC-01", "item": "SKU-B", "quantity": 1})
    second = await device.send(receive, putaway, extra)
    assert [result["status"] for result in second] == ["duplicate", "duplicate", "applied"]
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 0
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 5
    assert await movement_count(db, "receipt") == 2
    assert await movement_count(db, "putaway") == 1
    assert first[1]["result"]["job_status"] == "COMPLETED"


async def test_putaway_over_rest(app_client: AsyncTestClient, operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-B", "REC-01", 4)
    response = await app_client.post("/api/v1/putaway", json={"from_location": "REC-01", "item": "SKU-B", "quantity": 4, "to_location": "B-01-01"}, headers=operator_headers)
    assert response.status_code == 201, response.text
    assert response.json()["quantity"] == 4
    assert await on_hand(db, seed, "SKU-B", "B-01-01") == 4


async def test_putaway_moves_serials(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    from sqlalchemy import select

    from app.db.models import SerialNumber

    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-C").values(tracking="SERIAL"))
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    await device.run("receive", {"location": "REC-01", "item": "SKU-C", "quantity": 2, "serials": ["S1", "S2"]})
    unknown = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-C", "quantity": 1, "to_location": "B-01-01", "serials": ["S9"]})
    assert unknown["code"] == "serial_not_in_stock"
    moved = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-C", "quantity": 1, "to_location": "B-01-01", "serials": ["S2"]})
    assert moved["status"] == "applied", moved
    unscanned = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-C", "quantity": 1, "to_location": "B-01-01"})
    assert unscanned["status"] == "applied_with_warning"
    assert "no serials were scanned" in unscanned["warnings"][0]
    async with db.read() as session:
        places = dict((await session.execute(select(SerialNumber.serial, SerialNumber.location_id))).tuples().all())
    assert places == {"S1": seed.locations["REC-01"], "S2": seed.locations["B-01-01"]}
    assert await on_hand(db, seed, "SKU-C", "B-01-01") == 2
