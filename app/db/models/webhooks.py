"""The webhook event log: every delivery from Starshipit, raw, with its outcome."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import UUIDv7AuditBase
from app.lib.timeutil import utcnow

__all__ = ["WebhookEvent", "WebhookOutcome"]


class WebhookOutcome:
    RECEIVED = "received"
    APPLIED = "applied"
    STALE = "stale"
    IGNORED = "ignored"
    REJECTED = "rejected"
    FAILED = "failed"

    FINISHED = (APPLIED, STALE, IGNORED, REJECTED)


class WebhookEvent(UUIDv7AuditBase):
    __tablename__ = "webhook_event"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "event_id", name="uq_webhook_event_id"),
        UniqueConstraint("account_id", "kind", "dedup_key", name="uq_webhook_dedup_key"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "orders" or "tracking"
    event_type: Mapped[str] = mapped_column(String(40), default="")
    # NULL for rejected bodies; NULLs never collide, so rejected deliveries are all kept.
    event_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    dedup_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    order_ref: Mapped[str] = mapped_column(String(80), default="")
    order_id: Mapped[UUID | None] = mapped_column(ForeignKey("customer_order.id", ondelete="SET NULL"), nullable=True, index=True)
    raw_body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow, index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), default=WebhookOutcome.RECEIVED, index=True)
    outcome_detail: Mapped[str] = mapped_column(Text, default="")
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    applied_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
