"""Validation of the values master data is made of: barcodes, enums, quantities."""

from __future__ import annotations

from app.db.models import LocationType

__all__ = [
    "ALLOCATION_RULES",
    "LOCATION_TYPES",
    "TRACKING_MODES",
    "FieldProblem",
    "check_allocation_rule",
    "check_location_type",
    "check_min_max",
    "check_tracking",
    "gtin_check_digit_ok",
    "normalize_product_barcode",
]

TRACKING_MODES = ("NONE", "BATCH", "SERIAL")
ALLOCATION_RULES = ("FIFO", "FEFO")
LOCATION_TYPES = tuple(member.value for member in LocationType)
BARCODE_MAX = 80


class FieldProblem(ValueError):
    """One invalid field value: the field, the value as given, and what to do about it."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.message = message


def gtin_check_digit_ok(digits: str) -> bool:
    """Tell whether the last digit of a GTIN-8/12/13/14 is its GS1 mod-10 check digit."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def normalize_product_barcode(code: str, field: str = "barcode") -> tuple[str, str]:
    """Return ``(stored code, kind)``: GTINs as 14 digits (kind GTIN), anything else as INTERNAL.

    An all-digit code of GTIN length must carry a valid check digit, because a mistyped GTIN
    would otherwise never match a scan.
    """
    text = code.strip()
    if not text:
        raise FieldProblem(field, code, f"{field} is empty: give the code printed on the product or leave the column out")
    if len(text) > BARCODE_MAX:
        raise FieldProblem(field, code, f"{field} {text!r} is longer than {BARCODE_MAX} characters")
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        if not gtin_check_digit_ok(text):
            raise FieldProblem(field, code, f"{field} {text!r} has a wrong GTIN check digit: copy it again from the label")
        return text.zfill(14), "GTIN"
    if any(ord(char) < 32 for char in text):
        raise FieldProblem(field, code, f"{field} {text!r} contains control characters: remove them")
    return text, "INTERNAL"


def check_location_type(value: str, field: str = "type") -> str:
    """Return the location type in upper case or raise naming the allowed types."""
    normalized = value.strip().upper()
    if normalized not in LOCATION_TYPES:
        raise FieldProblem(field, value, f"{field} {value!r} is invalid: use one of {', '.join(LOCATION_TYPES)}")
    return normalized


def check_tracking(value: str, field: str = "tracking") -> str:
    """Return the tracking mode in upper case or raise naming NONE, BATCH and SERIAL."""
    normalized = (value.strip() or "NONE").upper()
    if normalized not in TRACKING_MODES:
        raise FieldProblem(field, value, f"{field} {value!r} is invalid: use one of {', '.join(TRACKING_MODES)}")
    return normalized


def check_allocation_rule(value: str, field: str = "allocation_rule") -> str:
    """Return FIFO or FEFO or raise."""
    normalized = (value.strip() or "FIFO").upper()
    if normalized not in ALLOCATION_RULES:
        raise FieldProblem(field, value, f"{field} {value!r} is invalid: use FIFO or FEFO")
    return normalized


def check_min_max(location_type: str, minimum: int | None, maximum: int | None) -> None:
    """Raise unless min and max suit the location: pick faces only, 0 ≤ min ≤ max, max > 0."""
    if minimum is None and maximum is None:
        return
    if location_type != LocationType.PICK_FACE.value:
        field = "min_quantity" if minimum is not None else "max_quantity"
        raise FieldProblem(field, minimum if minimum is not None else maximum, f"min and max apply to PICK_FACE locations only, not {location_type}: leave them empty")
    if minimum is None or maximum is None:
        field = "max_quantity" if maximum is None else "min_quantity"
        raise FieldProblem(field, "", "a pick face needs both min_quantity and max_quantity for replenishment, or neither")
    if minimum < 0:
        raise FieldProblem("min_quantity", minimum, f"min_quantity {minimum} is negative: use 0 or more")
    if maximum <= 0 or maximum < minimum:
        raise FieldProblem("max_quantity", maximum, f"max_quantity {maximum} must be above 0 and at least min_quantity {minimum}")
