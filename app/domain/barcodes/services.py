"""Barcode services: interpret a scan for the API, and manage a product's barcodes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import Location, Product, ProductBarcode
from app.domain.barcodes.errors import BarcodeError, quote
from app.domain.barcodes.interpret import CodeScan, Gs1Scan, GtinScan, ScannerSettings, interpret, to_wire
from app.domain.barcodes.resolve import find_matches
from app.domain.barcodes.schemas import InterpretRequest, ProductBarcodeCreate, ProductBarcodeRead
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError
from app.lib.logging import get_logger

__all__ = ["add_product_barcode", "interpret_scan", "list_product_barcodes", "normalize_barcode", "remove_product_barcode"]

log = get_logger(__name__)
MAX_BARCODE_LENGTH = 80


async def interpret_scan(db: Database, request: InterpretRequest) -> dict[str, Any]:
    """Interpret a raw scan and add the catalogue records it names.

    Returns the wire form of the reading plus ``matches`` (every record the scan names) and
    ``match`` (the one record, or null when none or several match). Raises :class:`BarcodeError`.
    """
    reading = interpret(request.raw, ScannerSettings(prefix=request.prefix, suffix=request.suffix, separator=request.separator))
    async with db.read() as session:
        matches = await find_matches(session, reading, reading.text)
    body = to_wire(reading)
    body["matches"] = [msgspec.to_builtins(match) for match in matches]
    body["match"] = body["matches"][0] if len(matches) == 1 else None
    return body


def normalize_barcode(code: str, kind: str) -> str:
    """Return the code as stored: GTINs as 14 digits. Raise InvalidInputError for an unusable code.

    The code must read as a scan of its kind would: GTIN, INNER and CASE need a valid GTIN (any
    spelling, or AI 01 alone), INTERNAL a plain code or a GTIN. A code that reads as GS1 data
    with more than a GTIN, or not at all, could never be matched by a scan.
    """
    if len(code) > MAX_BARCODE_LENGTH:
        raise InvalidInputError(f"barcode {quote(code)} is longer than {MAX_BARCODE_LENGTH} characters", field="code")
    try:
        reading = interpret(code)
    except BarcodeError as exc:
        raise InvalidInputError(f"barcode {quote(code)} is not usable: {exc.message}", code=exc.code, field="code") from None
    if isinstance(reading, GtinScan):
        return reading.gtin
    if isinstance(reading, Gs1Scan) and reading.gtin and len(reading.elements) == 1:
        return reading.gtin
    if kind != "INTERNAL":
        raise InvalidInputError(
            f"barcode {quote(code)} is not a GTIN: give the 8, 12, 13 or 14 digits under the barcode, or use kind INTERNAL",
            code="not_a_gtin",
            field="code",
        )
    if not isinstance(reading, CodeScan) or reading.symbology is not None:
        raise InvalidInputError(
            f"barcode {quote(code)} reads as {reading.kind.upper()} data, so a scan of it would never match: choose another code",
            code="unusable_barcode",
            field="code",
        )
    return reading.text


def _read(barcode: ProductBarcode) -> ProductBarcodeRead:
    return ProductBarcodeRead(id=barcode.id, product_id=barcode.product_id, code=barcode.code, kind=barcode.kind, units=barcode.units)


async def _get_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFoundError(f"product {product_id} not found", code="unknown_product", product_id=str(product_id))
    return product


async def list_product_barcodes(db: Database, product_id: UUID) -> list[ProductBarcodeRead]:
    """List a product's barcodes, units first (each, inner, case)."""
    async with db.read() as session:
        await _get_product(session, product_id)
        rows = await session.scalars(
            select(ProductBarcode).where(ProductBarcode.product_id == product_id).order_by(ProductBarcode.units, ProductBarcode.code)
        )
        return [_read(barcode) for barcode in rows]


async def _check_free(session: AsyncSession, code: str, product: Product) -> None:
    existing = await session.scalar(select(ProductBarcode).where(ProductBarcode.code == code))
    if existing is not None:
        owner = await session.get(Product, existing.product_id)
        owner_name = f"product {owner.sku} ({owner.name})" if owner is not None else "another product"
        if owner is not None and owner.id == product.id:
            owner_name = f"this product ({owner.sku}) as {existing.kind} of {existing.units}"
        raise ConflictError(
            f"barcode {code} already belongs to {owner_name}: remove it there first",
            code="barcode_in_use",
            field="code",
            owner_sku=owner.sku if owner else None,
        )
    location = await session.scalar(select(Location).where(Location.barcode == code))
    if location is not None:
        raise ConflictError(
            f"barcode {code} already labels location {location.code}: a scan could not tell them apart",
            code="barcode_in_use",
            field="code",
            owner_location=location.code,
        )


async def add_product_barcode(db: Database, product_id: UUID, data: ProductBarcodeCreate) -> ProductBarcodeRead:
    """Add a barcode to a product; a code already used by a product or location is a 409 naming it."""
    if data.units < 1:
        raise InvalidInputError(f"units {data.units} is invalid: one scan counts 1 or more units", field="units")
    if data.kind == "GTIN" and data.units != 1:
        raise InvalidInputError(
            f"a GTIN barcode counts 1 unit, not {data.units}: use kind INNER or CASE for packs", field="units"
        )
    code = normalize_barcode(data.code.strip(), data.kind)
    async with db.transaction() as session:
        product = await _get_product(session, product_id)
        await _check_free(session, code, product)
        barcode = ProductBarcode(product_id=product.id, code=code, kind=data.kind, units=data.units)
        session.add(barcode)
        try:
            await session.flush()
        except IntegrityError:
            # Another request added the same code between the check and the insert.
            raise ConflictError(f"barcode {code} was just added elsewhere: reload and check its owner", code="barcode_in_use", field="code") from None
        result = _read(barcode)
    log.info("product barcode added", product_id=str(product_id), code=code, kind=data.kind, units=data.units)
    return result


async def remove_product_barcode(db: Database, product_id: UUID, barcode_id: UUID) -> None:
    """Remove one of a product's barcodes; 404 when the product has no such barcode."""
    async with db.transaction() as session:
        barcode = await session.get(ProductBarcode, barcode_id)
        if barcode is None or barcode.product_id != product_id:
            raise NotFoundError(f"barcode {barcode_id} of product {product_id} not found", code="unknown_barcode")
        code = barcode.code
        await session.delete(barcode)
    log.info("product barcode removed", product_id=str(product_id), barcode_id=str(barcode_id), code=code)
