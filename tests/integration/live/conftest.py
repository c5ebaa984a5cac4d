"""Fixtures of the live socket tests: the app served by uvicorn inside the test's event loop.

Serving in-process lets a test publish through the app's own channels plugin while a real
WebSocket client talks to it over loopback.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from litestar import Litestar

from app.asgi import create_app
from app.config import Settings
from tests.factories import Seed

RESUME_MAX = 3


@dataclass
class InProcessServer:
    app: Litestar
    url: str
    ws_url: str


@asynccontextmanager
async def serve_in_process(settings: Settings) -> AsyncIterator[InProcessServer]:
    """Serve the app for ``settings`` with uvicorn on a free loopback port until the block ends."""
    app = create_app(settings)
    # Bind and listen before serving: clients that connect early wait in the backlog, so the
    # tests need no start-up wait.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield InProcessServer(app=app, url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port}/ws")
    finally:
        server.should_exit = True
        await task
        listener.close()


@pytest.fixture
async def inproc_server(settings: Settings, seed: Seed) -> AsyncIterator[InProcessServer]:
    async with serve_in_process(dataclasses.replace(settings, status_history_resume_max=RESUME_MAX)) as server:
        yield server


async def sign_in(base_url: str, body: dict) -> str:
    """Return a bearer token from the server at ``base_url``."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return response.json()["token"]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
async def chromium() -> AsyncIterator[object]:
    """Debian's headless Chromium driven by Playwright; skipped (failed under CI) when it is missing."""
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the order board test"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()
