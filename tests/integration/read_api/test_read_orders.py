"""Orders over the read API: lists, detail with lines and status history."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import Seed
from tests.integration.read_api.order_rows import change_status, create_order

pytestmark = pytest.mark.anyio


async def test_orders_by_number(app_client, db, seed: Seed, supervisor_headers) -> None:
    order_id = await create_order(db, seed, "5001", [("SKU-A", 2), ("SKU-B", 1)])
    await create_order(db, seed, "5002", [("SKU-C", 1)])

    response = await app_client.get("/api/v1/orders", params={"order_number": "5001"}, headers=supervisor_headers)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [str(order_id)]
    item = body["items"][0]
    assert item["account"] == "acme"
    assert item["status"] == "PENDING"
    assert item["units_ordered"] == 3
    assert item["units_shipped"] == 0
    assert body["last_seq"] >= 2


async def test_orders_newest_first_pages(app_client, db, seed: Seed, operator_headers) -> None:
    ids = [await create_order(db, seed, f"60{index}", [("SKU-A", 1)]) for index in range(3)]

    first = (await app_client.get("/api/v1/orders", params={"limit": 2}, headers=operator_headers)).json()
    second = (
        await app_client.get("/api/v1/orders", params={"limit": 2, "cursor": first["next_cursor"]}, headers=operator_headers)
    ).json()

    assert [item["order_number"] for item in first["items"]] == ["602", "601"]
    assert [item["id"] for item in second["items"]] == [str(ids[0])]
    assert second["next_cursor"] is None


async def test_orders_status_and_account_filter(app_client, db, seed: Seed, operator_headers) -> None:
    shipped = await create_order(db, seed, "7001", [("SKU-A", 1)])
    await create_order(db, seed, "7002", [("SKU-A", 1)])
    await change_status(db, seed, shipped, "SHIPPED")

    by_status = (await app_client.get("/api/v1/orders", params={"status": "shipped"}, headers=operator_headers)).json()
    other_account = (await app_client.get("/api/v1/orders", params={"account": "other"}, headers=operator_headers)).json()

    assert [item["order_number"] for item in by_status["items"]] == ["7001"]
    assert other_account["items"] == []


async def test_orders_bad_status_400(app_client, operator_headers) -> None:
    response = await app_client.get("/api/v1/orders", params={"status": "LOST"}, headers=operator_headers)

    assert response.status_code == 400
    assert "LOST" in response.json()["message"]


async def test_order_detail_lines_history(app_client, db, seed: Seed, supervisor_headers) -> None:
    order_id = await create_order(db, seed, "8001", [("SKU-A", 2), ("MYSTERY-9", 1)])
    released = await change_status(db, seed, order_id, "RELEASED")

    response = await app_client.get(f"/api/v1/orders/{order_id}", headers=supervisor_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["order_number"] == "8001"
    assert body["status"] == "RELEASED"
    assert body["destination"]["country"] == "NZ"
    lines = {line["sku"]: line for line in body["lines"]}
    assert lines["SKU-A"]["ordered"] == 2
    assert lines["SKU-A"]["committed"] == 2
    assert lines["SKU-A"]["allocated"] == 0
    assert lines["SKU-A"]["picked"] == 0
    assert lines["SKU-A"]["shipped"] == 0
    assert lines["SKU-A"]["unknown_sku"] is False
    assert lines["MYSTERY-9"]["unknown_sku"] is True
    assert [(entry["status"], entry["previous_status"]) for entry in body["history"]] == [("PENDING", None), ("RELEASED", "PENDING")]
    assert body["history"][1]["seq"] == released.seq
    assert body["history"][0]["seq"] < body["history"][1]["seq"]
    assert body["tracking_status"] == ""


async def test_order_detail_unknown_404(app_client, operator_headers) -> None:
    missing = uuid.uuid4()

    response = await app_client.get(f"/api/v1/orders/{missing}", headers=operator_headers)

    assert response.status_code == 404
    assert str(missing) in response.json()["message"]


async def test_orders_require_token(app_client) -> None:
    assert (await app_client.get("/api/v1/orders")).status_code == 401
