"""Wire types of the stock read API, adjustments and discrepancies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

__all__ = [
    "AdjustmentRequest",
    "AdjustmentResult",
    "DiscrepancyPage",
    "DiscrepancyRead",
    "DiscrepancyResolveRequest",
    "MovementPage",
    "MovementRead",
    "ProductStock",
    "StockPage",
    "StockRow",
]


class StockRow(msgspec.Struct):
    """Units of one product at one location and batch."""

    location_id: UUID
    location: str
    location_type: str
    warehouse_id: UUID
    batch: str
    on_hand: int
    allocated: int


class ProductStock(msgspec.Struct):
    """Inventory figures of one product. ``available`` is on hand minus committed and may be negative."""

    product_id: UUID
    sku: str
    name: str
    on_hand: int
    committed: int
    available: int
    allocated: int
    incoming: int
    rows: list[StockRow]


class StockPage(msgspec.Struct):
    """One page of products' figures, ordered by SKU. Pass ``next_cursor`` back as ``cursor``."""

    items: list[ProductStock]
    next_cursor: str | None


class MovementRead(msgspec.Struct):
    """One row of the stock movement ledger."""

    id: int
    product_id: UUID
    sku: str
    batch: str
    from_location: str | None
    to_location: str | None
    quantity: int
    reason: str
    reference_type: str
    reference_id: str
    operator_id: UUID | None
    operator: str | None
    device_id: str | None
    command_id: UUID | None
    scan: str | None
    note: str
    created_at: datetime


class MovementPage(msgspec.Struct):
    """One page of movements. Pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[MovementRead]
    next_cursor: int | None


class AdjustmentRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Add (positive) or remove (negative) units of a product at a location, with a reason code.

    Name the product by ``sku`` or ``product_id`` and the location by its code. A ``warehouse``
    code is needed only when that location code exists in more than one warehouse.
    """

    location: str
    # The same range as the ``adjust`` scan command.
    quantity_change: Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
    reason_code: str
    sku: str | None = None
    product_id: UUID | None = None
    warehouse: str | None = None
    batch: str = ""
    note: str = ""
    device_id: str | None = None


class AdjustmentResult(msgspec.Struct):
    """The movement an adjustment wrote, the balance after it and any discrepancy it opened."""

    movement_id: int
    product_id: UUID
    sku: str
    location: str
    batch: str
    quantity_change: int
    on_hand: int
    warnings: list[str]


class DiscrepancyRead(msgspec.Struct):
    """Something a supervisor must look at, such as negative stock or an unknown SKU."""

    id: UUID
    kind: str
    status: str
    sku: str
    product_id: UUID | None
    location: str | None
    quantity: int
    reference_type: str
    reference_id: str
    movement_id: int | None
    message: str
    resolved: bool
    resolution_note: str
    created_at: datetime
    updated_at: datetime


class DiscrepancyPage(msgspec.Struct):
    """One page of discrepancies, newest first."""

    items: list[DiscrepancyRead]
    next_cursor: str | None


class DiscrepancyResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The supervisor's required note on how a discrepancy was resolved."""

    note: str
