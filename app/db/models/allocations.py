"""Allocations: the part of committed stock that a released order holds at a location and batch."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import UUIDv7AuditBase

__all__ = ["Allocation", "AllocationStatus"]


class AllocationStatus:
    ALLOCATED = "ALLOCATED"
    PICKED = "PICKED"
    RELEASED = "RELEASED"
    SHIPPED = "SHIPPED"

    OPEN = (ALLOCATED, PICKED)


class Allocation(UUIDv7AuditBase):
    """Units of one order line reserved at one location and batch.

    ``quantity`` counts the units still reserved in ``stock_balance.allocated`` at that location.
    ``quantity_picked`` counts units already moved to a tote or the packing bench for this line.
    """

    __tablename__ = "allocation"

    order_id: Mapped[UUID] = mapped_column(ForeignKey("customer_order.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[UUID] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), index=True)
    location_id: Mapped[UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), index=True)
    batch: Mapped[str] = mapped_column(String(80), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    quantity_picked: Mapped[int] = mapped_column(Integer, default=0)
    # Where picked units are now (tote, trolley or packing bench) until they ship or return.
    picked_location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=AllocationStatus.ALLOCATED, index=True)
    job_line_id: Mapped[UUID | None] = mapped_column(ForeignKey("job_line.id", ondelete="SET NULL"), nullable=True)
