"""``wms fake-starshipit`` as a separate process: it wires the account's keys and serves the API."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select

from app.db.models import Account
from tests.conftest import ROOT, SECRET_KEY, free_port
from tests.factories import Seed

pytestmark = pytest.mark.anyio


async def test_fake_cli_serves_account(database_url: str, db, seed: Seed) -> None:
    port = free_port()
    env = {**os.environ, "WMS_DATABASE_URL": database_url, "WMS_SECRET_KEY": SECRET_KEY}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "fake-starshipit", "--port", str(port), "--account", "acme", "--api-key", "k1", "--subscription-key", "s1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "Uvicorn running on" in line:
                break
        else:
            raise AssertionError("fake-starshipit exited during start-up:\n" + "".join(output))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            good = await client.get("/api/orders/unshipped", headers={"StarShipIT-Api-Key": "k1", "Ocp-Apim-Subscription-Key": "s1"})
            bad = await client.get("/api/orders/unshipped", headers={"StarShipIT-Api-Key": "k1", "Ocp-Apim-Subscription-Key": "nope"})
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert good.status_code == 200
    assert good.json()["orders"] == []
    assert bad.status_code == 401
    async with db.read() as session:
        account = await session.scalar(select(Account).where(Account.code == "acme"))
    assert (account.api_key, account.subscription_key) == ("k1", "s1")
