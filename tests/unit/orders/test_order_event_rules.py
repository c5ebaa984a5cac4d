"""Event rules of headless mode, applied straight through apply_order_event on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Discrepancy, JobStatus, JobType, OrderStatus, Shipment
from tests.factories import add_stock, on_hand
from tests.unit.orders.kit import (
    T1,
    T2,
    T3,
    T4,
    allocate,
    allocated_total,
    allocations_of,
    apply,
    envelope,
    figures,
    get_order,
    item,
    jobs_of,
    line_by_sku,
    movements,
    open_allocation_units,
    pick,
    status_history,
)

pytestmark = pytest.mark.anyio


async def _discrepancies(db, kind: str) -> list[Discrepancy]:
    async with db.read() as session:
        return list((await session.scalars(select(Discrepancy).where(Discrepancy.kind == kind))).all())


async def test_created_commits_quantities(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    result = await apply(db, envelope("order_created", [("SKU-A", 2), ("SKU-B", 1)]))
    assert result.outcome == "applied"
    order, lines = await get_order(db)
    assert order.status == "PENDING"
    assert order.order_number == "SO-1001"
    assert [(line.sku, line.quantity_ordered, line.quantity_committed) for line in lines] == [("SKU-A", 2, 2), ("SKU-B", 1, 1)]
    stock = await figures(db, seed, "SKU-A")
    assert stock.on_hand == 10
    assert stock.committed == 2
    assert stock.available == 8
    history = await status_history(db, order.id)
    assert [(event.previous_status, event.status) for event in history] == [(None, "PENDING")]
    assert [change.seq for change in result.changes] == [history[0].id]


async def test_created_twice_is_one_order(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 2)]))
    second = await apply(db, envelope("order_created", [("SKU-A", 2)], event_id="other-id"))
    assert second.detail == "lines unchanged"
    _order, lines = await get_order(db)
    assert len(lines) == 1
    assert (await figures(db, seed, "SKU-A")).committed == 2


async def test_unknown_sku_kept_and_flagged(db, seed) -> None:
    result = await apply(db, envelope("order_created", [("SKU-A", 1), ("NOPE-9", 3)]))
    assert result.outcome == "applied"
    _order, lines = await get_order(db)
    unknown = line_by_sku(lines, "NOPE-9")
    assert unknown.unknown_sku is True
    assert unknown.product_id is None
    assert unknown.quantity_ordered == 3
    flagged = await _discrepancies(db, "unknown_sku")
    assert [d.sku for d in flagged] == ["NOPE-9"]


async def test_number_and_quantities_liberal(db, seed) -> None:
    value = envelope("order_created", [item("SKU-A", 2.0)], order_id=77, order_number=5567476, occurred_at="2026-12-01T10:00:00.1234567")
    await apply(db, value)
    order, lines = await get_order(db, "77")
    assert order.order_number == "5567476"
    assert lines[0].quantity_ordered == 2
    assert order.last_event_at is not None
    assert order.last_event_at.isoformat() == "2026-12-01T10:00:00.123456+00:00"


async def test_changed_identical_changes_nothing(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 2), ("SKU-B", 1)]))
    allocation_id = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await pick(db, seed, allocation_id)
    before = len(await movements(db))
    order, _ = await get_order(db)
    history_before = await status_history(db, order.id)

    result = await apply(db, envelope("order_changed", [("SKU-A", 2), ("SKU-B", 1)], occurred_at=T2))

    assert result.detail == "lines unchanged"
    assert result.changes == []
    assert len(await movements(db)) == before
    assert [event.id for event in await status_history(db, order.id)] == [event.id for event in history_before]
    allocations = await allocations_of(db, order.id)
    assert [(a.status, a.quantity_picked) for a in allocations] == [("PICKED", 2)]
    assert await on_hand(db, seed, "SKU-A", "TOTE-01") == 2


async def test_changed_removed_line_released(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "A-01-02", 5)
    await apply(db, envelope("order_created", [("SKU-A", 2), ("SKU-B", 1)]))
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await allocate(db, seed, "1001", "SKU-B", "A-01-02", 1)

    result = await apply(db, envelope("order_changed", [("SKU-A", 2)], occurred_at=T2))

    assert result.outcome == "applied"
    order, lines = await get_order(db)
    removed = line_by_sku(lines, "SKU-B")
    assert removed.active is False
    assert removed.quantity_committed == 0
    assert removed.quantity_allocated == 0
    assert (await figures(db, seed, "SKU-B")).committed == 0
    assert await allocated_total(db, seed, "SKU-B") == 0
    assert await allocated_total(db, seed, "SKU-A") == 2
    assert line_by_sku(lines, "SKU-A").quantity_committed == 2
    assert order.status == "PENDING"
    assert await movements(db, "return") == []


async def test_changed_resets_released_to_pending(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 2)]))
    order, _ = await get_order(db)
    from app.domain.orders.status import record_status_change

    async with db.transaction() as session:
        loaded = await session.get(type(order), order.id)
        await record_status_change(session, loaded, OrderStatus.RELEASED, "release")
    result = await apply(db, envelope("order_changed", [("SKU-A", 3)], occurred_at=T2))
    order, lines = await get_order(db)
    assert order.status == "PENDING"
    assert [(c.previous_status, c.status) for c in result.changes] == [("RELEASED", "PENDING")]
    assert lines[0].quantity_committed == 3


@pytest.mark.postgres
async def test_changed_reduced_quantity_releases_excess(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 3)
    await add_stock(db, seed, "SKU-A", "B-01-01", 3)
    await apply(db, envelope("order_created", [("SKU-A", 5)]))
    first = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 3)
    await allocate(db, seed, "1001", "SKU-A", "B-01-01", 2)
    await pick(db, seed, first)

    await apply(db, envelope("order_changed", [("SKU-A", 2)], occurred_at=T2))

    order, lines = await get_order(db)
    line = lines[0]
    assert line.quantity_committed == 2
    assert line.quantity_allocated == 0
    assert line.quantity_picked == 2
    assert await allocated_total(db, seed, "SKU-A") == 0
    returns = await movements(db, "return")
    assert [(m.quantity, m.from_location_id, m.to_location_id) for m in returns] == [(1, seed.locations["TOTE-01"], seed.locations["RET-01"])]
    assert await on_hand(db, seed, "SKU-A", "TOTE-01") == 2
    jobs = await jobs_of(db, order.id)
    returns_jobs = [(job, lines) for job, lines in jobs if job.type == JobType.RETURN_TO_STOCK.value]
    assert len(returns_jobs) == 1
    job_line = returns_jobs[0][1][0]
    assert (job_line.quantity, job_line.from_location_id, job_line.to_location_id) == (1, seed.locations["RET-01"], seed.locations["A-01-01"])


@pytest.mark.postgres
async def test_deleted_releases_everything(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "A-01-02", 5)
    await apply(db, envelope("order_created", [("SKU-A", 2), ("SKU-B", 1)]))
    picked = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await allocate(db, seed, "1001", "SKU-B", "A-01-02", 1)
    await pick(db, seed, picked)

    result = await apply(db, envelope("order_deleted", occurred_at=T2))

    order, lines = await get_order(db)
    assert order.status == "CANCELLED"
    assert [(c.previous_status, c.status) for c in result.changes] == [("PENDING", "CANCELLED")]
    assert all(line.quantity_committed == 0 for line in lines)
    assert (await figures(db, seed, "SKU-A")).committed == 0
    assert await allocated_total(db, seed, "SKU-B") == 0
    assert [a.status for a in await allocations_of(db, order.id)] == ["RELEASED", "RELEASED"]
    assert await on_hand(db, seed, "SKU-A", "TOTE-01") == 0
    assert await on_hand(db, seed, "SKU-A", "RET-01") == 2
    jobs = await jobs_of(db, order.id)
    assert sorted((job.type, job.status) for job, _ in jobs) == [
        ("PICK", "CANCELLED"),
        ("PICK", "CANCELLED"),
        ("RETURN_TO_STOCK", "READY"),
    ]


async def test_deleted_unknown_then_late_created_stale(db, seed) -> None:
    deleted = await apply(db, envelope("order_deleted", [("SKU-A", 2)], occurred_at=T2))
    assert deleted.outcome == "applied"
    late = await apply(db, envelope("order_created", [("SKU-A", 2)], occurred_at=T1))
    assert late.outcome == "stale"
    order, lines = await get_order(db)
    assert order.status == "CANCELLED"
    assert lines[0].quantity_committed == 0
    assert (await figures(db, seed, "SKU-A")).committed == 0


async def test_stale_changed_ignored(db, seed) -> None:
    await apply(db, envelope("order_changed", [("SKU-A", 3)], occurred_at=T2))
    stale = await apply(db, envelope("order_changed", [("SKU-A", 9)], occurred_at=T1))
    assert stale.outcome == "stale"
    _order, lines = await get_order(db)
    assert lines[0].quantity_ordered == 3


async def test_shipped_uses_picker_locations(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    await add_stock(db, seed, "SKU-A", "A-01-02", 2)
    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    await apply(db, envelope("order_created", [("SKU-A", 5)]))

    result = await apply(db, envelope("order_shipped", [("SKU-A", 5)], occurred_at=T2, packages=[{"tracking_number": "TRK1"}]))

    assert result.outcome == "applied"
    order, lines = await get_order(db)
    assert order.status == "SHIPPED"
    assert order.tracking_number == "TRK1"
    assert lines[0].quantity_shipped == 5
    assert lines[0].quantity_committed == 0
    shipped = await movements(db, "shipment")
    assert [(m.from_location_id, m.quantity) for m in shipped] == [
        (seed.locations["A-01-01"], 1),
        (seed.locations["A-01-02"], 2),
        (seed.locations["B-01-01"], 2),
    ]
    assert all(m.to_location_id is None and m.reference_type == "order" and m.reference_id == str(order.id) for m in shipped)
    assert (await figures(db, seed, "SKU-A")).on_hand == 8


async def test_shipped_shortfall_negative_flagged(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-02", 1)
    await apply(db, envelope("order_created", [("SKU-A", 3)]))
    await apply(db, envelope("order_shipped", [("SKU-A", 3)], occurred_at=T2))
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == -2
    flagged = await _discrepancies(db, "negative_stock")
    assert [(d.location_id, d.quantity) for d in flagged] == [(seed.locations["A-01-02"], -2)]


async def test_shipped_no_stock_uses_first_pick_face(db, seed) -> None:
    await apply(db, envelope("order_shipped", [("SKU-C", 2)], occurred_at=T2))
    assert await on_hand(db, seed, "SKU-C", "A-01-01") == -2
    order, _ = await get_order(db)
    assert order.status == "SHIPPED"
    history = await status_history(db, order.id)
    assert [(e.previous_status, e.status) for e in history] == [(None, "PENDING"), ("PENDING", "SHIPPED")]


async def test_shipped_partial_then_rest(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "A-01-02", 10)
    await apply(db, envelope("order_created", [("SKU-A", 3), ("SKU-B", 2)]))

    partial = envelope(
        "order_shipped",
        [item("SKU-A", 3, quantity_to_ship=1), item("SKU-B", 2, quantity_to_ship=0)],
        occurred_at=T2,
        packages=[{"tracking_number": "P1"}],
    )
    await apply(db, partial)
    order, lines = await get_order(db)
    assert order.status == "PARTIALLY_SHIPPED"
    assert [(line.quantity_shipped, line.quantity_committed) for line in lines] == [(1, 2), (0, 2)]
    assert (await figures(db, seed, "SKU-A")).committed == 2

    rest = envelope("order_shipped", [("SKU-A", 3), ("SKU-B", 2)], occurred_at=T3, packages=[{"tracking_number": "P2"}])
    await apply(db, rest)
    order, lines = await get_order(db)
    assert order.status == "SHIPPED"
    assert [(line.quantity_shipped, line.quantity_committed) for line in lines] == [(3, 0), (2, 0)]
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 7
    assert await on_hand(db, seed, "SKU-B", "A-01-02") == 8


async def test_shipped_repeat_ships_nothing(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 2)]))
    await apply(db, envelope("order_shipped", [("SKU-A", 2)], occurred_at=T2, packages=[{"tracking_number": "T1"}]))
    again = await apply(db, envelope("order_shipped", [("SKU-A", 2)], occurred_at=T3, event_id="retry", packages=[{"tracking_number": "T1"}]))
    assert again.outcome == "ignored"
    other = await apply(db, envelope("order_shipped", [("SKU-A", 2)], occurred_at=T4, event_id="other", packages=[{"tracking_number": "T9"}]))
    assert other.outcome == "ignored"
    assert len(await movements(db, "shipment")) == 1
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 8
    order, _ = await get_order(db)
    async with db.read() as session:
        shipments = (await session.scalars(select(Shipment).where(Shipment.order_id == order.id))).all()
    assert [s.shipment_key for s in shipments] == ["tracking:T1"]


@pytest.mark.postgres
async def test_shipped_from_packed_picked_allocated(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-A", "B-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 6)]))
    packed = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    totes = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await allocate(db, seed, "1001", "SKU-A", "B-01-01", 2)
    await pick(db, seed, packed, "PACK-01")
    await pick(db, seed, totes, "TOTE-01")

    await apply(db, envelope("order_shipped", [("SKU-A", 6)], occurred_at=T2))

    shipped = await movements(db, "shipment")
    assert [(m.from_location_id, m.quantity) for m in shipped] == [
        (seed.locations["PACK-01"], 2),
        (seed.locations["TOTE-01"], 2),
        (seed.locations["B-01-01"], 2),
    ]
    order, lines = await get_order(db)
    assert [a.status for a in await allocations_of(db, order.id)] == ["SHIPPED", "SHIPPED", "SHIPPED"]
    assert (lines[0].quantity_allocated, lines[0].quantity_picked) == (0, 0)
    assert await allocated_total(db, seed, "SKU-A") == 0
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 8
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 6


async def test_shipped_earliest_expiry_first(db, seed) -> None:
    from datetime import date

    from app.db.models import Batch

    async with db.transaction() as session:
        session.add(Batch(product_id=seed.products["SKU-A"], code="LATE", expiry=date(2027, 6, 30)))
        session.add(Batch(product_id=seed.products["SKU-A"], code="SOON", expiry=date(2027, 1, 31)))
    await add_stock(db, seed, "SKU-A", "A-01-01", 5, batch="LATE")
    await add_stock(db, seed, "SKU-A", "A-01-02", 2, batch="SOON")
    await add_stock(db, seed, "SKU-A", "B-01-01", 9, batch="SOON")

    await apply(db, envelope("order_shipped", [("SKU-A", 4)], occurred_at=T2))

    shipped = await movements(db, "shipment")
    assert [(m.from_location_id, m.batch, m.quantity) for m in shipped] == [
        (seed.locations["A-01-02"], "SOON", 2),
        (seed.locations["A-01-01"], "LATE", 2),
    ]


async def test_shipped_skips_stock_reserved_for_others(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)
    await apply(db, envelope("order_created", [("SKU-A", 2)], order_id="2002"))
    await allocate(db, seed, "2002", "SKU-A", "A-01-01", 2)

    await apply(db, envelope("order_shipped", [("SKU-A", 2)], order_id="1001", occurred_at=T2))

    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 2
    assert await on_hand(db, seed, "SKU-A", "B-01-01") == 3


async def test_shipped_stale_still_applied(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_changed", [("SKU-A", 3)], occurred_at=T3))
    result = await apply(db, envelope("order_shipped", [("SKU-A", 3)], occurred_at=T2))
    assert result.outcome == "applied"
    order, lines = await get_order(db)
    assert order.status == "SHIPPED"
    assert lines[0].quantity_shipped == 3
    assert order.last_event_at is not None
    assert order.last_event_at.isoformat().startswith("2026-12-01T12:00:00")


async def test_shipped_unknown_sku_recorded(db, seed) -> None:
    await apply(db, envelope("order_shipped", [("GHOST-1", 1)], occurred_at=T2))
    order, lines = await get_order(db)
    assert order.status == "SHIPPED"
    assert lines[0].quantity_shipped == 1
    assert [d.sku for d in await _discrepancies(db, "unbooked_shipment")] == ["GHOST-1"]
    assert await movements(db, "shipment") == []


async def test_allocated_matches_open_allocations(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await apply(db, envelope("order_created", [("SKU-A", 4)]))
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 4)
    assert await allocated_total(db, seed, "SKU-A") == await open_allocation_units(db, seed, "SKU-A") == 4
    await apply(db, envelope("order_changed", [("SKU-A", 1)], occurred_at=T2))
    assert await allocated_total(db, seed, "SKU-A") == await open_allocation_units(db, seed, "SKU-A") == 1
    order, _ = await get_order(db)
    pick_jobs = [job for job, _ in await jobs_of(db, order.id) if job.type == "PICK"]
    assert [job.status for job in pick_jobs] == [JobStatus.READY.value]


async def test_created_reopens_cancelled(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 2)], occurred_at=T1))
    await apply(db, envelope("order_deleted", occurred_at=T2))
    reopened = await apply(db, envelope("order_created", [("SKU-A", 2)], occurred_at=T3))
    order, lines = await get_order(db)
    assert order.status == "PENDING"
    assert [(c.previous_status, c.status) for c in reopened.changes] == [("CANCELLED", "PENDING")]
    assert lines[0].quantity_committed == 2


async def test_changed_cancelled_stays_cancelled(db, seed) -> None:
    await apply(db, envelope("order_created", [("SKU-A", 2)], occurred_at=T1))
    await apply(db, envelope("order_deleted", occurred_at=T2))
    changed = await apply(db, envelope("order_changed", [("SKU-A", 5)], occurred_at=T3))
    assert changed.changes == []
    order, lines = await get_order(db)
    assert order.status == "CANCELLED"
    assert lines[0].quantity_ordered == 5
    assert lines[0].quantity_committed == 0


async def test_deleted_after_shipped_ignored(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await apply(db, envelope("order_created", [("SKU-A", 2)], occurred_at=T1))
    await apply(db, envelope("order_shipped", [("SKU-A", 2)], occurred_at=T2))
    deleted = await apply(db, envelope("order_deleted", occurred_at=T3))
    assert deleted.outcome == "ignored"
    order, _ = await get_order(db)
    assert order.status == "SHIPPED"
    assert await movements(db, "return") == []


async def test_shipped_cancelled_order_partial(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await apply(db, envelope("order_created", [("SKU-A", 3)], occurred_at=T1))
    await apply(db, envelope("order_deleted", occurred_at=T2))
    shipped = await apply(db, envelope("order_shipped", [item("SKU-A", 3, quantity_to_ship=1)], occurred_at=T3))
    assert shipped.outcome == "applied"
    order, lines = await get_order(db)
    # The unit left the building, so it is booked out, but the rest of the order stays cancelled.
    assert order.status == "CANCELLED"
    assert lines[0].quantity_shipped == 1
    assert lines[0].quantity_committed == 0
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 4


async def test_shipped_without_items_ships_rest(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await apply(db, envelope("order_created", [("SKU-A", 2), ("SKU-B", 1)], occurred_at=T1))
    await apply(db, envelope("order_shipped", None, occurred_at=T2))
    order, lines = await get_order(db)
    assert order.status == "SHIPPED"
    assert [line.quantity_shipped for line in lines] == [2, 1]
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 3
    assert await on_hand(db, seed, "SKU-B", "A-01-01") == -1


async def test_changed_sku_releases_old_product(db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await apply(db, envelope("order_created", [item("SKU-A", 2, item_id="line-1")], occurred_at=T1))
    await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await apply(db, envelope("order_changed", [item("SKU-B", 2, item_id="line-1")], occurred_at=T2))
    order, lines = await get_order(db)
    assert [(line.sku, line.quantity_committed, line.quantity_allocated) for line in lines] == [("SKU-B", 2, 0)]
    assert await allocated_total(db, seed, "SKU-A") == 0
    assert (await figures(db, seed, "SKU-A")).committed == 0
    assert (await figures(db, seed, "SKU-B")).committed == 2
