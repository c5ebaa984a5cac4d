"""Field case R1 against a running server: a handheld reloads twenty times, then one order changes."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from app.domain.webhooks.signing import SIGNATURE_HEADER, sign_body
from tests.factories import Seed

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

RELOADS = 20
CLOSED_LINE = "live socket closed"


def _order_event(event: str, occurred_at: str) -> bytes:
    envelope = {
        "event": event,
        "event_id": f"r1-{event}",
        "occurred_at": occurred_at,
        "account_id": 42,
        "order": {
            "order_id": 880001,
            "order_number": "R1-1",
            "reference": "reload test",
            "status": "Unshipped",
            "destination": {"name": "Ana Reyes", "city": "Wellington", "country": "NZ"},
            "items": [{"item_id": "it-1", "sku": "SKU-A", "description": "Widget A", "quantity": 2}],
        },
    }
    return json.dumps(envelope).encode()


async def _post_event(client: httpx.AsyncClient, seed: Seed, body: bytes) -> None:
    headers = {SIGNATURE_HEADER: sign_body(seed.webhook_secret, body), "Content-Type": "application/json"}
    response = await client.post(f"/webhooks/starshipit/{seed.account_code}/orders", content=body, headers=headers)
    assert response.status_code == 200, response.text


async def _receive(socket: ClientConnection) -> dict[str, Any]:
    return json.loads(await socket.recv(decode=True))


async def test_reloads_leave_one_subscription(live_server, seed: Seed, db_backend) -> None:
    ws_url = live_server.url.replace("http://", "ws://") + "/ws"
    subscribe = json.dumps({"type": "subscribe", "warehouse_id": str(seed.warehouse_id)})
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        login = await client.post("/api/v1/auth/login", json={"username": seed.supervisor_username, "password": seed.password})
        token = login.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        await _post_event(client, seed, _order_event("order_created", "2026-03-01T09:00:00Z"))
        order = (await client.get("/api/v1/orders", params={"order_number": "R1-1"}, headers=headers)).json()["items"][0]

        # Twenty reloads: each page opens the socket, signs in and subscribes, then is torn down
        # without a closing handshake. Half of them drop before the server has replied.
        for reload in range(RELOADS):
            socket = await connect(ws_url)
            await socket.send(json.dumps({"type": "auth", "token": token}))
            await socket.send(subscribe)
            if reload % 2:
                assert (await _receive(socket))["type"] == "ready"
                assert (await _receive(socket))["type"] == "subscribed"
            socket.transport.abort()
            await socket.wait_closed()

        # Wait until the server has logged every dropped socket as closed.
        await anyio.to_thread.run_sync(live_server.wait_for_output, CLOSED_LINE, RELOADS)
        closed = sum(CLOSED_LINE in line for line in live_server.log)
        assert closed == RELOADS

        async with connect(ws_url) as socket:
            await socket.send(json.dumps({"type": "auth", "token": token}))
            await socket.send(subscribe)
            assert (await _receive(socket))["type"] == "ready"
            assert (await _receive(socket))["type"] == "subscribed"
            stats = (await client.get("/api/v1/live/connections", headers=headers)).json()

            await _post_event(client, seed, _order_event("order_deleted", "2026-03-01T10:00:00Z"))
            change = await _receive(socket)
            await socket.send(json.dumps({"type": "ping"}))
            after = await _receive(socket)

    assert stats["sockets"] == 1
    assert stats["subscriptions"] == 1
    assert stats["channel_subscribers"] == 1
    assert stats["channels"] == {f"warehouse:{seed.warehouse_id}": 1}
    assert change["type"] == "order_status"
    assert change["order_id"] == order["id"]
    assert change["status"] == "CANCELLED"
    assert change["previous_status"] == "PENDING"
    assert after == {"type": "pong"}

    live_server.stop()
    output = "".join(live_server.log)
    assert "Traceback" not in output
    assert "level='error'" not in output
    assert "ERROR" not in output
