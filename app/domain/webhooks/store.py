"""The webhook event log's write side: storing deliveries raw, deduplicating copies, claiming and applying.

These are transactions A, B and C of the steps in :mod:`app.domain.webhooks.services`, which
drives them for each delivery.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import msgspec
from sqlalchemy import or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import Account, WebhookEvent, WebhookOutcome
from app.domain.orders.events import EventResult
from app.lib.errors import DomainError, InvalidInputError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "APPLY_ATTEMPTS",
    "Applier",
    "Delivery",
    "EventApplyError",
]

log = get_logger(__name__)


APPLY_ATTEMPTS = 3


class EventApplyError(DomainError):
    """Applying a stored event failed. The response is 500, so Starshipit delivers the event again."""

    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "event_apply_failed"


@dataclass
class Delivery:
    """A verified, validated delivery ready for the event log."""

    kind: str
    event_type: str
    event_id: str | None
    dedup_key: str
    order_ref: str
    occurred_at: datetime | None
    raw_body: str


Applier = Callable[[AsyncSession, Account], Awaitable[EventResult]]


def _raw_text(body: bytes) -> str:
    # PostgreSQL text cannot contain NUL, so a NUL byte is kept as U+FFFD like other undecodable bytes.
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _sha256(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _peek(body: bytes) -> dict[str, Any]:
    """Decode the body without a schema, for the fields a rejected row can still show, or return {}."""
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


async def _store_rejected(db: Database, account: Account, kind: str, body: bytes, error: InvalidInputError) -> None:
    loose = _peek(body)
    order = loose.get("order") if isinstance(loose.get("order"), dict) else loose
    event_type = loose.get("event") if kind == "orders" else "tracking"
    async with db.transaction() as session:
        row = WebhookEvent(
            account_id=account.id,
            kind=kind,
            event_type=str(event_type or "").replace("\x00", "")[:40],
            event_id=None,
            dedup_key=None,
            order_ref=str(order.get("order_number") or "").replace("\x00", "")[:80],
            raw_body=_raw_text(body),
            received_at=utcnow(),
            outcome=WebhookOutcome.REJECTED,
            outcome_detail=error.message,
            deliveries=1,
        )
        session.add(row)
    log.warning("webhook rejected", account_code=account.code, kind=kind, webhook_event_id=str(row.id), error=error.message)


async def _insert_received(db: Database, account: Account, delivery: Delivery) -> UUID | None:
    """Transaction A: store the raw event and return its id, or None when a copy is already stored."""
    try:
        async with db.transaction() as session:
            row = WebhookEvent(
                account_id=account.id,
                kind=delivery.kind,
                event_type=delivery.event_type[:40],
                event_id=delivery.event_id,
                dedup_key=delivery.dedup_key,
                order_ref=delivery.order_ref[:80],
                raw_body=delivery.raw_body,
                received_at=utcnow(),
                occurred_at=delivery.occurred_at,
                outcome=WebhookOutcome.RECEIVED,
                deliveries=1,
            )
            session.add(row)
            await session.flush()
            return row.id
    except IntegrityError:
        return None


async def _count_copy(db: Database, account: Account, delivery: Delivery) -> tuple[UUID, str]:
    """Find the stored row a copy matches, count the delivery, and return the row's id and outcome."""
    matches = [WebhookEvent.dedup_key == delivery.dedup_key]
    if delivery.event_id is not None:
        matches.append(WebhookEvent.event_id == delivery.event_id)
    async with db.transaction() as session:
        row_id = await session.scalar(
            select(WebhookEvent.id)
            .where(WebhookEvent.account_id == account.id, WebhookEvent.kind == delivery.kind, or_(*matches))
            .order_by(WebhookEvent.received_at)
            .limit(1)
        )
        if row_id is None:
            # The unique violation came from a row that is gone (never deleted in practice).
            raise EventApplyError("a duplicate webhook event was reported but its stored copy was not found: deliver it again")
        # On PostgreSQL this waits for a transaction B still applying the row, so the outcome read
        # back is the final one.
        outcome = await session.scalar(
            update(WebhookEvent)
            .where(WebhookEvent.id == row_id)
            .values(deliveries=WebhookEvent.deliveries + 1, updated_at=utcnow())
            .returning(WebhookEvent.outcome)
            .execution_options(synchronize_session=False)
        )
    return row_id, str(outcome)


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, DBAPIError) and "deadlock" in str(exc.orig).lower()


async def _claim_and_apply(db: Database, account: Account, row_id: UUID, apply: Applier) -> EventResult | None:
    """Transaction B: claim the row and apply the event. Return None when another delivery applied it."""
    for attempt in range(1, APPLY_ATTEMPTS + 1):
        try:
            async with db.transaction() as session:
                claimed = await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id == row_id, WebhookEvent.outcome.in_([WebhookOutcome.RECEIVED, WebhookOutcome.FAILED]))
                    .values(outcome=WebhookOutcome.APPLIED, applied_at=utcnow(), updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount == 0:
                    return None
                result = await apply(session, account)
                await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id == row_id)
                    .values(
                        outcome=result.outcome,
                        outcome_detail=result.detail[:2000],
                        order_id=result.order.id if result.order is not None else None,
                    )
                    .execution_options(synchronize_session=False)
                )
                return result
        except Exception as exc:  # noqa: BLE001 - every failure is logged, stored on the row and answered 500
            if attempt < APPLY_ATTEMPTS and _is_retryable(exc):
                log.warning("applying webhook event lost a race; retrying", webhook_event_id=str(row_id), attempt=attempt, error=str(exc))
                continue
            await _mark_failed(db, row_id, exc)
            raise EventApplyError(
                f"applying webhook event {row_id} failed: {exc}", webhook_event_id=str(row_id)
            ) from exc
    raise AssertionError("unreachable: the loop returns or raises")


async def _mark_failed(db: Database, row_id: UUID, exc: Exception) -> None:
    """Transaction C: record the failure on the row for supervisors, and so that a retry claims it."""
    log.error("applying webhook event failed", webhook_event_id=str(row_id), error=repr(exc), exc_info=exc)
    async with db.transaction() as session:
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == row_id)
            .values(outcome=WebhookOutcome.FAILED, outcome_detail=f"{type(exc).__name__}: {exc}"[:2000], updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
