"""Stock balances (a projection) and the append-only stock movement ledger."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import BigIntBase, UUIDv7AuditBase
from app.lib.timeutil import utcnow

__all__ = ["Discrepancy", "StockBalance", "StockMovement"]

# The empty string stands for "no batch" so that the unique key works the same on SQLite and
# PostgreSQL, where NULLs never collide.
NO_BATCH = ""


class StockBalance(UUIDv7AuditBase):
    """On hand and allocated units of one product, at one location, in one batch."""

    __tablename__ = "stock_balance"
    __table_args__ = (UniqueConstraint("product_id", "location_id", "batch", name="uq_balance_product_location_batch"),)

    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), index=True)
    location_id: Mapped[UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), index=True)
    batch: Mapped[str] = mapped_column(String(80), default=NO_BATCH)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)


class StockMovement(BigIntBase):
    """One change of on hand. Rows are never updated or deleted; a mistake gets a new movement."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        Index("ix_movement_product_created", "product_id", "created_at"),
        Index("ix_movement_reference", "reference_type", "reference_id"),
    )

    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    batch: Mapped[str] = mapped_column(String(80), default="")
    from_location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True, index=True)
    to_location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20), index=True)
    reference_type: Mapped[str] = mapped_column(String(30), default="")
    reference_id: Mapped[str] = mapped_column(String(80), default="")
    operator_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    command_id: Mapped[UUID | None] = mapped_column(nullable=True, index=True)
    scan: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow, index=True)


class Discrepancy(UUIDv7AuditBase):
    """Something a supervisor must look at: negative stock, an unknown SKU, a shipment with no stock."""

    __tablename__ = "discrepancy"

    kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    product_id: Mapped[UUID | None] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), nullable=True)
    location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True)
    sku: Mapped[str] = mapped_column(String(80), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    reference_type: Mapped[str] = mapped_column(String(30), default="")
    reference_id: Mapped[str] = mapped_column(String(80), default="")
    movement_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("stock_movement.id"), nullable=True)
    message: Mapped[str] = mapped_column(String(500))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_note: Mapped[str] = mapped_column(String(500), default="")
