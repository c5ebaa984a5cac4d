"""Stocktakes: snapshots with movements before posting, approval thresholds, blind counts."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from app.db import Database
from app.db.models import Product, StockMovement, StocktakeCount
from tests.factories import Seed, add_stock, on_hand
from tests.integration.inbound.helpers import Device, movement_count

pytestmark = pytest.mark.anyio


async def _stocktake(client: AsyncTestClient, headers: dict[str, str], **body) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/stocktakes", json={"kind": "location", **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _operator(client: AsyncTestClient, seed: Seed) -> Device:
    return await Device(client, "HH-CNT").sign_in({"pin": seed.operator_pin})


@pytest.mark.postgres
async def test_movements_between_count_and_post(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    stocktake = await _stocktake(app_client, supervisor_headers, locations=["B-01-01"], variance_threshold_units=5)
    device = await _operator(app_client, seed)
    counted = await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "SKU-A", "counted_quantity": 8})
    assert counted["status"] == "applied", counted
    assert counted["result"]["status"] == "APPROVED"
    assert "variance" not in counted["result"]

    # After the count, 3 units arrive and 1 leaves: posting must keep both.
    await device.run("receive", {"location": "B-01-01", "item": "SKU-A", "quantity": 3})
    await device.run("move", {"from_location": "B-01-01", "item": "SKU-A", "quantity": 1, "to_location": "B-01-02"})
    view = (await app_client.get(f"/api/v1/stocktakes/{stocktake['id']}", headers=supervisor_headers)).json()
    assert view["counts"][0]["expected_quantity"] == 10
    assert view["counts"][0]["variance"] == -2
    assert view["counts"][0]["moved_since"] == 2

    posted = await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)
    assert posted.status_code == 200, posted.text
    assert posted.json()["posted"] is True
    assert posted.json()["movements"] == 1
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 10
    async with db.read() as session:
        movement = await session.scalar(select(StockMovement).where(StockMovement.reason == "count"))
    assert (movement.quantity, movement.from_location_id, movement.reference_type) == (2, seed.locations["B-01-01"], "stocktake")
    again = await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)
    assert again.status_code == 409


async def test_variance_above_threshold_waits(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    await add_stock(db, seed, "SKU-B", "B-01-01", 10)
    stocktake = await _stocktake(app_client, supervisor_headers, locations=["B-01-01"], variance_threshold_units=2)
    device = await _operator(app_client, seed)
    small = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 12})
    large = await device.run("count", {"location": "B-01-01", "item": "SKU-B", "counted_quantity": 7})
    assert small["result"]["status"] == "APPROVED"
    assert large["result"]["status"] == "PENDING_APPROVAL"
    assert small["result"]["stocktake_id"] == stocktake["id"]

    waiting = (await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)).json()
    assert waiting["posted"] is False
    assert waiting["pending_approval"] == [large["result"]["count_id"]]
    assert await movement_count(db, "count") == 0

    by_operator = await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/review", json={"count_ids": [large["result"]["count_id"]], "approve": True}, headers=operator_headers)
    assert by_operator.status_code == 403
    approved = await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/review", json={"count_ids": [large["result"]["count_id"]], "approve": True, "note": "checked"}, headers=supervisor_headers)
    assert approved.status_code == 200, approved.text
    posted = (await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)).json()
    assert posted["posted"] is True
    assert posted["movements"] == 2
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 12
    assert await on_hand(db, seed, "SKU-B", "B-01-01") == 7


async def test_variance_exactly_at_threshold(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    await _stocktake(app_client, supervisor_headers, locations=["B-01-01"], variance_threshold_units=2)
    device = await _operator(app_client, seed)
    at_limit = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 8})
    assert at_limit["result"]["status"] == "APPROVED"
    over = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 7})
    assert over["result"]["status"] == "PENDING_APPROVAL"
    assert over["warnings"] == ["this recount replaces the earlier count of SKU-A at B-01-01"]


async def test_percent_threshold(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 100)
    await _stocktake(app_client, supervisor_headers, locations=["B-01-01"], variance_threshold_units=50, variance_threshold_percent=10)
    device = await _operator(app_client, seed)
    within = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 90})
    assert within["result"]["status"] == "APPROVED"
    beyond = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 89})
    assert beyond["result"]["status"] == "PENDING_APPROVAL"


async def test_rejected_count_needs_recount(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    stocktake = await _stocktake(app_client, supervisor_headers, locations=["B-01-01"], variance_threshold_units=0)
    device = await _operator(app_client, seed)
    first = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 4})
    rejected = await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/review", json={"count_ids": [first["result"]["count_id"]], "approve": False}, headers=supervisor_headers)
    assert [count["status"] for count in rejected.json()["counts"]] == ["REJECTED"]
    recount = await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 10})
    assert recount["result"]["status"] == "APPROVED"
    posted = (await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)).json()
    assert (posted["posted"], posted["movements"]) == (True, 0)
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 10


async def test_blind_hides_expected(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 4)
    blind = await _stocktake(app_client, supervisor_headers, locations=["B-01-01"])
    seen = (await app_client.get(f"/api/v1/stocktakes/{blind['id']}", headers=operator_headers)).json()
    assert seen["expected"] is None
    open_view = await _stocktake(app_client, supervisor_headers, locations=["B-01-02", "B-01-01"], blind=False)
    seen = (await app_client.get(f"/api/v1/stocktakes/{open_view['id']}", headers=operator_headers)).json()
    assert seen["expected"] == [{"location": "B-01-01", "sku": "SKU-A", "batch": "", "on_hand": 4}]
    assert seen["locations"] == ["B-01-01", "B-01-02"]
    counted = await app_client.post(f"/api/v1/stocktakes/{open_view['id']}/counts", json={"location": "B-01-01", "item": "SKU-A", "counted_quantity": 3}, headers=operator_headers)
    assert counted.status_code == 201, counted.text
    assert counted.json()["variance"] == -1


@pytest.mark.postgres
async def test_uncounted_stock_counts_as_zero(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-01", 3)
    await add_stock(db, seed, "SKU-C", "B-01-02", 2)
    stocktake = await _stocktake(app_client, supervisor_headers, locations=["B-01-01", "B-01-02"], variance_threshold_units=10)
    device = await _operator(app_client, seed)
    await device.run("count", {"location": "B-01-01", "item": "SKU-A", "counted_quantity": 5})
    posted = (await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)).json()
    assert posted["posted"] is True
    assert posted["not_counted_locations"] == ["B-01-02"]
    assert await on_hand(db, seed, "SKU-B", "B-01-01") == 0
    # B-01-02 was never visited, so its stock is left as it is.
    assert await on_hand(db, seed, "SKU-C", "B-01-02") == 2


async def test_adhoc_count_creates_stocktake(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 6)
    device = await _operator(app_client, seed)
    first = await device.run("count", {"location": "A-01-01", "item": "SKU-A", "counted_quantity": 6})
    second = await device.run("count", {"location": "A-01-01", "item": "SKU-B", "counted_quantity": 1})
    assert first["status"] == "applied", first
    assert second["result"]["stocktake_id"] == first["result"]["stocktake_id"]
    view = (await app_client.get(f"/api/v1/stocktakes/{first['result']['stocktake_id']}", headers=supervisor_headers)).json()
    assert view["blind"] is True
    assert view["locations"] == ["A-01-01"]


async def test_count_huge_quantity_rejected(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    device = await _operator(app_client, seed)
    for quantity in (1_000_001, 2**40, 2**63):
        result = await device.run("count", {"location": "A-01-01", "item": "SKU-A", "counted_quantity": quantity})
        assert result["status"] == "rejected", (quantity, result)
        assert result["code"] == "invalid_input", (quantity, result)
        assert str(quantity) in result["message"], result
    async with db.read() as session:
        assert (await session.scalars(select(StocktakeCount))).all() == []


async def test_count_rejections(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-C").values(tracking="BATCH"))
    stocktake = await _stocktake(app_client, supervisor_headers, kind="product", products=["SKU-A", "SKU-C"])
    device = await _operator(app_client, seed)
    other = await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "SKU-B", "counted_quantity": 1})
    assert other["code"] == "not_in_stocktake"
    no_batch = await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "SKU-C", "counted_quantity": 1})
    assert no_batch["code"] == "batch_required"
    negative = await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "SKU-A", "counted_quantity": -1})
    assert negative["status"] == "rejected"
    await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/cancel", headers=supervisor_headers)
    closed = await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "SKU-A", "counted_quantity": 1})
    assert closed["code"] == "stocktake_closed"


async def test_product_stocktake_batches(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-C").values(tracking="BATCH"))
    await add_stock(db, seed, "SKU-C", "B-01-01", 4, batch="L1")
    await add_stock(db, seed, "SKU-C", "B-01-02", 6, batch="L2")
    stocktake = await _stocktake(app_client, supervisor_headers, kind="product", products=["SKU-C"], variance_threshold_units=100)
    device = await _operator(app_client, seed)
    await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "SKU-C", "counted_quantity": 5, "batch": "L1"})
    await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-02", "item": "SKU-C", "counted_quantity": 6, "batch": "L2"})
    posted = (await app_client.post(f"/api/v1/stocktakes/{stocktake['id']}/post", headers=supervisor_headers)).json()
    assert posted["movements"] == 1
    assert await on_hand(db, seed, "SKU-C", "B-01-01", batch="L1") == 5
    assert await on_hand(db, seed, "SKU-C", "B-01-02", batch="L2") == 6


async def test_create_stocktake_validation(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str]) -> None:
    assert (await app_client.post("/api/v1/stocktakes", json={"kind": "location"}, headers=supervisor_headers)).status_code == 400
    assert (await app_client.post("/api/v1/stocktakes", json={"kind": "shelf", "locations": ["B-01-01"]}, headers=supervisor_headers)).status_code == 400
    assert (await app_client.post("/api/v1/stocktakes", json={"kind": "location", "locations": ["NOPE"]}, headers=supervisor_headers)).status_code == 404
    assert (await app_client.post("/api/v1/stocktakes", json={"kind": "location", "locations": ["B-01-01"]}, headers=operator_headers)).status_code == 403


async def test_case_barcode_counts_cases(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    from app.db.models import ProductBarcode

    async with db.transaction() as session:
        session.add(ProductBarcode(product_id=seed.products["SKU-A"], code="CASE-A6", kind="INTERNAL", units=6))
    await add_stock(db, seed, "SKU-A", "B-01-01", 12)
    stocktake = await _stocktake(app_client, supervisor_headers, locations=["B-01-01"], blind=False, variance_threshold_units=100)
    device = await _operator(app_client, seed)
    counted = await device.run("count", {"stocktake_id": stocktake["id"], "location": "B-01-01", "item": "CASE-A6", "counted_quantity": 3})
    assert counted["result"]["counted_quantity"] == 18
    assert counted["result"]["variance"] == 6
