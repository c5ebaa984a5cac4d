"""The live socket /ws against the app served in-process: auth, live changes, resume and resync."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.domain.live.publisher import TrackingChange, publish_status_changes, publish_tracking_change
from tests.factories import Seed
from tests.integration.live.conftest import RESUME_MAX, InProcessServer, sign_in
from tests.integration.read_api.order_rows import change_status, create_order

pytestmark = pytest.mark.anyio

RECEIVE_TIMEOUT = 10


async def _receive(socket: ClientConnection) -> dict[str, Any]:
    return json.loads(await socket.recv(decode=True))


async def _open(server: InProcessServer, seed: Seed) -> ClientConnection:
    token = await sign_in(server.url, {"username": seed.supervisor_username, "password": seed.password})
    socket = await connect(server.ws_url, open_timeout=RECEIVE_TIMEOUT)
    await socket.send(json.dumps({"type": "auth", "token": token}))
    ready = await _receive(socket)
    assert ready == {"type": "ready", "username": "super", "role": "supervisor"}
    return socket


async def _subscribe(socket: ClientConnection, **fields: Any) -> list[dict[str, Any]]:
    """Subscribe and return every message up to and including the acknowledgement."""
    await socket.send(json.dumps({"type": "subscribe", **{key: str(value) if key != "last_seq" else value for key, value in fields.items()}}))
    messages = []
    while True:
        message = await _receive(socket)
        messages.append(message)
        if message["type"] in ("subscribed", "error"):
            return messages


async def test_live_change_pushed(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9001", [("SKU-A", 1)])
    socket = await _open(inproc_server, seed)

    [ack] = await _subscribe(socket, warehouse_id=seed.warehouse_id)
    change = await change_status(db, seed, order_id, "RELEASED")
    publish_status_changes(inproc_server.app.state.channels, [change])
    pushed = await _receive(socket)
    await socket.close()

    assert ack["type"] == "subscribed"
    assert ack["channel"] == f"warehouse:{seed.warehouse_id}"
    assert ack["resumed"] == 0
    assert ack["last_seq"] == change.seq - 1
    assert pushed["type"] == "order_status"
    assert pushed["seq"] == change.seq
    assert pushed["order_id"] == str(order_id)
    assert pushed["order_number"] == "9001"
    assert pushed["status"] == "RELEASED"
    assert pushed["previous_status"] == "PENDING"
    assert pushed["warehouse_id"] == str(seed.warehouse_id)
    assert pushed["at"]


async def test_token_in_query(inproc_server: InProcessServer, seed: Seed) -> None:
    token = await sign_in(inproc_server.url, {"pin": seed.operator_pin})

    async with connect(f"{inproc_server.ws_url}?token={token}") as socket:
        ready = await _receive(socket)

    assert ready == {"type": "ready", "username": "op1", "role": "operator"}


async def test_bad_token_closes(inproc_server: InProcessServer) -> None:
    async with connect(inproc_server.ws_url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": "not-a-token"}))
        error = await _receive(socket)
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()

    assert error["type"] == "error"
    assert error["code"] == "not_authenticated"
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_subscribe_before_auth_rejected(inproc_server: InProcessServer, seed: Seed) -> None:
    async with connect(inproc_server.ws_url) as socket:
        await socket.send(json.dumps({"type": "subscribe", "warehouse_id": str(seed.warehouse_id)}))
        error = await _receive(socket)

    assert error["code"] == "not_authenticated"
    assert "auth" in error["message"]


async def test_bad_messages_get_errors(inproc_server: InProcessServer, seed: Seed) -> None:
    socket = await _open(inproc_server, seed)

    await socket.send("{not json")
    invalid_json = await _receive(socket)
    await socket.send(json.dumps({"type": "dance"}))
    unknown_type = await _receive(socket)
    [both_ids] = await _subscribe(socket, warehouse_id=seed.warehouse_id, order_id=seed.warehouse_id)
    [bad_seq] = await _subscribe(socket, warehouse_id=seed.warehouse_id, last_seq=-4)
    [missing] = await _subscribe(socket, order_id="0190a000-0000-7000-8000-000000000000")
    await socket.send(json.dumps({"type": "ping"}))
    pong = await _receive(socket)
    await socket.close()

    assert invalid_json["code"] == "invalid_json"
    assert unknown_type["code"] == "invalid_message"
    assert "dance" in unknown_type["message"]
    assert both_ids["code"] == "invalid_subscription"
    assert bad_seq["code"] == "invalid_message"
    assert "last_seq" in bad_seq["message"]
    assert missing["code"] == "not_found"
    assert pong == {"type": "pong"}


async def test_resume_from_seq(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9101", [("SKU-A", 1)])
    released = await change_status(db, seed, order_id, "RELEASED")
    shipped = await change_status(db, seed, order_id, "SHIPPED")
    socket = await _open(inproc_server, seed)

    messages = await _subscribe(socket, warehouse_id=seed.warehouse_id, last_seq=released.seq - 1)
    await socket.close()

    assert [(message["type"], message.get("seq")) for message in messages] == [
        ("order_status", released.seq),
        ("order_status", shipped.seq),
        ("subscribed", None),
    ]
    assert messages[1]["status"] == "SHIPPED"
    assert messages[1]["previous_status"] == "RELEASED"
    assert messages[2]["resumed"] == 2
    assert messages[2]["last_seq"] == shipped.seq


async def test_resume_by_order(inproc_server: InProcessServer, db, seed: Seed) -> None:
    first = await create_order(db, seed, "9201", [("SKU-A", 1)])
    second = await create_order(db, seed, "9202", [("SKU-B", 1)])
    await change_status(db, seed, second, "CANCELLED")
    released = await change_status(db, seed, first, "RELEASED")
    socket = await _open(inproc_server, seed)

    messages = await _subscribe(socket, order_id=first, last_seq=0)
    await socket.close()

    assert [message["status"] for message in messages[:-1]] == ["PENDING", "RELEASED"]
    assert messages[1]["seq"] == released.seq
    assert messages[-1]["resumed"] == 2


async def test_resync_when_too_old(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9301", [("SKU-A", 1)])
    for status in ("RELEASED", "PENDING", "RELEASED", "SHIPPED"):
        last = await change_status(db, seed, order_id, status)
    socket = await _open(inproc_server, seed)

    messages = await _subscribe(socket, warehouse_id=seed.warehouse_id, last_seq=0)
    await socket.close()

    assert [message["type"] for message in messages] == ["resync", "subscribed"]
    assert messages[0]["missed"] == 5
    assert messages[0]["max_replay"] == RESUME_MAX
    assert messages[0]["last_seq"] == last.seq
    assert messages[1]["resumed"] == 0


async def test_resync_on_future_seq(inproc_server: InProcessServer, db, seed: Seed) -> None:
    await create_order(db, seed, "9401", [("SKU-A", 1)])
    socket = await _open(inproc_server, seed)

    messages = await _subscribe(socket, warehouse_id=seed.warehouse_id, last_seq=10_000)
    await socket.close()

    assert [message["type"] for message in messages] == ["resync", "subscribed"]


async def test_overlapping_subscriptions_deliver_once(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9501", [("SKU-A", 1)])
    socket = await _open(inproc_server, seed)
    await _subscribe(socket, warehouse_id=seed.warehouse_id)
    await _subscribe(socket, order_id=order_id)

    changes = []
    for status in ("RELEASED", "PARTIALLY_SHIPPED", "SHIPPED"):
        change = await change_status(db, seed, order_id, status)
        publish_status_changes(inproc_server.app.state.channels, [change])
        changes.append(change)
    received = [await _receive(socket) for _ in changes]
    await socket.send(json.dumps({"type": "ping"}))
    after = await _receive(socket)
    await socket.close()

    assert [message["seq"] for message in received] == [change.seq for change in changes]
    assert after == {"type": "pong"}


async def test_resume_skips_replayed_live_event(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9601", [("SKU-A", 1)])
    socket = await _open(inproc_server, seed)
    replayed = await change_status(db, seed, order_id, "RELEASED")

    # The first change is both in the history (replayed on subscribe) and published live
    # afterwards; the second is only live. One subscription delivers in publish order, so a
    # repeated first change would arrive before the second.
    messages = await _subscribe(socket, warehouse_id=seed.warehouse_id, last_seq=replayed.seq - 1)
    fresh = await change_status(db, seed, order_id, "SHIPPED")
    publish_status_changes(inproc_server.app.state.channels, [replayed, fresh])
    next_message = await _receive(socket)
    await socket.close()

    assert [message.get("seq") for message in messages] == [replayed.seq, None]
    assert next_message["seq"] == fresh.seq


async def test_close_releases_subscriptions(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9701", [("SKU-A", 1)])
    token = await sign_in(inproc_server.url, {"username": seed.supervisor_username, "password": seed.password})
    headers = {"Authorization": f"Bearer {token}"}
    socket = await _open(inproc_server, seed)
    await _subscribe(socket, warehouse_id=seed.warehouse_id)
    await _subscribe(socket, order_id=order_id)

    async with httpx.AsyncClient(base_url=inproc_server.url) as client:
        during = (await client.get("/api/v1/live/connections", headers=headers)).json()
        # Drop the TCP connection without a closing handshake, as a reloading page does.
        socket.transport.abort()
        await socket.wait_closed()
        registry = inproc_server.app.state.live_registry
        for _ in range(1000):
            if not registry.sockets:
                break
            # Each request gives the server's event loop a turn to notice the dropped socket.
            await client.get("/health")
        after = (await client.get("/api/v1/live/connections", headers=headers)).json()

    assert during["sockets"] == 1
    assert during["subscriptions"] == 2
    assert during["channel_subscribers"] == 2
    assert after == {"sockets": 0, "authenticated_sockets": 0, "subscriptions": 0, "channel_subscribers": 0, "channels": {}}


async def test_connections_supervisor_only(inproc_server: InProcessServer, seed: Seed) -> None:
    token = await sign_in(inproc_server.url, {"pin": seed.operator_pin})

    async with httpx.AsyncClient(base_url=inproc_server.url) as client:
        response = await client.get("/api/v1/live/connections", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403


async def test_tracking_change_pushed_once(inproc_server: InProcessServer, db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "9801", [("SKU-A", 1)])
    socket = await _open(inproc_server, seed)
    await _subscribe(socket, warehouse_id=seed.warehouse_id)
    await _subscribe(socket, order_id=order_id)
    channels = inproc_server.app.state.channels

    tracking = TrackingChange(
        order_id=order_id,
        order_number="9801",
        tracking_status="Delivered",
        tracking_number="TRK-1",
        at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        warehouse_id=seed.warehouse_id,
    )
    publish_tracking_change(channels, tracking)
    first = await _receive(socket)
    # A status change published after it on one channel only shows whether a repeat came first.
    change = await change_status(db, seed, order_id, "SHIPPED")
    channels.publish(msgspec.json.encode(change), [f"warehouse:{seed.warehouse_id}"])
    second = await _receive(socket)
    await socket.close()

    assert first["type"] == "order_tracking"
    assert first["tracking_status"] == "Delivered"
    assert first["order_id"] == str(order_id)
    assert second["type"] == "order_status"
    assert second["seq"] == change.seq


async def test_expired_token_closes_socket(inproc_server: InProcessServer, seed: Seed) -> None:
    jwt_auth = inproc_server.app.state.jwt_auth
    token = jwt_auth.create_token(
        identifier=str(seed.operator_id), token_expiration=timedelta(seconds=1), token_extras={"username": "op1", "role": "operator"}
    )

    async with connect(inproc_server.ws_url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": token}))
        ready = await _receive(socket)
        # No message is sent: the server closes the socket when the token expires.
        expired = await _receive(socket)
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()

    assert ready["type"] == "ready"
    assert expired["code"] == "not_authenticated"
    assert "expired" in expired["message"]
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
