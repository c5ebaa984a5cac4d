"""CSV import of locations and products: all rows in one transaction, every bad row reported."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.db import Database
from app.db.models import Location, Product, ProductBarcode
from tests.factories import Seed, add_stock

pytestmark = pytest.mark.anyio

CSV = {"Content-Type": "text/csv"}


async def _count(db: Database, model) -> int:  # type: ignore[no-untyped-def]
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_locations_import_creates_and_updates(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    text = (
        "code,type,zone,pick_sequence,min,max\n"
        "A-01-01,PICK_FACE,A,10,4,20\n"
        "C-01-01,bulk_storage,C,300,,\n"
        "C-01-02,OVERFLOW,C,310,,\n"
    )
    response = await app_client.post("/api/v1/locations/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 3, "created": 2, "updated": 1}
    async with db.read() as session:
        face = await session.scalar(select(Location).where(Location.code == "A-01-01"))
        bulk = await session.scalar(select(Location).where(Location.code == "C-01-01"))
    assert (face.min_quantity, face.max_quantity) == (4, 20)
    assert (bulk.type, bulk.zone, bulk.barcode, bulk.pick_sequence) == ("BULK_STORAGE", "C", "C-01-01", 300)


@pytest.mark.postgres
async def test_locations_import_reports_every_bad_row(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    before = await _count(db, Location)
    text = (
        "warehouse,code,type,barcode,pick_sequence,min_quantity,max_quantity\n"
        "WH1,D-01,BULK_STORAGE,,1,,\n"
        "WH1,D-02,SHELF,,2,,\n"
        "WH1,D-03,PICK_FACE,,3,10,5\n"
        "WH1,D-01,BULK_STORAGE,D-01-B,4,,\n"
        "WH9,D-05,BULK_STORAGE,,5,,\n"
        "WH1,D-06,BULK_STORAGE,REC-01,x,,\n"
        "WH1,D-07,BULK_STORAGE,05400000002649,7,,\n"
    )
    response = await app_client.post("/api/v1/locations/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "csv_invalid"
    assert "Nothing was imported" in body["message"]
    errors = {(error["line"], error["column"]): error for error in body["detail"]["errors"]}
    assert errors[(3, "type")]["value"] == "SHELF"
    assert "PICK_FACE" in errors[(3, "type")]["message"]
    assert errors[(4, "max_quantity")]["value"] == "5"
    assert "line 2" in errors[(5, "code")]["message"]
    assert "WH9" in errors[(6, "warehouse")]["message"]
    assert errors[(7, "barcode")]["value"] == "REC-01"
    assert errors[(7, "pick_sequence")]["value"] == "x"
    assert "product" in errors[(8, "barcode")]["message"]
    assert 2 not in {error["line"] for error in body["detail"]["errors"]}
    assert await _count(db, Location) == before


@pytest.mark.postgres
async def test_locations_import_huge_numbers(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    before = await _count(db, Location)
    text = (
        "warehouse,code,type,pick_sequence,min_quantity,max_quantity\n"
        "WH1,H-01,BULK_STORAGE,99999999999999999999999,,\n"
        "WH1,H-02,PICK_FACE,2147483648,1,2\n"
        "WH1,H-03,PICK_FACE,3,1,9223372036854775808\n"
    )
    response = await app_client.post("/api/v1/locations/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 400, response.text
    errors = {(error["line"], error["column"]) for error in response.json()["detail"]["errors"]}
    assert errors == {(2, "pick_sequence"), (3, "pick_sequence"), (4, "max_quantity")}
    assert await _count(db, Location) == before


async def test_locations_import_header_errors(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> None:
    response = await app_client.post("/api/v1/locations/import", content=b"code,kind\nX,BULK_STORAGE\n", headers={**supervisor_headers, **CSV})
    assert response.status_code == 400
    columns = {error["column"] for error in response.json()["detail"]["errors"]}
    assert columns == {"kind", "type"}
    empty = await app_client.post("/api/v1/locations/import", content=b"", headers={**supervisor_headers, **CSV})
    assert empty.status_code == 400
    latin = await app_client.post("/api/v1/locations/import", content="code,type\nZ\xe9,BULK_STORAGE\n".encode("latin-1"), headers={**supervisor_headers, **CSV})
    assert latin.status_code == 400
    assert "UTF-8" in latin.json()["message"]


async def test_locations_import_semicolon_multipart(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    text = "\ufeffcode;type;zone\nE-01;BULK_STORAGE;E\n"
    response = await app_client.post("/api/v1/locations/import", files={"file": ("locations.csv", text.encode(), "text/csv")}, headers=supervisor_headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


async def test_locations_import_archive_with_stock(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 2)
    text = "code,type,archived\nB-01-01,BULK_STORAGE,yes\nB-01-02,BULK_STORAGE,yes\n"
    response = await app_client.post("/api/v1/locations/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 400
    errors = response.json()["detail"]["errors"]
    assert [(error["line"], error["column"]) for error in errors] == [(2, "archived")]
    assert "2 units" in errors[0]["message"]


@pytest.mark.postgres
async def test_locations_import_thousands_of_rows(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    before = await _count(db, Location)
    rows = "".join(f"Z-{index:05d},BULK_STORAGE,Z,{index}\n" for index in range(3000))
    response = await app_client.post("/api/v1/locations/import", content=("code,type,zone,pick_sequence\n" + rows).encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3000
    assert await _count(db, Location) == before + 3000
    # One bad row among thousands rejects the whole file.
    bad = "code,type\n" + "".join(f"Y-{index:05d},BULK_STORAGE\n" for index in range(2500)) + "Y-BAD,NOWHERE\n"
    refused = await app_client.post("/api/v1/locations/import", content=bad.encode(), headers={**supervisor_headers, **CSV})
    assert refused.status_code == 400
    assert refused.json()["detail"]["errors"][0]["line"] == 2502
    assert await _count(db, Location) == before + 3000


@pytest.mark.postgres
async def test_products_import_creates_and_updates(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    text = (
        "sku,name,tracking,allocation_rule,barcode,case_barcode,case_units,pick_face\n"
        "SKU-A,Widget A renamed,,,05400000002649,CASE-A,12,A-01-01\n"
        'SKU-N1,"New, with comma",BATCH,FEFO,7180378376426,,,\n'
        "SKU-N2,Serial thing,serial,fifo,,,,\n"
    )
    response = await app_client.post("/api/v1/products/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 3, "created": 2, "updated": 1}
    listed = (await app_client.get("/api/v1/products", params={"sku": "SKU-A"}, headers=supervisor_headers)).json()[0]
    assert listed["name"] == "Widget A renamed"
    assert listed["pick_face"] == "A-01-01"
    assert {(b["code"], b["units"]) for b in listed["barcodes"]} == {("05400000002649", 1), ("CASE-A", 12)}
    new = (await app_client.get("/api/v1/products", params={"sku": "SKU-N1"}, headers=supervisor_headers)).json()[0]
    assert (new["name"], new["tracking"], new["allocation_rule"]) == ("New, with comma", "BATCH", "FEFO")
    assert new["barcodes"] == [{"code": "07180378376426", "units": 1, "kind": "GTIN"}]


async def test_products_import_reports_every_bad_row(app_client: AsyncTestClient, supervisor_headers: dict[str, str], db: Database) -> None:
    products_before = await _count(db, Product)
    barcodes_before = await _count(db, ProductBarcode)
    text = (
        "sku,name,tracking,barcode,case_barcode,case_units,pick_face\n"
        "P-1,Good,,,,,\n"
        "P-2,Bad check digit,,300450549108,,,\n"
        "P-1,Duplicate sku,,,,,\n"
        "P-4,Taken barcode,,5400000002649,,,\n"
        "P-5,Case without units,,,CASE-5,,\n"
        "P-6,Not a pick face,,,,,B-01-01\n"
        "P-7,,LOT,,,,\n"
    )
    response = await app_client.post("/api/v1/products/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 400
    errors = {(error["line"], error["column"]) for error in response.json()["detail"]["errors"]}
    assert errors == {
        (3, "barcode"),
        (4, "sku"),
        (5, "barcode"),
        (6, "case_units"),
        (7, "pick_face"),
        (8, "name"),
        (8, "tracking"),
    }
    assert response.json()["detail"]["bad_lines"] == 6
    assert await _count(db, Product) == products_before
    assert await _count(db, ProductBarcode) == barcodes_before
