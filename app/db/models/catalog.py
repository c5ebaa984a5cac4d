"""Warehouses, locations, products, barcodes and batches."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.models._base import LocationType, OutboundMode, UUIDv7AuditBase

__all__ = ["Batch", "Location", "Product", "ProductBarcode", "PutawayMode", "Supplier", "Warehouse", "Zone"]


class Warehouse(UUIDv7AuditBase):
    __tablename__ = "warehouse"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    outbound_mode: Mapped[str] = mapped_column(String(20), default=OutboundMode.HEADLESS.value)
    # Receiving more than ordered by up to this percentage applies with a warning; beyond it a
    # supervisor must override. Closing a purchase order short by more than it also needs one.
    receipt_tolerance_percent: Mapped[int] = mapped_column(Integer, default=0)
    # A stocktake count whose variance exceeds either threshold waits for supervisor approval.
    count_variance_units: Mapped[int] = mapped_column(Integer, default=0)
    count_variance_percent: Mapped[int] = mapped_column(Integer, default=0)


class Location(UUIDv7AuditBase):
    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("warehouse_id", "code", name="uq_location_warehouse_code"),)

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    barcode: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(20), default=LocationType.BULK_STORAGE.value)
    zone: Mapped[str] = mapped_column(String(40), default="")
    pick_sequence: Mapped[int] = mapped_column(Integer, default=0)
    min_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    warehouse: Mapped[Warehouse] = relationship(lazy="raise")


class Product(UUIDv7AuditBase):
    __tablename__ = "product"

    sku: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    tracking: Mapped[str] = mapped_column(String(10), default="NONE")
    allocation_rule: Mapped[str] = mapped_column(String(10), default="FIFO")
    pick_face_location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Zone whose empty bins putaway suggests when neither the pick face nor a bin holding the
    # product has room; empty means the zone of the product's pick face.
    putaway_zone: Mapped[str] = mapped_column(String(40), default="")

    barcodes: Mapped[list[ProductBarcode]] = relationship(back_populates="product", lazy="raise", cascade="all, delete-orphan")


class ProductBarcode(UUIDv7AuditBase):
    """A barcode printed on a product or its packaging; one scan of it counts ``units`` units."""

    __tablename__ = "product_barcode"

    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    # GTINs are stored as 14 digits so that UPC-A, EAN-13 and GTIN-14 spellings match one row.
    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="GTIN")
    units: Mapped[int] = mapped_column(Integer, default=1)

    product: Mapped[Product] = relationship(back_populates="barcodes", lazy="raise")


class Batch(UUIDv7AuditBase):
    __tablename__ = "batch"
    __table_args__ = (UniqueConstraint("product_id", "code", name="uq_batch_product_code"),)

    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)


class PutawayMode:
    """How a zone treats putaway suggestions."""

    SUGGESTED = "suggested"
    ENFORCED = "enforced"

    ALL = (SUGGESTED, ENFORCED)


class Zone(UUIDv7AuditBase):
    """A named area of a warehouse; locations refer to it by ``Location.zone`` (its code)."""

    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("warehouse_id", "code", name="uq_zone_warehouse_code"),)

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), default="")
    # "enforced": putting stock anywhere but the suggested bin needs a supervisor.
    putaway_mode: Mapped[str] = mapped_column(String(20), default=PutawayMode.SUGGESTED)


class Supplier(UUIDv7AuditBase):
    """A supplier that purchase orders are placed with."""

    __tablename__ = "supplier"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
