"""NUL characters, which PostgreSQL text cannot store, get a 400 naming the field."""

from __future__ import annotations

import pytest

from sqlalchemy import func, select

from app.db.models import Order
from tests.unit.orders.kit import envelope, item, webhook_events

pytestmark = pytest.mark.anyio


async def _count(db, model) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.postgres
async def test_nul_in_order_fields_400(db, seed, post_event) -> None:
    cases = [
        (envelope("order_created", [("SKU-A", 1)], order_number="SO-\x00-1"), "order.order_number"),
        (envelope("order_created", [item("SKU-A\x00", 1, item_id="1")]), "order.items[0].sku"),
    ]
    for value, field in cases:
        response = await post_event(value)
        assert response.status_code == 400, (field, response.text)
        assert response.json()["detail"]["field"] == field
    raw = await post_event(b'{"event": "order_created", "order": {"order_number": "SO-\x00"}}')
    assert raw.status_code == 400, raw.text
    tracking = await post_event({"order_number": "SO-1", "tracking_status": "Deli\x00vered"}, kind="tracking")
    assert tracking.status_code == 400, tracking.text
    assert tracking.json()["detail"]["field"] == "tracking_status"
    assert await _count(db, Order) == 0
    assert [row.outcome for row in await webhook_events(db)] == ["rejected"] * (len(cases) + 2)
