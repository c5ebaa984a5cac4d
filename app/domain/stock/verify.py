"""Ledger verification: check on the database every inventory rule that must always hold.

Each rule is one aggregate query compared against the stored projection, so a check of a large
ledger costs a handful of grouped scans rather than a row-by-row replay. The rules:

- ``balance_mismatch``: a balance's on hand equals the sum of its movements (units in minus units
  out) for that product, location and batch. Movements without a balance row must sum to zero.
- ``allocated_negative`` / ``allocated_above_on_hand`` / ``allocated_mismatch``: a balance's
  allocated is never below zero and never above its on hand while on hand is not negative. It
  equals the sum of the open allocations (ALLOCATED or PICKED) at that product, location and batch.
- ``committed_mismatch``: an active line of an open order (PENDING, RELEASED, PARTIALLY_SHIPPED)
  commits ordered minus shipped (never below zero); any other line commits nothing.
- ``line_allocation_mismatch``: a line's allocated and picked quantities equal the sums of
  ``quantity`` and ``quantity_picked`` over its open allocations.
- ``allocated_above_committed``: a line's allocated plus picked units never exceed its committed
  units, because allocation is a part of committed stock and is never counted twice.
- ``shipped_mismatch``: the units shipped on an order's lines equal the units of the order's
  shipment movements, per product.
- ``negative_without_discrepancy``: every negative balance has an open discrepancy for that
  product and location, so a supervisor schedules a count.
- ``movement_invalid``: every movement moves a positive quantity from or to a location.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Allocation,
    AllocationStatus,
    Discrepancy,
    Location,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    StockBalance,
    StockMovement,
)

__all__ = ["RULES", "Violation", "verify_ledger"]

RULES = (
    "balance_mismatch",
    "allocated_negative",
    "allocated_above_on_hand",
    "allocated_mismatch",
    "committed_mismatch",
    "line_allocation_mismatch",
    "allocated_above_committed",
    "shipped_mismatch",
    "negative_without_discrepancy",
    "movement_invalid",
)

OPEN_ORDER_STATUSES = [status.value for status in OrderStatus if status.is_open]

BalanceKey = tuple[UUID, UUID, str]


@dataclass(frozen=True)
class Violation:
    """One broken rule: its code, a sentence naming the records, and the ids involved."""

    rule: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


class _Names:
    """Product SKUs and location codes, loaded once, so messages name what a person can find."""

    def __init__(self, skus: dict[UUID, str], locations: dict[UUID, str]) -> None:
        self.skus = skus
        self.locations = locations

    def place(self, product_id: UUID, location_id: UUID, batch: str) -> str:
        sku = self.skus.get(product_id, str(product_id))
        location = self.locations.get(location_id, str(location_id))
        where = f"{sku} at {location}"
        return f"{where} batch {batch!r}" if batch else where


async def _load_names(session: AsyncSession) -> _Names:
    skus = {row.id: row.sku for row in (await session.execute(select(Product.id, Product.sku))).all()}
    locations = {row.id: row.code for row in (await session.execute(select(Location.id, Location.code))).all()}
    return _Names(skus, locations)


async def _movement_sums(session: AsyncSession) -> dict[BalanceKey, int]:
    """Sum units in minus units out per product, location and batch over the whole ledger."""
    units_in = select(
        StockMovement.product_id.label("product_id"),
        StockMovement.to_location_id.label("location_id"),
        StockMovement.batch.label("batch"),
        StockMovement.quantity.label("delta"),
    ).where(StockMovement.to_location_id.is_not(None))
    units_out = select(
        StockMovement.product_id.label("product_id"),
        StockMovement.from_location_id.label("location_id"),
        StockMovement.batch.label("batch"),
        (-StockMovement.quantity).label("delta"),
    ).where(StockMovement.from_location_id.is_not(None))
    both = union_all(units_in, units_out).subquery()
    statement = select(both.c.product_id, both.c.location_id, both.c.batch, func.sum(both.c.delta)).group_by(
        both.c.product_id, both.c.location_id, both.c.batch
    )
    return {(row[0], row[1], row[2]): int(row[3] or 0) for row in (await session.execute(statement)).all()}


async def _check_movements(session: AsyncSession) -> list[Violation]:
    statement = select(StockMovement.id, StockMovement.quantity, StockMovement.from_location_id, StockMovement.to_location_id).where(
        (StockMovement.quantity <= 0) | (StockMovement.from_location_id.is_(None) & StockMovement.to_location_id.is_(None))
    )
    violations = []
    for movement_id, quantity, source, target in (await session.execute(statement)).all():
        if quantity <= 0:
            message = f"movement {movement_id} moves {quantity} units: a movement moves a positive quantity"
        else:
            message = f"movement {movement_id} has neither a from-location nor a to-location"
        violations.append(Violation("movement_invalid", message, {"movement_id": movement_id}))
    return violations


async def _check_balances(session: AsyncSession, names: _Names) -> list[Violation]:
    """Compare each balance with its movements, its open allocations and its discrepancies."""
    violations: list[Violation] = []
    sums = await _movement_sums(session)

    allocation_statement = (
        select(Allocation.product_id, Allocation.location_id, Allocation.batch, func.sum(Allocation.quantity))
        .where(Allocation.status.in_(AllocationStatus.OPEN))
        .group_by(Allocation.product_id, Allocation.location_id, Allocation.batch)
    )
    allocations = {(row[0], row[1], row[2]): int(row[3] or 0) for row in (await session.execute(allocation_statement)).all()}

    discrepancy_statement = select(Discrepancy.product_id, Discrepancy.location_id).where(
        Discrepancy.kind == "negative_stock", Discrepancy.status == "open", Discrepancy.resolved.is_(False)
    )
    flagged = {(row[0], row[1]) for row in (await session.execute(discrepancy_statement)).all()}

    balances = (
        await session.execute(
            select(StockBalance.product_id, StockBalance.location_id, StockBalance.batch, StockBalance.on_hand, StockBalance.allocated)
        )
    ).all()
    seen: set[BalanceKey] = set()
    for product_id, location_id, batch, on_hand, allocated in balances:
        key = (product_id, location_id, batch)
        seen.add(key)
        place = names.place(*key)
        ids = {"product_id": str(product_id), "location_id": str(location_id), "batch": batch}

        ledger = sums.get(key, 0)
        if on_hand != ledger:
            violations.append(
                Violation("balance_mismatch", f"{place}: balance on hand {on_hand}, movements sum to {ledger}", {**ids, "on_hand": on_hand, "movements": ledger})
            )
        if allocated < 0:
            violations.append(Violation("allocated_negative", f"{place}: allocated is {allocated}", {**ids, "allocated": allocated}))
        if on_hand >= 0 and allocated > on_hand:
            violations.append(
                Violation("allocated_above_on_hand", f"{place}: allocated {allocated} exceeds on hand {on_hand}", {**ids, "allocated": allocated, "on_hand": on_hand})
            )
        reserved = allocations.get(key, 0)
        if allocated != reserved:
            violations.append(
                Violation(
                    "allocated_mismatch",
                    f"{place}: balance allocated {allocated}, open allocations sum to {reserved}",
                    {**ids, "allocated": allocated, "open_allocations": reserved},
                )
            )
        if on_hand < 0 and (product_id, location_id) not in flagged:
            violations.append(
                Violation("negative_without_discrepancy", f"{place}: on hand {on_hand} has no open discrepancy", {**ids, "on_hand": on_hand})
            )

    for key, ledger in sums.items():
        if key not in seen and ledger != 0:
            violations.append(
                Violation(
                    "balance_mismatch",
                    f"{names.place(*key)}: no balance row, movements sum to {ledger}",
                    {"product_id": str(key[0]), "location_id": str(key[1]), "batch": key[2], "on_hand": None, "movements": ledger},
                )
            )
    for key, reserved in allocations.items():
        if key not in seen and reserved != 0:
            violations.append(
                Violation(
                    "allocated_mismatch",
                    f"{names.place(*key)}: no balance row, open allocations sum to {reserved}",
                    {"product_id": str(key[0]), "location_id": str(key[1]), "batch": key[2], "allocated": None, "open_allocations": reserved},
                )
            )
    return violations


async def _check_order_lines(session: AsyncSession, names: _Names) -> list[Violation]:
    """Check committed and shipped quantities of every order line."""
    violations: list[Violation] = []
    rows = (
        await session.execute(
            select(OrderLine, Order.order_number, Order.status, Order.id)
            .join(Order, Order.id == OrderLine.order_id)
            .order_by(Order.order_number, OrderLine.position)
        )
    ).all()
    shipped_by_order: dict[tuple[UUID, UUID], int] = defaultdict(int)
    order_numbers: dict[UUID, str] = {}
    held = await _open_allocations_per_line(session)
    for line, order_number, status, order_id in rows:
        order_numbers[order_id] = order_number
        open_line = status in OPEN_ORDER_STATUSES and line.active
        expected = max(line.quantity_ordered - line.quantity_shipped, 0) if open_line else 0
        if line.quantity_committed != expected:
            if open_line:
                why = "open order"
            elif not line.active:
                why = "removed line"
            else:
                why = f"{status} order"
            violations.append(
                Violation(
                    "committed_mismatch",
                    f"order {order_number} line {line.sku}: committed {line.quantity_committed}, expected {expected} ({why}: "
                    f"ordered {line.quantity_ordered}, shipped {line.quantity_shipped})",
                    {"order_id": str(order_id), "order_line_id": str(line.id), "committed": line.quantity_committed, "expected": expected},
                )
            )
        violations += _check_line_allocations(line, order_number, order_id, held.get(line.id, (0, 0)))
        # NOTE: a line with an unknown SKU has no product, so no movement can ship it. Such lines are
        # left out of the shipped check, because the discrepancy raised for the SKU covers them.
        if line.product_id is not None:
            shipped_by_order[(order_id, line.product_id)] += line.quantity_shipped

    movements, unmatched = await _shipment_movement_units(session, order_numbers)
    for reference_type, reference_id, product_id, moved in unmatched:
        sku = names.skus.get(product_id, str(product_id))
        violations.append(
            Violation(
                "shipped_mismatch",
                f"{moved} units of {sku} left in shipment movements for {reference_type or 'reference'} {reference_id!r}, "
                "which matches no order line",
                {"reference_type": reference_type, "reference_id": reference_id, "product_id": str(product_id), "movements": moved},
            )
        )
    for key in sorted(set(shipped_by_order) | set(movements), key=lambda k: (order_numbers.get(k[0], ""), str(k[1]))):
        on_lines = shipped_by_order.get(key, 0)
        moved = movements.get(key, 0)
        if on_lines != moved:
            order_id, product_id = key
            sku = names.skus.get(product_id, str(product_id))
            number = order_numbers.get(order_id, str(order_id))
            violations.append(
                Violation(
                    "shipped_mismatch",
                    f"order {number} {sku}: lines say {on_lines} shipped, shipment movements moved {moved}",
                    {"order_id": str(order_id), "product_id": str(product_id), "shipped": on_lines, "movements": moved},
                )
            )
    return violations


async def _open_allocations_per_line(session: AsyncSession) -> dict[UUID, tuple[int, int]]:
    """Sum reserved and picked units of the open allocations of each order line."""
    statement = (
        select(Allocation.order_line_id, func.sum(Allocation.quantity), func.sum(Allocation.quantity_picked))
        .where(Allocation.status.in_(AllocationStatus.OPEN))
        .group_by(Allocation.order_line_id)
    )
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in (await session.execute(statement)).all()}


def _check_line_allocations(line: OrderLine, order_number: str, order_id: UUID, held: tuple[int, int]) -> list[Violation]:
    violations = []
    reserved, picked = held
    ids = {"order_id": str(order_id), "order_line_id": str(line.id)}
    if (line.quantity_allocated, line.quantity_picked) != (reserved, picked):
        violations.append(
            Violation(
                "line_allocation_mismatch",
                f"order {order_number} line {line.sku}: allocated {line.quantity_allocated} and picked {line.quantity_picked}, "
                f"open allocations hold {reserved} reserved and {picked} picked",
                {**ids, "allocated": line.quantity_allocated, "picked": line.quantity_picked, "reserved": reserved, "allocations_picked": picked},
            )
        )
    held_units = line.quantity_allocated + line.quantity_picked
    if held_units > line.quantity_committed:
        violations.append(
            Violation(
                "allocated_above_committed",
                f"order {order_number} line {line.sku}: allocated {line.quantity_allocated} plus picked {line.quantity_picked} "
                f"exceeds committed {line.quantity_committed}",
                {**ids, "allocated": line.quantity_allocated, "picked": line.quantity_picked, "committed": line.quantity_committed},
            )
        )
    return violations


async def _shipment_movement_units(
    session: AsyncSession, order_numbers: dict[UUID, str]
) -> tuple[dict[tuple[UUID, UUID], int], list[tuple[str, str, UUID, int]]]:
    """Sum shipment movements per order and product.

    A shipment movement names its order in ``reference_id``: the order's id, or its order number
    when ``reference_type`` is ``order_number``. Units leaving a location count as shipped; a
    shipment movement that only credits a location reverses a shipment and counts negative.
    Movements whose reference matches no order with lines are returned apart.
    """
    by_id = {str(order_id): order_id for order_id in order_numbers}
    by_number: dict[str, UUID] = {}
    for order_id, number in order_numbers.items():
        by_number.setdefault(number, order_id)
    statement = (
        select(
            StockMovement.reference_type,
            StockMovement.reference_id,
            StockMovement.product_id,
            func.sum(StockMovement.quantity).filter(StockMovement.from_location_id.is_not(None)),
            func.sum(StockMovement.quantity).filter(StockMovement.from_location_id.is_(None)),
        )
        .where(StockMovement.reason == MovementReason.SHIPMENT.value)
        .group_by(StockMovement.reference_type, StockMovement.reference_id, StockMovement.product_id)
    )
    units: dict[tuple[UUID, UUID], int] = defaultdict(int)
    unmatched: list[tuple[str, str, UUID, int]] = []
    for reference_type, reference_id, product_id, out_units, back_units in (await session.execute(statement)).all():
        order_id = by_id.get(reference_id)
        if order_id is None and reference_type == "order_number":
            order_id = by_number.get(reference_id)
        if order_id is None:
            unmatched.append((reference_type, reference_id, product_id, int(out_units or 0) - int(back_units or 0)))
            continue
        units[(order_id, product_id)] += int(out_units or 0) - int(back_units or 0)
    return dict(units), unmatched


async def verify_ledger(session: AsyncSession) -> list[Violation]:
    """Check every inventory rule on the database and return the violations found, rule by rule."""
    names = await _load_names(session)
    violations = await _check_movements(session)
    violations += await _check_balances(session, names)
    violations += await _check_order_lines(session, names)
    return violations

