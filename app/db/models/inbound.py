"""Purchase orders, their lines, receipts and serial numbers."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.models._base import UUIDv7AuditBase

__all__ = ["PurchaseOrder", "PurchaseOrderLine", "PurchaseOrderStatus", "Receipt", "SerialNumber"]


class PurchaseOrderStatus:
    DRAFT = "DRAFT"
    CREATED = "CREATED"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"
    CANCELLED = "CANCELLED"

    ALL = (DRAFT, CREATED, PARTIALLY_RECEIVED, RECEIVED, CANCELLED)
    # Statuses whose unreceived quantities count as incoming and that accept receipts.
    OPEN = (CREATED, PARTIALLY_RECEIVED)


class PurchaseOrder(UUIDv7AuditBase):
    __tablename__ = "purchase_order"

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    supplier_id: Mapped[UUID] = mapped_column(ForeignKey("supplier.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=PurchaseOrderStatus.DRAFT, index=True)
    expected_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    # Set when a purchase order is closed with less than ordered: who accepted the shortfall.
    closed_short_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order", lazy="raise", cascade="all, delete-orphan", order_by="PurchaseOrderLine.line_number"
    )


class PurchaseOrderLine(UUIDv7AuditBase):
    __tablename__ = "purchase_order_line"
    __table_args__ = (UniqueConstraint("purchase_order_id", "product_id", name="uq_po_line_product"),)

    purchase_order_id: Mapped[UUID] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), index=True)
    quantity_ordered: Mapped[int] = mapped_column(Integer)
    quantity_received: Mapped[int] = mapped_column(Integer, default=0)

    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines", lazy="raise")


class Receipt(UUIDv7AuditBase):
    """One receiving scan as applied: what arrived, where it landed and who accepted any excess."""

    __tablename__ = "receipt"

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    purchase_order_id: Mapped[UUID | None] = mapped_column(ForeignKey("purchase_order.id", ondelete="RESTRICT"), nullable=True, index=True)
    purchase_order_line_id: Mapped[UUID | None] = mapped_column(ForeignKey("purchase_order_line.id", ondelete="RESTRICT"), nullable=True)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), index=True)
    location_id: Mapped[UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"))
    batch: Mapped[str] = mapped_column(String(80), default="")
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    # Serial numbers as a JSON array for the audit trail. SerialNumber rows track where each one is now.
    serials: Mapped[str] = mapped_column(Text, default="[]")
    movement_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("stock_movement.id", ondelete="RESTRICT"))
    putaway_job_id: Mapped[UUID | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"), nullable=True)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    override_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    operator_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    command_id: Mapped[UUID | None] = mapped_column(nullable=True, index=True)
    warnings: Mapped[str] = mapped_column(Text, default="")


class SerialNumber(UUIDv7AuditBase):
    """One serial-tracked unit; a serial is received once per product while it is in stock."""

    __tablename__ = "serial_number"
    __table_args__ = (UniqueConstraint("product_id", "serial", name="uq_serial_product_serial"),)

    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), index=True)
    serial: Mapped[str] = mapped_column(String(80))
    batch: Mapped[str] = mapped_column(String(80), default="")
    location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True)
    # "in_stock" from receipt; other parts of the system mark it "shipped" when it leaves.
    status: Mapped[str] = mapped_column(String(20), default="in_stock")
    receipt_id: Mapped[UUID | None] = mapped_column(ForeignKey("receipt.id", ondelete="SET NULL"), nullable=True)
