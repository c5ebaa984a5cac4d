"""Wire types of offline sync: the command envelope, the batch, its response, devices and attention."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

__all__ = [
    "AttentionItem",
    "CommandEnvelope",
    "CommandResult",
    "DeviceRead",
    "DismissRequest",
    "ReferenceBarcode",
    "ReferenceData",
    "ReferenceJob",
    "ReferenceJobLine",
    "ReferenceLocation",
    "ReferenceProduct",
    "ResubmitRequest",
    "SyncRequest",
    "SyncResponse",
]

DeviceId = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]

# Per-command statuses. "retry" means the server failed unexpectedly and stored nothing, so the
# device keeps the command queued and sends it again with backoff.
ResultStatus = Literal["applied", "applied_with_warning", "duplicate", "rejected", "retry"]


class CommandEnvelope(msgspec.Struct, forbid_unknown_fields=True):
    """One scan command as captured on the device. ``payload`` is decoded by its type's Struct."""

    command_id: UUID
    device_id: DeviceId
    operator: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    device_seq: Annotated[int, msgspec.Meta(ge=1, le=2**62)]
    device_time: datetime
    type: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    payload: dict[str, Any]


class SyncRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A batch of queued commands from one device."""

    device_id: DeviceId
    commands: list[CommandEnvelope]


class CommandResult(msgspec.Struct):
    """The result of one command. A duplicate carries the stored result and ``original_status``."""

    command_id: UUID
    device_seq: int
    status: ResultStatus
    result: dict[str, Any] | None = None
    warnings: list[str] = msgspec.field(default_factory=list)
    code: str | None = None
    message: str | None = None
    original_status: str | None = None


class SyncResponse(msgspec.Struct):
    """Answers in the order the commands were applied (ascending ``device_seq``) plus the device's gaps."""

    device_id: str
    results: list[CommandResult]
    gaps: list[list[int]]
    last_seq: int


class DeviceRead(msgspec.Struct):
    device_id: str
    operator: str
    last_seq: int
    last_seen: datetime | None
    last_login: datetime | None
    gaps: list[list[int]]
    pending_rejections: int
    commands_applied: int
    commands_rejected: int


class AttentionItem(msgspec.Struct):
    """A rejected command waiting for a supervisor, or already resolved, with its raw scans."""

    command_id: UUID
    device_id: str
    device_seq: int
    operator: str
    type: str
    payload: dict[str, Any]
    device_time: datetime | None
    received_at: datetime
    code: str | None
    message: str | None
    state: str
    resolved_by: str
    resolved_at: datetime | None
    resolution_reason: str
    resubmitted_command_id: UUID | None
    resubmitted_result: dict[str, Any] | None = None
    resubmitted_warnings: list[str] = msgspec.field(default_factory=list)


class ResubmitRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A corrected payload for a rejected command, applied with the command's original type."""

    payload: dict[str, Any]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class DismissRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ReferenceBarcode(msgspec.Struct):
    code: str
    units: int
    kind: str


class ReferenceProduct(msgspec.Struct):
    id: UUID
    sku: str
    name: str
    tracking: str
    barcodes: list[ReferenceBarcode]
    active: bool = True


class ReferenceLocation(msgspec.Struct):
    id: UUID
    code: str
    barcode: str
    type: str
    zone: str
    archived: bool
    warehouse_id: UUID


class ReferenceJobLine(msgspec.Struct):
    id: UUID
    product_id: UUID
    batch: str
    from_location_id: UUID | None
    to_location_id: UUID | None
    quantity: int
    quantity_done: int


class ReferenceJob(msgspec.Struct):
    id: UUID
    type: str
    status: str
    warehouse_id: UUID
    order_id: UUID | None
    assigned_to_id: UUID | None
    lines: list[ReferenceJobLine]


class ReferenceData(msgspec.Struct):
    """Reference data a device needs offline. With ``full`` false it contains only rows changed since the cursor.

    ``closed_job_ids`` lists jobs that left the open states since the cursor, so the device drops them.
    """

    cursor: str
    full: bool
    products: list[ReferenceProduct]
    locations: list[ReferenceLocation]
    jobs: list[ReferenceJob]
    closed_job_ids: list[UUID] = msgspec.field(default_factory=list)
