"""Concurrent receipts against one purchase order line: every unit counted once."""

from __future__ import annotations

import anyio
import pytest
from sqlalchemy import select

from app.db import Database
from app.db.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier
from app.domain.inbound.purchase_orders import create_purchase_order
from app.domain.inbound.receiving import receive_stock
from app.domain.inbound.schemas import PurchaseOrderCreate, PurchaseOrderLineIn
from tests.factories import Seed, on_hand
from tests.integration.inbound.helpers import figures, movement_count, operator_actor

pytestmark = pytest.mark.anyio


@pytest.mark.postgres
async def test_concurrent_receipts_one_line(db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(Supplier(code="SUP", name="Supplier"))
        await session.flush()
        await create_purchase_order(
            session, PurchaseOrderCreate(number="PO-C", supplier="SUP", status="CREATED", lines=[PurchaseOrderLineIn(sku="SKU-A", quantity=12)])
        )
    actor = operator_actor(seed)

    async def receive_one() -> None:
        async with db.transaction() as session:
            await receive_stock(session, product_id=seed.products["SKU-A"], location_id=seed.locations["B-01-01"], units=1, actor=actor, purchase_order="PO-C")

    async with anyio.create_task_group() as group:
        for _ in range(12):
            group.start_soon(receive_one)

    async with db.read() as session:
        line = await session.scalar(select(PurchaseOrderLine))
    assert line.quantity_received == 12
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 12
    assert await movement_count(db, "receipt") == 12
    values = await figures(db, seed, "SKU-A")
    assert (values.on_hand, values.incoming) == (12, 0)
    async with db.read() as session:
        status = await session.scalar(select(PurchaseOrder.status))
    assert status == PurchaseOrderStatus.RECEIVED
