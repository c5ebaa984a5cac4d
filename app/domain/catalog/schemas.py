"""Wire types of the master-data API: warehouses, zones, locations, products, suppliers."""

from __future__ import annotations

from uuid import UUID

import msgspec

from app.lib.wire import StoredInt

__all__ = [
    "BarcodeIn",
    "BarcodeRead",
    "CsvProblem",
    "ImportResult",
    "LocationCreate",
    "LocationRead",
    "LocationUpdate",
    "ProductCreate",
    "ProductRead",
    "ProductUpdate",
    "SupplierCreate",
    "SupplierRead",
    "SupplierUpdate",
    "WarehouseRead",
    "WarehouseUpdate",
    "ZoneCreate",
    "ZoneRead",
    "ZoneUpdate",
]


class WarehouseUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Stock-control settings of a warehouse: receipt tolerance and count variance thresholds."""

    receipt_tolerance_percent: int | None = None
    count_variance_units: int | None = None
    count_variance_percent: int | None = None


class WarehouseRead(msgspec.Struct):
    id: UUID
    code: str
    name: str
    receipt_tolerance_percent: int
    count_variance_units: int
    count_variance_percent: int


class ZoneCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``warehouse`` is a warehouse code or id."""

    warehouse: str
    code: str
    name: str = ""
    putaway_mode: str = "suggested"


class ZoneUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    putaway_mode: str | None = None


class ZoneRead(msgspec.Struct):
    id: UUID
    warehouse_id: UUID
    code: str
    name: str
    putaway_mode: str


class LocationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``warehouse`` is a warehouse code or id; ``barcode`` defaults to the code."""

    warehouse: str
    code: str
    type: str
    barcode: str | None = None
    zone: str = ""
    pick_sequence: StoredInt = 0
    min_quantity: StoredInt | None = None
    max_quantity: StoredInt | None = None
    archived: bool = False


class LocationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; ``clear_min_max`` removes a pick face's min and max."""

    barcode: str | None = None
    type: str | None = None
    zone: str | None = None
    pick_sequence: StoredInt | None = None
    min_quantity: StoredInt | None = None
    max_quantity: StoredInt | None = None
    clear_min_max: bool = False
    archived: bool | None = None


class LocationRead(msgspec.Struct):
    id: UUID
    warehouse_id: UUID
    code: str
    barcode: str
    type: str
    zone: str
    pick_sequence: int
    min_quantity: int | None
    max_quantity: int | None
    archived: bool


class BarcodeIn(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    units: StoredInt = 1


class BarcodeRead(msgspec.Struct):
    code: str
    units: int
    kind: str


class ProductCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``pick_face`` is a PICK_FACE location code or barcode."""

    sku: str
    name: str
    tracking: str = "NONE"
    allocation_rule: str = "FIFO"
    barcodes: list[BarcodeIn] = []
    pick_face: str | None = None
    putaway_zone: str = ""


class ProductUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; ``pick_face`` "" removes the pick face. Barcodes have their own endpoints."""

    name: str | None = None
    tracking: str | None = None
    allocation_rule: str | None = None
    pick_face: str | None = None
    putaway_zone: str | None = None
    active: bool | None = None


class ProductRead(msgspec.Struct):
    id: UUID
    sku: str
    name: str
    tracking: str
    allocation_rule: str
    active: bool
    pick_face_location_id: UUID | None
    pick_face: str | None
    putaway_zone: str
    barcodes: list[BarcodeRead]


class SupplierCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    name: str
    email: str = ""
    phone: str = ""


class SupplierUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool | None = None


class SupplierRead(msgspec.Struct):
    id: UUID
    code: str
    name: str
    email: str
    phone: str
    active: bool


class CsvProblem(msgspec.Struct):
    """One bad CSV cell: the file line (header = line 1), column, value as given and the fix."""

    line: int
    column: str
    value: str
    message: str


class ImportResult(msgspec.Struct):
    rows: int
    created: int
    updated: int
