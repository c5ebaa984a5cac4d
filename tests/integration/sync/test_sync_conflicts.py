"""Conflict rules: a command about something changed since is resolved by what happened physically."""

from __future__ import annotations

from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from app.db import Database
from app.db.models import Discrepancy, Job, JobLine, JobStatus, JobType, Location, User
from app.domain.jobs.services import JobLineSpec, create_job
from app.domain.sync.conflicts import return_units_to_stock
from tests.factories import Seed, add_stock, on_hand
from tests.integration.sync.conftest import batch, command

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


def move(seq: int, quantity: int, source: str, target: str, **payload) -> dict:
    return command("move", {"from_location": source, "item": "SKU-A", "quantity": quantity, "to_location": target, **payload}, seq)


async def sync_one(app_client: AsyncTestClient, headers: dict, body: dict) -> dict:
    response = await app_client.post("/api/v1/sync", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


async def open_discrepancies(db: Database, kind: str) -> list[Discrepancy]:
    async with db.read() as session:
        return list((await session.scalars(select(Discrepancy).where(Discrepancy.kind == kind))).all())


async def make_job(db: Database, seed: Seed, quantity: int = 5, *, assignee: str | None = None, status: str | None = None) -> tuple[UUID, UUID]:
    async with db.transaction() as session:
        job = await create_job(
            session,
            warehouse_id=seed.warehouse_id,
            job_type=JobType.REPLENISHMENT,
            lines=[JobLineSpec(product_id=seed.products["SKU-A"], quantity=quantity, from_location_id=seed.locations["B-01-01"], to_location_id=seed.locations["A-01-01"])],
        )
        if assignee:
            user = await session.scalar(select(User).where(User.username == assignee))
            job.assigned_to_id = user.id
            job.status = JobStatus.ASSIGNED.value
        if status:
            job.status = status
        line_id = (await session.scalars(select(JobLine.id).where(JobLine.job_id == job.id))).one()
        return job.id, line_id


async def load_job_state(db: Database, job_id: UUID) -> tuple[str, int]:
    async with db.read() as session:
        job = await session.get(Job, job_id)
        done = await session.scalar(select(JobLine.quantity_done).where(JobLine.job_id == job_id))
        return job.status, int(done)


async def test_negative_stock_flagged(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    result = await sync_one(app_client, device_headers, batch("HH-1", move(1, 5, "A-01-01", "A-01-02")))
    assert result["status"] == "applied_with_warning"
    assert "count it" in result["warnings"][0]
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == -3
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 5
    flagged = await open_discrepancies(db, "negative_stock")
    assert [discrepancy.quantity for discrepancy in flagged] == [-3]


async def test_archived_target_recorded(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 4)
    async with db.transaction() as session:
        location = await session.get(Location, seed.locations["A-01-02"])
        location.archived = True
    result = await sync_one(app_client, device_headers, batch("HH-1", move(1, 4, "A-01-01", "A-01-02")))
    assert result["status"] == "applied_with_warning"
    assert "archived location A-01-02" in result["warnings"][0]
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 4
    flagged = await open_discrepancies(db, "archived_location")
    assert [(discrepancy.sku, discrepancy.quantity) for discrepancy in flagged] == [("SKU-A", 4)]


async def test_job_progress_counted(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    job_id, line_id = await make_job(db, seed, 5)
    result = await sync_one(app_client, device_headers, batch("HH-1", move(1, 5, "B-01-01", "A-01-01", job_line_id=str(line_id))))
    assert result["status"] == "applied", result
    assert result["result"]["job"]["counted"] is True
    assert await load_job_state(db, job_id) == (JobStatus.COMPLETED.value, 5)


async def test_job_reassigned_counted(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    job_id, line_id = await make_job(db, seed, 5, assignee="super")
    result = await sync_one(app_client, device_headers, batch("HH-1", move(1, 3, "B-01-01", "A-01-01", job_line_id=str(line_id))))
    assert result["status"] == "applied_with_warning"
    assert "assigned to super" in result["warnings"][0]
    assert result["result"]["job"]["counted"] is True
    assert await load_job_state(db, job_id) == (JobStatus.IN_PROGRESS.value, 3)
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 3


async def test_job_cancelled_move_kept(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    job_id, line_id = await make_job(db, seed, 5, status=JobStatus.CANCELLED.value)
    result = await sync_one(app_client, device_headers, batch("HH-1", move(1, 5, "B-01-01", "A-01-01", job_line_id=str(line_id))))
    assert result["status"] == "applied_with_warning"
    assert "cancelled meanwhile" in result["warnings"][0]
    assert result["result"]["job"]["counted"] is False
    assert await load_job_state(db, job_id) == (JobStatus.CANCELLED.value, 0)
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 5


async def test_job_other_product(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-B", "B-01-01", 10)
    job_id, line_id = await make_job(db, seed, 5)
    body = batch("HH-1", command("move", {"from_location": "B-01-01", "item": "SKU-B", "quantity": 2, "to_location": "A-01-01", "job_line_id": str(line_id)}, 1))
    result = await sync_one(app_client, device_headers, body)
    assert result["status"] == "applied_with_warning"
    assert "another product" in result["warnings"][0]
    assert await load_job_state(db, job_id) == (JobStatus.READY.value, 0)
    assert await on_hand(db, seed, "SKU-B", "A-01-01") == 2


async def test_unknown_barcode_rejected(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict, db: Database, seed: Seed) -> None:
    body = batch("HH-1", command("adjust", {"location": "A-01-01", "item": "99999999999997", "quantity_change": 1, "reason_code": "found"}, 1))
    result = await sync_one(app_client, device_headers, body)
    assert result["status"] == "rejected"
    assert result["code"] == "unknown_barcode"
    items = (await app_client.get("/api/v1/sync/attention", headers=supervisor_headers)).json()
    assert [item["payload"]["item"] for item in items] == ["99999999999997"]


async def test_picked_units_return_job(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    # Units picked into a tote for an order cancelled meanwhile stay in the tote, with a job to return them.
    await add_stock(db, seed, "SKU-A", "TOTE-01", 3)
    async with db.transaction() as session:
        job_id = await return_units_to_stock(
            session,
            warehouse_id=seed.warehouse_id,
            product_id=seed.products["SKU-A"],
            units=3,
            held_at_location_id=seed.locations["TOTE-01"],
            return_to_location_id=seed.locations["A-01-01"],
            batch="",
            reference_type="order",
            reference_id="1002",
        )
    async with db.read() as session:
        job = await session.get(Job, job_id)
        line = (await session.scalars(select(JobLine).where(JobLine.job_id == job_id))).one()
    assert job.type == JobType.RETURN_TO_STOCK.value
    assert job.status == JobStatus.READY.value
    assert line.quantity == 3
    assert line.from_location_id == seed.locations["TOTE-01"]
    assert line.to_location_id == seed.locations["A-01-01"]
    # Carrying the units back with a move against the job completes it.
    result = await sync_one(app_client, device_headers, batch("HH-1", move(1, 3, "TOTE-01", "A-01-01", job_line_id=str(line.id))))
    assert result["status"] == "applied", result
    assert await load_job_state(db, job_id) == (JobStatus.COMPLETED.value, 3)
    assert await on_hand(db, seed, "SKU-A", "TOTE-01") == 0
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 3
