"""wms serve, verify and users create, run as processes against real database files."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from app.db import Database
from app.db.models import StockBalance
from app.domain.stock.verify import RULES
from tests.factories import Seed, add_stock
from tests.integration.cli.conftest import run_wms

pytestmark = pytest.mark.anyio


def test_serve_refuses_empty_database(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()

    result = run_wms("serve", "--port", "1", env={"WMS_DATABASE_URL": f"sqlite:///{empty}"})

    assert result.returncode == 2
    assert "run `wms db upgrade`" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_refuses_non_database(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_text("not a database\n" * 100)

    result = run_wms("serve", env={"WMS_DATABASE_URL": f"sqlite:///{garbage}"})

    assert result.returncode == 2
    assert "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_non_database(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.db"
    garbage.write_text("not a database\n" * 100)

    result = run_wms("db", "upgrade", env={"WMS_DATABASE_URL": f"sqlite:///{garbage}"})

    assert result.returncode == 2
    assert "cannot migrate the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"

    upgraded = run_wms("db", "upgrade", env={"WMS_DATABASE_URL": url})
    verified = run_wms("verify", env={"WMS_DATABASE_URL": url})

    assert upgraded.returncode == 0, upgraded.stderr
    assert "database at head" in upgraded.stdout
    assert verified.returncode == 0, verified.stderr


@pytest.mark.parametrize(
    "args",
    [("serve",), ("verify",), ("db", "upgrade"), ("demo", "--no-serve"), ("users", "create", "--username", "x", "--pin", "1234")],
)
def test_config_error_exits_2(args: tuple[str, ...], tmp_path: Path) -> None:
    result = run_wms(*args, env={"WMS_PORT": "eighty", "WMS_DATABASE_URL": f"sqlite:///{tmp_path}/wms.db"}, cwd=tmp_path)

    assert result.returncode == 2
    assert "WMS_PORT='eighty'" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_error_names_database_url(tmp_path: Path) -> None:
    result = run_wms("verify", env={"WMS_DATABASE_URL": "mysql://localhost/wms"})

    assert result.returncode == 2
    assert "WMS_DATABASE_URL" in result.stderr


@pytest.mark.postgres
async def test_verify_clean_ledger(database_url: str, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)

    result = run_wms("verify", env={"WMS_DATABASE_URL": database_url})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith(f"ledger OK: {len(RULES)} rules checked")


@pytest.mark.postgres
async def test_verify_reports_violation(database_url: str, db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    async with db.transaction() as session:
        await session.execute(update(StockBalance).where(StockBalance.product_id == seed.products["SKU-A"]).values(on_hand=11))

    result = run_wms("verify", env={"WMS_DATABASE_URL": database_url})

    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1
    assert lines[0] == "balance_mismatch: SKU-A at A-01-01: balance on hand 11, movements sum to 10"
    assert lines[-1].startswith("ledger FAILED: 1 violations (balance_mismatch 1)")


def test_verify_outdated_schema(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()

    result = run_wms("verify", env={"WMS_DATABASE_URL": f"sqlite:///{empty}"})

    assert result.returncode == 2
    assert "wms db upgrade" in result.stderr


async def test_users_create_operator(database_url: str, seed: Seed, app_client: AsyncTestClient) -> None:
    result = run_wms("users", "create", "--username", "op2", "--role", "operator", "--pin", "5678", env={"WMS_DATABASE_URL": database_url})

    assert result.returncode == 0, result.stderr
    assert "created operator 'op2'" in result.stdout
    response = await app_client.post("/api/v1/auth/login", json={"pin": "5678"})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "op2"


async def test_users_create_supervisor(database_url: str, seed: Seed, app_client: AsyncTestClient) -> None:
    result = run_wms(
        "users", "create", "--username", "boss", "--role", "supervisor", "--password", "long-enough-1", env={"WMS_DATABASE_URL": database_url}
    )

    assert result.returncode == 0, result.stderr
    response = await app_client.post("/api/v1/auth/login", json={"username": "boss", "password": "long-enough-1"})
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "supervisor"


async def test_users_create_taken(database_url: str, seed: Seed) -> None:
    result = run_wms("users", "create", "--username", "super", "--role", "supervisor", "--password", "long-enough-1", env={"WMS_DATABASE_URL": database_url})

    assert result.returncode == 1
    assert "username 'super' is taken" in result.stderr


async def test_users_create_supervisor_needs_password(database_url: str, seed: Seed) -> None:
    result = run_wms("users", "create", "--username", "boss", "--role", "supervisor", "--pin", "9876", env={"WMS_DATABASE_URL": database_url})

    assert result.returncode == 1
    assert "needs a password" in result.stderr


def test_verify_missing_file_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "wms.db"

    result = run_wms("verify", env={"WMS_DATABASE_URL": "sqlite:///./wms.db"}, cwd=tmp_path)

    assert result.returncode == 2
    assert f"the database file {missing} does not exist" in result.stderr
    assert "WMS_DATABASE_URL" in result.stderr
    assert not missing.exists()
