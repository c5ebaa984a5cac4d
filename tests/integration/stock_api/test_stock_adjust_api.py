"""Stock adjustments over REST: validation, the operator size limit and the ledger row written."""

from __future__ import annotations

import pytest

from tests.factories import Seed, add_stock, on_hand

pytestmark = pytest.mark.anyio

URL = "/api/v1/stock/adjustments"


def _body(**overrides) -> dict:
    body = {"sku": "SKU-A", "location": "A-01-01", "quantity_change": 5, "reason_code": "found"}
    body.update(overrides)
    return body


async def _movement_count(app_client, headers) -> int:
    page = (await app_client.get("/api/v1/movements", params={"reason": "adjustment"}, headers=headers)).json()
    return len(page["items"])


async def test_adjust_adds_units(app_client, db, seed: Seed, operator_headers) -> None:
    response = await app_client.post(URL, json=_body(note="box found behind rack", device_id="tablet-7"), headers=operator_headers)

    assert response.status_code == 201
    body = response.json()
    assert body["on_hand"] == 5
    assert body["sku"] == "SKU-A"
    assert body["location"] == "A-01-01"
    assert body["warnings"] == []
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 5
    [movement] = (await app_client.get("/api/v1/movements", params={"reason": "adjustment"}, headers=operator_headers)).json()["items"]
    assert movement["id"] == body["movement_id"]
    assert movement["to_location"] == "A-01-01"
    assert movement["reference_type"] == "adjustment"
    assert movement["reference_id"] == "found"
    assert movement["operator"] == "op1"
    assert movement["device_id"] == "tablet-7"
    assert movement["note"] == "box found behind rack"


async def test_adjust_removes_by_product_id_with_batch(app_client, db, seed: Seed, operator_headers) -> None:
    await add_stock(db, seed, "SKU-B", "B-01-01", 8, batch="L7")

    body = _body(sku=None, product_id=str(seed.products["SKU-B"]), location="B-01-01", quantity_change=-3, reason_code="damaged", batch="L7")
    response = await app_client.post(URL, json=body, headers=operator_headers)

    assert response.status_code == 201
    assert response.json()["on_hand"] == 5
    assert await on_hand(db, seed, "SKU-B", "B-01-01", batch="L7") == 5


async def test_adjust_over_limit_operator_403(app_client, db, seed: Seed, operator_headers) -> None:
    response = await app_client.post(URL, json=_body(quantity_change=51), headers=operator_headers)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "adjustment_limit_exceeded"
    assert "50" in body["message"]
    assert body["detail"]["limit"] == 50
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 0
    assert await _movement_count(app_client, operator_headers) == 0


async def test_adjust_at_limit_operator_allowed(app_client, operator_headers) -> None:
    response = await app_client.post(URL, json=_body(quantity_change=-50, reason_code="lost"), headers=operator_headers)

    assert response.status_code == 201
    assert response.json()["on_hand"] == -50
    assert len(response.json()["warnings"]) == 1


async def test_adjust_over_limit_supervisor_allowed(app_client, db, seed: Seed, supervisor_headers) -> None:
    response = await app_client.post(URL, json=_body(quantity_change=120), headers=supervisor_headers)

    assert response.status_code == 201
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 120


@pytest.mark.parametrize("quantity_change", [1_000_001, -1_000_001, 2**62, 10**20])
async def test_adjust_huge_change_400(app_client, db, seed: Seed, supervisor_headers, quantity_change) -> None:
    response = await app_client.post(URL, json=_body(quantity_change=quantity_change), headers=supervisor_headers)

    assert response.status_code == 400, response.text
    assert "quantity_change" in response.json()["message"]
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 0


@pytest.mark.parametrize(
    ("overrides", "status", "names"),
    [
        ({"reason_code": "whim"}, 400, "whim"),
        ({"quantity_change": 0}, 400, "quantity"),
        ({"sku": "NOPE-7"}, 404, "NOPE-7"),
        ({"location": "Z-99"}, 404, "Z-99"),
        ({"sku": None}, 400, "sku"),
        ({"colour": "red"}, 400, "colour"),
        ({"quantity_change": "five"}, 400, "quantity_change"),
    ],
)
async def test_adjust_rejects_bad_input(app_client, db, seed: Seed, operator_headers, overrides, status, names) -> None:
    response = await app_client.post(URL, json=_body(**overrides), headers=operator_headers)

    assert response.status_code == status
    assert names in response.json()["message"]
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 0


async def test_adjust_requires_token(app_client) -> None:
    assert (await app_client.post(URL, json=_body())).status_code == 401
