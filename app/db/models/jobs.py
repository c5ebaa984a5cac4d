"""Warehouse jobs (pick, pack, putaway, replenishment, counts, returns to stock) and their lines."""

from __future__ import annotations

from uuid import UUID

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.models._base import JobStatus, UUIDv7AuditBase

__all__ = ["Job", "JobLine"]


class Job(UUIDv7AuditBase):
    __tablename__ = "job"

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.READY.value, index=True)
    order_id: Mapped[UUID | None] = mapped_column(ForeignKey("customer_order.id", ondelete="SET NULL"), nullable=True, index=True)
    assigned_to_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    pause_reason: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    # What the job serves, such as ("purchase_order", "PO-1001") or ("stocktake", <id>).
    reference_type: Mapped[str] = mapped_column(String(30), default="", index=True)
    reference_id: Mapped[str] = mapped_column(String(80), default="", index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    zone: Mapped[str] = mapped_column(String(40), default="")
    assigned_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    lines: Mapped[list[JobLine]] = relationship(back_populates="job", lazy="raise", cascade="all, delete-orphan")


class JobLine(UUIDv7AuditBase):
    __tablename__ = "job_line"

    job_id: Mapped[UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    batch: Mapped[str] = mapped_column(String(80), default="")
    from_location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True)
    to_location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer)
    quantity_done: Mapped[int] = mapped_column(Integer, default=0)

    job: Mapped[Job] = relationship(back_populates="lines", lazy="raise")
