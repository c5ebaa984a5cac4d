"""Receiving Starshipit webhooks exactly once: verify, store raw, deduplicate, then apply.

Starshipit delivers at least once and in any order, and retries on any non-2xx response. Each delivery
goes through these steps:

1. The account comes from the URL (404 when unknown). The signature is checked on the raw bytes
   before anything is parsed; a missing or wrong one gets 401 and nothing is written.
2. The body is decoded and validated. A malformed body is stored in the event log as ``rejected``
   (with no event id or dedup key, so every such delivery is kept) and gets a 400 naming the field.
3. Transaction A inserts the event log row, outcome ``received``, with the event id and a dedup key.
   For order events the key is a SHA-256 over the event type, order id, occurred_at and the order
   object re-encoded with sorted keys. For tracking updates it covers the order number, tracking
   number, status and last_updated_date. Both are UNIQUE per account, so a copy fails the insert
   whatever process or connection it arrives on. That copy then looks the first row up and counts
   the delivery, and when the row is finished the copy gets a 2xx ``duplicate`` response.
4. Transaction B claims the row with ``UPDATE … SET outcome='applied' WHERE id=… AND outcome IN
   ('received', 'failed')`` and applies the event in the same transaction. When the claim updates no
   row, another delivery already applied it, and this one gets a ``duplicate`` response. On PostgreSQL a
   second claim blocks on the row lock until the first commits and then matches nothing. On SQLite
   the single write connection runs the two one after the other. A row left ``received`` by a crash
   is claimed by Starshipit's next retry.
5. If applying raises, transaction B rolls back, and transaction C marks the row ``failed`` with the
   error. The error is logged with the ids, and the response is 500, so Starshipit retries later.
   Before that, transaction B runs up to three times in all when it loses a race on a unique key
   or hits a PostgreSQL deadlock.
6. Status changes are published to live clients only after transaction B commits.
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
from litestar.channels import ChannelsPlugin
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import Account, WebhookEvent, WebhookOutcome
from app.domain.live.publisher import publish_status_changes, publish_tracking_change, tracking_change_of
from app.domain.orders.events import EventResult, apply_order_event
from app.domain.orders.payload import OrderEvent, normalise_order_event, read_timestamp
from app.domain.orders.tracking import apply_tracking_update, canonical_tracking_status
from app.domain.outbound.interruptions import publish_alerts
from app.domain.webhooks.schemas import (
    OrderEnvelope,
    TrackingPayload,
    WebhookEventPage,
    WebhookEventRead,
    WebhookReply,
    decode_webhook_body,
    text_or_none,
)
from app.domain.webhooks.signing import verify_signature
from app.lib.errors import DomainError, InvalidInputError, NotFoundError, SignatureError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "EventApplyError",
    "list_webhook_events",
    "load_account",
    "receive_order_webhook",
    "receive_tracking_webhook",
]

log = get_logger(__name__)

DUPLICATE = "duplicate"
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


async def load_account(db: Database, account_code: str) -> Account:
    """Load the active account with this URL code, or raise :class:`NotFoundError`."""
    async with db.read() as session:
        account = await session.scalar(select(Account).where(Account.code == account_code))
    if account is None or not account.active:
        raise NotFoundError(
            f"Starshipit account {account_code!r} not found: check the code in the webhook URL", account_code=account_code
        )
    return account


def _check_signature(account: Account, kind: str, body: bytes, signature: str | None) -> None:
    if verify_signature(account.webhook_secret, body, signature):
        return
    log.warning(
        "webhook signature rejected",
        account_code=account.code,
        kind=kind,
        signature_present=bool(signature),
        body_bytes=len(body),
    )
    raise SignatureError(
        "X-Starshipit-Signature is missing or does not match the body: sign the raw body with the account's webhook secret"
    )


def _raw_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


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
            event_type=str(event_type or "")[:40],
            event_id=None,
            dedup_key=None,
            order_ref=str(order.get("order_number") or "")[:80],
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


async def _deliver(db: Database, channels: ChannelsPlugin | None, account: Account, delivery: Delivery, apply: Applier) -> WebhookReply:
    row_id = await _insert_received(db, account, delivery)
    if row_id is None:
        row_id, outcome = await _count_copy(db, account, delivery)
        if outcome in WebhookOutcome.FINISHED:
            log.info("duplicate webhook delivery", account_code=account.code, webhook_event_id=str(row_id), event_id=delivery.event_id)
            return WebhookReply(outcome=DUPLICATE, webhook_event_id=row_id, event_id=delivery.event_id, detail=f"already {outcome}")
    result = await _claim_and_apply(db, account, row_id, apply)
    if result is None:
        log.info("duplicate webhook delivery", account_code=account.code, webhook_event_id=str(row_id), event_id=delivery.event_id)
        return WebhookReply(outcome=DUPLICATE, webhook_event_id=row_id, event_id=delivery.event_id, detail="applied by another delivery")
    publish_status_changes(channels, result.changes)
    publish_alerts(channels, result.alerts)
    if delivery.kind == "tracking" and result.outcome == WebhookOutcome.APPLIED and result.order is not None:
        publish_tracking_change(channels, tracking_change_of(result.order))
    log.info(
        "webhook event handled",
        account_code=account.code,
        kind=delivery.kind,
        event_type=delivery.event_type,
        webhook_event_id=str(row_id),
        event_id=delivery.event_id,
        order_id=str(result.order.id) if result.order is not None else None,
        outcome=result.outcome,
    )
    return WebhookReply(
        outcome=result.outcome,
        webhook_event_id=row_id,
        event_id=delivery.event_id,
        order_id=result.order.id if result.order is not None else None,
        detail=result.detail,
    )


def _order_delivery(body: bytes, event: OrderEvent) -> Delivery:
    loose = _peek(body)
    order_object = loose.get("order", {})
    return Delivery(
        kind="orders",
        event_type=event.event,
        event_id=event.event_id[:120] if event.event_id else None,
        dedup_key=_sha256(event.event, event.order_id, event.occurred_at.isoformat(), order_object),
        order_ref=event.order_number or event.order_id,
        occurred_at=event.occurred_at,
        raw_body=_raw_text(body),
    )


async def receive_order_webhook(
    db: Database, channels: ChannelsPlugin | None, account_code: str, body: bytes, signature: str | None
) -> WebhookReply:
    """Handle one order event delivery end to end and return the 2xx reply.

    Raises :class:`NotFoundError` (unknown account), :class:`SignatureError` (401),
    :class:`InvalidInputError` (400, after storing the body as rejected) or :class:`EventApplyError` (500).
    """
    account = await load_account(db, account_code)
    _check_signature(account, "orders", body, signature)
    try:
        event = normalise_order_event(decode_webhook_body(body, OrderEnvelope))
    except InvalidInputError as exc:
        await _store_rejected(db, account, "orders", body, exc)
        raise

    async def apply(session: AsyncSession, locked_account: Account) -> EventResult:
        return await apply_order_event(session, locked_account, event)

    return await _deliver(db, channels, account, _order_delivery(body, event), apply)


async def receive_tracking_webhook(
    db: Database, channels: ChannelsPlugin | None, account_code: str, body: bytes, signature: str | None
) -> WebhookReply:
    """Handle one tracking update delivery end to end and return the 2xx reply (errors as for orders)."""
    account = await load_account(db, account_code)
    _check_signature(account, "tracking", body, signature)
    try:
        payload = decode_webhook_body(body, TrackingPayload)
        if text_or_none(payload.order_number) is None:
            raise InvalidInputError("order_number is empty: send the order's number", field="order_number")
        if not payload.tracking_status.strip():
            raise InvalidInputError("tracking_status is empty: send the courier status", field="tracking_status")
        last_updated = read_timestamp(payload.last_updated_date, "last_updated_date")
    except InvalidInputError as exc:
        await _store_rejected(db, account, "tracking", body, exc)
        raise

    received_at = utcnow()
    updated_at = last_updated or received_at
    order_number = text_or_none(payload.order_number) or ""
    status = canonical_tracking_status(payload.tracking_status)
    delivery = Delivery(
        kind="tracking",
        event_type="tracking",
        event_id=None,
        dedup_key=_sha256(
            order_number,
            text_or_none(payload.tracking_number),
            status,
            last_updated.isoformat() if last_updated else payload.last_updated_date,
        ),
        order_ref=order_number,
        occurred_at=updated_at,
        raw_body=_raw_text(body),
    )

    async def apply(session: AsyncSession, locked_account: Account) -> EventResult:
        return await apply_tracking_update(session, locked_account, payload, updated_at)

    return await _deliver(db, channels, account, delivery, apply)


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
