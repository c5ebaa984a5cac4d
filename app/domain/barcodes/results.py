"""Typed results of barcode interpretation and their JSON form.

The handheld twin (``pwa/barcodes.js``) returns exactly the JSON form built by :func:`to_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain.barcodes.errors import BarcodeError
from app.domain.barcodes.gs1 import Gs1Element

__all__ = [
    "MEASURE_FIELDS",
    "NAMED_FIELDS",
    "CodeScan",
    "Gs1Scan",
    "GtinScan",
    "Interpretation",
    "ScannerSettings",
    "SsccScan",
    "error_to_wire",
    "to_wire",
]

# AI -> field name on the result (and on the wire).
NAMED_FIELDS: dict[str, str] = {
    "00": "sscc",
    "01": "gtin",
    "02": "content_gtin",
    "10": "batch",
    "11": "production_date",
    "12": "due_date",
    "13": "packaging_date",
    "15": "best_before",
    "16": "sell_by",
    "17": "expiry",
    "20": "variant",
    "21": "serial",
    "30": "count",
    "37": "content_count",
    "90": "internal",
    "240": "additional_id",
    "241": "customer_part_number",
    "400": "customer_order_number",
    "410": "ship_to_gln",
    "414": "location_gln",
    "8004": "giai",
}
# The first three digits of a measure AI -> field name; the fourth digit is the implied decimals.
MEASURE_FIELDS: dict[str, str] = {
    "310": "net_weight_kg",
    "311": "length_m",
    "312": "width_m",
    "313": "height_m",
    "314": "area_m2",
    "315": "net_volume_l",
    "316": "net_volume_m3",
    "320": "net_weight_lb",
    "330": "gross_weight_kg",
    "335": "gross_volume_l",
    "336": "gross_volume_m3",
    "340": "gross_weight_lb",
}


@dataclass(frozen=True)
class ScannerSettings:
    """Per-device scanner configuration: characters to strip and the FNC1 substitute."""

    prefix: str = ""
    suffix: str = ""
    separator: str = ""


@dataclass(frozen=True)
class GtinScan:
    """A bare GTIN (EAN-8, UPC-A, EAN-13 or GTIN-14), normalised to 14 digits."""

    text: str
    gtin: str
    symbology: str | None = None
    kind: str = "gtin"


@dataclass(frozen=True)
class SsccScan:
    """A bare 18-digit SSCC, the number of a shipping container."""

    text: str
    sscc: str
    symbology: str | None = None
    kind: str = "sscc"


@dataclass(frozen=True)
class CodeScan:
    """A code that is not GS1: a location, order, tote or internal barcode."""

    text: str
    symbology: str | None = None
    kind: str = "code"


@dataclass(frozen=True)
class Gs1Scan:
    """GS1 data: checked element strings and the named fields taken from them.

    ``fields`` maps names such as ``gtin``, ``batch``, ``expiry`` (a ``date``), ``count`` (an
    ``int``) or ``net_weight_kg`` (a ``Decimal``) to values; every AI is also in ``elements``.
    """

    text: str
    elements: tuple[Gs1Element, ...]
    fields: dict[str, Any] = field(default_factory=dict)
    symbology: str | None = None
    kind: str = "gs1"

    @property
    def gtin(self) -> str | None:
        return self.fields.get("gtin")

    @property
    def sscc(self) -> str | None:
        return self.fields.get("sscc")

    @property
    def batch(self) -> str | None:
        return self.fields.get("batch")

    @property
    def serial(self) -> str | None:
        return self.fields.get("serial")

    @property
    def expiry(self) -> date | None:
        return self.fields.get("expiry")

    @property
    def best_before(self) -> date | None:
        return self.fields.get("best_before")

    @property
    def production_date(self) -> date | None:
        return self.fields.get("production_date")

    @property
    def count(self) -> int | None:
        return self.fields.get("count")

    def ai(self, number: str) -> str | None:
        """Return the raw value of AI ``number``, or None when the scan has none."""
        for element in self.elements:
            if element.ai == number:
                return element.value
        return None


Interpretation = GtinScan | SsccScan | Gs1Scan | CodeScan


def _wire_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def to_wire(result: Interpretation) -> dict[str, Any]:
    """Return the JSON form of a reading: dates as ISO strings, measures as decimal strings.

    The handheld twin returns exactly this shape, which the shared test vectors compare.
    """
    body: dict[str, Any] = {"kind": result.kind, "text": result.text, "symbology": result.symbology}
    if isinstance(result, GtinScan):
        body["gtin"] = result.gtin
    elif isinstance(result, SsccScan):
        body["sscc"] = result.sscc
    elif isinstance(result, Gs1Scan):
        for name, value in result.fields.items():
            body[name] = _wire_value(value)
        body["ais"] = {element.ai: element.value for element in result.elements}
        elements = []
        for element in result.elements:
            item: dict[str, Any] = {"ai": element.ai, "title": element.title, "value": element.value, "parts": list(element.parts)}
            if element.date is not None:
                item["date"] = element.date.isoformat()
            if element.decimal is not None:
                item["decimal"] = format(element.decimal, "f")
            elements.append(item)
        body["elements"] = elements
    return body


def error_to_wire(error: BarcodeError) -> dict[str, Any]:
    """Return the JSON form of an interpretation error, the same shape the handheld twin returns."""
    return {"kind": "error", "code": error.code, "message": error.message}
