"""Fixtures of the webhook receiver tests: a second Starshipit account and a signed poster."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from httpx import Response

from app.db import Database
from app.db.models import Account
from tests.factories import Seed
from tests.unit.orders.kit import body_of, signed_headers

BETA_SECRET = "beta-secret"

Poster = Callable[..., Awaitable[Response]]


@pytest.fixture
async def beta_account(db: Database, seed: Seed) -> Account:
    """A second account in the same warehouse, with its own secret."""
    async with db.transaction() as session:
        account = Account(code="beta", name="Beta Ltd", webhook_secret=BETA_SECRET, default_warehouse_id=seed.warehouse_id)
        session.add(account)
    return account


@pytest.fixture
def post_event(app_client) -> Poster:
    """Post an envelope (dict) or raw bytes to an account's order or tracking receiver, signed."""

    async def post(value: dict[str, Any] | bytes, *, kind: str = "orders", account: str = "acme", secret: str = "test-secret") -> Response:
        body = value if isinstance(value, bytes) else body_of(value)
        return await app_client.post(f"/webhooks/starshipit/{account}/{kind}", content=body, headers=signed_headers(body, secret))

    return post


class InProcessServer:
    """A uvicorn server in the test's own event loop, so tests can patch the app's modules."""

    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture
async def inprocess_server(settings, seed: Seed):
    """Serve the app over real HTTP from this process's event loop on a loopback port."""
    import asyncio
    import socket

    import uvicorn

    from app.asgi import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening before uvicorn starts means early connections wait in the backlog instead of failing.
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    yield InProcessServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    await task
    sock.close()
