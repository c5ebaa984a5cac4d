"""verify_ledger: each rule is broken on purpose by writing rows directly, and reported."""

from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import update

from app.db import Database
from app.db.models import (
    Allocation,
    AllocationStatus,
    Discrepancy,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    StockBalance,
    StockMovement,
)
from app.domain.stock.ledger import record_movement
from app.domain.stock.verify import Violation, verify_ledger
from tests.factories import Seed, add_stock

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


async def _verify(db: Database) -> list[Violation]:
    async with db.read() as session:
        return await verify_ledger(session)


def _rules(violations: list[Violation]) -> list[str]:
    return [violation.rule for violation in violations]


async def _set_balance(db: Database, seed: Seed, sku: str, location: str, **values: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(StockBalance)
            .where(StockBalance.product_id == seed.products[sku], StockBalance.location_id == seed.locations[location])
            .values(**values)
        )


async def _set_line(db: Database, line_id: UUID, **values: int) -> None:
    async with db.transaction() as session:
        await session.execute(update(OrderLine).where(OrderLine.id == line_id).values(**values))


async def _allocate(db: Database, seed: Seed, order_id: UUID, line_id: UUID, quantity: int, picked: int = 0) -> None:
    """Reserve ``quantity`` SKU-A units at A-01-01 for the line, as allocation does, balance included."""
    async with db.transaction() as session:
        session.add(
            Allocation(
                order_id=order_id,
                order_line_id=line_id,
                product_id=seed.products["SKU-A"],
                location_id=seed.locations["A-01-01"],
                quantity=quantity,
                quantity_picked=picked,
                picked_location_id=seed.locations["TOTE-01"] if picked else None,
                status=AllocationStatus.ALLOCATED,
            )
        )
    await _set_balance(db, seed, "SKU-A", "A-01-01", allocated=quantity)


async def _order(
    db: Database, seed: Seed, number: str, status: OrderStatus, lines: list[tuple[str, int, int, int]], *, active: bool = True
) -> tuple[UUID, list[UUID]]:
    """Create an order whose lines are (sku, ordered, committed, shipped)."""
    async with db.transaction() as session:
        order = Order(
            account_id=seed.account_id,
            warehouse_id=seed.warehouse_id,
            starshipit_order_id=f"9{number}",
            order_number=number,
            status=status.value,
        )
        session.add(order)
        await session.flush()
        line_ids = []
        for position, (sku, ordered, committed, shipped) in enumerate(lines):
            line = OrderLine(
                order_id=order.id,
                item_id=f"{number}-{position}",
                sku=sku,
                product_id=seed.products.get(sku),
                position=position,
                quantity_ordered=ordered,
                quantity_committed=committed,
                quantity_shipped=shipped,
                active=active,
            )
            session.add(line)
            await session.flush()
            line_ids.append(line.id)
    return order.id, line_ids


async def _ship(db: Database, seed: Seed, order_id: UUID, sku: str, location: str, quantity: int) -> None:
    async with db.transaction() as session:
        await record_movement(
            session,
            product_id=seed.products[sku],
            quantity=quantity,
            reason=MovementReason.SHIPMENT,
            from_location_id=seed.locations[location],
            reference_type="order",
            reference_id=str(order_id),
            sku=sku,
        )


async def test_verify_clean_ledger(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "B-01-01", 4, batch="L1")
    order_id, _ = await _order(db, seed, "1001", OrderStatus.PARTIALLY_SHIPPED, [("SKU-A", 5, 2, 3), ("SKU-B", 1, 1, 0)])
    await _ship(db, seed, order_id, "SKU-A", "A-01-01", 3)
    await _order(db, seed, "1002", OrderStatus.CANCELLED, [("SKU-A", 2, 0, 0)])
    await _order(db, seed, "1003", OrderStatus.PENDING, [("NOPE", 2, 2, 0)])

    assert await _verify(db) == []


async def test_verify_balance_edited(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await _set_balance(db, seed, "SKU-A", "A-01-01", on_hand=12)

    violations = await _verify(db)

    assert _rules(violations) == ["balance_mismatch"]
    assert violations[0].detail["on_hand"] == 12
    assert violations[0].detail["movements"] == 10
    assert "SKU-A at A-01-01" in violations[0].message


async def test_verify_movement_without_balance(db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(
            StockMovement(
                product_id=seed.products["SKU-C"],
                to_location_id=seed.locations["B-01-02"],
                quantity=7,
                reason=MovementReason.RECEIPT.value,
            )
        )

    violations = await _verify(db)

    assert _rules(violations) == ["balance_mismatch"]
    assert violations[0].detail["movements"] == 7
    assert "no balance row" in violations[0].message


async def test_verify_allocated_negative(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await _set_balance(db, seed, "SKU-A", "A-01-01", allocated=-1)

    rules = _rules(await _verify(db))

    assert "allocated_negative" in rules
    assert "allocated_mismatch" in rules


async def test_verify_allocated_above_on_hand(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    order_id, line_ids = await _order(db, seed, "1001", OrderStatus.RELEASED, [("SKU-A", 6, 6, 0)])
    async with db.transaction() as session:
        session.add(
            Allocation(
                order_id=order_id,
                order_line_id=line_ids[0],
                product_id=seed.products["SKU-A"],
                location_id=seed.locations["A-01-01"],
                quantity=6,
                status=AllocationStatus.ALLOCATED,
            )
        )
    await _set_balance(db, seed, "SKU-A", "A-01-01", allocated=6)
    await _set_line(db, line_ids[0], quantity_allocated=6)

    violations = await _verify(db)

    assert _rules(violations) == ["allocated_above_on_hand"]
    assert violations[0].detail == {
        "product_id": str(seed.products["SKU-A"]),
        "location_id": str(seed.locations["A-01-01"]),
        "batch": "",
        "allocated": 6,
        "on_hand": 5,
    }


async def test_verify_allocated_without_allocations(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await _set_balance(db, seed, "SKU-A", "A-01-01", allocated=2)

    violations = await _verify(db)

    assert _rules(violations) == ["allocated_mismatch"]
    assert violations[0].detail["allocated"] == 2
    assert violations[0].detail["open_allocations"] == 0


async def test_verify_released_allocation_ignored(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    order_id, line_ids = await _order(db, seed, "1001", OrderStatus.RELEASED, [("SKU-A", 3, 3, 0)])
    async with db.transaction() as session:
        for status, quantity in ((AllocationStatus.ALLOCATED, 3), (AllocationStatus.RELEASED, 4)):
            session.add(
                Allocation(
                    order_id=order_id,
                    order_line_id=line_ids[0],
                    product_id=seed.products["SKU-A"],
                    location_id=seed.locations["A-01-01"],
                    quantity=quantity,
                    status=status,
                )
            )
    await _set_balance(db, seed, "SKU-A", "A-01-01", allocated=3)
    await _set_line(db, line_ids[0], quantity_allocated=3)

    assert await _verify(db) == []


async def test_verify_committed_open_order(db: Database, seed: Seed) -> None:
    await _order(db, seed, "1001", OrderStatus.PENDING, [("SKU-A", 4, 3, 0)])

    violations = await _verify(db)

    assert _rules(violations) == ["committed_mismatch"]
    assert violations[0].detail["committed"] == 3
    assert violations[0].detail["expected"] == 4
    assert violations[0].message.startswith("order 1001 line SKU-A")


async def test_verify_committed_closed_order(db: Database, seed: Seed) -> None:
    await _order(db, seed, "1001", OrderStatus.CANCELLED, [("SKU-A", 4, 4, 0)])

    violations = await _verify(db)

    assert _rules(violations) == ["committed_mismatch"]
    assert violations[0].detail["expected"] == 0


async def test_verify_committed_removed_line(db: Database, seed: Seed) -> None:
    await _order(db, seed, "1001", OrderStatus.PENDING, [("SKU-B", 1, 1, 0)], active=False)

    violations = await _verify(db)

    assert _rules(violations) == ["committed_mismatch"]
    assert "removed line" in violations[0].message


async def test_verify_shipped_without_movements(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await _order(db, seed, "1001", OrderStatus.SHIPPED, [("SKU-A", 2, 0, 2)])

    violations = await _verify(db)

    assert _rules(violations) == ["shipped_mismatch"]
    assert violations[0].detail["shipped"] == 2
    assert violations[0].detail["movements"] == 0


async def test_verify_shipped_twice(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    order_id, _ = await _order(db, seed, "1001", OrderStatus.SHIPPED, [("SKU-A", 2, 0, 2)])
    await _ship(db, seed, order_id, "SKU-A", "A-01-01", 2)
    await _ship(db, seed, order_id, "SKU-A", "A-01-01", 2)

    violations = await _verify(db)

    assert _rules(violations) == ["shipped_mismatch"]
    assert violations[0].detail["movements"] == 4


async def test_verify_shipment_of_unknown_order(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    async with db.transaction() as session:
        await record_movement(
            session,
            product_id=seed.products["SKU-A"],
            quantity=1,
            reason=MovementReason.SHIPMENT,
            from_location_id=seed.locations["A-01-01"],
            reference_type="order",
            reference_id="no-such-order",
        )

    violations = await _verify(db)

    assert _rules(violations) == ["shipped_mismatch"]
    assert "'no-such-order'" in violations[0].message


async def test_verify_negative_flagged(db: Database, seed: Seed) -> None:
    order_id, _ = await _order(db, seed, "1001", OrderStatus.SHIPPED, [("SKU-A", 2, 0, 2)])
    await _ship(db, seed, order_id, "SKU-A", "A-01-01", 2)

    assert await _verify(db) == []


async def test_verify_negative_unflagged(db: Database, seed: Seed) -> None:
    order_id, _ = await _order(db, seed, "1001", OrderStatus.SHIPPED, [("SKU-A", 2, 0, 2)])
    await _ship(db, seed, order_id, "SKU-A", "A-01-01", 2)
    async with db.transaction() as session:
        await session.execute(update(Discrepancy).values(status="resolved", resolved=True))

    violations = await _verify(db)

    assert _rules(violations) == ["negative_without_discrepancy"]
    assert violations[0].detail["on_hand"] == -2


async def test_verify_movement_zero_quantity(db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(
            StockMovement(
                product_id=seed.products["SKU-A"],
                to_location_id=seed.locations["A-01-01"],
                quantity=0,
                reason=MovementReason.ADJUSTMENT.value,
            )
        )

    violations = await _verify(db)

    assert _rules(violations) == ["movement_invalid"]


async def test_verify_line_allocation_consistent(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    order_id, line_ids = await _order(db, seed, "1001", OrderStatus.RELEASED, [("SKU-A", 5, 5, 0)])
    await _allocate(db, seed, order_id, line_ids[0], 3)
    await _set_line(db, line_ids[0], quantity_allocated=3)

    assert await _verify(db) == []


async def test_verify_line_allocated_drift(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    order_id, line_ids = await _order(db, seed, "1001", OrderStatus.RELEASED, [("SKU-A", 5, 5, 0)])
    await _allocate(db, seed, order_id, line_ids[0], 3)
    await _set_line(db, line_ids[0], quantity_allocated=2)

    violations = await _verify(db)

    assert _rules(violations) == ["line_allocation_mismatch"]
    assert violations[0].detail["allocated"] == 2
    assert violations[0].detail["reserved"] == 3


async def test_verify_line_picked_drift(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    order_id, line_ids = await _order(db, seed, "1001", OrderStatus.RELEASED, [("SKU-A", 5, 5, 0)])
    await _allocate(db, seed, order_id, line_ids[0], 3, picked=2)
    await _set_line(db, line_ids[0], quantity_allocated=3, quantity_picked=0)

    violations = await _verify(db)

    assert _rules(violations) == ["line_allocation_mismatch"]
    assert violations[0].detail["allocations_picked"] == 2


async def test_verify_allocated_above_committed(db: Database, seed: Seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    order_id, line_ids = await _order(db, seed, "1001", OrderStatus.RELEASED, [("SKU-A", 2, 2, 0)])
    await _allocate(db, seed, order_id, line_ids[0], 3)
    await _set_line(db, line_ids[0], quantity_allocated=3)

    violations = await _verify(db)

    assert _rules(violations) == ["allocated_above_committed"]
    assert violations[0].detail == {
        "order_id": str(order_id),
        "order_line_id": str(line_ids[0]),
        "allocated": 3,
        "picked": 0,
        "committed": 2,
    }
