"""Resolution of a raw scan to a catalogue record: a location, a product (with units), and more.

This first version matches location barcodes and codes, product barcodes (GTINs compared as 14
digits) and SKUs exactly.
TODO: route raw scans through the GS1 interpreter so batch, expiry and serial come from the label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Location, Product, ProductBarcode
from app.lib.errors import InvalidInputError, NotFoundError

__all__ = ["LocationMatch", "ProductMatch", "ScanMatch", "ScannerSettings", "resolve_location", "resolve_product", "resolve_scan"]


@dataclass(frozen=True)
class ScannerSettings:
    """Per-device scanner configuration: characters to strip and the FNC1 substitute."""

    prefix: str = ""
    suffix: str = ""
    separator: str = ""


@dataclass(frozen=True)
class LocationMatch:
    location_id: UUID
    code: str
    warehouse_id: UUID
    type: str
    archived: bool
    kind: str = "location"


@dataclass(frozen=True)
class ProductMatch:
    product_id: UUID
    sku: str
    units: int = 1
    gtin: str | None = None
    batch: str | None = None
    expiry: date | None = None
    serial: str | None = None
    kind: str = "product"


ScanMatch = LocationMatch | ProductMatch


def _clean(raw: str, settings: ScannerSettings | None) -> str:
    text = raw.strip("\r\n\t ")
    if settings and settings.prefix and text.startswith(settings.prefix):
        text = text[len(settings.prefix) :]
    if settings and settings.suffix and text.endswith(settings.suffix):
        text = text[: -len(settings.suffix)]
    if not text:
        raise InvalidInputError("the scan is empty: rescan", code="empty_scan")
    return text


def _gtin14(text: str) -> str | None:
    if text.isdigit() and len(text) in (8, 12, 13, 14):
        return text.zfill(14)
    return None


async def resolve_location(session: AsyncSession, raw: str, settings: ScannerSettings | None = None) -> LocationMatch:
    """Find the location a scan names; raise NotFoundError naming the scan otherwise."""
    text = _clean(raw, settings)
    location = await session.scalar(select(Location).where(or_(Location.barcode == text, Location.code == text)))
    if location is None:
        raise NotFoundError(f"location {text!r} not found: scan a location label", code="unknown_location", scan=text)
    return LocationMatch(location.id, location.code, location.warehouse_id, location.type, location.archived)


async def resolve_product(session: AsyncSession, raw: str, settings: ScannerSettings | None = None) -> ProductMatch:
    """Find the product a scan names, with the units one scan counts."""
    text = _clean(raw, settings)
    code = _gtin14(text) or text
    barcode = await session.scalar(select(ProductBarcode).where(ProductBarcode.code == code))
    if barcode is not None:
        product = await session.get(Product, barcode.product_id)
        assert product is not None
        return ProductMatch(product.id, product.sku, units=barcode.units, gtin=_gtin14(text))
    product = await session.scalar(select(Product).where(Product.sku == text))
    if product is not None:
        return ProductMatch(product.id, product.sku)
    raise NotFoundError(f"product barcode {text!r} not found: scan the product's barcode", code="unknown_barcode", scan=text)


async def resolve_scan(session: AsyncSession, raw: str, settings: ScannerSettings | None = None) -> ScanMatch:
    """Resolve a scan to a location or a product; a code matching both is an error naming both."""
    matches: list[ScanMatch] = []
    for resolver in (resolve_location, resolve_product):
        try:
            matches.append(await resolver(session, raw, settings))
        except NotFoundError:
            continue
    if not matches:
        text = _clean(raw, settings)
        raise NotFoundError(f"barcode {text!r} not found: no location or product has it", code="unknown_barcode", scan=text)
    if len(matches) > 1:
        raise InvalidInputError(f"barcode {raw!r} matches both a location and a product: relabel one of them", code="ambiguous_barcode")
    return matches[0]
