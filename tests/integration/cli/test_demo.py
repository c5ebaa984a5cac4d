"""wms demo: the demo warehouse, its credentials, a second run, and the server it starts."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.config import load_settings
from app.db import Database
from app.db.models import Account, Location, Product, ProductBarcode, StockMovement, User
from app.demo.catalog import gtin_check_digit, make_gtin13, make_gtin14
from tests.integration.cli.conftest import WmsProcess, run_wms

pytestmark = pytest.mark.anyio

DEMO_ENV = {"WMS_DEMO_WEBHOOK_SECRET": "demo-webhook-secret", "WMS_DEMO_PASSWORD": "demo-password-1"}


async def _counts(url: str) -> dict[str, int]:
    database = Database(load_settings({"WMS_DATABASE_URL": url}))
    try:
        async with database.read() as session:
            counts = {}
            for name, model in (("accounts", Account), ("locations", Location), ("products", Product), ("movements", StockMovement), ("users", User)):
                counts[name] = int(await session.scalar(select(func.count()).select_from(model)) or 0)
            return counts
    finally:
        await database.dispose()


async def _barcodes(url: str) -> list[tuple[str, int]]:
    database = Database(load_settings({"WMS_DATABASE_URL": url}))
    try:
        async with database.read() as session:
            return [(row.code, row.units) for row in (await session.execute(select(ProductBarcode.code, ProductBarcode.units))).all()]
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("data", "check"),
    [("756755439438", "0"), ("0871913900574", "0"), ("30045054910", "5"), ("540000000264", "9"), ("1234567", "0")],
)
def test_gtin_check_digit_known(data: str, check: str) -> None:
    assert gtin_check_digit(data) == check


def test_gtin14_case_code() -> None:
    assert make_gtin14(1, "7567554394380") == "17567554394387"
    assert make_gtin13("9421901", 1) == "9421901000011"


async def test_demo_builds_warehouse(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"

    result = run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url, **DEMO_ENV}, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    counts = await _counts(url)
    assert counts["accounts"] == 1
    assert 18 <= counts["locations"] <= 24
    assert counts["products"] == 50
    assert counts["users"] == 2
    assert "secret        demo-webhook-secret" in result.stdout
    assert "username supervisor, password demo-password-1" in result.stdout
    assert "/webhooks/starshipit/demo/orders" in result.stdout
    assert "/webhooks/starshipit/demo/tracking" in result.stdout


async def test_demo_gtins_valid(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    assert run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url}, cwd=tmp_path).returncode == 0

    barcodes = await _barcodes(url)

    assert len({code for code, _ in barcodes}) == len(barcodes)
    for code, _ in barcodes:
        assert len(code) == 14
        assert code[-1] == gtin_check_digit(code[:-1]), code
    assert sorted({units for _, units in barcodes}) == [1, 6, 12]


async def test_demo_second_run_idempotent(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    first = run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url}, cwd=tmp_path)
    before = await _counts(url)

    second = run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url}, cwd=tmp_path)

    assert second.returncode == 0, second.stderr
    assert "reusing the demo warehouse" in second.stdout
    assert await _counts(url) == before
    stored = json.loads((tmp_path / "demo.db.demo.json").read_text())
    for text in (first.stdout, second.stdout):
        assert f"secret        {stored['webhook_secret']}" in text
        assert f"password {stored['supervisor_password']}" in text
        assert f"PIN {stored['operator_pin']}" in text
    assert (tmp_path / "demo.db.demo.json").stat().st_mode & 0o077 == 0


async def test_demo_ledger_verifies(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    assert run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url}, cwd=tmp_path).returncode == 0

    result = run_wms("verify", env={"WMS_DATABASE_URL": url})

    assert result.returncode == 0, result.stdout
    assert "0 violations" in result.stdout


def test_demo_serves_and_signs_in(tmp_path: Path, port: int, processes: list[WmsProcess]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    # No WMS_SECRET_KEY: the demo must keep its own key so the printed PIN works.
    env = {"WMS_DATABASE_URL": url, "WMS_SECRET_KEY": "", **DEMO_ENV}
    process = WmsProcess(["demo", "--port", str(port)], env, tmp_path)
    processes.append(process)

    process.wait_for("Uvicorn running on")

    pin = next(line.split("PIN ")[1].strip() for line in process.lines if "operator " in line and "PIN " in line)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/health").json() == {"status": "ok"}
        supervisor = client.post("/api/v1/auth/login", json={"username": "supervisor", "password": "demo-password-1"})
        assert supervisor.status_code == 200
        operator = client.post("/api/v1/auth/login", json={"pin": pin})
        assert operator.status_code == 200
        assert operator.json()["user"]["username"] == "operator"


async def test_demo_lost_credentials_keeps_secret(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    assert run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url}, cwd=tmp_path).returncode == 0
    credentials = tmp_path / "demo.db.demo.json"
    first = json.loads(credentials.read_text())
    credentials.unlink()

    result = run_wms("demo", "--no-serve", env={"WMS_DATABASE_URL": url}, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    second = json.loads(credentials.read_text())
    assert second["webhook_secret"] == first["webhook_secret"]
    assert f"password {second['supervisor_password']}" in result.stdout
    assert second["supervisor_password"] != first["supervisor_password"]
