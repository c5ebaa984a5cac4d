"""Wire types of WMS outbound: routing rules, settings, release, pick and pack commands."""

from __future__ import annotations

from uuid import UUID

import msgspec

__all__ = [
    "BatchPickRequest",
    "OutboundSettingsRead",
    "OutboundSettingsUpdate",
    "PackItemRequest",
    "PackOpenRequest",
    "PackPayload",
    "PackShipRequest",
    "PickPayload",
    "ReleaseRequest",
    "RoutingRuleCreate",
    "RoutingRuleRead",
]


class RoutingRuleCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A hybrid routing rule: ``kind`` is channel, tag, metadata ("key=value" or "key"), sku_set or account."""

    warehouse: str
    kind: str
    values: list[str]
    position: int = 0
    name: str = ""
    match: str = "all"
    flow: str = "wms"
    active: bool = True


class RoutingRuleRead(msgspec.Struct):
    id: UUID
    warehouse_id: UUID
    position: int
    name: str
    kind: str
    values: list[str]
    match: str
    flow: str
    active: bool


class OutboundSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; omitted fields keep their value."""

    require_location_scan: bool | None = None
    min_shelf_life_days: int | None = None
    auto_release_minutes: int | None = None
    release_on_stock_arrival: bool | None = None
    allow_partial_release: bool | None = None
    poll_shipped_minutes: int | None = None
    hybrid_default_flow: str | None = None


class OutboundSettingsRead(msgspec.Struct):
    warehouse_id: UUID
    outbound_mode: str
    require_location_scan: bool
    min_shelf_life_days: int
    auto_release_minutes: int
    release_on_stock_arrival: bool
    allow_partial_release: bool
    poll_shipped_minutes: int
    hybrid_default_flow: str


class ReleaseRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``allow_partial`` overrides the warehouse setting for this release."""

    allow_partial: bool | None = None


class BatchPickRequest(msgspec.Struct, forbid_unknown_fields=True):
    order_ids: list[UUID]


class PickPayload(msgspec.Struct, forbid_unknown_fields=True):
    """The ``pick`` scan command: raw scans of the location, item and tote, and the units confirmed."""

    job_id: UUID
    item: str
    quantity: int
    location: str | None = None
    tote: str | None = None
    short_reason: str | None = None
    batch: str | None = None


class PackPayload(msgspec.Struct, forbid_unknown_fields=True):
    """The ``pack`` scan command: the order number or tote scanned, then one item scan and its units."""

    order: str
    item: str
    quantity: int = 1
    bench: str | None = None
    account: str | None = None


class PackOpenRequest(msgspec.Struct, forbid_unknown_fields=True):
    scan: str
    bench: str | None = None


class PackItemRequest(msgspec.Struct, forbid_unknown_fields=True):
    item: str
    quantity: int = 1


class PackShipRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Packaging name, parcel weight in kg and optional [length, width, height] in metres."""

    packaging: str
    weight_kg: float
    dimensions_m: list[float] | None = None
