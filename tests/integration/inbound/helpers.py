"""Helpers shared by the inbound, counts, catalog, jobs and replenishment tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from app.db import Database
from app.db.models import StockMovement
from app.domain.auth.schemas import AuthUser
from app.domain.jobs.actor import Actor
from app.domain.stock.figures import get_stock_figures
from app.domain.stock.verify import verify_ledger
from tests.factories import Seed


async def assert_ledger_ok(db: Database) -> None:
    """Fail with every violated ledger rule, if any."""
    async with db.read() as session:
        violations = await verify_ledger(session)
    assert violations == [], "\n".join(str(violation) for violation in violations)


def operator_actor(seed: Seed) -> Actor:
    """Return op1 as the actor of a domain call."""
    assert seed.operator_id is not None
    return Actor(AuthUser(id=seed.operator_id, username="op1", role="operator"))


async def supervisor_actor(db: Database) -> Actor:
    """Return the seeded supervisor as an actor."""
    from app.db.models import User

    async with db.read() as session:
        user = await session.scalar(select(User).where(User.username == "super"))
    assert user is not None
    return Actor(AuthUser(id=user.id, username="super", role="supervisor"))


async def figures(db: Database, seed: Seed, sku: str):  # type: ignore[no-untyped-def]
    """Return the stock figures of one product."""
    async with db.read() as session:
        return (await get_stock_figures(session, [seed.products[sku]]))[seed.products[sku]]


async def movement_count(db: Database, reason: str | None = None) -> int:
    """Count ledger rows, optionally of one reason."""
    async with db.read() as session:
        statement = select(func.count()).select_from(StockMovement)
        if reason:
            statement = statement.where(StockMovement.reason == reason)
        return int(await session.scalar(statement) or 0)


class Device:
    """A handheld that signs in and sends scan commands through ``POST /api/v1/sync``."""

    def __init__(self, client: AsyncTestClient, device_id: str = "HH-IN", operator: str = "op1") -> None:
        self.client = client
        self.device_id = device_id
        self.operator = operator
        self.seq = 0
        self.headers: dict[str, str] = {}

    async def sign_in(self, credentials: dict[str, str]) -> Device:
        """Sign in with a PIN or password on this device."""
        response = await self.client.post("/api/v1/auth/login", json={**credentials, "device_id": self.device_id})
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}
        return self

    def command(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Build the next command of this device."""
        self.seq += 1
        return {
            "command_id": str(uuid.uuid4()),
            "device_id": self.device_id,
            "operator": self.operator,
            "device_seq": self.seq,
            "device_time": datetime.now(UTC).isoformat(),
            "type": kind,
            "payload": payload,
        }

    async def send(self, *commands: dict[str, Any]) -> list[dict[str, Any]]:
        """Send commands in one sync request and return their results in order."""
        response = await self.client.post("/api/v1/sync", json={"device_id": self.device_id, "commands": list(commands)}, headers=self.headers)
        assert response.status_code == 200, response.text
        results = {result["command_id"]: result for result in response.json()["results"]}
        return [results[command["command_id"]] for command in commands]

    async def run(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return its result."""
        return (await self.send(self.command(kind, payload)))[0]
