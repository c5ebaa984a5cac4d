"""Barcode interpretation (GS1, GTIN spellings, scanner quirks) and resolution against the catalogue."""

from app.domain.barcodes.resolve import (
    LocationMatch,
    ProductMatch,
    ScanMatch,
    ScannerSettings,
    resolve_location,
    resolve_product,
    resolve_scan,
)

__all__ = [
    "LocationMatch",
    "ProductMatch",
    "ScanMatch",
    "ScannerSettings",
    "resolve_location",
    "resolve_product",
    "resolve_scan",
]
