"""Discrepancies: listing them for supervisors and recording how each was resolved."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Discrepancy, Location
from app.domain.auth.schemas import AuthUser
from app.domain.stock.queries import check_limit
from app.domain.stock.schemas import DiscrepancyPage, DiscrepancyRead
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError

__all__ = ["DISCREPANCY_STATES", "list_discrepancies", "resolve_discrepancy"]

DISCREPANCY_STATES = ("open", "resolved", "all")


def _read(discrepancy: Discrepancy, location_code: str | None) -> DiscrepancyRead:
    return DiscrepancyRead(
        id=discrepancy.id,
        kind=discrepancy.kind,
        status=discrepancy.status,
        sku=discrepancy.sku,
        product_id=discrepancy.product_id,
        location=location_code,
        quantity=discrepancy.quantity,
        reference_type=discrepancy.reference_type,
        reference_id=discrepancy.reference_id,
        movement_id=discrepancy.movement_id,
        message=discrepancy.message,
        resolved=discrepancy.resolved,
        resolution_note=discrepancy.resolution_note,
        created_at=discrepancy.created_at,
        updated_at=discrepancy.updated_at,
    )


async def list_discrepancies(
    session: AsyncSession, *, state: str = "open", kind: str | None = None, cursor: UUID | None = None, limit: int = 100
) -> DiscrepancyPage:
    """Return a page of discrepancies, newest first. ``state`` is open, resolved or all."""
    check_limit(limit)
    if state not in DISCREPANCY_STATES:
        raise InvalidInputError(f"status {state!r} is invalid: use one of {', '.join(DISCREPANCY_STATES)}", field="status")
    statement = (
        select(Discrepancy, Location.code)
        .outerjoin(Location, Location.id == Discrepancy.location_id)
        .order_by(Discrepancy.id.desc())
        .limit(limit + 1)
    )
    if state != "all":
        statement = statement.where(Discrepancy.resolved.is_(state == "resolved"))
    if kind:
        statement = statement.where(Discrepancy.kind == kind)
    if cursor is not None:
        # Ids are UUIDv7, so they sort by creation time.
        statement = statement.where(Discrepancy.id < cursor)
    rows = (await session.execute(statement)).all()
    has_more = len(rows) > limit
    items = [_read(discrepancy, code) for discrepancy, code in rows[:limit]]
    return DiscrepancyPage(items=items, next_cursor=str(items[-1].id) if has_more and items else None)


async def resolve_discrepancy(session: AsyncSession, discrepancy_id: UUID, note: str, user: AuthUser) -> DiscrepancyRead:
    """Mark a discrepancy resolved with the supervisor's note. A resolved one cannot be resolved again."""
    text = note.strip()
    if not text:
        raise InvalidInputError("note is empty: say what was done, for example 'counted, 4 found'", field="note")
    discrepancy = await session.get(Discrepancy, discrepancy_id, with_for_update=True)
    if discrepancy is None:
        raise NotFoundError(f"discrepancy {discrepancy_id} not found", discrepancy_id=str(discrepancy_id))
    if discrepancy.resolved:
        raise ConflictError(
            f"discrepancy {discrepancy_id} is already resolved: {discrepancy.resolution_note}",
            code="already_resolved",
        )
    discrepancy.resolved = True
    discrepancy.status = "resolved"
    # NOTE: the discrepancy table has no resolved_by column, so the supervisor's name goes into the
    # note to keep who resolved it on record.
    discrepancy.resolution_note = f"{text} ({user.username})"[:500]
    await session.flush()
    location_code = None
    if discrepancy.location_id is not None:
        location_code = await session.scalar(select(Location.code).where(Location.id == discrepancy.location_id))
    return _read(discrepancy, location_code)
