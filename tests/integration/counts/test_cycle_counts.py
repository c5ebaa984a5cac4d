"""Cycle count jobs for a zone, for bins with discrepancies, and for a product."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.db import Database
from app.db.models import Discrepancy
from tests.factories import Seed, add_stock, on_hand
from tests.integration.inbound.helpers import Device

pytestmark = pytest.mark.anyio


async def _cycle(client: AsyncTestClient, headers: dict[str, str], **body) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/cycle-counts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_zone_cycle_count_job(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-02", 2)
    await add_stock(db, seed, "SKU-C", "A-01-01", 9)
    created = await _cycle(app_client, supervisor_headers, zone="B")
    job = created["job"]
    assert job["type"] == "CYCLE_COUNT"
    assert job["reference_id"] == created["stocktake_id"]
    assert sorted((line["from_location"], line["sku"]) for line in job["lines"]) == [("B-01-01", "SKU-A"), ("B-01-02", "SKU-B")]

    device = await Device(app_client, "HH-CC").sign_in({"pin": seed.operator_pin})
    first = await device.run("count", {"stocktake_id": created["stocktake_id"], "location": "B-01-01", "item": "SKU-A", "counted_quantity": 5})
    assert first["status"] == "applied", first
    midway = (await app_client.get(f"/api/v1/jobs/{job['id']}", headers=supervisor_headers)).json()
    assert midway["status"] == "IN_PROGRESS"
    await device.run("count", {"stocktake_id": created["stocktake_id"], "location": "B-01-02", "item": "SKU-B", "counted_quantity": 2})
    done = (await app_client.get(f"/api/v1/jobs/{job['id']}", headers=supervisor_headers)).json()
    assert done["status"] == "COMPLETED"
    assert [line["quantity_done"] for line in done["lines"]] == [1, 1]
    posted = (await app_client.post(f"/api/v1/stocktakes/{created['stocktake_id']}/post", headers=supervisor_headers)).json()
    assert (posted["posted"], posted["movements"]) == (True, 0)


@pytest.mark.postgres
async def test_discrepancy_bins_cycle_count(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-02", 1)
    device = await Device(app_client, "HH-CC").sign_in({"pin": seed.operator_pin})
    moved = await device.run("move", {"from_location": "A-01-02", "item": "SKU-A", "quantity": 3, "to_location": "PACK-01"})
    assert moved["status"] == "applied_with_warning"
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == -2

    created = await _cycle(app_client, supervisor_headers, discrepancies=True)
    assert [(line["from_location"], line["sku"]) for line in created["job"]["lines"]] == [("A-01-02", "SKU-A")]
    counted = await device.run("count", {"stocktake_id": created["stocktake_id"], "location": "A-01-02", "item": "SKU-A", "counted_quantity": 0})
    assert counted["result"]["status"] == "PENDING_APPROVAL"
    await app_client.post(f"/api/v1/stocktakes/{created['stocktake_id']}/review", json={"count_ids": [counted["result"]["count_id"]], "approve": True}, headers=supervisor_headers)
    posted = (await app_client.post(f"/api/v1/stocktakes/{created['stocktake_id']}/post", headers=supervisor_headers)).json()
    assert posted["movements"] == 1
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 0
    async with db.read() as session:
        discrepancy = await session.scalar(select(Discrepancy).where(Discrepancy.kind == "negative_stock"))
    assert discrepancy.resolved is True
    assert "counted in stocktake" in discrepancy.resolution_note


async def test_product_cycle_count(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-B", "B-01-01", 5)
    await add_stock(db, seed, "SKU-B", "A-01-02", 2)
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)
    created = await _cycle(app_client, supervisor_headers, product="SKU-B")
    assert sorted(line["from_location"] for line in created["job"]["lines"]) == ["A-01-02", "B-01-01"]
    assert {line["sku"] for line in created["job"]["lines"]} == {"SKU-B"}
    view = (await app_client.get(f"/api/v1/stocktakes/{created['stocktake_id']}", headers=supervisor_headers)).json()
    assert (view["kind"], view["products"], view["blind"]) == ("product", ["SKU-B"], True)


async def test_cycle_count_needs_one_choice(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    both = await app_client.post("/api/v1/cycle-counts", json={"zone": "B", "product": "SKU-A"}, headers=supervisor_headers)
    assert both.status_code == 400
    nothing = await app_client.post("/api/v1/cycle-counts", json={"discrepancies": True}, headers=supervisor_headers)
    assert nothing.status_code == 404
    empty_zone = await app_client.post("/api/v1/cycle-counts", json={"zone": "B"}, headers=supervisor_headers)
    assert empty_zone.status_code == 404
