"""Field case L1, release half: allocations follow their orders through order_changed and order_deleted."""

from __future__ import annotations

import pytest

from tests.factories import add_stock, on_hand
from tests.unit.orders.kit import (
    T1,
    T2,
    allocate,
    allocations_of,
    body_of,
    envelope,
    figures,
    get_order,
    jobs_of,
    movements,
    open_allocation_units,
    pick,
    signed_headers,
)

pytestmark = pytest.mark.anyio


async def _post(app_client, value: dict) -> dict:
    body = body_of(value)
    response = await app_client.post("/webhooks/starshipit/acme/orders", content=body, headers=signed_headers(body))
    assert response.status_code == 200, response.text
    return response.json()


async def _check_invariants(db, seed, *, on_hand_total: int, committed: int, allocated: int) -> None:
    stock = await figures(db, seed, "SKU-A")
    assert stock.allocated == await open_allocation_units(db, seed, "SKU-A")
    assert stock.allocated == allocated
    assert all(row["allocated"] >= 0 for row in stock.rows)
    assert all(row["allocated"] <= row["on_hand"] for row in stock.rows)
    assert stock.on_hand == on_hand_total
    assert stock.committed == committed
    assert stock.available == on_hand_total - committed


@pytest.mark.postgres
async def test_l1_allocations_follow_orders(db, seed, app_client) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await _check_invariants(db, seed, on_hand_total=10, committed=0, allocated=0)

    # Order 1001 allocates 4, then order_changed removes that line.
    await _post(app_client, envelope("order_created", [("SKU-A", 4), ("SKU-B", 1)], order_id="1001", occurred_at=T1))
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 4)
    await _check_invariants(db, seed, on_hand_total=10, committed=4, allocated=4)
    changed = await _post(app_client, envelope("order_changed", [("SKU-B", 1)], order_id="1001", occurred_at=T2))
    assert changed["outcome"] == "applied"
    await _check_invariants(db, seed, on_hand_total=10, committed=0, allocated=0)
    order_1001, _ = await get_order(db, "1001")
    assert [(a.status, a.quantity) for a in await allocations_of(db, order_1001.id)] == [("RELEASED", 0)]

    # Order 1002 allocates 3, is picked into a tote, then is deleted.
    await _post(app_client, envelope("order_created", [("SKU-A", 3)], order_id="1002", occurred_at=T1))
    allocation_id = await allocate(db, seed, "1002", "SKU-A", "A-01-01", 3)
    await _check_invariants(db, seed, on_hand_total=10, committed=3, allocated=3)
    await pick(db, seed, allocation_id, "TOTE-01")
    await _check_invariants(db, seed, on_hand_total=10, committed=3, allocated=0)
    assert await on_hand(db, seed, "SKU-A", "TOTE-01") == 3
    deleted = await _post(app_client, envelope("order_deleted", order_id="1002", occurred_at=T2))
    assert deleted["outcome"] == "applied"
    await _check_invariants(db, seed, on_hand_total=10, committed=0, allocated=0)

    order_1002, _ = await get_order(db, "1002")
    assert order_1002.status == "CANCELLED"
    assert await on_hand(db, seed, "SKU-A", "TOTE-01") == 0
    assert await on_hand(db, seed, "SKU-A", "RET-01") == 3
    returns = await movements(db, "return")
    assert [(m.quantity, m.from_location_id, m.to_location_id, m.reference_type, m.reference_id) for m in returns] == [
        (3, seed.locations["TOTE-01"], seed.locations["RET-01"], "order", str(order_1002.id))
    ]
    tasks = [(job, lines) for job, lines in await jobs_of(db, order_1002.id) if job.type == "RETURN_TO_STOCK"]
    assert len(tasks) == 1
    job, lines = tasks[0]
    assert job.status == "READY"
    assert [(line.quantity, line.from_location_id, line.to_location_id) for line in lines] == [
        (3, seed.locations["RET-01"], seed.locations["A-01-01"])
    ]
    assert [(a.status, a.quantity, a.quantity_picked) for a in await allocations_of(db, order_1002.id)] == [("RELEASED", 0, 0)]
