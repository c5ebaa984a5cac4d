"""Concurrent adjustments over real HTTP against a running server (field cases K1 and K2)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.factories import Seed

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

LOCK_ERRORS = ("database is locked", "database table is locked", "deadlock detected")


async def _sign_in(client: httpx.AsyncClient, seed: Seed) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"pin": seed.operator_pin})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _sku_a_on_hand(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get("/api/v1/stock", params={"sku": "SKU-A"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["on_hand"]


def _server_errors(live_server) -> list[str]:
    # The server's output is collected when it stops, so stop it before reading the log.
    live_server.stop()
    lines = "".join(live_server.log).splitlines()
    return [line for line in lines if "Traceback" in line or "level='error'" in line or any(text in line for text in LOCK_ERRORS)]


async def test_twenty_read_then_write(live_server, seed: Seed, db_backend) -> None:
    """K1: twenty requests each read SKU-A's balance, then write a movement; all twenty commit."""
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as client:
        headers = await _sign_in(client, seed)
        before = await _sku_a_on_hand(client, headers)

        async def read_then_adjust(index: int) -> httpx.Response:
            await _sku_a_on_hand(client, headers)
            body = {"sku": "SKU-A", "location": "A-01-01", "quantity_change": 1, "reason_code": "found", "note": f"K1 #{index}"}
            return await client.post("/api/v1/stock/adjustments", json=body, headers=headers)

        responses = await asyncio.gather(*(read_then_adjust(index) for index in range(20)))
        after = await _sku_a_on_hand(client, headers)
        movements = (await client.get("/api/v1/movements", params={"sku": "SKU-A", "limit": 100}, headers=headers)).json()

    assert [response.status_code for response in responses] == [201] * 20
    assert all(not any(text in response.text for text in LOCK_ERRORS) for response in responses)
    assert after == before + 20
    assert len(movements["items"]) == 20
    assert sorted(response.json()["on_hand"] for response in responses) == list(range(before + 1, before + 21))
    assert _server_errors(live_server) == []


async def test_fifty_plus_one_adjustments(live_server, seed: Seed, db_backend) -> None:
    """K2: fifty concurrent +1 adjustments add exactly 50."""
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=live_server.url, limits=limits, timeout=60) as client:
        headers = await _sign_in(client, seed)
        body = {"sku": "SKU-A", "location": "B-01-01", "quantity_change": 1, "reason_code": "correction"}

        responses = await asyncio.gather(*(client.post("/api/v1/stock/adjustments", json=body, headers=headers) for _ in range(50)))
        after = await _sku_a_on_hand(client, headers)

    assert [response.status_code for response in responses] == [201] * 50
    assert after == 50
    assert _server_errors(live_server) == []
