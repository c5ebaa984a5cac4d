"""Property: duplicates, in-batch reorderings and resends leave the ledger of one clean in-order run."""

from __future__ import annotations

import random
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import app.domain.sync.stock_commands  # noqa: F401  registers move and adjust
from app.db import Database
from app.db.models import ScanCommand, StockBalance, StockMovement
from app.domain.auth.schemas import AuthUser
from app.domain.sync.schemas import CommandEnvelope, SyncRequest
from app.domain.stock.verify import verify_ledger
from app.domain.sync.services import apply_sync_batch
from tests.conftest import make_settings
from tests.factories import Seed, seed_basic

LOCATIONS = ["A-01-01", "A-01-02", "B-01-01", "Z-99"]  # Z-99 does not exist: those commands are rejected
ITEMS = ["SKU-A", "SKU-B", "07567554394380"]

move_payloads = st.fixed_dictionaries(
    {
        "from_location": st.sampled_from(LOCATIONS),
        "item": st.sampled_from(ITEMS),
        "quantity": st.integers(1, 5),
        "to_location": st.sampled_from(LOCATIONS),
    }
).filter(lambda payload: payload["from_location"] != payload["to_location"])
adjust_payloads = st.fixed_dictionaries(
    {
        "location": st.sampled_from(LOCATIONS),
        "item": st.sampled_from(ITEMS),
        "quantity_change": st.integers(-5, 5).filter(bool),
        "reason_code": st.sampled_from(["found", "lost", "damaged"]),
    }
)
actions = st.one_of(st.tuples(st.just("move"), move_payloads), st.tuples(st.just("adjust"), adjust_payloads))


def envelopes(actions_list: list[tuple[str, dict[str, Any]]]) -> list[CommandEnvelope]:
    now = datetime.now(UTC)
    return [
        CommandEnvelope(uuid.uuid4(), "HH-P", "op1", seq, now, kind, payload)
        for seq, (kind, payload) in enumerate(actions_list, start=1)
    ]


async def _seed(path: Path) -> Seed:
    config = make_settings(f"sqlite+aiosqlite:///{path}")
    db = Database(config)
    try:
        return await seed_basic(db, config)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def seeded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seed]:
    """A migrated and seeded database file, copied for every example (seeding hashes passwords, which is slow)."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copyfile(sqlite_template, path)
    return path, anyio.run(_seed, path)


async def ledger_after(template: Path, seed: Seed, deliveries: list[list[CommandEnvelope]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wms.db"
        shutil.copyfile(template, path)
        config = make_settings(f"sqlite+aiosqlite:///{path}")
        db = Database(config)
        try:
            user = AuthUser(id=seed.operator_id, username="op1", role="operator")
            response = None
            for delivery in deliveries:
                response = await apply_sync_batch(db, config, user, SyncRequest("HH-P", delivery))
                assert all(result.status != "retry" for result in response.results)
            async with db.read() as session:
                assert await verify_ledger(session) == []
                names = {value: key for key, value in {**seed.locations, **seed.products}.items()}
                balances = {
                    (names[row.product_id], names[row.location_id], row.batch): row.on_hand
                    for row in await session.scalars(select(StockBalance))
                    if row.on_hand != 0
                }
                movements = sorted(
                    (str(row.command_id), names[row.product_id], names.get(row.from_location_id), names.get(row.to_location_id), row.quantity, row.reason)
                    for row in await session.scalars(select(StockMovement))
                )
                commands = sorted(
                    (str(row.command_id), row.device_seq, "rejected" if row.status == "rejected" else "applied", row.code)
                    for row in await session.scalars(select(ScanCommand))
                )
            assert response is not None
            return {"balances": balances, "movements": movements, "commands": commands, "gaps": response.gaps, "last_seq": response.last_seq}
        finally:
            await db.dispose()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    st.lists(actions, min_size=1, max_size=8),
    st.lists(st.lists(st.integers(0, 7), max_size=10), max_size=4),
    st.randoms(use_true_random=False),
)
def test_replays_match_clean_run(seeded_template: tuple[Path, Seed], actions_list: list, partial_deliveries: list[list[int]], rng: random.Random) -> None:
    commands = envelopes(actions_list)
    clean = [list(commands)]
    messy: list[list[CommandEnvelope]] = []
    for indexes in partial_deliveries:
        delivery = [commands[index % len(commands)] for index in indexes]
        rng.shuffle(delivery)
        messy.append(delivery)
        if rng.random() < 0.3:
            messy.append(list(delivery))  # a resend after a lost response
    final = list(commands) + [rng.choice(commands)]
    rng.shuffle(final)
    messy.append(final)

    template, seed = seeded_template
    expected = anyio.run(ledger_after, template, seed, clean)
    actual = anyio.run(ledger_after, template, seed, messy)
    assert actual["movements"] == expected["movements"]
    assert actual["balances"] == expected["balances"]
    assert actual["commands"] == expected["commands"]
    assert actual["gaps"] == []
    assert actual["last_seq"] == len(commands)
