"""Stock figures and the movement ledger over the read API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import Seed, add_stock
from tests.integration.read_api.order_rows import create_order

pytestmark = pytest.mark.anyio


async def test_stock_by_sku_totals_and_rows(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-A", "B-01-01", 5, batch="L1")
    await create_order(db, seed, "1001", [("SKU-A", 3)])

    response = await app_client.get("/api/v1/stock", params={"sku": "SKU-A"}, headers=operator_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["sku"] == "SKU-A"
    assert body["on_hand"] == 15
    assert body["committed"] == 3
    assert body["available"] == 12
    assert body["allocated"] == 0
    assert body["incoming"] == 0
    rows = {(row["location"], row["batch"]): row["on_hand"] for row in body["rows"]}
    assert rows == {("A-01-01", ""): 10, ("B-01-01", "L1"): 5}
    assert all(row["warehouse_id"] == str(seed.warehouse_id) for row in body["rows"])


async def test_stock_by_product_id_and_location(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)

    params = {"product_id": str(seed.products["SKU-A"]), "location": "B-01-01"}
    body = (await app_client.get("/api/v1/stock", params=params, headers=operator_headers)).json()

    assert body["on_hand"] == 5
    assert [row["location"] for row in body["rows"]] == ["B-01-01"]


async def test_stock_oversold_is_negative(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-B", "A-01-02", 2)
    await create_order(db, seed, "1002", [("SKU-B", 5)])

    body = (await app_client.get("/api/v1/stock", params={"sku": "SKU-B"}, headers=operator_headers)).json()

    assert body["available"] == -3


async def test_stock_unknown_sku_404(app_client, operator_headers) -> None:
    response = await app_client.get("/api/v1/stock", params={"sku": "NOPE-1"}, headers=operator_headers)

    assert response.status_code == 404
    assert "NOPE-1" in response.json()["message"]


async def test_stock_unknown_location_404(app_client, operator_headers) -> None:
    response = await app_client.get("/api/v1/stock", params={"sku": "SKU-A", "location": "Z-99"}, headers=operator_headers)

    assert response.status_code == 404
    assert "Z-99" in response.json()["message"]


async def test_stock_requires_token(app_client) -> None:
    response = await app_client.get("/api/v1/stock", params={"sku": "SKU-A"})

    assert response.status_code == 401


async def test_stock_list_paginates_by_sku(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-C", "A-01-01", 7)

    first = (await app_client.get("/api/v1/stock", params={"limit": 2}, headers=operator_headers)).json()
    second = (
        await app_client.get("/api/v1/stock", params={"limit": 2, "cursor": first["next_cursor"]}, headers=operator_headers)
    ).json()

    assert [item["sku"] for item in first["items"]] == ["SKU-A", "SKU-B"]
    assert first["next_cursor"] == "SKU-B"
    assert [item["sku"] for item in second["items"]] == ["SKU-C"]
    assert second["items"][0]["on_hand"] == 7
    assert second["next_cursor"] is None


async def test_stock_list_at_location(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-B", "B-01-02", 4)
    await add_stock(db, seed, "SKU-C", "A-01-01", 1)

    body = (await app_client.get("/api/v1/stock", params={"location": "B-01-02"}, headers=operator_headers)).json()

    assert [(item["sku"], item["on_hand"]) for item in body["items"]] == [("SKU-B", 4)]


async def test_stock_limit_out_of_range(app_client, operator_headers) -> None:
    response = await app_client.get("/api/v1/stock", params={"limit": 0}, headers=operator_headers)

    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "limit"


async def _adjust(app_client, headers, sku: str, location: str, change: int, reason: str = "found") -> dict:
    body = {"sku": sku, "location": location, "quantity_change": change, "reason_code": reason}
    response = await app_client.post("/api/v1/stock/adjustments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_movements_filters(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await _adjust(app_client, operator_headers, "SKU-A", "A-01-01", -2, "damaged")
    await _adjust(app_client, operator_headers, "SKU-B", "B-01-01", 3)

    by_sku = (await app_client.get("/api/v1/movements", params={"sku": "SKU-A"}, headers=operator_headers)).json()
    by_reason = (await app_client.get("/api/v1/movements", params={"reason": "adjustment"}, headers=operator_headers)).json()
    by_location = (await app_client.get("/api/v1/movements", params={"location": "B-01-01"}, headers=operator_headers)).json()
    by_reference = (
        await app_client.get(
            "/api/v1/movements", params={"reference_type": "adjustment", "reference_id": "damaged"}, headers=operator_headers
        )
    ).json()

    assert [(row["reason"], row["quantity"]) for row in by_sku["items"]] == [("adjustment", 2), ("receipt", 10)]
    assert by_sku["items"][0]["from_location"] == "A-01-01"
    assert by_sku["items"][0]["to_location"] is None
    assert by_sku["items"][0]["operator"] == "op1"
    assert by_sku["items"][1]["operator"] is None
    assert {row["sku"] for row in by_reason["items"]} == {"SKU-A", "SKU-B"}
    assert [row["sku"] for row in by_location["items"]] == ["SKU-B"]
    assert by_location["items"][0]["to_location"] == "B-01-01"
    assert [row["quantity"] for row in by_reference["items"]] == [2]


async def test_movements_cursor_pages(app_client, db, seed: Seed, operator_headers) -> None:
    for quantity in (1, 2, 3, 4, 5):
        await add_stock(db, seed, "SKU-C", "A-01-01", quantity)

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"sku": "SKU-C", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = (await app_client.get("/api/v1/movements", params=params, headers=operator_headers)).json()
        seen += [row["quantity"] for row in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [5, 4, 3, 2, 1]
    assert pages == 3


async def test_movements_ascending_order(app_client, db, seed: Seed, operator_headers) -> None:
    for quantity in (1, 2, 3):
        await add_stock(db, seed, "SKU-C", "A-01-01", quantity)

    page = (await app_client.get("/api/v1/movements", params={"sku": "SKU-C", "order": "asc"}, headers=operator_headers)).json()

    assert [row["quantity"] for row in page["items"]] == [1, 2, 3]


async def test_movements_time_window(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    now = datetime.now(UTC)

    past = {"since": (now - timedelta(days=2)).isoformat(), "until": (now - timedelta(days=1)).isoformat()}
    around = {"since": (now - timedelta(hours=1)).isoformat(), "until": (now + timedelta(hours=1)).isoformat()}
    empty = (await app_client.get("/api/v1/movements", params=past, headers=operator_headers)).json()
    found = (await app_client.get("/api/v1/movements", params=around, headers=operator_headers)).json()

    assert empty["items"] == []
    assert [row["quantity"] for row in found["items"]] == [1]


async def test_movements_bad_reason_400(app_client, operator_headers) -> None:
    response = await app_client.get("/api/v1/movements", params={"reason": "teleport"}, headers=operator_headers)

    assert response.status_code == 400
    assert "teleport" in response.json()["message"]


async def test_movements_swapped_window_400(app_client, operator_headers) -> None:
    params = {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    response = await app_client.get("/api/v1/movements", params=params, headers=operator_headers)

    assert response.status_code == 400


async def test_unknown_warehouse_lists_codes(app_client, seed: Seed, operator_headers, supervisor_headers, admin_headers) -> None:
    created = await app_client.post("/api/v1/warehouses", json={"code": "EAST", "name": "East"}, headers=admin_headers)
    assert created.status_code == 201
    responses = [
        await app_client.get("/api/v1/stock", params={"sku": "SKU-A", "warehouse": "MAIN"}, headers=operator_headers),
        await app_client.get("/api/v1/orders", params={"warehouse": "MAIN"}, headers=supervisor_headers),
        await app_client.post("/api/v1/locations", json={"warehouse": "MAIN", "code": "X-1", "type": "BULK_STORAGE"}, headers=supervisor_headers),
    ]
    for response in responses:
        assert response.status_code == 404, response.text
        message = response.json()["message"]
        assert "'MAIN' not found" in message
        assert "EAST, WH1" in message


async def test_stock_by_warehouse(app_client, db, seed: Seed, operator_headers, admin_headers) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 4)
    created = await app_client.post("/api/v1/warehouses", json={"code": "WH2", "name": "Second"}, headers=admin_headers)
    assert created.status_code == 201

    here = (await app_client.get("/api/v1/stock", params={"sku": "SKU-A", "warehouse": "WH1"}, headers=operator_headers)).json()
    elsewhere = (await app_client.get("/api/v1/stock", params={"sku": "SKU-A", "warehouse": "WH2"}, headers=operator_headers)).json()
    unknown = await app_client.get("/api/v1/stock", params={"sku": "SKU-A", "warehouse": "WH9"}, headers=operator_headers)

    assert here["on_hand"] == 4
    assert elsewhere["on_hand"] == 0
    assert elsewhere["rows"] == []
    assert unknown.status_code == 404
    assert "WH9" in unknown.json()["message"]
