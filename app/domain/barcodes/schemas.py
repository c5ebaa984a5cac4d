"""Wire types of the barcode endpoints."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec

from app.lib.wire import StoredInt

__all__ = ["BarcodeKind", "InterpretRequest", "ProductBarcodeCreate", "ProductBarcodeRead"]

BarcodeKind = Literal["GTIN", "INNER", "CASE", "INTERNAL"]


class InterpretRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A raw scan and, optionally, the scanning device's settings."""

    raw: str
    prefix: str = ""
    suffix: str = ""
    separator: str = ""


class ProductBarcodeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A barcode to add to a product.

    ``kind`` is GTIN (the unit), INNER or CASE (packs, whose scan counts ``units``) or INTERNAL
    (a warehouse's own label). GTIN, INNER and CASE codes must be valid GTINs.
    """

    code: str
    kind: BarcodeKind = "GTIN"
    units: StoredInt = 1


class ProductBarcodeRead(msgspec.Struct):
    """A product's barcode as stored; GTINs are 14 digits."""

    id: UUID
    product_id: UUID
    code: str
    kind: str
    units: int
