"""Resolution of a scan to catalogue records: a location or tote, a product with the units the
scan counts, a container (SSCC), a customer order or a purchase order.

Every raw scan goes through :func:`~app.domain.barcodes.interpret.interpret` first, so batch,
expiry and serial come from the GS1 label. Product barcodes are stored as 14-digit GTINs, so a
UPC-A, EAN-13, GTIN-14 or AI 01 spelling of one product finds the same row.

When the scan cannot be read (a bad check digit, a GS1 error), the cleaned text is still looked up
as an exact location, order or internal code, because labels printed by the warehouse itself may
look like broken GS1. Only when nothing matches exactly does the reading error reach the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Location, LocationType, Order, Product, ProductBarcode, PurchaseOrder
from app.domain.barcodes.errors import BarcodeError, ErrorCode, quote
from app.domain.barcodes.gs1 import check_digit
from app.domain.barcodes.interpret import (
    CodeScan,
    Gs1Scan,
    GtinScan,
    Interpretation,
    ScannerSettings,
    SsccScan,
    clean_text,
    interpret,
)
from app.lib.errors import InvalidInputError, NotFoundError

__all__ = [
    "ContainerMatch",
    "LocationMatch",
    "OrderMatch",
    "ProductMatch",
    "PurchaseOrderMatch",
    "ScanMatch",
    "ScannerSettings",
    "describe_match",
    "find_matches",
    "product_codes",
    "read_scan",
    "resolve_location",
    "resolve_product",
    "resolve_scan",
]

# Reading errors after which not even the text can be looked up as the warehouse's own code.
_UNREADABLE = {ErrorCode.EMPTY_SCAN, ErrorCode.KEYBOARD_LAYOUT, ErrorCode.MULTIPLE_VALUES, ErrorCode.INVALID_SETTINGS, ErrorCode.TOO_LONG}


@dataclass(frozen=True)
class LocationMatch:
    """A location; ``kind`` is ``tote`` for locations of type TOTE, ``location`` otherwise."""

    location_id: UUID
    code: str
    warehouse_id: UUID
    type: str
    archived: bool
    kind: str = "location"


@dataclass(frozen=True)
class ProductMatch:
    """A product and the values read from its scanned label.

    ``units`` is what one scan counts: the barcode's units (a case of 12 counts 12), times the
    GS1 count (AI 30, or AI 37 on a logistics label that names the content with AI 02).
    ``expiry`` is the label's expiry date (AI 17) or, when it has none, its best-before date
    (AI 15), which is what first-expiry-first-out rotation uses.
    """

    product_id: UUID
    sku: str
    units: int = 1
    gtin: str | None = None
    batch: str | None = None
    expiry: date | None = None
    serial: str | None = None
    kind: str = "product"
    barcode_id: UUID | None = None
    barcode_kind: str | None = None
    best_before: date | None = None
    production_date: date | None = None
    sscc: str | None = None


@dataclass(frozen=True)
class ContainerMatch:
    """A shipping container (pallet, carton) identified by its SSCC.

    NOTE: no table records containers yet, so every valid SSCC resolves to a container without
    a database id. Receiving by SSCC needs such a table to list what the container contains.
    """

    sscc: str
    kind: str = "container"


@dataclass(frozen=True)
class OrderMatch:
    """A customer order, by its order number."""

    order_id: UUID
    order_number: str
    account_id: UUID
    warehouse_id: UUID
    status: str
    kind: str = "order"


@dataclass(frozen=True)
class PurchaseOrderMatch:
    """A purchase order, by its number."""

    purchase_order_id: UUID
    number: str
    warehouse_id: UUID
    status: str
    kind: str = "purchase_order"


ScanMatch = LocationMatch | ProductMatch | ContainerMatch | OrderMatch | PurchaseOrderMatch


def describe_match(match: ScanMatch) -> str:
    """Name a match for a message, such as ``location A-01-01`` or ``product SKU-A``."""
    if isinstance(match, LocationMatch):
        return f"{match.kind} {match.code}"
    if isinstance(match, ProductMatch):
        return f"product {match.sku}"
    if isinstance(match, ContainerMatch):
        return f"container {match.sscc}"
    if isinstance(match, OrderMatch):
        return f"order {match.order_number}"
    return f"purchase order {match.number}"


def read_scan(raw: str, settings: ScannerSettings | None = None) -> tuple[Interpretation | None, str, BarcodeError | None]:
    """Interpret ``raw``; return the reading (None when unreadable), the cleaned text and the error.

    Raises :class:`BarcodeError` only when not even the text can be looked up (empty, wrong
    keyboard layout, several values, bad settings).
    """
    try:
        return interpret(raw, settings), clean_text(raw, settings), None
    except BarcodeError as exc:
        if exc.code in _UNREADABLE:
            raise
        return None, clean_text(raw, settings), exc


def _location_match(location: Location) -> LocationMatch:
    kind = "tote" if location.type == LocationType.TOTE.value else "location"
    return LocationMatch(location.id, location.code, location.warehouse_id, location.type, location.archived, kind=kind)


async def _find_locations(session: AsyncSession, text: str) -> list[LocationMatch]:
    rows = await session.scalars(select(Location).where(or_(Location.barcode == text, Location.code == text)).order_by(Location.code))
    return [_location_match(location) for location in rows]


def _label_values(reading: Interpretation | None) -> dict[str, object]:
    if not isinstance(reading, Gs1Scan):
        return {}
    return {
        "batch": reading.batch,
        "expiry": reading.expiry or reading.best_before,
        "serial": reading.serial,
        "best_before": reading.best_before,
        "production_date": reading.production_date,
        "sscc": reading.sscc,
    }


def product_codes(reading: Interpretation | None, text: str) -> tuple[list[str], int]:
    """Return the product barcode codes a reading may match and the multiplier of its units.

    The handheld twin's ``productCodes`` returns the same, for lookups in its offline catalogue.
    """
    if isinstance(reading, GtinScan):
        return [reading.gtin], 1
    if isinstance(reading, Gs1Scan):
        if reading.gtin:
            return [reading.gtin], reading.count or 1
        content = reading.fields.get("content_gtin")
        if content:
            return [content], reading.fields.get("content_count") or 1
        return [text], 1
    if isinstance(reading, SsccScan):
        return [], 1
    # A GTIN printed in a non-GS1 symbology (plain Code 128) is still that product's GTIN.
    if text.isdigit() and len(text) in (8, 12, 13, 14) and check_digit(text[:-1]) == int(text[-1]):
        return [text, text.zfill(14)], 1
    return [text], 1


async def _find_products(session: AsyncSession, reading: Interpretation | None, text: str) -> list[ProductMatch]:
    codes, multiplier = product_codes(reading, text)
    label = _label_values(reading)
    gtin = reading.gtin if isinstance(reading, (GtinScan, Gs1Scan)) else None
    if gtin is None and isinstance(reading, Gs1Scan):
        gtin = reading.fields.get("content_gtin")
    matches: list[ProductMatch] = []
    seen: set[UUID] = set()

    if codes:
        rows = await session.execute(
            select(ProductBarcode, Product).join(Product, Product.id == ProductBarcode.product_id).where(ProductBarcode.code.in_(codes))
        )
        for barcode, product in rows:
            # One product found under two spellings of the same code counts once.
            if product.id in seen:
                continue
            seen.add(product.id)
            matches.append(
                ProductMatch(
                    product.id,
                    product.sku,
                    units=barcode.units * multiplier,
                    gtin=gtin,
                    barcode_id=barcode.id,
                    barcode_kind=barcode.kind,
                    **label,  # type: ignore[arg-type]
                )
            )

    # A product's SKU printed as a plain barcode also names it. GS1 data that names no product
    # key may be a SKU that happens to start like an AI, such as "21-100" (serial "-100").
    gs1_without_key = isinstance(reading, Gs1Scan) and not (reading.gtin or reading.sscc or reading.fields.get("content_gtin"))
    if reading is None or isinstance(reading, (CodeScan, GtinScan)) or gs1_without_key:
        product = await session.scalar(select(Product).where(Product.sku == text))
        if product is not None and product.id not in seen:
            matches.append(ProductMatch(product.id, product.sku))
    return matches


async def _find_orders(session: AsyncSession, text: str) -> list[ScanMatch]:
    found: list[ScanMatch] = []
    for order in await session.scalars(select(Order).where(Order.order_number == text).order_by(Order.created_at)):
        found.append(OrderMatch(order.id, order.order_number, order.account_id, order.warehouse_id, order.status))
    purchase_order = await session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == text))
    if purchase_order is not None:
        found.append(PurchaseOrderMatch(purchase_order.id, purchase_order.number, purchase_order.warehouse_id, purchase_order.status))
    return found


async def find_matches(session: AsyncSession, reading: Interpretation | None, text: str) -> list[ScanMatch]:
    """Return every catalogue record that a reading (or, unread, its cleaned text) names."""
    matches: list[ScanMatch] = []
    matches.extend(await _find_locations(session, text))
    matches.extend(await _find_products(session, reading, text))
    matches.extend(await _find_orders(session, text))
    has_product = any(isinstance(match, ProductMatch) for match in matches)
    if isinstance(reading, SsccScan) or (isinstance(reading, Gs1Scan) and reading.sscc and not has_product):
        matches.append(ContainerMatch(reading.sscc))  # type: ignore[arg-type]
    return matches


def _ambiguous(text: str, matches: list[ScanMatch]) -> InvalidInputError:
    names = [describe_match(match) for match in matches]
    listed = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + " and " + names[-1]
    return InvalidInputError(
        f"barcode {quote(text)} matches both {listed}: relabel one of them" if len(names) == 2 else f"barcode {quote(text)} matches {listed}: relabel all but one",
        code="ambiguous_barcode",
        matches=names,
    )


async def resolve_scan(session: AsyncSession, raw: str, settings: ScannerSettings | None = None) -> ScanMatch:
    """Resolve a scan to the one record it names; a code matching two records is an error naming both.

    Raises :class:`BarcodeError` (422) for an unreadable scan that matches nothing,
    :class:`NotFoundError` for a readable one that matches nothing.
    """
    reading, text, error = read_scan(raw, settings)
    matches = await find_matches(session, reading, text)
    if len(matches) > 1:
        raise _ambiguous(text, matches)
    if matches:
        return matches[0]
    if error is not None:
        raise error
    raise NotFoundError(f"barcode {quote(text)} not found: no location, product, order or container has it; scan another label", code="unknown_barcode", scan=text)


async def resolve_location(session: AsyncSession, raw: str, settings: ScannerSettings | None = None) -> LocationMatch:
    """Find the location (or tote) a scan names; raise NotFoundError naming the scan otherwise."""
    _reading, text, error = read_scan(raw, settings)
    locations = await _find_locations(session, text)
    if len(locations) > 1:
        raise _ambiguous(text, list(locations))
    if locations:
        return locations[0]
    if error is not None:
        raise error
    raise NotFoundError(f"location {quote(text)} not found: scan a location label", code="unknown_location", scan=text)


async def resolve_product(session: AsyncSession, raw: str, settings: ScannerSettings | None = None) -> ProductMatch:
    """Find the product a scan names, with the units one scan counts and the label's batch, expiry and serial.

    Raises :class:`BarcodeError` for an unreadable scan, :class:`NotFoundError` for an unknown
    barcode and ``ambiguous_barcode`` when the code names two products.
    """
    reading, text, error = read_scan(raw, settings)
    products = await _find_products(session, reading, text)
    if len(products) > 1:
        raise _ambiguous(text, list(products))
    if products:
        return products[0]
    if error is not None:
        raise error
    gtin: str | None = None
    if isinstance(reading, GtinScan):
        gtin = reading.gtin
    elif isinstance(reading, Gs1Scan):
        gtin = reading.gtin or reading.fields.get("content_gtin")
    if gtin:
        raise NotFoundError(
            f"GTIN {gtin} is not the barcode of any product: add it to the product's barcodes, or scan another label",
            code="unknown_barcode",
            scan=text,
            gtin=gtin,
        )
    raise NotFoundError(f"product barcode {quote(text)} not found: scan the product's barcode", code="unknown_barcode", scan=text)
