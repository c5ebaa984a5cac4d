"""Wire types of the jobs API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

__all__ = ["JobAssign", "JobLineRead", "JobPause", "JobRead", "JobReason"]


class JobLineRead(msgspec.Struct):
    id: UUID
    product_id: UUID
    sku: str
    batch: str
    from_location_id: UUID | None
    from_location: str | None
    to_location_id: UUID | None
    to_location: str | None
    quantity: int
    quantity_done: int


class JobRead(msgspec.Struct):
    id: UUID
    warehouse_id: UUID
    type: str
    status: str
    assigned_to_id: UUID | None
    pause_reason: str
    note: str
    reference_type: str
    reference_id: str
    priority: int
    zone: str
    created_at: datetime
    assigned_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    lines: list[JobLineRead]


class JobAssign(msgspec.Struct, forbid_unknown_fields=True):
    """Assign to ``user_id``, or to ``username``; neither means the signed-in user claims the job."""

    user_id: UUID | None = None
    username: str | None = None


class JobPause(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class JobReason(msgspec.Struct, forbid_unknown_fields=True):
    """An optional reason (cancel) or a mandatory one (fail), and ``force`` to complete short."""

    reason: str = ""
    force: bool = False
