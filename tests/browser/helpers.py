"""Helpers shared by the handheld browser tests: ledger reads and ``wms verify``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.db import Database
from app.db.models import StockMovement

ROOT = Path(__file__).resolve().parents[2]


async def movement_count(db: Database, reason: str) -> int:
    """Count the ledger movements with ``reason`` (receipt, putaway, move, ...)."""
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.reason == reason)) or 0)


def run_verify(database_url: str, secret_key: str) -> subprocess.CompletedProcess[str]:
    """Run ``wms verify`` against the test database and return the finished process."""
    env = {**os.environ, "WMS_DATABASE_URL": database_url, "WMS_SECRET_KEY": secret_key}
    return subprocess.run([sys.executable, "-m", "app.cli", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
