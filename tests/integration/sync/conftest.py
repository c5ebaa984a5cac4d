"""Fixtures of the sync tests: command builders, a device sign-in and a live server with test types."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest
from litestar.testing import AsyncTestClient

import tests.integration.sync.command_types  # noqa: F401  registers the test-only command types
from tests.conftest import LiveServer
from tests.factories import Seed

TEST_COMMAND_MODULE = "tests.integration.sync.command_types"


def command(kind: str, payload: dict[str, Any], seq: int, *, device_id: str = "HH-1", operator: str = "op1", command_id: str | None = None) -> dict[str, Any]:
    """Build one scan command as a device sends it."""
    return {
        "command_id": command_id or str(uuid.uuid4()),
        "device_id": device_id,
        "operator": operator,
        "device_seq": seq,
        "device_time": datetime.now(UTC).isoformat(),
        "type": kind,
        "payload": payload,
    }


def batch(device_id: str, *commands: dict[str, Any]) -> dict[str, Any]:
    """Wrap commands in a sync request body."""
    return {"device_id": device_id, "commands": list(commands)}


def by_id(response_json: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Index a sync answer's results by command id."""
    return {result["command_id"]: result for result in response_json["results"]}


@pytest.fixture
async def device_headers(app_client: AsyncTestClient, seed: Seed) -> dict[str, str]:
    """Sign op1 in on device HH-1, which registers the device."""
    response = await app_client.post("/api/v1/auth/login", json={"pin": seed.operator_pin, "device_id": "HH-1"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def sync_server(database_url: str, seed: Seed) -> Iterator[LiveServer]:
    """A live ``wms serve`` that also registers the test-only command types."""
    server = LiveServer(database_url, env={"WMS_EXTRA_COMMAND_MODULES": TEST_COMMAND_MODULE})
    server.start()
    yield server
    server.stop()


class ServerLog:
    """Waits for lines of a live server's output, which the server fixture drains on a thread."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    @property
    def lines(self) -> list[str]:
        """Every output line read so far."""
        return self.server.log

    def wait_for_sync(self, text: str, timeout: float = 60.0) -> str:
        """Block until a line containing ``text`` appears; raise TimeoutError naming it otherwise."""
        return self.server.wait_for_output(text, timeout=timeout)

    async def wait_for(self, text: str, timeout: float = 60.0) -> str:
        """Wait, without blocking the event loop, for a server line containing ``text``."""
        return await anyio.to_thread.run_sync(self.wait_for_sync, text, timeout)


@pytest.fixture
def sync_server_log(sync_server: LiveServer) -> ServerLog:
    return ServerLog(sync_server)
