"""A purchase order received, put away, counted and corrected by scans alone, checked at each step."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from app.db import Database
from app.db.models import Location, Product, Warehouse
from tests.factories import Seed, on_hand
from tests.integration.inbound.helpers import Device, assert_ledger_ok, figures

pytestmark = pytest.mark.anyio


@pytest.mark.postgres
async def test_po_to_count_by_scans(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Warehouse).values(receipt_tolerance_percent=5, count_variance_units=1))
        await session.execute(update(Location).where(Location.code == "A-01-01").values(min_quantity=2, max_quantity=6))
        await session.execute(update(Product).where(Product.sku == "SKU-A").values(pick_face_location_id=seed.locations["A-01-01"], putaway_zone="B"))
    await app_client.post("/api/v1/suppliers", json={"code": "SUP", "name": "Supplier"}, headers=supervisor_headers)
    created = await app_client.post(
        "/api/v1/purchase-orders", json={"number": "PO-77", "supplier": "SUP", "status": "CREATED", "lines": [{"sku": "SKU-A", "quantity": 20}]}, headers=supervisor_headers
    )
    assert created.status_code == 201

    async def check(on_hand_total: int, incoming: int) -> None:
        values = await figures(db, seed, "SKU-A")
        assert (values.on_hand, values.incoming, values.available) == (on_hand_total, incoming, on_hand_total)
        await assert_ledger_ok(db)

    await check(0, 20)
    device = await Device(app_client, "HH-FLOW").sign_in({"pin": seed.operator_pin})

    # Two deliveries into the dock; each adds to one putaway job.
    first = await device.run("receive", {"location": "REC-01", "item": "5400000002649", "quantity": 12, "purchase_order": "PO-77"})
    assert first["result"]["purchase_order_status"] == "PARTIALLY_RECEIVED"
    await check(12, 8)
    second = await device.run("receive", {"location": "REC-01", "item": "SKU-A", "quantity": 8, "purchase_order": "PO-77"})
    assert second["result"]["purchase_order_status"] == "RECEIVED"
    await check(20, 0)

    # The pick face takes 6; the rest goes to the bulk bin the system suggests.
    to_face = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 6, "to_location": "A-01-01"})
    assert to_face["status"] == "applied", to_face
    suggestion = (await app_client.get("/api/v1/putaway/suggestion", params={"item": "SKU-A", "quantity": 14, "from_location": "REC-01"}, headers=supervisor_headers)).json()
    assert suggestion["location"] == "B-01-01"
    to_bulk = await device.run("putaway", {"from_location": "REC-01", "item": "SKU-A", "quantity": 14, "to_location": "B-01-01"})
    assert to_bulk["result"]["job_status"] == "COMPLETED"
    await check(20, 0)
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 0

    # Picking 5 from the face leaves 1 < min 2: a replenishment job appears.
    await device.run("move", {"from_location": "A-01-01", "item": "SKU-A", "quantity": 5, "to_location": "PACK-01"})
    jobs = (await app_client.get("/api/v1/jobs", params={"type": "REPLENISHMENT"}, headers=supervisor_headers)).json()
    line = jobs[0]["lines"][0]
    assert (line["from_location"], line["quantity"]) == ("B-01-01", 5)
    refill = await device.run("move", {"from_location": "B-01-01", "item": "SKU-A", "quantity": 5, "to_location": "A-01-01", "job_line_id": line["id"]})
    assert refill["status"] == "applied", refill
    await check(20, 0)

    # A count finds 8 in bulk instead of 9; the variance needs approval, then posts.
    counted = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 7})
    assert counted["result"]["status"] == "PENDING_APPROVAL"
    recount = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 8})
    assert recount["result"]["status"] == "APPROVED"
    stocktake_id = recount["result"]["stocktake_id"]
    posted = (await app_client.post(f"/api/v1/stocktakes/{stocktake_id}/post", headers=supervisor_headers)).json()
    assert (posted["posted"], posted["movements"]) == (True, 1)
    await check(19, 0)

    # A damaged unit is written off at the face by an adjustment scan.
    adjusted = await device.run("adjust", {"location": "A-01-01", "item": "SKU-A", "quantity_change": -1, "reason_code": "damaged"})
    assert adjusted["status"] in ("applied", "applied_with_warning"), adjusted
    await check(18, 0)
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 5
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 8
    assert await on_hand(db, seed, "SKU-A", "PACK-01") == 5
