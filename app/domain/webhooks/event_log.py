"""The webhook event log's read side: one page of stored events for supervisors."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import WebhookEvent, WebhookOutcome
from app.domain.webhooks.schemas import WebhookEventPage, WebhookEventRead
from app.lib.errors import InvalidInputError

__all__ = ["list_webhook_events"]


def _event_read(row: WebhookEvent) -> WebhookEventRead:
    return WebhookEventRead(
        id=row.id,
        kind=row.kind,
        event_type=row.event_type,
        event_id=row.event_id,
        order_ref=row.order_ref,
        order_id=row.order_id,
        outcome=row.outcome,
        outcome_detail=row.outcome_detail,
        deliveries=row.deliveries,
        received_at=row.received_at,
        occurred_at=row.occurred_at,
        applied_at=row.applied_at,
        raw_body=row.raw_body,
    )


async def list_webhook_events(
    session: AsyncSession,
    *,
    outcome: str | None = None,
    event_type: str | None = None,
    order_number: str | None = None,
    kind: str | None = None,
    account_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> WebhookEventPage:
    """Return one page of the event log, newest first, filtered by the given values.

    Raises :class:`InvalidInputError` for an ``outcome`` or ``kind`` that no row can have.
    """
    outcomes = (*WebhookOutcome.FINISHED, WebhookOutcome.RECEIVED, WebhookOutcome.FAILED)
    if outcome and outcome not in outcomes:
        raise InvalidInputError(f"outcome {outcome!r} is invalid: use one of {', '.join(sorted(outcomes))}", field="outcome")
    if kind and kind not in ("orders", "tracking"):
        raise InvalidInputError(f"kind {kind!r} is invalid: use orders or tracking", field="kind")
    filters = []
    if outcome:
        filters.append(WebhookEvent.outcome == outcome)
    if event_type:
        filters.append(WebhookEvent.event_type == event_type)
    if order_number:
        filters.append(WebhookEvent.order_ref == order_number)
    if kind:
        filters.append(WebhookEvent.kind == kind)
    if account_id:
        filters.append(WebhookEvent.account_id == account_id)
    total = await session.scalar(select(func.count()).select_from(WebhookEvent).where(*filters))
    rows = (
        await session.scalars(
            select(WebhookEvent)
            .where(*filters)
            .order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return WebhookEventPage(items=[_event_read(row) for row in rows], total=int(total or 0), limit=limit, offset=offset)
