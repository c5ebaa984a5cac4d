"""Receiving from GS1 labels: batch, expiry and serial read from the scan, checked against typed values."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from app.db import Database
from app.db.models import Product
from tests.factories import Seed, on_hand
from tests.integration.inbound.helpers import Device

pytestmark = pytest.mark.anyio

# GTIN 05400000002649 is SKU-A in the seed data.
LABEL_BATCH = "010540000000264910L1"
LABEL_EXPIRY_BATCH = "01054000000026491727033110L7"


async def _tracking(db: Database, mode: str) -> None:
    async with db.transaction() as session:
        await session.execute(update(Product).where(Product.sku == "SKU-A").values(tracking=mode))


async def test_label_batch_and_expiry(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _tracking(db, "BATCH")
    device = await Device(app_client, "HH-GS1").sign_in({"pin": seed.operator_pin})
    batch_only = await device.run("receive", {"location": "B-01-01", "item": LABEL_BATCH, "quantity": 2})
    assert batch_only["status"] == "applied", batch_only
    assert (batch_only["result"]["batch"], batch_only["result"]["expiry"]) == ("L1", None)
    with_expiry = await device.run("receive", {"location": "B-01-01", "item": LABEL_EXPIRY_BATCH, "quantity": 3})
    assert with_expiry["status"] == "applied", with_expiry
    assert (with_expiry["result"]["batch"], with_expiry["result"]["expiry"]) == ("L7", "2027-03-31")
    assert await on_hand(db, seed, "SKU-A", "B-01-01", batch="L1") == 2
    assert await on_hand(db, seed, "SKU-A", "B-01-01", batch="L7") == 3


async def test_label_disagrees_with_typed(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _tracking(db, "BATCH")
    device = await Device(app_client, "HH-GS1").sign_in({"pin": seed.operator_pin})
    wrong_batch = await device.run("receive", {"location": "B-01-01", "item": LABEL_BATCH, "quantity": 1, "batch": "L2"})
    assert wrong_batch["status"] == "rejected"
    assert wrong_batch["code"] == "batch_mismatch"
    wrong_expiry = await device.run("receive", {"location": "B-01-01", "item": LABEL_EXPIRY_BATCH, "quantity": 1, "expiry": "2027-04-30"})
    assert wrong_expiry["code"] == "expiry_mismatch"
    same = await device.run("receive", {"location": "B-01-01", "item": LABEL_BATCH, "quantity": 1, "batch": "L1"})
    assert same["status"] == "applied"


async def test_label_serial(app_client: AsyncTestClient, db: Database, seed: Seed) -> None:
    await _tracking(db, "SERIAL")
    device = await Device(app_client, "HH-GS1").sign_in({"pin": seed.operator_pin})
    first = await device.run("receive", {"location": "B-01-01", "item": "010540000000264921SN-001", "quantity": 1})
    assert first["status"] == "applied", first
    again = await device.run("receive", {"location": "B-01-02", "item": "010540000000264921SN-001", "quantity": 1})
    assert again["code"] == "serial_in_stock"
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 1
