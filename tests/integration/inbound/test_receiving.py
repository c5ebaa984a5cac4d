"""Receiving against purchase orders and blind: tolerance, batches, expiry, serials, docks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from app.db import Database
from app.db.models import Batch, Job, JobLine, Product, ProductBarcode, Receipt, SerialNumber, Warehouse
from tests.factories import Seed, on_hand
from tests.integration.inbound.helpers import Device, figures, movement_count

pytestmark = pytest.mark.anyio


async def _setup(db: Database, *, tolerance: int = 0, tracking: dict[str, str] | None = None) -> None:
    async with db.transaction() as session:
        await session.execute(update(Warehouse).values(receipt_tolerance_percent=tolerance))
        for sku, mode in (tracking or {}).items():
            await session.execute(update(Product).where(Product.sku == sku).values(tracking=mode))


async def _supplier_and_po(client: AsyncTestClient, headers: dict[str, str], lines: list[dict[str, Any]], number: str = "PO-1001", status: str = "CREATED") -> dict:
    supplier = await client.post("/api/v1/suppliers", json={"code": "SUP", "name": "Supplier"}, headers=headers)
    assert supplier.status_code in (201, 409)
    response = await client.post("/api/v1/purchase-orders", json={"number": number, "supplier": "SUP", "lines": lines, "status": status}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _device(client: AsyncTestClient, seed: Seed) -> Device:
    return await Device(client).sign_in({"pin": seed.operator_pin})


@pytest.mark.postgres
async def test_partial_receipts_across_deliveries(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _setup(db)
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 10}, {"sku": "SKU-B", "quantity": 5}])
    assert (await figures(db, seed, "SKU-A")).incoming == 10
    device = await _device(app_client, seed)

    first = await device.run("receive", {"location": "B-01-01", "item": "5400000002649", "quantity": 4, "purchase_order": "PO-1001"})
    assert first["status"] == "applied", first
    assert first["result"]["purchase_order_status"] == "PARTIALLY_RECEIVED"
    assert (await figures(db, seed, "SKU-A")).incoming == 6
    assert (await figures(db, seed, "SKU-A")).on_hand == 4

    second = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 6, "purchase_order": "PO-1001"})
    assert second["result"]["purchase_order_status"] == "PARTIALLY_RECEIVED"
    third = await device.run("receive", {"location": "B-01-02", "item": "060383042400", "quantity": 5, "purchase_order": "PO-1001"})
    assert third["result"]["purchase_order_status"] == "RECEIVED"
    assert (await figures(db, seed, "SKU-A")).incoming == 0
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 10
    assert await on_hand(db, seed, "SKU-B", "B-01-02") == 5
    assert await movement_count(db, "receipt") == 3


async def test_numeric_purchase_order_number(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 2}], number="5567")
    device = await _device(app_client, seed)
    result = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 2, "purchase_order": 5567})
    assert result["status"] == "applied", result
    assert result["result"]["purchase_order"] == "5567"


async def test_over_receipt_within_tolerance_warns(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _setup(db, tolerance=10)
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 10}])
    device = await _device(app_client, seed)
    result = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 11, "purchase_order": "PO-1001"})
    assert result["status"] == "applied_with_warning", result
    assert "11 received against 10 ordered" in result["warnings"][0]
    assert (await figures(db, seed, "SKU-A")).incoming == 0


async def test_over_receipt_beyond_tolerance(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _setup(db, tolerance=10)
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 10}])
    device = await _device(app_client, seed)
    rejected = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 12, "purchase_order": "PO-1001"})
    assert rejected["status"] == "rejected"
    assert rejected["code"] == "over_receipt_beyond_tolerance"
    assert "at most 11" in rejected["message"]
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 0

    not_allowed = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 12, "purchase_order": "PO-1001", "override": True})
    assert not_allowed["status"] == "rejected"
    assert not_allowed["code"] == "override_needs_supervisor"

    supervisor = await Device(app_client, "HH-SUP", "super").sign_in({"username": "super", "password": seed.password})
    overridden = await supervisor.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 12, "purchase_order": "PO-1001", "override": True})
    assert overridden["status"] == "applied_with_warning", overridden
    assert overridden["result"]["overridden"] is True
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 12
    async with db.read() as session:
        receipt = await session.scalar(select(Receipt).where(Receipt.overridden.is_(True)))
    assert receipt is not None
    assert receipt.override_by_id is not None


async def test_receive_rejections_leave_nothing(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 10}])
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 10}], number="PO-DRAFT", status="DRAFT")
    device = await _device(app_client, seed)
    cases = [
        ({"location": "B-01-01", "item": "SKU-C", "quantity": 1, "purchase_order": "PO-1001"}, "not_on_purchase_order"),
        ({"location": "B-01-01", "item": "SKU-A", "quantity": 1, "purchase_order": "PO-DRAFT"}, "purchase_order_not_receivable"),
        ({"location": "B-01-01", "item": "SKU-A", "quantity": 1, "purchase_order": "PO-404"}, "unknown_purchase_order"),
        ({"location": "PACK-01", "item": "SKU-A", "quantity": 1}, "invalid_input"),
        ({"location": "B-01-01", "item": "SKU-A", "quantity": 0}, "invalid_input"),
    ]
    for payload, code in cases:
        result = await device.run("receive", payload)
        assert result["status"] == "rejected", payload
        assert result["code"] == code, (payload, result)
    assert await movement_count(db) == 0


async def test_receive_huge_quantity_rejected(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    # A barcode scanned into the quantity field is rejected with a message. It is neither booked
    # nor answered "retry", which would keep the device sending it forever.
    device = await _device(app_client, seed)
    for quantity in (1_000_001, 2**40, 2**63, 10**30):
        result = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": quantity})
        assert result["status"] == "rejected", (quantity, result)
        assert result["code"] == "invalid_input", (quantity, result)
        assert str(quantity) in result["message"], result
    assert await movement_count(db) == 0
    accepted = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 1_000_000})
    assert accepted["status"] == "applied", accepted


async def test_case_barcode_counts_units(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(ProductBarcode(product_id=seed.products["SKU-A"], code="10054000000026", kind="GTIN", units=12))
    device = await _device(app_client, seed)
    result = await device.run("receive", {"location": "B-01-01", "item": "10054000000026", "quantity": 2})
    assert result["status"] == "applied", result
    assert result["result"]["quantity"] == 24
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 24


async def test_batch_required_and_expiry_kept(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _setup(db, tracking={"SKU-A": "BATCH"})
    device = await _device(app_client, seed)
    missing = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 1})
    assert missing["code"] == "batch_required"

    first = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 3, "batch": "L1", "expiry": "2027-03-31"})
    assert first["status"] == "applied", first
    # A second label of the same batch without expiry never blanks the stored date.
    second = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 2, "batch": "L1"})
    assert second["status"] == "applied", second
    assert second["result"]["expiry"] == "2027-03-31"
    async with db.read() as session:
        batch = await session.scalar(select(Batch).where(Batch.code == "L1"))
    assert batch.expiry == date(2027, 3, 31)
    assert await on_hand(db, seed, "SKU-A", "B-01-01", batch="L1") == 5


@pytest.mark.postgres
async def test_batch_expiry_conflict(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _setup(db, tracking={"SKU-A": "BATCH"})
    device = await _device(app_client, seed)
    await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 3, "batch": "L1", "expiry": "2027-03-31"})
    conflict = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 2, "batch": "L1", "expiry": "2027-04-30"})
    assert conflict["status"] == "rejected"
    assert conflict["code"] == "batch_expiry_conflict"
    assert "2027-03-31" in conflict["message"]
    assert "2027-04-30" in conflict["message"]
    assert await on_hand(db, seed, "SKU-A", "B-01-01", batch="L1") == 3

    kept = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 2, "batch": "L1", "expiry": "2027-04-30", "expiry_resolution": "keep_stored"})
    assert kept["status"] == "applied_with_warning"
    assert kept["result"]["expiry"] == "2027-03-31"
    replaced = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 1, "batch": "L1", "expiry": "2027-04-30", "expiry_resolution": "use_scanned"})
    assert replaced["result"]["expiry"] == "2027-04-30"
    assert await on_hand(db, seed, "SKU-A", "B-01-01", batch="L1") == 6


async def test_batch_filled_expiry_from_later_label(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _setup(db, tracking={"SKU-A": "BATCH"})
    device = await _device(app_client, seed)
    await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 1, "batch": "L9"})
    later = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 1, "batch": "L9", "expiry": "2028-01-31"})
    assert later["status"] == "applied"
    assert later["result"]["expiry"] == "2028-01-31"


@pytest.mark.postgres
async def test_serial_capture(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _setup(db, tracking={"SKU-C": "SERIAL"})
    device = await _device(app_client, seed)
    wrong_count = await device.run("receive", {"location": "B-01-01", "item": "SKU-C", "quantity": 2, "serials": ["S1"]})
    assert wrong_count["code"] == "serials_required"
    twice = await device.run("receive", {"location": "B-01-01", "item": "SKU-C", "quantity": 2, "serials": ["S1", "S1"]})
    assert twice["status"] == "rejected"
    good = await device.run("receive", {"location": "B-01-01", "item": "SKU-C", "quantity": 2, "serials": ["S1", "S2"]})
    assert good["status"] == "applied", good
    again = await device.run("receive", {"location": "B-01-02", "item": "SKU-C", "quantity": 1, "serials": ["S2"]})
    assert again["code"] == "serial_in_stock"
    async with db.read() as session:
        serials = sorted((await session.scalars(select(SerialNumber.serial).where(SerialNumber.status == "in_stock"))).all())
    assert serials == ["S1", "S2"]
    assert await on_hand(db, seed, "SKU-C", "B-01-01") == 2
    not_serial = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 1, "serials": ["X"]})
    assert not_serial["status"] == "rejected"


async def test_staging_dock_creates_putaway_job(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-A").values(pick_face_location_id=seed.locations["A-01-01"]))
    await _supplier_and_po(app_client, supervisor_headers, [{"sku": "SKU-A", "quantity": 8}, {"sku": "SKU-B", "quantity": 3}])
    device = await _device(app_client, seed)
    first = await device.run("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 5, "purchase_order": "PO-1001"})
    second = await device.run("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 3, "purchase_order": "PO-1001"})
    third = await device.run("receive", {"location": "REC-01", "item": "SKU-B", "quantity": 3, "purchase_order": "PO-1001"})
    assert first["result"]["suggested_location"] == "A-01-01"
    job_id = first["result"]["putaway_job_id"]
    assert second["result"]["putaway_job_id"] == job_id
    assert third["result"]["putaway_job_id"] == job_id
    job = (await app_client.get(f"/api/v1/jobs/{job_id}", headers=supervisor_headers)).json()
    assert job["type"] == "PUTAWAY"
    assert job["status"] == "READY"
    assert job["reference_id"] == "PO-1001"
    lines = {line["sku"]: line for line in job["lines"]}
    assert lines["SKU-A"]["quantity"] == 8
    assert lines["SKU-A"]["from_location"] == "REC-01"
    assert lines["SKU-A"]["to_location"] == "A-01-01"
    assert lines["SKU-B"]["quantity"] == 3
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 8


async def test_receive_straight_to_location_no_job(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    device = await _device(app_client, seed)
    result = await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 2})
    assert result["result"]["putaway_job_id"] is None
    async with db.read() as session:
        assert (await session.scalar(select(Job.id))) is None


async def test_receive_over_rest(app_client: AsyncTestClient, operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    response = await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-B", "quantity": 7}, headers=operator_headers)
    assert response.status_code == 201, response.text
    assert response.json()["quantity"] == 7
    assert await on_hand(db, seed, "SKU-B", "B-01-01") == 7
    unknown = await app_client.post("/api/v1/receipts", json={"location": "NOPE", "item": "SKU-B", "quantity": 7}, headers=operator_headers)
    assert unknown.status_code == 404
    extra = await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-B", "quantity": 7, "colour": "red"}, headers=operator_headers)
    assert extra.status_code == 400


async def test_receive_replay_is_duplicate(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    device = await _device(app_client, seed)
    command = device.command("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 5})
    first = (await device.send(command))[0]
    again = (await device.send(command))[0]
    assert first["status"] == "applied"
    assert again["status"] == "duplicate"
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 5
    assert await movement_count(db, "receipt") == 1
    async with db.read() as session:
        assert (await session.scalar(select(JobLine.quantity))) == 5
