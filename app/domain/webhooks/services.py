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

from litestar.channels import ChannelsPlugin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import Account, WebhookOutcome
from app.domain.live.publisher import publish_status_changes, publish_tracking_change, tracking_change_of
from app.domain.orders.events import EventResult, apply_order_event
from app.domain.orders.payload import OrderEvent, normalise_order_event, read_timestamp
from app.domain.orders.tracking import apply_tracking_update, canonical_tracking_status
from app.domain.outbound.interruptions import publish_alerts
from app.domain.webhooks.event_log import list_webhook_events
from app.domain.webhooks.schemas import (
    OrderEnvelope,
    TrackingPayload,
    WebhookReply,
    decode_webhook_body,
    text_or_none,
)
from app.domain.webhooks.signing import verify_signature
from app.domain.webhooks.store import (
    Applier,
    Delivery,
    EventApplyError,
    _claim_and_apply,
    _count_copy,
    _insert_received,
    _peek,
    _raw_text,
    _sha256,
    _store_rejected,
)
from app.lib.errors import InvalidInputError, NotFoundError, SignatureError
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
