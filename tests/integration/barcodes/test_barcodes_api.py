"""HTTP API of barcodes: interpret, and a product's barcodes."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.db import Database
from app.db.models import ProductBarcode
from tests.factories import Seed

pytestmark = pytest.mark.anyio

GS = "\x1d"


async def test_interpret_b3_separator(app_client: AsyncTestClient, operator_headers: dict[str, str]) -> None:
    body = {"raw": "01041500111641401726013110V10025|21JGFMG4P38R", "separator": "|"}
    response = await app_client.post("/api/v1/barcodes/interpret", json=body, headers=operator_headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["kind"] == "gs1"
    assert result["gtin"] == "04150011164140"
    assert result["expiry"] == "2026-01-31"
    assert result["batch"] == "V10025"
    assert result["serial"] == "JGFMG4P38R"
    assert result["ais"]["10"] == "V10025"
    assert result["match"] is None


async def test_interpret_b1_rejected(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    body = {"raw": "01103663023000171021004371716020021925768618163"}
    response = await app_client.post("/api/v1/barcodes/interpret", json=body, headers=supervisor_headers)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "separator_missing"
    assert "check the scanner's FNC1 setting" in error["message"]
    assert "21004371716020021925768618163" not in response.text.replace("'21004371716020021925'", "")


async def test_interpret_measure_and_match(app_client: AsyncTestClient, operator_headers: dict[str, str], seed: Seed) -> None:
    body = {"raw": "]C10105400000002649" + "3103001234" + "10L1" + GS + "17260400"}
    response = await app_client.post("/api/v1/barcodes/interpret", json=body, headers=operator_headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["net_weight_kg"] == "1.234"
    assert result["expiry"] == "2026-04-30"
    assert result["symbology"] == "]C1"
    assert result["match"]["kind"] == "product"
    assert result["match"]["sku"] == "SKU-A"
    assert result["match"]["product_id"] == str(seed.products["SKU-A"])


async def test_interpret_prefix_suffix(app_client: AsyncTestClient, operator_headers: dict[str, str]) -> None:
    body = {"raw": "*A-01-01#\r\n", "prefix": "*", "suffix": "#"}
    response = await app_client.post("/api/v1/barcodes/interpret", json=body, headers=operator_headers)
    assert response.status_code == 200, response.text
    assert response.json()["text"] == "A-01-01"
    assert response.json()["match"]["kind"] == "location"


async def test_interpret_unknown_field(app_client: AsyncTestClient, operator_headers: dict[str, str]) -> None:
    response = await app_client.post("/api/v1/barcodes/interpret", json={"raw": "1", "fnc1": "|"}, headers=operator_headers)
    assert response.status_code == 400


async def test_interpret_needs_sign_in(app_client: AsyncTestClient) -> None:
    response = await app_client.post("/api/v1/barcodes/interpret", json={"raw": "7567554394380"})
    assert response.status_code == 401


async def test_list_barcodes(app_client: AsyncTestClient, operator_headers: dict[str, str], seed: Seed) -> None:
    response = await app_client.get(f"/api/v1/products/{seed.products['SKU-A']}/barcodes", headers=operator_headers)
    assert response.status_code == 200
    assert [(row["code"], row["kind"], row["units"]) for row in response.json()] == [("05400000002649", "GTIN", 1)]


@pytest.mark.postgres
async def test_add_case_barcode(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed, db: Database) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    response = await app_client.post(url, json={"code": "15400000002646", "kind": "CASE", "units": 12}, headers=supervisor_headers)
    assert response.status_code == 201, response.text
    assert response.json()["units"] == 12
    scan = await app_client.post("/api/v1/barcodes/interpret", json={"raw": "]C10115400000002646"}, headers=supervisor_headers)
    assert scan.json()["match"]["units"] == 12
    assert scan.json()["match"]["barcode_kind"] == "CASE"


async def test_add_upc_normalised(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed, db: Database) -> None:
    url = f"/api/v1/products/{seed.products['SKU-C']}/barcodes"
    response = await app_client.post(url, json={"code": "036000291452"}, headers=supervisor_headers)
    assert response.status_code == 201, response.text
    assert response.json()["code"] == "00036000291452"
    async with db.read() as session:
        stored = await session.scalar(select(ProductBarcode.code).where(ProductBarcode.id == response.json()["id"]))
    assert stored == "00036000291452"


async def test_add_collision_names_owner(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed, db: Database) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    # SKU-B owns 00060383042400; its EAN-13 spelling must collide too.
    response = await app_client.post(url, json={"code": "0060383042400"}, headers=supervisor_headers)
    assert response.status_code == 409
    assert response.json()["code"] == "barcode_in_use"
    assert "SKU-B" in response.json()["message"]
    async with db.read() as session:
        count = len((await session.scalars(select(ProductBarcode).where(ProductBarcode.product_id == seed.products["SKU-A"]))).all())
    assert count == 1


async def test_add_location_collision(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    response = await app_client.post(url, json={"code": "A-01-01", "kind": "INTERNAL"}, headers=supervisor_headers)
    assert response.status_code == 409
    assert "location A-01-01" in response.json()["message"]


async def test_add_invalid_gtin(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    response = await app_client.post(url, json={"code": "300450549108"}, headers=supervisor_headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_check_digit"
    assert "should be 5" in response.json()["message"]


async def test_add_gtin_kind_needs_gtin(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    response = await app_client.post(url, json={"code": "WIDGET-A", "kind": "CASE", "units": 6}, headers=supervisor_headers)
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_gtin"


async def test_add_internal_code(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed, operator_headers: dict[str, str]) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    response = await app_client.post(url, json={"code": "WIDGET-A", "kind": "INTERNAL"}, headers=supervisor_headers)
    assert response.status_code == 201, response.text
    scan = await app_client.post("/api/v1/barcodes/interpret", json={"raw": "WIDGET-A"}, headers=operator_headers)
    assert scan.json()["match"]["sku"] == "SKU-A"


async def test_add_needs_supervisor(app_client: AsyncTestClient, operator_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    response = await app_client.post(url, json={"code": "15400000002646", "kind": "CASE", "units": 12}, headers=operator_headers)
    assert response.status_code == 403


async def test_remove_barcode(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    url = f"/api/v1/products/{seed.products['SKU-A']}/barcodes"
    listed = await app_client.get(url, headers=supervisor_headers)
    barcode_id = listed.json()[0]["id"]
    response = await app_client.delete(f"{url}/{barcode_id}", headers=supervisor_headers)
    assert response.status_code == 204
    assert (await app_client.get(url, headers=supervisor_headers)).json() == []
    again = await app_client.delete(f"{url}/{barcode_id}", headers=supervisor_headers)
    assert again.status_code == 404


async def test_remove_other_products_barcode(app_client: AsyncTestClient, supervisor_headers: dict[str, str], seed: Seed) -> None:
    listed = await app_client.get(f"/api/v1/products/{seed.products['SKU-B']}/barcodes", headers=supervisor_headers)
    barcode_id = listed.json()[0]["id"]
    response = await app_client.delete(f"/api/v1/products/{seed.products['SKU-A']}/barcodes/{barcode_id}", headers=supervisor_headers)
    assert response.status_code == 404


async def test_scanner_setup_page(app_client: AsyncTestClient) -> None:
    response = await app_client.get("/scanner-setup")
    assert response.status_code == 200
    assert 'id="capture"' in response.text
    assert "/static/scanner-setup.js" in response.text
