"""Purchase order life cycle, incoming figures, closing short and CSV import."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update

from app.db import Database
from app.db.models import PurchaseOrder, Warehouse
from tests.factories import Seed
from tests.integration.inbound.helpers import Device, figures

pytestmark = pytest.mark.anyio

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
async def supplier(app_client: AsyncTestClient, supervisor_headers: dict[str, str]) -> str:
    response = await app_client.post("/api/v1/suppliers", json={"code": "SUP", "name": "Supplier"}, headers=supervisor_headers)
    assert response.status_code == 201
    return "SUP"


async def _create(client: AsyncTestClient, headers: dict[str, str], **body) -> dict:  # type: ignore[no-untyped-def]
    payload = {"number": "PO-1", "supplier": "SUP", "lines": [{"sku": "SKU-A", "quantity": 10}], **body}
    response = await client.post("/api/v1/purchase-orders", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_draft_not_incoming_until_submitted(app_client: AsyncTestClient, supervisor_headers: dict[str, str], supplier: str, db: Database, seed: Seed) -> None:
    order = await _create(app_client, supervisor_headers, expected_date="2026-12-20")
    assert order["status"] == "DRAFT"
    assert order["expected_date"] == "2026-12-20"
    assert (await figures(db, seed, "SKU-A")).incoming == 0
    submitted = await app_client.post(f"/api/v1/purchase-orders/{order['id']}/submit", headers=supervisor_headers)
    assert submitted.json()["status"] == "CREATED"
    assert (await figures(db, seed, "SKU-A")).incoming == 10
    again = await app_client.post(f"/api/v1/purchase-orders/{order['id']}/submit", headers=supervisor_headers)
    assert again.status_code == 409


async def test_cancel_frees_incoming(app_client: AsyncTestClient, supervisor_headers: dict[str, str], supplier: str, db: Database, seed: Seed) -> None:
    order = await _create(app_client, supervisor_headers, status="CREATED")
    cancelled = await app_client.post(f"/api/v1/purchase-orders/{order['id']}/cancel", headers=supervisor_headers)
    assert cancelled.json()["status"] == "CANCELLED"
    assert (await figures(db, seed, "SKU-A")).incoming == 0


async def test_cancel_after_receipt_refused(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str], supplier: str) -> None:
    order = await _create(app_client, supervisor_headers, status="CREATED")
    await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-A", "quantity": 3, "purchase_order": "PO-1"}, headers=operator_headers)
    refused = await app_client.post(f"/api/v1/purchase-orders/{order['id']}/cancel", headers=supervisor_headers)
    assert refused.status_code == 409
    assert "close it instead" in refused.json()["message"]


async def test_close_short_within_tolerance(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str], supplier: str, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Warehouse).values(receipt_tolerance_percent=10))
    order = await _create(app_client, supervisor_headers, status="CREATED")
    await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-A", "quantity": 9, "purchase_order": "PO-1"}, headers=operator_headers)
    closed = await app_client.post(f"/api/v1/purchase-orders/{order['id']}/close", json={}, headers=operator_headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["purchase_order"]["status"] == "RECEIVED"
    assert closed.json()["warnings"] == ["SKU-A received 9 of 10"]
    assert (await figures(db, seed, "SKU-A")).incoming == 0


async def test_close_short_beyond_tolerance(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str], supplier: str, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await session.execute(update(Warehouse).values(receipt_tolerance_percent=10))
    order = await _create(app_client, supervisor_headers, status="CREATED")
    await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-A", "quantity": 8, "purchase_order": "PO-1"}, headers=operator_headers)
    url = f"/api/v1/purchase-orders/{order['id']}/close"
    refused = await app_client.post(url, json={}, headers=operator_headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "under_receipt_beyond_tolerance"
    assert (await figures(db, seed, "SKU-A")).incoming == 2
    by_operator = await app_client.post(url, json={"override": True}, headers=operator_headers)
    assert by_operator.status_code == 403
    by_supervisor = await app_client.post(url, json={"override": True, "note": "supplier out of stock"}, headers=supervisor_headers)
    assert by_supervisor.status_code == 200
    assert by_supervisor.json()["purchase_order"]["status"] == "RECEIVED"
    # A purchase order closed short takes no more receipts.
    late = await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-A", "quantity": 2, "purchase_order": "PO-1"}, headers=operator_headers)
    assert late.status_code == 409
    assert late.json()["code"] == "purchase_order_not_receivable"


async def test_create_rejects_bad_orders(app_client: AsyncTestClient, supervisor_headers: dict[str, str], supplier: str) -> None:
    cases = [
        ({"lines": []}, 400),
        ({"lines": [{"sku": "SKU-A", "quantity": 0}]}, 400),
        ({"lines": [{"sku": "SKU-Z", "quantity": 1}]}, 404),
        ({"lines": [{"sku": "SKU-A", "quantity": 1}, {"sku": "SKU-A", "quantity": 2}]}, 400),
        ({"supplier": "NOBODY"}, 404),
        ({"status": "RECEIVED"}, 400),
    ]
    for changes, status in cases:
        payload = {"number": "PO-X", "supplier": "SUP", "lines": [{"sku": "SKU-A", "quantity": 1}], **changes}
        response = await app_client.post("/api/v1/purchase-orders", json=payload, headers=supervisor_headers)
        assert response.status_code == status, (changes, response.text)
    await _create(app_client, supervisor_headers)
    duplicate = await app_client.post("/api/v1/purchase-orders", json={"number": "PO-1", "supplier": "SUP", "lines": [{"sku": "SKU-A", "quantity": 1}]}, headers=supervisor_headers)
    assert duplicate.status_code == 409


async def test_import_purchase_orders(app_client: AsyncTestClient, supervisor_headers: dict[str, str], supplier: str, db: Database, seed: Seed) -> None:
    text = "number,supplier,sku,quantity,expected_date\nPO-7,SUP,SKU-A,5,2026-12-24\nPO-7,SUP,SKU-B,2,\nPO-8,SUP,SKU-A,1,\n"
    response = await app_client.post("/api/v1/purchase-orders/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 3, "created": 2, "updated": 0}
    assert (await figures(db, seed, "SKU-A")).incoming == 6
    listed = (await app_client.get("/api/v1/purchase-orders", params={"status": "CREATED"}, headers=supervisor_headers)).json()
    po7 = next(order for order in listed if order["number"] == "PO-7")
    assert [(line["sku"], line["quantity_open"]) for line in po7["lines"]] == [("SKU-A", 5), ("SKU-B", 2)]
    assert po7["expected_date"] == "2026-12-24"


async def test_import_purchase_orders_bad_rows(app_client: AsyncTestClient, supervisor_headers: dict[str, str], supplier: str, db: Database) -> None:
    await _create(app_client, supervisor_headers)
    text = (
        "number,supplier,sku,quantity,expected_date\n"
        "PO-1,SUP,SKU-A,5,\n"
        "PO-9,SUP,SKU-Q,2,\n"
        "PO-9,OTHER,SKU-B,0,\n"
        "PO-10,NOBODY,SKU-A,1,24/12/2026\n"
    )
    response = await app_client.post("/api/v1/purchase-orders/import", content=text.encode(), headers={**supervisor_headers, **CSV})
    assert response.status_code == 400
    errors = {(error["line"], error["column"]) for error in response.json()["detail"]["errors"]}
    assert errors == {(2, "number"), (3, "sku"), (4, "supplier"), (4, "quantity"), (5, "supplier"), (5, "expected_date")}
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(PurchaseOrder)) == 1


async def test_receive_against_po_by_scan(app_client: AsyncTestClient, supervisor_headers: dict[str, str], supplier: str, db: Database, seed: Seed) -> None:
    await _create(app_client, supervisor_headers, status="CREATED")
    device = await Device(app_client).sign_in({"pin": seed.operator_pin})
    result = await device.run("receive", {"location": "REC-01", "item": "5400000002649", "quantity": 10, "purchase_order": "PO-1"})
    assert result["status"] == "applied", result
    assert result["result"]["purchase_order_status"] == "RECEIVED"
    fig = await figures(db, seed, "SKU-A")
    assert (fig.on_hand, fig.incoming, fig.available) == (10, 0, 10)


async def test_receipt_history(app_client: AsyncTestClient, supervisor_headers: dict[str, str], operator_headers: dict[str, str], supplier: str) -> None:
    await _create(app_client, supervisor_headers, status="CREATED")
    await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-A", "quantity": 4, "purchase_order": "PO-1"}, headers=operator_headers)
    await app_client.post("/api/v1/receipts", json={"location": "REC-01", "item": "SKU-A", "quantity": 6, "purchase_order": "PO-1"}, headers=operator_headers)
    await app_client.post("/api/v1/receipts", json={"location": "B-01-01", "item": "SKU-B", "quantity": 1}, headers=operator_headers)
    history = (await app_client.get("/api/v1/receipts", params={"purchase_order": "PO-1"}, headers=supervisor_headers)).json()
    assert [(row["location"], row["quantity"]) for row in history] == [("REC-01", 6), ("B-01-01", 4)]
    assert history[0]["putaway_job_id"] is not None
    assert history[1]["putaway_job_id"] is None
    everything = (await app_client.get("/api/v1/receipts", headers=supervisor_headers)).json()
    assert len(everything) == 3
    assert everything[0]["purchase_order"] is None
    unknown = await app_client.get("/api/v1/receipts", params={"purchase_order": "PO-404"}, headers=supervisor_headers)
    assert unknown.status_code == 404
