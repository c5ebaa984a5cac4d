"""Whole numbers far beyond any stock figure get a 400 naming the field and store nothing."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.factories import Seed

pytestmark = pytest.mark.anyio

HUGE = [2**31, 2**62, 10**20]


@pytest.mark.postgres
@pytest.mark.parametrize("value", HUGE)
async def test_huge_numbers_rejected(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed, value: int) -> None:
    product_id = seed.products["SKU-A"]
    await app_client.post("/api/v1/suppliers", json={"code": "SUP", "name": "Supplier"}, headers=supervisor_headers)
    requests = [
        ("/api/v1/locations", {"warehouse": "WH1", "code": "H-01", "type": "BULK_STORAGE", "pick_sequence": value}, "pick_sequence"),
        ("/api/v1/locations", {"warehouse": "WH1", "code": "H-02", "type": "PICK_FACE", "min_quantity": 1, "max_quantity": value}, "max_quantity"),
        (f"/api/v1/products/{product_id}/barcodes", {"code": "H-CASE", "kind": "INTERNAL", "units": value}, "units"),
        ("/api/v1/purchase-orders", {"number": "PO-H", "supplier": "SUP", "lines": [{"sku": "SKU-A", "quantity": value}]}, "quantity"),
        ("/api/v1/stocktakes", {"kind": "location", "locations": ["A-01-01"], "variance_threshold_units": value}, "variance_threshold_units"),
    ]
    for path, body, field in requests:
        response = await app_client.post(path, json=body, headers=supervisor_headers)
        assert response.status_code == 400, (path, response.text)
        assert field in response.json()["message"], (path, response.text)
    assert (await app_client.get("/api/v1/purchase-orders", headers=supervisor_headers)).json() == []
    locations = (await app_client.get("/api/v1/locations", headers=supervisor_headers)).json()
    assert not any(location["code"].startswith("H-") for location in locations)
