"""Master data over REST: products contract, locations, zones, suppliers, stock-control settings."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from app.db import Database
from tests.factories import Seed, add_stock

pytestmark = pytest.mark.anyio


async def test_products_list_contract(app_client: AsyncTestClient, operator_headers: dict[str, str]) -> None:
    response = await app_client.get("/api/v1/products", params={"sku": "SKU-A"}, headers=operator_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    product = body[0]
    assert product["sku"] == "SKU-A"
    assert product["name"] == "Widget A"
    assert product["tracking"] == "NONE"
    assert product["allocation_rule"] == "FIFO"
    assert product["barcodes"] == [{"code": "05400000002649", "units": 1, "kind": "GTIN"}]


async def test_products_search_and_pages(app_client: AsyncTestClient, operator_headers: dict[str, str]) -> None:
    found = (await app_client.get("/api/v1/products", params={"q": "widget"}, headers=operator_headers)).json()
    assert [p["sku"] for p in found] == ["SKU-A", "SKU-B", "SKU-C"]
    by_barcode = (await app_client.get("/api/v1/products", params={"q": "060383042400"}, headers=operator_headers)).json()
    assert [p["sku"] for p in by_barcode] == ["SKU-B"]
    page = (await app_client.get("/api/v1/products", params={"limit": 2, "offset": 2}, headers=operator_headers)).json()
    assert [p["sku"] for p in page] == ["SKU-C"]
    bad = await app_client.get("/api/v1/products", params={"limit": 0}, headers=operator_headers)
    assert bad.status_code == 400
    assert "limit" in bad.json()["message"]


async def test_product_create_with_case_barcode(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    body = {
        "sku": "SKU-CASE",
        "name": "Boxed widget",
        "tracking": "batch",
        "allocation_rule": "FEFO",
        "barcodes": [{"code": "08719139005740"}, {"code": "CASE-12", "units": 12}],
        "pick_face": "A-01-02",
    }
    response = await app_client.post("/api/v1/products", json=body, headers=supervisor_headers)
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["tracking"] == "BATCH"
    assert product["pick_face"] == "A-01-02"
    assert product["barcodes"] == [{"code": "08719139005740", "units": 1, "kind": "GTIN"}, {"code": "CASE-12", "units": 12, "kind": "INTERNAL"}]


async def test_product_create_rejects_bad_values(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    wrong_check = await app_client.post("/api/v1/products", json={"sku": "X1", "name": "x", "barcodes": [{"code": "300450549108"}]}, headers=supervisor_headers)
    assert wrong_check.status_code == 400
    assert "check digit" in wrong_check.json()["message"]
    taken = await app_client.post("/api/v1/products", json={"sku": "X2", "name": "x", "barcodes": [{"code": "5400000002649"}]}, headers=supervisor_headers)
    assert taken.status_code == 409
    assert "SKU-A" in taken.json()["message"]
    tracking = await app_client.post("/api/v1/products", json={"sku": "X3", "name": "x", "tracking": "LOT"}, headers=supervisor_headers)
    assert tracking.status_code == 400
    assert tracking.json()["detail"]["field"] == "tracking"
    not_face = await app_client.post("/api/v1/products", json={"sku": "X4", "name": "x", "pick_face": "B-01-01"}, headers=supervisor_headers)
    assert not_face.status_code == 400
    assert "BULK_STORAGE" in not_face.json()["message"]


async def test_product_write_needs_supervisor(app_client: AsyncTestClient, operator_headers: dict[str, str]) -> None:
    response = await app_client.post("/api/v1/products", json={"sku": "X5", "name": "x"}, headers=operator_headers)
    assert response.status_code == 403


async def test_location_min_max_rules(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    face = await app_client.post(
        "/api/v1/locations",
        json={"warehouse": "WH1", "code": "A-02-01", "type": "PICK_FACE", "zone": "A", "pick_sequence": 30, "min_quantity": 5, "max_quantity": 40},
        headers=supervisor_headers,
    )
    assert face.status_code == 201, face.text
    assert face.json()["barcode"] == "A-02-01"
    assert face.json()["min_quantity"] == 5
    bulk = await app_client.post(
        "/api/v1/locations", json={"warehouse": "WH1", "code": "B-09-09", "type": "BULK_STORAGE", "min_quantity": 1, "max_quantity": 5}, headers=supervisor_headers
    )
    assert bulk.status_code == 400
    assert "PICK_FACE" in bulk.json()["message"]
    inverted = await app_client.post(
        "/api/v1/locations", json={"warehouse": "WH1", "code": "A-09-09", "type": "PICK_FACE", "min_quantity": 10, "max_quantity": 5}, headers=supervisor_headers
    )
    assert inverted.status_code == 400
    assert inverted.json()["detail"]["field"] == "max_quantity"
    duplicate = await app_client.post("/api/v1/locations", json={"warehouse": "WH1", "code": "X-1", "barcode": "05400000002649", "type": "BULK_STORAGE"}, headers=supervisor_headers)
    assert duplicate.status_code == 409
    assert "product" in duplicate.json()["message"]


async def test_location_archive_with_stock(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 3)
    location_id = seed.locations["B-01-01"]
    refused = await app_client.patch(f"/api/v1/locations/{location_id}", json={"archived": True}, headers=supervisor_headers)
    assert refused.status_code == 409
    assert "3 units" in refused.json()["message"]
    empty_id = seed.locations["B-01-02"]
    archived = await app_client.patch(f"/api/v1/locations/{empty_id}", json={"archived": True}, headers=supervisor_headers)
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    listed = (await app_client.get("/api/v1/locations", params={"zone": "B"}, headers=supervisor_headers)).json()
    assert [location["code"] for location in listed] == ["B-01-01"]


async def test_zone_and_supplier_create(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    zone = await app_client.post("/api/v1/zones", json={"warehouse": "WH1", "code": "B", "putaway_mode": "enforced"}, headers=supervisor_headers)
    assert zone.status_code == 201, zone.text
    assert zone.json()["putaway_mode"] == "enforced"
    bad_mode = await app_client.post("/api/v1/zones", json={"warehouse": "WH1", "code": "C", "putaway_mode": "strict"}, headers=supervisor_headers)
    assert bad_mode.status_code == 400
    supplier = await app_client.post("/api/v1/suppliers", json={"code": "ACME", "name": "Acme Supplies"}, headers=supervisor_headers)
    assert supplier.status_code == 201
    again = await app_client.post("/api/v1/suppliers", json={"code": "ACME", "name": "Other"}, headers=supervisor_headers)
    assert again.status_code == 409


async def test_stock_control_settings(app_client: AsyncTestClient, admin_headers: dict[str, str], supervisor_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/warehouses/{seed.warehouse_id}/stock-control"
    forbidden = await app_client.patch(url, json={"receipt_tolerance_percent": 5}, headers=supervisor_headers)
    assert forbidden.status_code == 403
    changed = await app_client.patch(url, json={"receipt_tolerance_percent": 5, "count_variance_units": 3}, headers=admin_headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["receipt_tolerance_percent"] == 5
    assert (await app_client.get(url, headers=supervisor_headers)).json()["count_variance_units"] == 3
    negative = await app_client.patch(url, json={"count_variance_units": -1}, headers=admin_headers)
    assert negative.status_code == 400


async def test_product_update_pick_face(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/products/{seed.products['SKU-B']}"
    assigned = await app_client.patch(url, json={"pick_face": "A-01-02", "allocation_rule": "fefo", "putaway_zone": "B"}, headers=supervisor_headers)
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["pick_face"], assigned.json()["allocation_rule"], assigned.json()["putaway_zone"]) == ("A-01-02", "FEFO", "B")
    cleared = await app_client.patch(url, json={"pick_face": ""}, headers=supervisor_headers)
    assert cleared.json()["pick_face"] is None
    unknown = await app_client.patch(url, json={"pick_face": "ZZ-1"}, headers=supervisor_headers)
    assert unknown.status_code == 404
    renamed_blank = await app_client.patch(url, json={"name": " "}, headers=supervisor_headers)
    assert renamed_blank.status_code == 400


async def test_zone_update_mode(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    zone = (await app_client.post("/api/v1/zones", json={"warehouse": "WH1", "code": "A"}, headers=supervisor_headers)).json()
    assert zone["putaway_mode"] == "suggested"
    changed = await app_client.patch(f"/api/v1/zones/{zone['id']}", json={"putaway_mode": "enforced"}, headers=supervisor_headers)
    assert changed.json()["putaway_mode"] == "enforced"
    listed = (await app_client.get("/api/v1/zones", params={"warehouse_id": str(seed.warehouse_id)}, headers=supervisor_headers)).json()
    assert [(z["code"], z["putaway_mode"]) for z in listed] == [("A", "enforced")]
