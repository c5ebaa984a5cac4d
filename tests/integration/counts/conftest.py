"""Every test here ends with the ledger verifier passing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.db import Database
from tests.integration.inbound.helpers import assert_ledger_ok


@pytest.fixture(autouse=True)
async def ledger_verified(db: Database) -> AsyncIterator[None]:
    yield
    await assert_ledger_ok(db)
