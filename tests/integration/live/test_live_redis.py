"""Live pushes across two app instances that share Redis, as two server processes would."""

from __future__ import annotations

import dataclasses
import json

import pytest
from websockets.asyncio.client import connect

from app.config import Settings
from app.domain.live.publisher import publish_status_changes
from tests.conftest import REDIS_URL, require_service
from tests.factories import Seed
from tests.integration.live.conftest import serve_in_process, sign_in
from tests.integration.read_api.order_rows import change_status, create_order

pytestmark = [pytest.mark.anyio, pytest.mark.redis]


async def test_change_crosses_instances(settings: Settings, db, seed: Seed) -> None:
    require_service("redis")
    shared = dataclasses.replace(settings, redis_url=REDIS_URL)
    order_id = await create_order(db, seed, "9901", [("SKU-A", 1)])

    async with serve_in_process(shared) as publisher, serve_in_process(shared) as subscriber:
        token = await sign_in(subscriber.url, {"username": seed.supervisor_username, "password": seed.password})
        async with connect(subscriber.ws_url) as socket:
            await socket.send(json.dumps({"type": "auth", "token": token}))
            await socket.send(json.dumps({"type": "subscribe", "order_id": str(order_id)}))
            ready = json.loads(await socket.recv())
            subscribed = json.loads(await socket.recv())

            change = await change_status(db, seed, order_id, "SHIPPED")
            publish_status_changes(publisher.app.state.channels, [change])
            pushed = json.loads(await socket.recv())

    assert ready["type"] == "ready"
    assert subscribed["type"] == "subscribed"
    assert pushed["type"] == "order_status"
    assert pushed["seq"] == change.seq
    assert pushed["status"] == "SHIPPED"
