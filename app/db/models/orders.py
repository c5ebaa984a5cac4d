"""Orders mirrored from Starshipit, their lines, status history and shipments."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.models._base import BigIntBase, OrderStatus, UUIDv7AuditBase
from app.lib.timeutil import utcnow

__all__ = ["Order", "OrderLine", "OrderStatusEvent", "Shipment"]


class Order(UUIDv7AuditBase):
    __tablename__ = "customer_order"
    __table_args__ = (
        UniqueConstraint("account_id", "starshipit_order_id", name="uq_order_account_starshipit_id"),
        Index("ix_order_account_number", "account_id", "order_number"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"))
    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    starshipit_order_id: Mapped[str] = mapped_column(String(40))
    order_number: Mapped[str] = mapped_column(String(80))
    reference: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING.value, index=True)
    starshipit_status: Mapped[str] = mapped_column(String(40), default="")
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    destination: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # occurred_at of the newest event whose content the order reflects; older events are stale.
    last_event_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    tracking_number: Mapped[str] = mapped_column(String(80), default="")
    tracking_status: Mapped[str] = mapped_column(String(40), default="")
    tracking_updated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    routed_by: Mapped[str] = mapped_column(String(200), default="")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.position", cascade="all, delete-orphan"
    )


class OrderLine(UUIDv7AuditBase):
    """One item of an order. Removed lines stay with ``active`` false so their history remains."""

    __tablename__ = "order_line"

    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(80))
    sku: Mapped[str] = mapped_column(String(80))
    product_id: Mapped[UUID | None] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), nullable=True, index=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    quantity_ordered: Mapped[int] = mapped_column(Integer, default=0)
    quantity_committed: Mapped[int] = mapped_column(Integer, default=0)
    quantity_allocated: Mapped[int] = mapped_column(Integer, default=0)
    quantity_picked: Mapped[int] = mapped_column(Integer, default=0)
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0)
    unknown_sku: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class OrderStatusEvent(BigIntBase):
    """One order status change. ``id`` is the global sequence number live clients resume from."""

    __tablename__ = "order_status_event"
    __table_args__ = (Index("ix_status_event_order", "order_id", "id"),)

    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"))
    account_id: Mapped[UUID] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"))
    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    order_number: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    cause: Mapped[str] = mapped_column(String(80), default="")
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)


class Shipment(UUIDv7AuditBase):
    """A shipment Starshipit confirmed; the unique key makes a repeated confirmation ship nothing."""

    __tablename__ = "shipment"
    __table_args__ = (UniqueConstraint("order_id", "shipment_key", name="uq_shipment_order_key"),)

    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"), index=True)
    shipment_key: Mapped[str] = mapped_column(String(128))
    tracking_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    carrier_service_code: Mapped[str] = mapped_column(String(80), default="")
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    shipped_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)
