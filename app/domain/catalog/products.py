"""Products: creation with barcodes, changes, pick faces and the product list."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.models import Location, LocationType, Product, ProductBarcode
from app.domain.catalog.codes import FieldProblem, check_allocation_rule, check_tracking, normalize_product_barcode
from app.domain.catalog.fields import check_page, invalid_input, required_text
from app.domain.catalog.schemas import BarcodeRead, ProductCreate, ProductRead, ProductUpdate
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError

__all__ = ["create_product", "find_pick_face", "get_product", "list_products", "product_read", "update_product"]


async def product_read(session: AsyncSession, product: Product) -> ProductRead:
    """Return the wire form of a product whose barcodes are loaded."""
    pick_face = await session.scalar(select(Location.code).where(Location.id == product.pick_face_location_id)) if product.pick_face_location_id else None
    return ProductRead(
        id=product.id,
        sku=product.sku,
        name=product.name,
        tracking=product.tracking,
        allocation_rule=product.allocation_rule,
        active=product.active,
        pick_face_location_id=product.pick_face_location_id,
        pick_face=pick_face,
        putaway_zone=product.putaway_zone,
        barcodes=[BarcodeRead(code=b.code, units=b.units, kind=b.kind) for b in sorted(product.barcodes, key=lambda b: (b.units, b.code))],
    )


async def find_pick_face(session: AsyncSession, reference: str) -> Location:
    """Find a PICK_FACE location by barcode or code; a code used in several warehouses is ambiguous."""
    matches = (await session.scalars(select(Location).where(or_(Location.barcode == reference, Location.code == reference)))).all()
    if not matches:
        raise NotFoundError(f"pick face {reference!r} not found: give a location code or barcode", field="pick_face")
    if len(matches) > 1:
        exact = [location for location in matches if location.barcode == reference]
        if len(exact) != 1:
            raise InvalidInputError(f"pick face {reference!r} names locations in several warehouses: give its barcode", field="pick_face")
        matches = exact
    location = matches[0]
    if location.type != LocationType.PICK_FACE.value:
        raise InvalidInputError(f"location {location.code} is a {location.type}, not a PICK_FACE", field="pick_face")
    if location.archived:
        raise InvalidInputError(f"location {location.code} is archived: choose an active pick face", field="pick_face")
    return location


async def _load_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await session.scalar(select(Product).where(Product.id == product_id).options(selectinload(Product.barcodes)))
    if product is None:
        raise NotFoundError(f"product {product_id} not found", product_id=str(product_id))
    return product


async def create_product(session: AsyncSession, data: ProductCreate) -> Product:
    """Create a product with its barcodes; a barcode already in use is a conflict naming its owner."""
    sku = required_text(data.sku, "sku", 80)
    name = required_text(data.name, "name", 300)
    try:
        tracking = check_tracking(data.tracking)
        rule = check_allocation_rule(data.allocation_rule)
        barcodes = []
        for index, barcode in enumerate(data.barcodes):
            code, kind = normalize_product_barcode(barcode.code, f"barcodes[{index}].code")
            if barcode.units < 1:
                raise FieldProblem(f"barcodes[{index}].units", barcode.units, f"units {barcode.units} is invalid: a scan counts 1 or more units")
            barcodes.append((code, kind, barcode.units))
    except FieldProblem as problem:
        raise invalid_input(problem) from None
    if await session.scalar(select(Product.id).where(Product.sku == sku)):
        raise ConflictError(f"SKU {sku!r} already exists", field="sku")
    seen: set[str] = set()
    for code, _kind, _units in barcodes:
        if code in seen:
            raise InvalidInputError(f"barcode {code!r} is listed twice", field="barcodes")
        seen.add(code)
        owner = await session.scalar(select(Product.sku).join(ProductBarcode).where(ProductBarcode.code == code))
        if owner:
            raise ConflictError(f"barcode {code!r} already belongs to {owner}", field="barcodes")
        if await session.scalar(select(Location.code).where(Location.barcode == code)):
            raise ConflictError(f"barcode {code!r} labels a location: a scan could not tell them apart", field="barcodes")
    pick_face = await find_pick_face(session, data.pick_face) if data.pick_face else None
    product = Product(
        sku=sku,
        name=name,
        tracking=tracking,
        allocation_rule=rule,
        putaway_zone=data.putaway_zone.strip(),
        pick_face_location_id=pick_face.id if pick_face else None,
        active=True,
    )
    session.add(product)
    await session.flush()
    for code, kind, units in barcodes:
        session.add(ProductBarcode(product_id=product.id, code=code, kind=kind, units=units))
    await session.flush()
    return await _load_product(session, product.id)


async def update_product(session: AsyncSession, product_id: UUID, data: ProductUpdate) -> Product:
    """Change a product's name, tracking, allocation rule, pick face, putaway zone or active flag."""
    product = await _load_product(session, product_id)
    try:
        if data.tracking is not None:
            product.tracking = check_tracking(data.tracking)
        if data.allocation_rule is not None:
            product.allocation_rule = check_allocation_rule(data.allocation_rule)
    except FieldProblem as problem:
        raise invalid_input(problem) from None
    if data.name is not None:
        product.name = required_text(data.name, "name", 300)
    if data.pick_face is not None:
        product.pick_face_location_id = (await find_pick_face(session, data.pick_face)).id if data.pick_face else None
    if data.putaway_zone is not None:
        product.putaway_zone = data.putaway_zone.strip()
    if data.active is not None:
        product.active = data.active
    await session.flush()
    return product


async def get_product(session: AsyncSession, product_id: UUID) -> Product:
    """Return one product with its barcodes."""
    return await _load_product(session, product_id)


async def list_products(session: AsyncSession, *, sku: str | None = None, q: str | None = None, limit: int = 100, offset: int = 0) -> list[Product]:
    """List products by SKU; ``sku`` matches exactly, ``q`` searches SKU, name and barcode."""
    check_page(limit, offset)
    statement = select(Product).options(selectinload(Product.barcodes)).order_by(Product.sku)
    if sku is not None:
        statement = statement.where(Product.sku == sku)
    if q:
        needle = q.strip()
        pattern = f"%{needle.lower()}%"
        barcode_owner = select(ProductBarcode.product_id).where(or_(ProductBarcode.code == needle, ProductBarcode.code == needle.zfill(14)))
        statement = statement.where(
            or_(func.lower(Product.sku).like(pattern), func.lower(Product.name).like(pattern), Product.id.in_(barcode_owner))
        )
    return list((await session.scalars(statement.limit(limit).offset(offset))).all())
