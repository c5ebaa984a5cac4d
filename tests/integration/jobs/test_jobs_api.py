"""Job board: assignment, start, pause with a reason, resume, complete, cancel."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from app.db import Database
from app.domain.jobs.services import JobLineSpec, create_job
from tests.factories import Seed

pytestmark = pytest.mark.anyio


async def _job(db: Database, seed: Seed, lines: int = 1) -> str:
    async with db.transaction() as session:
        job = await create_job(
            session,
            warehouse_id=seed.warehouse_id,
            job_type="PUTAWAY",
            lines=[JobLineSpec(product_id=seed.products["SKU-A"], quantity=2, from_location_id=seed.locations["REC-01"]) for _ in range(lines)],
        )
    return str(job.id)


async def test_claim_start_pause_resume(app_client: AsyncTestClient, operator_headers: dict[str, str], seed: Seed, db: Database) -> None:
    job_id = await _job(db, seed)
    claimed = await app_client.post(f"/api/v1/jobs/{job_id}/assign", json={}, headers=operator_headers)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "ASSIGNED"
    assert claimed.json()["assigned_to_id"] == str(seed.operator_id)
    started = await app_client.post(f"/api/v1/jobs/{job_id}/start", headers=operator_headers)
    assert started.json()["status"] == "IN_PROGRESS"
    no_reason = await app_client.post(f"/api/v1/jobs/{job_id}/pause", json={"reason": "  "}, headers=operator_headers)
    assert no_reason.status_code == 400
    paused = await app_client.post(f"/api/v1/jobs/{job_id}/pause", json={"reason": "forklift blocked"}, headers=operator_headers)
    assert (paused.json()["status"], paused.json()["pause_reason"]) == ("PAUSED", "forklift blocked")
    start_paused = await app_client.post(f"/api/v1/jobs/{job_id}/start", headers=operator_headers)
    assert start_paused.status_code == 409
    resumed = await app_client.post(f"/api/v1/jobs/{job_id}/resume", headers=operator_headers)
    assert (resumed.json()["status"], resumed.json()["pause_reason"]) == ("IN_PROGRESS", "")


async def test_assignment_rules(app_client: AsyncTestClient, operator_headers: dict[str, str], supervisor_headers: dict[str, str], seed: Seed, db: Database) -> None:
    job_id = await _job(db, seed)
    to_super = await app_client.post(f"/api/v1/jobs/{job_id}/assign", json={"username": "super"}, headers=operator_headers)
    assert to_super.status_code == 403
    assigned = await app_client.post(f"/api/v1/jobs/{job_id}/assign", json={"username": "super"}, headers=supervisor_headers)
    assert assigned.status_code == 200
    taken = await app_client.post(f"/api/v1/jobs/{job_id}/start", headers=operator_headers)
    assert taken.status_code == 403
    assert taken.json()["code"] == "job_assigned_elsewhere"
    reassigned = await app_client.post(f"/api/v1/jobs/{job_id}/assign", json={"username": "op1"}, headers=supervisor_headers)
    assert reassigned.json()["assigned_to_id"] == str(seed.operator_id)
    unknown = await app_client.post(f"/api/v1/jobs/{job_id}/assign", json={"username": "ghost"}, headers=supervisor_headers)
    assert unknown.status_code == 404


async def test_complete_needs_lines_or_force(app_client: AsyncTestClient, operator_headers: dict[str, str], supervisor_headers: dict[str, str], seed: Seed, db: Database) -> None:
    job_id = await _job(db, seed, lines=2)
    refused = await app_client.post(f"/api/v1/jobs/{job_id}/complete", json={}, headers=operator_headers)
    assert refused.status_code == 409
    assert len(refused.json()["detail"]["open_lines"]) == 2
    forced_by_operator = await app_client.post(f"/api/v1/jobs/{job_id}/complete", json={"force": True}, headers=operator_headers)
    assert forced_by_operator.status_code == 409
    forced = await app_client.post(f"/api/v1/jobs/{job_id}/complete", json={"force": True}, headers=supervisor_headers)
    assert forced.json()["status"] == "COMPLETED"
    after = await app_client.post(f"/api/v1/jobs/{job_id}/pause", json={"reason": "x"}, headers=supervisor_headers)
    assert after.status_code == 409


async def test_cancel_and_fail(app_client: AsyncTestClient, operator_headers: dict[str, str], supervisor_headers: dict[str, str], seed: Seed, db: Database) -> None:
    job_id = await _job(db, seed)
    assert (await app_client.post(f"/api/v1/jobs/{job_id}/cancel", json={}, headers=operator_headers)).status_code == 403
    cancelled = await app_client.post(f"/api/v1/jobs/{job_id}/cancel", json={"reason": "duplicate"}, headers=supervisor_headers)
    assert cancelled.json()["status"] == "CANCELLED"
    other = await _job(db, seed)
    no_reason = await app_client.post(f"/api/v1/jobs/{other}/fail", json={}, headers=operator_headers)
    assert no_reason.status_code == 400
    failed = await app_client.post(f"/api/v1/jobs/{other}/fail", json={"reason": "pallet missing"}, headers=operator_headers)
    assert failed.json()["status"] == "FAILED"


async def test_job_board_filters(app_client: AsyncTestClient, operator_headers: dict[str, str], seed: Seed, db: Database) -> None:
    first = await _job(db, seed)
    await _job(db, seed)
    await app_client.post(f"/api/v1/jobs/{first}/assign", json={}, headers=operator_headers)
    mine = (await app_client.get("/api/v1/jobs", params={"assigned_to_id": str(seed.operator_id)}, headers=operator_headers)).json()
    assert [job["id"] for job in mine] == [first]
    ready = (await app_client.get("/api/v1/jobs", params={"status": "READY"}, headers=operator_headers)).json()
    assert len(ready) == 1
    bad = await app_client.get("/api/v1/jobs", params={"status": "DONE"}, headers=operator_headers)
    assert bad.status_code == 400


async def test_assignment_published_live(app_client: AsyncTestClient, operator_headers: dict[str, str], seed: Seed, db: Database) -> None:
    import anyio
    import msgspec

    job_id = await _job(db, seed)
    channels = app_client.app.state.channels
    async with channels.start_subscription([f"warehouse:{seed.warehouse_id}"]) as subscriber:
        response = await app_client.post(f"/api/v1/jobs/{job_id}/assign", json={}, headers=operator_headers)
        assert response.status_code == 200
        with anyio.fail_after(10):
            async for raw in subscriber.iter_events():
                event = msgspec.json.decode(raw)
                break
    assert event["type"] == "job"
    assert event["job_id"] == job_id
    assert event["status"] == "ASSIGNED"
    assert event["assigned_to_id"] == str(seed.operator_id)
