"""Fixtures of the outbound tests: the WMS and the fake Starshipit served on loopback in the test's loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar import Litestar

from app.asgi import create_app
from app.db import Database
from app.db.models import Account
from app.starshipit.fake import FakeStarshipit, serve_asgi
from tests.conftest import make_settings
from tests.factories import Seed


@dataclass
class OutboundEnv:
    """A served WMS, a served fake Starshipit wired to its webhook, and an HTTP client on the WMS."""

    fake: FakeStarshipit
    fake_url: str
    wms_url: str
    app: Litestar
    client: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)
    device_seq: int = 0

    async def login(self, body: dict[str, Any]) -> dict[str, str]:
        response = await self.client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}


async def set_account_limits(db: Database, seed: Seed, requests_per_second: int) -> None:
    """Set the seeded account's Starshipit rate limit."""
    async with db.transaction() as session:
        account = await session.get(Account, seed.account_id)
        assert account is not None
        account.requests_per_second = requests_per_second


@pytest.fixture
async def outbound_env(database_url: str, db: Database, seed: Seed) -> AsyncIterator[OutboundEnv]:
    await set_account_limits(db, seed, 20)
    fake = FakeStarshipit()
    async with serve_asgi(fake.app, lifespan="off") as fake_url:
        settings = make_settings(database_url, WMS_STARSHIPIT_BASE_URL=fake_url)
        app = create_app(settings)
        async with serve_asgi(app, lifespan="on") as wms_url:
            fake.add_account(
                "acme",
                "test-api-key",
                "test-subscription-key",
                webhook_url=f"{wms_url}/webhooks/starshipit/acme/orders",
                webhook_secret=seed.webhook_secret,
                requests_per_second=20,
            )
            async with httpx.AsyncClient(base_url=wms_url, timeout=30) as client:
                yield OutboundEnv(fake=fake, fake_url=fake_url, wms_url=wms_url, app=app, client=client)
