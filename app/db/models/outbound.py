"""WMS outbound: routing rules, per-warehouse outbound settings, totes, pack sessions, reconciliation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import UUIDv7AuditBase

__all__ = [
    "OrderRouting",
    "OutboundSettings",
    "OutboundTimer",
    "PackSession",
    "PackSessionStatus",
    "PickTote",
    "ReconciliationRun",
    "RoutingFlow",
    "RoutingRule",
    "RuleKind",
]


class RoutingFlow:
    """Names of the two outbound flows: WMS outbound or Starshipit's own (headless)."""

    WMS = "wms"
    HEADLESS = "headless"


class RuleKind:
    """Kinds of order fact a hybrid routing rule matches on."""

    CHANNEL = "channel"  # sales channel or platform name, e.g. "shopify"
    TAG = "tag"  # one of the order's tags
    METADATA = "metadata"  # a metadata key equal to a value ("key=value") or present ("key")
    SKU_SET = "sku_set"  # every (or any) line's SKU in a set
    ACCOUNT = "account"  # the Starshipit account code

    ALL = (CHANNEL, TAG, METADATA, SKU_SET, ACCOUNT)


class OutboundSettings(UUIDv7AuditBase):
    """Outbound options of one warehouse that the warehouse row itself does not carry."""

    __tablename__ = "outbound_settings"

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="CASCADE"), unique=True)
    require_location_scan: Mapped[bool] = mapped_column(Boolean, default=True)
    # Batches expiring sooner than today + this many days are never allocated; 0 allows today's.
    min_shelf_life_days: Mapped[int] = mapped_column(Integer, default=0)
    # Minutes between automatic release runs; 0 turns the timer off.
    auto_release_minutes: Mapped[int] = mapped_column(Integer, default=0)
    release_on_stock_arrival: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_partial_release: Mapped[bool] = mapped_column(Boolean, default=False)
    # Minutes between reads of Starshipit's shipped feed for the accounts based here; 0 turns it off.
    poll_shipped_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # Destination of the routing when no hybrid rule matches.
    hybrid_default_flow: Mapped[str] = mapped_column(String(20), default=RoutingFlow.HEADLESS)


class RoutingRule(UUIDv7AuditBase):
    """One ordered hybrid rule: an order matching it goes to ``flow``; the lowest position wins."""

    __tablename__ = "routing_rule"

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(20))
    # Values compared case-insensitively; a SKU set lists its SKUs, a metadata rule "key=value".
    values: Mapped[list[str]] = mapped_column(JSON, default=list)
    # For SKU sets: "all" lines must be in the set, or "any" line.
    match: Mapped[str] = mapped_column(String(10), default="all")
    flow: Mapped[str] = mapped_column(String(20), default=RoutingFlow.WMS)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OrderRouting(UUIDv7AuditBase):
    """The routing decision of one order and the order facts it was made from."""

    __tablename__ = "order_routing"

    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"), unique=True)
    flow: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[UUID | None] = mapped_column(ForeignKey("routing_rule.id", ondelete="SET NULL"), nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(120), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set when an automatic release found too little stock; cleared on release.
    short_since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    short_detail: Mapped[str] = mapped_column(Text, default="")


class OutboundTimer(UUIDv7AuditBase):
    """When a periodic outbound task last ran for one warehouse or account, and how far it read."""

    __tablename__ = "outbound_timer"
    __table_args__ = (UniqueConstraint("task", "scope_id", name="uq_outbound_timer_task_scope"),)

    task: Mapped[str] = mapped_column(String(40))
    scope_id: Mapped[UUID] = mapped_column()
    last_run_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # Highest stock movement id already looked at, for "release when stock arrives".
    watermark: Mapped[int] = mapped_column(BigInteger, default=0)


class PickTote(UUIDv7AuditBase):
    """The tote (a TOTE location) that holds one order's picked units during one pick job."""

    __tablename__ = "pick_tote"
    __table_args__ = (UniqueConstraint("job_id", "order_id", name="uq_pick_tote_job_order"),)

    job_id: Mapped[UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"), index=True)
    tote_location_id: Mapped[UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), index=True)
    released: Mapped[bool] = mapped_column(Boolean, default=False)


class PackSessionStatus:
    OPEN = "OPEN"
    SHIPPING = "SHIPPING"  # the shipment request to Starshipit is in flight
    LABELLED = "LABELLED"
    PAUSED = "PAUSED"
    CANCELLED = "CANCELLED"

    ACTIVE = (OPEN, SHIPPING, PAUSED)


class PackSession(UUIDv7AuditBase):
    """One packer verifying one order's units at a packing bench, up to the label."""

    __tablename__ = "pack_session"

    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    job_id: Mapped[UUID | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"), nullable=True)
    bench_location_id: Mapped[UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default=PackSessionStatus.OPEN, index=True)
    # {"SKU-A": 2, ...}: units scanned and moved to the bench in this session.
    packed: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    packaging: Mapped[str] = mapped_column(String(80), default="")
    weight_kg: Mapped[float | None] = mapped_column(Numeric(10, 3, asdecimal=False), nullable=True)
    dimensions_m: Mapped[list[float]] = mapped_column(JSON, default=list)
    tracking_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    carrier_name: Mapped[str] = mapped_column(String(80), default="")
    label_pdf_base64: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    pause_reason: Mapped[str] = mapped_column(String(300), default="")
    opened_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    labelled_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class ReconciliationRun(UUIDv7AuditBase):
    """One pass over Starshipit's shipped feed for one account, with its report."""

    __tablename__ = "reconciliation_run"

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # Newest last_updated date seen in the feed; the next run reads from here.
    feed_cursor: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    # "apply" (the polling fallback books lost shipments) or "report" (read-only comparison).
    mode: Mapped[str] = mapped_column(String(10), default="report")
    applied: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
