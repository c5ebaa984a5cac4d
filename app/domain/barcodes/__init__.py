"""Barcode interpretation (GS1, GTIN spellings, scanner quirks) and resolution against the catalogue."""

from app.domain.barcodes.errors import BarcodeError, ErrorCode
from app.domain.barcodes.interpret import (
    CodeScan,
    Gs1Scan,
    GtinScan,
    Interpretation,
    ScannerSettings,
    SsccScan,
    interpret,
    split_scans,
    to_wire,
)
from app.domain.barcodes.resolve import (
    ContainerMatch,
    LocationMatch,
    OrderMatch,
    ProductMatch,
    PurchaseOrderMatch,
    ScanMatch,
    resolve_location,
    resolve_product,
    resolve_scan,
)

__all__ = [
    "BarcodeError",
    "CodeScan",
    "ContainerMatch",
    "ErrorCode",
    "Gs1Scan",
    "GtinScan",
    "Interpretation",
    "LocationMatch",
    "OrderMatch",
    "ProductMatch",
    "PurchaseOrderMatch",
    "ScanMatch",
    "ScannerSettings",
    "SsccScan",
    "interpret",
    "resolve_location",
    "resolve_product",
    "resolve_scan",
    "split_scans",
    "to_wire",
]
