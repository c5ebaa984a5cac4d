"""Offline replay against a real server: concurrent flushes, lost responses and concurrent devices."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import anyio
import httpx
import msgspec
import pytest
from sqlalchemy import func, select

from app.db import Database
from app.db.models import MovementReason, StockMovement
from app.domain.stock.verify import verify_ledger
from tests.conftest import LiveServer
from tests.factories import Seed, on_hand
from tests.integration.sync.conftest import ServerLog, batch, command

pytestmark = pytest.mark.anyio


async def sign_in(client: httpx.AsyncClient, seed: Seed, device_id: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"pin": seed.operator_pin, "device_id": device_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def assert_ledger_verified(db: Database) -> None:
    async with db.read() as session:
        assert await verify_ledger(session) == []


async def movements(db: Database, reason: MovementReason) -> list[StockMovement]:
    async with db.read() as session:
        return list((await session.scalars(select(StockMovement).where(StockMovement.reason == reason.value).order_by(StockMovement.id))).all())


@pytest.mark.postgres
@pytest.mark.parametrize(("receive_type", "putaway_type"), [("receive", "putaway"), ("test_receive", "test_putaway")])
async def test_s1_concurrent_flushes(
    sync_server: LiveServer, sync_server_log: ServerLog, db: Database, seed: Seed, receive_type: str, putaway_type: str
) -> None:
    # The floor flows' own receive and putaway, and the minimal test-only pair that books the same two movements.
    device = "HH-S1"
    receive = command(receive_type, {"location": "REC-01", "item": "SKU-A", "quantity": 5}, 1, device_id=device)
    putaway = command(putaway_type, {"from_location": "REC-01", "item": "SKU-A", "quantity": 5, "to_location": "A-01-01"}, 2, device_id=device)
    answers: dict[str, dict] = {}

    async with httpx.AsyncClient(base_url=sync_server.url, timeout=60) as client:
        headers = await sign_in(client, seed, device)

        async def flush(name: str, *commands: dict) -> None:
            response = await client.post("/api/v1/sync", json=batch(device, *commands), headers=headers)
            assert response.status_code == 200, response.text
            answers[name] = response.json()

        async with anyio.create_task_group() as group:
            # Two flushes of the same queue start at once.
            group.start_soon(flush, "first", receive, putaway)
            group.start_soon(flush, "second", receive, putaway)
            # A third scan is captured while they run; the next flush carries the whole queue.
            await sync_server_log.wait_for(f"device_id='{device}' user='op1' commands=2")
            scan = command("adjust", {"location": "B-01-01", "item": "SKU-B", "quantity_change": 1, "reason_code": "found"}, 3, device_id=device)
            group.start_soon(flush, "third", receive, putaway, scan)

    def statuses(command_id: str) -> list[str]:
        return sorted(result["status"] for answer in answers.values() for result in answer["results"] if result["command_id"] == command_id)

    applied = {"applied", "applied_with_warning"}
    receive_statuses = statuses(receive["command_id"])
    putaway_statuses = statuses(putaway["command_id"])
    assert receive_statuses[0] in applied, receive_statuses
    assert receive_statuses[1:] == ["duplicate", "duplicate"]
    assert putaway_statuses[0] in applied, putaway_statuses
    assert putaway_statuses[1:] == ["duplicate", "duplicate"]
    assert statuses(scan["command_id"]) == ["applied"]
    receive_answers = [result for answer in answers.values() for result in answer["results"] if result["command_id"] == receive["command_id"]]
    assert len({msgspec.json.encode(result["result"]) for result in receive_answers}) == 1
    assert len({msgspec.json.encode(result["warnings"]) for result in receive_answers}) == 1
    assert answers["third"]["last_seq"] == 3
    assert answers["third"]["gaps"] == []

    receipts = await movements(db, MovementReason.RECEIPT)
    putaways = await movements(db, MovementReason.PUTAWAY)
    adjustments = await movements(db, MovementReason.ADJUSTMENT)
    assert len(receipts) == 1
    assert len(putaways) == 1
    assert len(adjustments) == 1
    # Applied in device order: receipt, then putaway, then the new scan.
    assert receipts[0].id < putaways[0].id < adjustments[0].id
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 0
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 5
    await assert_ledger_verified(db)


def post_and_hang_up(url: str, body: bytes, token: str) -> None:
    """Send a sync request over a raw socket and close it without reading the response."""
    parts = urlsplit(url)
    request = (
        f"POST /api/v1/sync HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection((parts.hostname, parts.port)) as connection:
        connection.sendall(request)


@pytest.mark.postgres
async def test_s2_lost_answer_resend(sync_server: LiveServer, sync_server_log: ServerLog, db: Database, seed: Seed) -> None:
    device = "HH-S2"
    scan = command("adjust", {"location": "B-01-01", "item": "SKU-A", "quantity_change": 4, "reason_code": "found"}, 1, device_id=device)
    async with httpx.AsyncClient(base_url=sync_server.url, timeout=60) as client:
        headers = await sign_in(client, seed, device)
        token = headers["Authorization"].removeprefix("Bearer ")
        body = msgspec.json.encode(batch(device, scan))
        # The connection drops before the response arrives; the server still commits.
        await anyio.to_thread.run_sync(post_and_hang_up, sync_server.url, body, token)
        await sync_server_log.wait_for(f"event='sync batch finished' device_id='{device}'")
        assert await on_hand(db, seed, "SKU-A", "B-01-01") == 4
        response = await client.post("/api/v1/sync", content=body, headers={**headers, "Content-Type": "application/json"})
    result = response.json()["results"][0]
    assert result["status"] == "duplicate"
    assert result["original_status"] == "applied"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 4
    assert len(await movements(db, MovementReason.ADJUSTMENT)) == 1


@pytest.mark.postgres
async def test_k2_fifty_adjustments(sync_server: LiveServer, sync_server_log: ServerLog, db: Database, seed: Seed) -> None:
    statuses: list[str] = []
    async with httpx.AsyncClient(base_url=sync_server.url, timeout=120, limits=httpx.Limits(max_connections=50)) as client:
        headers = await sign_in(client, seed, "HH-K2-00")

        async def adjust_once(number: int) -> None:
            device = f"HH-K2-{number:02d}"
            scan = command("adjust", {"location": "B-01-01", "item": "SKU-A", "quantity_change": 1, "reason_code": "found"}, 1, device_id=device)
            response = await client.post("/api/v1/sync", json=batch(device, scan), headers=headers)
            assert response.status_code == 200, response.text
            statuses.append(response.json()["results"][0]["status"])

        async with anyio.create_task_group() as group:
            for number in range(50):
                group.start_soon(adjust_once, number)
    assert statuses == ["applied"] * 50
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 50
    async with db.read() as session:
        count = await session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.reason == "adjustment"))
    assert count == 50
    await assert_ledger_verified(db)


@pytest.mark.postgres
async def test_flushes_never_interleave(db_backend: str, database_url: str, sync_server: LiveServer, db: Database, seed: Seed) -> None:
    if db_backend != "postgres":
        pytest.skip("several server processes share one database only on PostgreSQL")
    # A second server process on the same database: the flush lock must hold across processes.
    second = LiveServer(database_url, env={"WMS_EXTRA_COMMAND_MODULES": "tests.integration.sync.command_types"})
    second.start()
    ServerLog(second)
    device = "HH-TWO"
    scans = [
        command("adjust", {"location": "B-01-01", "item": "SKU-A", "quantity_change": 1, "reason_code": "found"}, seq, device_id=device)
        for seq in range(1, 41)
    ]
    try:
        async with httpx.AsyncClient(timeout=120) as client:
            login = await client.post(f"{sync_server.url}/api/v1/auth/login", json={"pin": seed.operator_pin, "device_id": device})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}

            async def flush(url: str, commands: list[dict]) -> None:
                response = await client.post(f"{url}/api/v1/sync", json=batch(device, *commands), headers=headers)
                assert response.status_code == 200, response.text

            async with anyio.create_task_group() as group:
                group.start_soon(flush, sync_server.url, scans[:20])
                group.start_soon(flush, second.url, scans[20:])
    finally:
        second.stop()

    async with db.read() as session:
        rows = (await session.execute(select(StockMovement.id, StockMovement.command_id).order_by(StockMovement.id))).all()
    first_half = {scan["command_id"] for scan in scans[:20]}
    owners = [str(row.command_id) in first_half for row in rows]
    assert len(owners) == 40
    # One flush applied all its commands before the other started: the owners switch once.
    switches = sum(1 for before, after in zip(owners, owners[1:]) if before != after)
    assert switches == 1
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 40
