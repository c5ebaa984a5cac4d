"""Wire types of purchase orders, receiving and putaway (REST and scan commands)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from app.lib.wire import StoredInt

__all__ = [
    "PurchaseOrderClose",
    "PurchaseOrderCreate",
    "PurchaseOrderLineIn",
    "PurchaseOrderLineRead",
    "PurchaseOrderRead",
    "PutawayPayload",
    "PutawaySuggestionRead",
    "ReceivePayload",
    "ReceiptHistoryRead",
    "ReceiptRead",
]


class PurchaseOrderLineIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    quantity: StoredInt


class PurchaseOrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new purchase order; ``status`` CREATED sends it straight away, DRAFT keeps it editable."""

    number: str
    supplier: str
    lines: list[PurchaseOrderLineIn]
    warehouse: str | None = None
    expected_date: date | None = None
    status: str = "DRAFT"
    note: str = ""


class PurchaseOrderClose(msgspec.Struct, forbid_unknown_fields=True):
    """Close a purchase order; ``override`` (supervisor) accepts a shortfall beyond tolerance."""

    override: bool = False
    note: str = ""


class PurchaseOrderLineRead(msgspec.Struct):
    line_number: int
    product_id: UUID
    sku: str
    quantity_ordered: int
    quantity_received: int
    quantity_open: int


class PurchaseOrderRead(msgspec.Struct):
    id: UUID
    number: str
    supplier: str
    warehouse_id: UUID
    status: str
    expected_date: date | None
    note: str
    lines: list[PurchaseOrderLineRead]


class ReceivePayload(msgspec.Struct, forbid_unknown_fields=True):
    """The ``receive`` scan command, also accepted over REST.

    ``quantity`` counts scans of ``item``: each counts the units of the barcode scanned (a case
    barcode of 12 makes quantity 2 mean 24 units). ``expiry_resolution`` settles a batch whose
    scanned expiry differs from the stored one: "keep_stored" or "use_scanned".
    """

    location: str
    item: str
    quantity: int
    purchase_order: str | int | None = None
    batch: str | None = None
    expiry: date | None = None
    serials: list[str] = []
    override: bool = False
    expiry_resolution: str | None = None


class ReceiptRead(msgspec.Struct):
    receipt_id: UUID
    movement_id: int
    product_id: UUID
    sku: str
    location: str
    quantity: int
    batch: str
    expiry: date | None
    purchase_order: str | None
    purchase_order_status: str | None
    putaway_job_id: UUID | None
    suggested_location: str | None
    overridden: bool
    warnings: list[str]


class ReceiptHistoryRead(msgspec.Struct):
    """A stored receipt, as shown to the office in a purchase order's history."""

    receipt_id: UUID
    received_at: datetime
    sku: str
    location: str
    quantity: int
    batch: str
    expiry: date | None
    serials: list[str]
    purchase_order: str | None
    putaway_job_id: UUID | None
    overridden: bool
    operator_id: UUID | None
    device_id: str | None
    warnings: list[str]


class PutawayPayload(msgspec.Struct, forbid_unknown_fields=True):
    """The ``putaway`` scan command; ``quantity`` counts scans of ``item`` like ``receive``."""

    from_location: str
    item: str
    quantity: int
    to_location: str
    batch: str | None = None
    job_id: UUID | None = None
    override: bool = False
    # Serial-tracked products: the serials moved, so the system records where each unit is.
    serials: list[str] = []


class PutawaySuggestionRead(msgspec.Struct):
    location_id: UUID | None
    location: str | None
    rule: str
    enforced: bool
    message: str
