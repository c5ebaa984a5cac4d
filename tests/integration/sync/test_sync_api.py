"""POST /api/v1/sync: results per command, malformed batches, gaps, operators and devices."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.db import Database
from app.db.models import ScanCommand, StockMovement
from tests.factories import Seed, add_stock, on_hand
from tests.integration.sync.conftest import batch, by_id, command

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


def move(seq: int, quantity: int = 1, *, source: str = "A-01-01", target: str = "A-01-02", item: str = "SKU-A", **extra) -> dict:
    return command("move", {"from_location": source, "item": item, "quantity": quantity, "to_location": target}, seq, **extra)


def adjust(seq: int, change: int, *, location: str = "B-01-01", item: str = "SKU-A", reason: str = "found", **extra) -> dict:
    return command("adjust", {"location": location, "item": item, "quantity_change": change, "reason_code": reason}, seq, **extra)


async def movement_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(StockMovement)) or 0)


async def stored_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(ScanCommand)) or 0)


async def test_move_applied(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    body = batch("HH-1", move(1, 4))
    response = await app_client.post("/api/v1/sync", json=body, headers=device_headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["device_id"] == "HH-1"
    assert answer["last_seq"] == 1
    assert answer["gaps"] == []
    result = answer["results"][0]
    assert result["status"] == "applied"
    assert result["result"]["quantity"] == 4
    assert result["result"]["from_location"] == "A-01-01"
    assert result["result"]["to_location"] == "A-01-02"
    assert result["warnings"] == []
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 6
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 4


async def test_move_gtin_scan(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 3)
    # EAN-13 spelling of SKU-A's GTIN-14.
    body = batch("HH-1", move(1, 2, item="5400000002649"))
    response = await app_client.post("/api/v1/sync", json=body, headers=device_headers)
    assert response.json()["results"][0]["status"] == "applied", response.text
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 2


async def test_adjust_applied(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 7)), headers=device_headers)
    result = response.json()["results"][0]
    assert result["status"] == "applied", response.text
    assert result["result"]["quantity_change"] == 7
    assert result["result"]["reason_code"] == "found"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 7


async def test_adjust_over_operator_limit(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 5000)), headers=device_headers)
    result = response.json()["results"][0]
    assert result["status"] == "rejected"
    assert result["code"] == "adjustment_limit_exceeded"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 0


async def test_duplicate_returns_original(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    body = batch("HH-1", move(1, 2))
    first = (await app_client.post("/api/v1/sync", json=body, headers=device_headers)).json()["results"][0]
    second = (await app_client.post("/api/v1/sync", json=body, headers=device_headers)).json()["results"][0]
    assert first["status"] == "applied"
    assert second["status"] == "duplicate"
    assert second["original_status"] == "applied"
    assert second["result"] == first["result"]
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 2
    assert await movement_count(db) == 2


async def test_duplicate_within_batch(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    first = move(1, 2)
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", first, dict(first)), headers=device_headers)
    statuses = [result["status"] for result in response.json()["results"]]
    assert statuses == ["applied_with_warning", "duplicate"]
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 2


async def test_batch_sorted_by_seq(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    # Seq 2 moves units that only seq 1 brings: sent reversed, it must still apply after seq 1.
    first = adjust(1, 5, location="A-01-01")
    second = move(2, 5)
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", second, first), headers=device_headers)
    results = response.json()["results"]
    assert [result["device_seq"] for result in results] == [1, 2]
    assert [result["status"] for result in results] == ["applied", "applied"]
    assert results[1]["result"]["movement_id"] > results[0]["result"]["movement_id"]


async def test_same_id_other_payload_422(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    original = move(1, 2)
    await app_client.post("/api/v1/sync", json=batch("HH-1", original), headers=device_headers)
    changed = move(1, 3, command_id=original["command_id"])
    fresh = move(2, 1)
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", fresh, changed), headers=device_headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "command_id_reused"
    assert response.json()["detail"]["index"] == 1
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 2
    assert await stored_count(db) == 1


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda body: body["commands"][1].update(type="teleport"), "commands[1].type"),
        (lambda body: body["commands"][1]["payload"].update(quantity_change=2_000_000), "commands[1].payload.quantity_change"),
        (lambda body: body["commands"][1]["payload"].update(quantity_change=0), "commands[1].payload"),
        (lambda body: body["commands"][1]["payload"].pop("item"), "commands[1].payload.item"),
        (lambda body: body["commands"][1]["payload"].update(colour="red"), "commands[1].payload.colour"),
        (lambda body: body["commands"][1].update(device_id="HH-9"), "commands[1].device_id"),
        (lambda body: body["commands"][1].update(device_seq=0), "commands[1].device_seq"),
        (lambda body: body["commands"][1].update(device_seq=1), "commands[1].device_seq"),
        (lambda body: body["commands"][1]["payload"].update(reason_code="stolen"), "commands[1].payload.reason_code"),
    ],
)
async def test_malformed_batch_400(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed, mutate, field: str) -> None:
    body = batch("HH-1", adjust(1, 1), adjust(2, 1))
    mutate(body)
    response = await app_client.post("/api/v1/sync", json=body, headers=device_headers)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]["field"].startswith(field)
    assert await stored_count(db) == 0
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 0


async def test_bad_json_400(app_client: AsyncTestClient, device_headers: dict, db: Database) -> None:
    response = await app_client.post("/api/v1/sync", content=b'{"device_id": "HH-1", "commands": [', headers=device_headers)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]
    assert await stored_count(db) == 0


async def test_batch_over_max_400(app_client: AsyncTestClient, device_headers: dict, db: Database, settings) -> None:
    commands = [adjust(seq, 1) for seq in range(1, settings.sync_batch_max + 2)]
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", *commands), headers=device_headers)
    assert response.status_code == 400
    assert response.json()["detail"]["maximum"] == settings.sync_batch_max
    assert await stored_count(db) == 0


async def test_sync_needs_token(app_client: AsyncTestClient, seed: Seed) -> None:
    response = await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 1)))
    assert response.status_code == 401


async def test_operator_mismatch_rejected(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    body = batch("HH-1", adjust(1, 1, operator="someone-else"), adjust(2, 1))
    results = (await app_client.post("/api/v1/sync", json=body, headers=device_headers)).json()["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["code"] == "operator_mismatch"
    assert results[1]["status"] == "applied"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 1


async def test_gap_reported_and_filled(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    answer = (await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 1), adjust(4, 1)), headers=device_headers)).json()
    assert [result["status"] for result in answer["results"]] == ["applied", "applied"]
    assert answer["gaps"] == [[2, 3]]
    assert answer["last_seq"] == 4
    late = (await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(3, 1)), headers=device_headers)).json()
    assert late["results"][0]["status"] == "applied"
    assert late["gaps"] == [[2, 2]]
    assert late["last_seq"] == 4
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 3


async def test_reused_seq_rejected(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 1)), headers=device_headers)
    result = (await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 2)), headers=device_headers)).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["code"] == "seq_reused"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 1


async def test_rejection_keeps_others(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    body = batch("HH-1", adjust(1, 2), move(2, 1, target="NOWHERE-9"), adjust(3, 3))
    results = (await app_client.post("/api/v1/sync", json=body, headers=device_headers)).json()["results"]
    assert [result["status"] for result in results] == ["applied", "rejected", "applied"]
    assert results[1]["code"] == "unknown_location"
    assert "NOWHERE-9" in results[1]["message"]
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 5


async def test_login_registers_device(app_client: AsyncTestClient, device_headers: dict, supervisor_headers: dict) -> None:
    await app_client.post("/api/v1/sync", json=batch("HH-1", adjust(1, 1), adjust(3, 1), adjust(4, 5000)), headers=device_headers)
    response = await app_client.get("/api/v1/sync/devices", headers=supervisor_headers)
    assert response.status_code == 200, response.text
    devices = {device["device_id"]: device for device in response.json()}
    device = devices["HH-1"]
    assert device["operator"] == "op1"
    assert device["last_seq"] == 4
    assert device["gaps"] == [[2, 2]]
    assert device["pending_rejections"] == 1
    assert device["commands_applied"] == 2
    assert device["last_login"] is not None
    assert device["last_seen"] is not None


async def test_devices_needs_supervisor(app_client: AsyncTestClient, device_headers: dict) -> None:
    response = await app_client.get("/api/v1/sync/devices", headers=device_headers)
    assert response.status_code == 403


async def test_server_error_answers_retry(app_client: AsyncTestClient, device_headers: dict, db: Database, seed: Seed) -> None:
    from tests.integration.sync.command_types import FAILING_SWITCHES

    switch = str(uuid.uuid4())
    FAILING_SWITCHES.add(switch)
    flaky = command("test_flaky", {"switch": switch}, 2)
    body = batch("HH-1", adjust(1, 1), flaky, adjust(3, 1))
    try:
        results = (await app_client.post("/api/v1/sync", json=body, headers=device_headers)).json()["results"]
    finally:
        FAILING_SWITCHES.discard(switch)
    assert [result["status"] for result in results] == ["applied", "retry", "retry"]
    assert await stored_count(db) == 1
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 1
    # The device sends the queued commands again once the fault is gone.
    results = (await app_client.post("/api/v1/sync", json=body, headers=device_headers)).json()["results"]
    assert [result["status"] for result in results] == ["duplicate", "applied", "applied"]
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 2
