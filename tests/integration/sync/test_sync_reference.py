"""GET /api/v1/sync/reference: everything at first, then deltas since the cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from app.db import Database
from app.db.models import Job, JobLine, JobStatus, JobType, Location, Product, ProductBarcode
from app.domain.jobs.services import JobLineSpec, create_job
from app.domain.sync.reference import CURSOR_OVERLAP
from app.lib.timeutil import utcnow
from tests.factories import Seed

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


async def age_everything(db: Database) -> None:
    # Push every row's updated_at behind the overlap window, as if it changed long ago.
    past = utcnow() - CURSOR_OVERLAP - timedelta(minutes=5)
    async with db.transaction() as session:
        for model in (Location, Product, ProductBarcode, Job, JobLine):
            await session.execute(update(model).values(updated_at=past))


async def test_reference_full(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        await create_job(session, warehouse_id=seed.warehouse_id, job_type=JobType.PUTAWAY,
                         lines=[JobLineSpec(product_id=seed.products["SKU-A"], quantity=5, from_location_id=seed.locations["REC-01"])])
    response = await app_client.get("/api/v1/sync/reference", headers=device_headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["full"] is True
    assert data["cursor"].startswith("v1:")
    products = {product["sku"]: product for product in data["products"]}
    assert set(products) == {"SKU-A", "SKU-B", "SKU-C"}
    assert products["SKU-A"]["barcodes"] == [{"code": "05400000002649", "units": 1, "kind": "GTIN"}]
    assert {location["code"] for location in data["locations"]} >= {"REC-01", "A-01-01", "TOTE-01"}
    assert len(data["jobs"]) == 1
    assert data["jobs"][0]["lines"][0]["quantity"] == 5


async def test_reference_delta(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        job = await create_job(session, warehouse_id=seed.warehouse_id, job_type=JobType.PUTAWAY,
                               lines=[JobLineSpec(product_id=seed.products["SKU-A"], quantity=5)])
        job_id = job.id
    first = (await app_client.get("/api/v1/sync/reference", headers=device_headers)).json()
    await age_everything(db)
    async with db.transaction() as session:
        location = await session.get(Location, seed.locations["B-01-02"])
        location.archived = True
        session.add(ProductBarcode(product_id=seed.products["SKU-B"], code="10060383042407", kind="GTIN", units=12))
        closed = await session.get(Job, job_id)
        closed.status = JobStatus.CANCELLED.value
    response = await app_client.get("/api/v1/sync/reference", params={"since": first["cursor"]}, headers=device_headers)
    delta = response.json()
    assert delta["full"] is False
    assert [location["code"] for location in delta["locations"]] == ["B-01-02"]
    assert delta["locations"][0]["archived"] is True
    assert [product["sku"] for product in delta["products"]] == ["SKU-B"]
    assert {barcode["units"] for barcode in delta["products"][0]["barcodes"]} == {1, 12}
    assert delta["jobs"] == []
    assert delta["closed_job_ids"] == [str(job_id)]


async def test_reference_bad_cursor(app_client: AsyncTestClient, device_headers: dict) -> None:
    response = await app_client.get("/api/v1/sync/reference", params={"since": "yesterday"}, headers=device_headers)
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "since"
