"""Wire types of stocktakes, counts and cycle counts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from app.lib.wire import StoredInt

__all__ = [
    "CountPayload",
    "CountRead",
    "CountReview",
    "CycleCountCreate",
    "ExpectedLine",
    "PostResult",
    "StocktakeCreate",
    "StocktakeRead",
]


class StocktakeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A stocktake of ``locations`` (codes or barcodes) or of ``products`` (SKUs).

    Thresholds default to the warehouse's. ``zero_uncounted`` (location stocktakes) counts as
    zero any stock at a counted location that was itself not counted.
    """

    kind: str
    locations: list[str] = []
    products: list[str] = []
    warehouse: str | None = None
    blind: bool = True
    variance_threshold_units: StoredInt | None = None
    variance_threshold_percent: StoredInt | None = None
    zero_uncounted: bool = True
    note: str = ""


class CycleCountCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A cycle count job: give exactly one of ``zone``, ``discrepancies`` true, or ``product`` (SKU)."""

    zone: str | None = None
    discrepancies: bool = False
    product: str | None = None
    warehouse: str | None = None


class CountPayload(msgspec.Struct, forbid_unknown_fields=True):
    """The ``count`` scan command: ``counted_quantity`` units of ``item`` at ``location``.

    ``counted_quantity`` is in units; when ``item`` is a case barcode it counts cases.
    """

    location: str
    item: str
    counted_quantity: int
    stocktake_id: UUID | None = None
    batch: str | None = None


class CountReview(msgspec.Struct, forbid_unknown_fields=True):
    """Approve or reject counts waiting for approval; rejected ones must be counted again."""

    count_ids: list[UUID]
    approve: bool
    note: str = ""


class CountRead(msgspec.Struct):
    id: UUID
    location: str
    sku: str
    batch: str
    counted_quantity: int
    expected_quantity: int | None
    variance: int | None
    status: str
    counted_at: datetime
    # Units that moved at this location after the count; posting keeps them.
    moved_since: int | None = None


class ExpectedLine(msgspec.Struct):
    location: str
    sku: str
    batch: str
    on_hand: int


class StocktakeRead(msgspec.Struct):
    id: UUID
    warehouse_id: UUID
    kind: str
    blind: bool
    status: str
    variance_threshold_units: int
    variance_threshold_percent: int
    zero_uncounted: bool
    job_id: UUID | None
    locations: list[str]
    products: list[str]
    counts: list[CountRead]
    expected: list[ExpectedLine] | None
    note: str


class PostResult(msgspec.Struct):
    stocktake_id: UUID
    posted: bool
    status: str
    movements: int
    pending_approval: list[UUID]
    not_counted_locations: list[str]
    warnings: list[str]
