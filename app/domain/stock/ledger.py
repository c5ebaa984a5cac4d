"""The one way on hand changes: a ledger row plus the balance projection, in the caller's transaction.

Balances are locked in a fixed order (ascending location id) before they change, so two
transactions moving stock between the same pair of locations on PostgreSQL cannot deadlock. On
SQLite the write transaction already holds the database's single write lock.

A physical movement is never rejected for lack of stock: the units have already moved on the floor.
When it drives a balance below zero the movement is applied and a discrepancy is opened so that a
supervisor schedules a count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import uuid_utils.compat as uuid_compat
from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import NO_BATCH, Discrepancy, MovementReason, StockBalance, StockMovement
from app.lib.errors import InvalidInputError
from app.lib.timeutil import utcnow

__all__ = ["MovementResult", "adjust_balance", "ensure_balance", "record_movement"]


@dataclass
class MovementResult:
    """The movement written and any discrepancies it opened."""

    movement: StockMovement
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Operator-facing text of each discrepancy."""
        return [discrepancy.message for discrepancy in self.discrepancies]


async def ensure_balance(session: AsyncSession, product_id: UUID, location_id: UUID, batch: str) -> None:
    """Create the balance row for this product, location and batch if it does not exist yet."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    statement = (
        insert(StockBalance)
        .values(
            id=uuid_compat.uuid7(),
            product_id=product_id,
            location_id=location_id,
            batch=batch,
            on_hand=0,
            allocated=0,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["product_id", "location_id", "batch"])
    )
    await session.execute(statement)


async def adjust_balance(session: AsyncSession, product_id: UUID, location_id: UUID, batch: str, delta: int) -> int:
    """Add ``delta`` to on hand atomically and return the new on hand."""
    await ensure_balance(session, product_id, location_id, batch)
    key = and_(
        StockBalance.product_id == product_id,
        StockBalance.location_id == location_id,
        StockBalance.batch == batch,
    )
    statement = (
        update(StockBalance)
        .where(key)
        .values(on_hand=StockBalance.on_hand + delta, updated_at=utcnow())
        .returning(StockBalance.on_hand)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).scalar_one())


async def _lock_balances(session: AsyncSession, product_id: UUID, location_ids: list[UUID], batch: str) -> None:
    # Python orders UUIDs by their 128-bit value, as PostgreSQL orders the uuid type.
    for location_id in sorted(location_ids):
        await ensure_balance(session, product_id, location_id, batch)
    statement = (
        select(StockBalance.id)
        .where(
            StockBalance.product_id == product_id,
            StockBalance.location_id.in_(location_ids),
            StockBalance.batch == batch,
        )
        .order_by(StockBalance.location_id)
        .with_for_update()
    )
    await session.execute(statement)


async def record_movement(
    session: AsyncSession,
    *,
    product_id: UUID,
    quantity: int,
    reason: MovementReason | str,
    from_location_id: UUID | None = None,
    to_location_id: UUID | None = None,
    batch: str = NO_BATCH,
    reference_type: str = "",
    reference_id: str = "",
    operator_id: UUID | None = None,
    device_id: str | None = None,
    command_id: UUID | None = None,
    scan: str | None = None,
    note: str = "",
    sku: str = "",
) -> MovementResult:
    """Write one movement and update the balances it touches, in the caller's transaction.

    ``quantity`` is positive; ``from_location_id`` is debited and ``to_location_id`` credited, and
    at least one of them is given. Returns the movement and any negative-stock discrepancy opened.
    """
    if quantity <= 0:
        raise InvalidInputError(f"quantity {quantity} is invalid: a movement moves a positive number of units", field="quantity")
    if from_location_id is None and to_location_id is None:
        raise InvalidInputError("a movement needs a from-location, a to-location or both")
    if from_location_id is not None and from_location_id == to_location_id:
        raise InvalidInputError("from-location and to-location are the same: nothing would move")

    touched = [loc for loc in (from_location_id, to_location_id) if loc is not None]
    await _lock_balances(session, product_id, touched, batch)

    movement = StockMovement(
        product_id=product_id,
        batch=batch,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        quantity=quantity,
        reason=str(MovementReason(reason)),
        reference_type=reference_type,
        reference_id=reference_id,
        operator_id=operator_id,
        device_id=device_id,
        command_id=command_id,
        scan=scan,
        note=note,
        created_at=utcnow(),
    )
    session.add(movement)
    await session.flush()

    result = MovementResult(movement=movement)
    if from_location_id is not None:
        remaining = await adjust_balance(session, product_id, from_location_id, batch, -quantity)
        if remaining < 0:
            label = sku or str(product_id)
            discrepancy = Discrepancy(
                kind="negative_stock",
                product_id=product_id,
                location_id=from_location_id,
                sku=sku,
                quantity=remaining,
                reference_type=reference_type,
                reference_id=reference_id,
                movement_id=movement.id,
                message=f"{label} went to {remaining} on hand at this location: count it",
            )
            session.add(discrepancy)
            result.discrepancies.append(discrepancy)
    if to_location_id is not None:
        await adjust_balance(session, product_id, to_location_id, batch, quantity)
    await session.flush()
    return result
