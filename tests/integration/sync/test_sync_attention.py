"""The needs-attention list: rejected commands with raw scans, resubmitted or dismissed with a record."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from app.db import Database
from tests.factories import Seed, add_stock, on_hand
from tests.integration.sync.conftest import batch, command

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


def bad_move(seq: int) -> dict:
    return command("move", {"from_location": "A-01-01", "item": "SKU-A", "quantity": 2, "to_location": "A-01-09"}, seq)


async def reject_one(app_client: AsyncTestClient, headers: dict) -> dict:
    rejected = bad_move(1)
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", rejected), headers=headers)
    assert response.json()["results"][0]["status"] == "rejected", response.text
    return rejected


async def test_attention_lists_raw_scans(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict) -> None:
    rejected = await reject_one(app_client, device_headers)
    response = await app_client.get("/api/v1/sync/attention", headers=supervisor_headers)
    assert response.status_code == 200, response.text
    items = response.json()
    assert len(items) == 1
    item = items[0]
    assert item["command_id"] == rejected["command_id"]
    assert item["device_id"] == "HH-1"
    assert item["operator"] == "op1"
    assert item["type"] == "move"
    assert item["payload"]["to_location"] == "A-01-09"
    assert item["code"] == "unknown_location"
    assert item["state"] == "open"


async def test_operator_sees_own_only(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict, seed: Seed) -> None:
    await reject_one(app_client, device_headers)
    own = await app_client.get("/api/v1/sync/attention", headers=device_headers)
    assert len(own.json()) == 1
    # A command sent by the supervisor's own device is not shown to op1.
    other = command("move", {"from_location": "X-1", "item": "SKU-A", "quantity": 1, "to_location": "A-01-01"}, 1, device_id="HH-2", operator="super")
    await app_client.post("/api/v1/sync", json=batch("HH-2", other), headers=supervisor_headers)
    assert len((await app_client.get("/api/v1/sync/attention", headers=supervisor_headers)).json()) == 2
    assert len((await app_client.get("/api/v1/sync/attention", headers=device_headers)).json()) == 1


async def test_resend_stays_rejected(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict) -> None:
    rejected = await reject_one(app_client, device_headers)
    again = await app_client.post("/api/v1/sync", json=batch("HH-1", rejected), headers=device_headers)
    result = again.json()["results"][0]
    assert result["status"] == "duplicate"
    assert result["original_status"] == "rejected"
    assert result["code"] == "unknown_location"
    assert len((await app_client.get("/api/v1/sync/attention", headers=supervisor_headers)).json()) == 1


async def test_resubmit_applies_correction(
    app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict, db: Database, seed: Seed
) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    rejected = await reject_one(app_client, device_headers)
    corrected = {**rejected["payload"], "to_location": "A-01-02"}
    url = f"/api/v1/sync/attention/{rejected['command_id']}/resubmit"
    response = await app_client.post(url, json={"payload": corrected, "note": "label A-01-09 is A-01-02"}, headers=supervisor_headers)
    assert response.status_code == 200, response.text
    item = response.json()
    assert item["state"] == "resubmitted"
    assert item["resolved_by"] == "super"
    assert item["resolution_reason"] == "label A-01-09 is A-01-02"
    assert item["resubmitted_command_id"] is not None
    assert item["resubmitted_result"]["to_location"] == "A-01-02"
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 2
    assert (await app_client.get("/api/v1/sync/attention", headers=supervisor_headers)).json() == []
    history = (await app_client.get("/api/v1/sync/attention?state=all", headers=supervisor_headers)).json()
    assert history[0]["state"] == "resubmitted"
    # A second resolution of the same command is refused.
    second = await app_client.post(url, json={"payload": corrected}, headers=supervisor_headers)
    assert second.status_code == 409
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 2


async def test_resubmit_still_wrong(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict) -> None:
    rejected = await reject_one(app_client, device_headers)
    url = f"/api/v1/sync/attention/{rejected['command_id']}/resubmit"
    response = await app_client.post(url, json={"payload": {**rejected["payload"], "to_location": "NOPE"}}, headers=supervisor_headers)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_location"
    items = (await app_client.get("/api/v1/sync/attention", headers=supervisor_headers)).json()
    assert items[0]["state"] == "open"


async def test_resubmit_bad_payload_400(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict) -> None:
    rejected = await reject_one(app_client, device_headers)
    url = f"/api/v1/sync/attention/{rejected['command_id']}/resubmit"
    response = await app_client.post(url, json={"payload": {**rejected["payload"], "quantity": -1}}, headers=supervisor_headers)
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "payload.quantity"


async def test_dismiss_records_reason(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict) -> None:
    rejected = await reject_one(app_client, device_headers)
    url = f"/api/v1/sync/attention/{rejected['command_id']}/dismiss"
    empty = await app_client.post(url, json={"reason": ""}, headers=supervisor_headers)
    assert empty.status_code == 400
    response = await app_client.post(url, json={"reason": "scanned the wrong label, moved back by hand"}, headers=supervisor_headers)
    assert response.status_code == 200, response.text
    item = response.json()
    assert item["state"] == "dismissed"
    assert item["resolved_by"] == "super"
    assert item["resolved_at"] is not None
    assert item["resolution_reason"] == "scanned the wrong label, moved back by hand"
    devices = (await app_client.get("/api/v1/sync/devices", headers=supervisor_headers)).json()
    assert devices[0]["pending_rejections"] == 0


async def test_resolution_needs_supervisor(app_client: AsyncTestClient, device_headers: dict) -> None:
    rejected = await reject_one(app_client, device_headers)
    response = await app_client.post(f"/api/v1/sync/attention/{rejected['command_id']}/dismiss", json={"reason": "x"}, headers=device_headers)
    assert response.status_code == 403


async def test_resolve_unknown_404(app_client: AsyncTestClient, supervisor_headers: dict) -> None:
    url = "/api/v1/sync/attention/018f0000-0000-7000-8000-000000000000/dismiss"
    response = await app_client.post(url, json={"reason": "x"}, headers=supervisor_headers)
    assert response.status_code == 404
