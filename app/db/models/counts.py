"""Stocktakes (including cycle counts), their scope and the counts recorded in them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import UUIDv7AuditBase
from app.lib.timeutil import utcnow

__all__ = ["CountStatus", "Stocktake", "StocktakeCount", "StocktakeKind", "StocktakeScope", "StocktakeStatus"]


class StocktakeKind:
    LOCATION = "location"
    PRODUCT = "product"

    ALL = (LOCATION, PRODUCT)


class StocktakeStatus:
    OPEN = "OPEN"
    POSTED = "POSTED"
    CANCELLED = "CANCELLED"


class CountStatus:
    # Variance within the thresholds: posts without review.
    APPROVED = "APPROVED"
    # Variance beyond a threshold: waits for a supervisor.
    PENDING_APPROVAL = "PENDING_APPROVAL"
    REJECTED = "REJECTED"
    POSTED = "POSTED"
    # A later count of the same product, location and batch replaced this one.
    SUPERSEDED = "SUPERSEDED"

    LIVE = (APPROVED, PENDING_APPROVAL)


class Stocktake(UUIDv7AuditBase):
    __tablename__ = "stocktake"

    warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=StocktakeKind.LOCATION)
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default=StocktakeStatus.OPEN, index=True)
    variance_threshold_units: Mapped[int] = mapped_column(Integer, default=0)
    variance_threshold_percent: Mapped[int] = mapped_column(Integer, default=0)
    # Location stocktakes: at posting, stock found in a counted location but never counted is
    # counted as zero.
    zero_uncounted: Mapped[bool] = mapped_column(Boolean, default=True)
    job_id: Mapped[UUID | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"), nullable=True)
    created_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    posted_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")


class StocktakeScope(UUIDv7AuditBase):
    """One location (location stocktakes) or one product (product stocktakes) to be counted."""

    __tablename__ = "stocktake_scope"

    stocktake_id: Mapped[UUID] = mapped_column(ForeignKey("stocktake.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[UUID | None] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), nullable=True, index=True)
    product_id: Mapped[UUID | None] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), nullable=True, index=True)


class StocktakeCount(UUIDv7AuditBase):
    """A count of one product, location and batch: a snapshot of on hand at ``counted_at``.

    ``expected_quantity`` is the balance read in the same transaction as the count, so the
    variance (counted − expected) stays right however much stock moves before posting. Posting
    adds the variance to whatever is on hand then and never overwrites it with the counted figure.
    """

    __tablename__ = "stocktake_count"

    stocktake_id: Mapped[UUID] = mapped_column(ForeignKey("stocktake.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"), index=True)
    product_id: Mapped[UUID] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"), index=True)
    batch: Mapped[str] = mapped_column(String(80), default="")
    counted_quantity: Mapped[int] = mapped_column(Integer)
    expected_quantity: Mapped[int] = mapped_column(Integer)
    variance: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    counted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)
    # The newest ledger row at the moment of the count, shown to reviewers as the snapshot point.
    last_movement_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    operator_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    command_id: Mapped[UUID | None] = mapped_column(nullable=True, index=True)
    reviewed_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    review_note: Mapped[str] = mapped_column(String(500), default="")
    movement_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("stock_movement.id", ondelete="RESTRICT"), nullable=True)
    job_line_id: Mapped[UUID | None] = mapped_column(ForeignKey("job_line.id", ondelete="SET NULL"), nullable=True)
