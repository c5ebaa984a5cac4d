"""Handheld devices and the scan commands they sent, the exactly-once record of offline sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import BigIntBase, UUIDv7AuditBase
from app.lib.timeutil import utcnow

__all__ = ["AttentionState", "CommandOrigin", "CommandStatus", "Device", "ScanCommand"]


class CommandStatus:
    APPLIED = "applied"
    APPLIED_WITH_WARNING = "applied_with_warning"
    REJECTED = "rejected"


class CommandOrigin:
    # Sent by the device through POST /api/v1/sync.
    DEVICE = "device"
    # A supervisor's corrected copy of a rejected command.
    RESUBMIT = "resubmit"


class AttentionState:
    OPEN = "open"
    RESUBMITTED = "resubmitted"
    DISMISSED = "dismissed"


class Device(UUIDv7AuditBase):
    """A handheld, registered at its first sign-in, with its sequence bookkeeping.

    ``last_seq`` is the highest ``device_seq`` stored for the device, and ``gaps`` lists the
    numbers below it that never arrived, as inclusive ``[first, last]`` ranges.
    """

    __tablename__ = "sync_device"

    device_id: Mapped[str] = mapped_column(String(80), unique=True)
    operator_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    operator_username: Mapped[str] = mapped_column(String(80), default="")
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    gaps: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    commands_applied: Mapped[int] = mapped_column(Integer, default=0)
    commands_rejected: Mapped[int] = mapped_column(Integer, default=0)


class ScanCommand(BigIntBase):
    """One scan command as stored, with the answer the device received.

    The unique key on (device_id, command_id) is the exactly-once guarantee: the row is written in
    the same transaction as the command's stock movements, so a resend finds it and returns
    ``status`` and ``result`` unchanged. Rejected commands are stored too, in a transaction of their
    own, and stay on the "needs attention" list until a supervisor resubmits or dismisses them.
    """

    __tablename__ = "scan_command"
    __table_args__ = (
        UniqueConstraint("device_id", "command_id", name="uq_scan_command_device_command"),
        Index("ix_scan_command_device_seq", "device_id", "device_seq"),
        Index("ix_scan_command_attention", "attention_state", "id"),
    )

    device_id: Mapped[str] = mapped_column(String(80))
    command_id: Mapped[UUID] = mapped_column()
    device_seq: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(20), default=CommandOrigin.DEVICE)
    operator_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    operator_username: Mapped[str] = mapped_column(String(80), default="")
    # The user whose token sent the command (a supervisor for resubmissions).
    submitted_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    device_time: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SHA-256 hex of the canonical JSON of type and payload, to spot a command id reused for another action.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(30), index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)
    # Needs-attention bookkeeping of rejected device commands; NULL for everything else.
    attention_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    resolved_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=True)
    resolved_by_username: Mapped[str] = mapped_column(String(80), default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    resolution_reason: Mapped[str] = mapped_column(String(500), default="")
    # The resubmission that resolved this command, or the rejected command a resubmission corrects.
    related_command_id: Mapped[UUID | None] = mapped_column(nullable=True)
