"""Master data operations: warehouses, zones, locations, products and suppliers."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Location, ProductBarcode, PutawayMode, Supplier, Warehouse, Zone
from app.domain.catalog.codes import FieldProblem, check_location_type, check_min_max
from app.domain.catalog.fields import check_page, invalid_input, percent, required_text, units
from app.domain.catalog.products import create_product, find_pick_face, get_product, list_products, product_read, update_product
from app.domain.catalog.schemas import (
    LocationCreate,
    LocationRead,
    LocationUpdate,
    SupplierCreate,
    SupplierRead,
    SupplierUpdate,
    WarehouseRead,
    WarehouseUpdate,
    ZoneCreate,
    ZoneRead,
    ZoneUpdate,
)
from app.domain.stock.queries import warehouse_not_found
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError

__all__ = [
    "create_location",
    "create_product",
    "create_supplier",
    "create_zone",
    "find_pick_face",
    "get_location",
    "get_product",
    "get_warehouse",
    "list_locations",
    "list_products",
    "list_suppliers",
    "list_warehouses",
    "list_zones",
    "location_read",
    "product_read",
    "update_location",
    "update_product",
    "update_supplier",
    "update_warehouse",
    "update_zone",
]


# --- warehouses ---------------------------------------------------------------------------------


def warehouse_read(warehouse: Warehouse) -> WarehouseRead:
    """Return the wire form of a warehouse."""
    return WarehouseRead(
        id=warehouse.id,
        code=warehouse.code,
        name=warehouse.name,
        receipt_tolerance_percent=warehouse.receipt_tolerance_percent,
        count_variance_units=warehouse.count_variance_units,
        count_variance_percent=warehouse.count_variance_percent,
    )


async def get_warehouse(session: AsyncSession, reference: str | UUID | None) -> Warehouse:
    """Find a warehouse by code or id; with no reference, the only warehouse there is."""
    if reference is None or reference == "":
        warehouses = (await session.scalars(select(Warehouse).limit(2))).all()
        if len(warehouses) == 1:
            return warehouses[0]
        raise InvalidInputError("name the warehouse: there is more than one", field="warehouse")
    warehouse = None
    try:
        warehouse = await session.get(Warehouse, UUID(str(reference)))
    except ValueError:
        pass
    if warehouse is None:
        warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == str(reference)))
    if warehouse is None:
        raise await warehouse_not_found(session, reference, field="warehouse")
    return warehouse


async def update_warehouse(session: AsyncSession, warehouse_id: UUID, data: WarehouseUpdate) -> Warehouse:
    """Change a warehouse's receipt tolerance or count variance thresholds."""
    warehouse = await get_warehouse(session, warehouse_id)
    if data.receipt_tolerance_percent is not None:
        warehouse.receipt_tolerance_percent = percent(data.receipt_tolerance_percent, "receipt_tolerance_percent")
    if data.count_variance_units is not None:
        warehouse.count_variance_units = units(data.count_variance_units, "count_variance_units")
    if data.count_variance_percent is not None:
        warehouse.count_variance_percent = percent(data.count_variance_percent, "count_variance_percent")
    await session.flush()
    return warehouse


async def list_warehouses(session: AsyncSession) -> list[Warehouse]:
    """Return every warehouse by code."""
    return list((await session.scalars(select(Warehouse).order_by(Warehouse.code))).all())


# --- zones --------------------------------------------------------------------------------------


def zone_read(zone: Zone) -> ZoneRead:
    """Return the wire form of a zone."""
    return ZoneRead(id=zone.id, warehouse_id=zone.warehouse_id, code=zone.code, name=zone.name, putaway_mode=zone.putaway_mode)


def _putaway_mode(value: str) -> str:
    if value not in PutawayMode.ALL:
        raise InvalidInputError(f"putaway_mode {value!r} is invalid: use suggested or enforced", field="putaway_mode")
    return value


async def create_zone(session: AsyncSession, data: ZoneCreate) -> Zone:
    """Create a zone; locations join it by naming its code."""
    warehouse = await get_warehouse(session, data.warehouse)
    code = required_text(data.code, "code", 40)
    if await session.scalar(select(Zone.id).where(Zone.warehouse_id == warehouse.id, Zone.code == code)):
        raise ConflictError(f"zone {code!r} already exists in {warehouse.code}", field="code")
    zone = Zone(warehouse_id=warehouse.id, code=code, name=data.name.strip() or code, putaway_mode=_putaway_mode(data.putaway_mode))
    session.add(zone)
    await session.flush()
    return zone


async def update_zone(session: AsyncSession, zone_id: UUID, data: ZoneUpdate) -> Zone:
    """Rename a zone or switch its putaway between suggested and enforced."""
    zone = await session.get(Zone, zone_id)
    if zone is None:
        raise NotFoundError(f"zone {zone_id} not found", zone_id=str(zone_id))
    if data.name is not None:
        zone.name = required_text(data.name, "name", 200)
    if data.putaway_mode is not None:
        zone.putaway_mode = _putaway_mode(data.putaway_mode)
    await session.flush()
    return zone


async def list_zones(session: AsyncSession, warehouse_id: UUID | None = None) -> list[Zone]:
    """Return the zones, optionally of one warehouse."""
    statement = select(Zone).order_by(Zone.code)
    if warehouse_id:
        statement = statement.where(Zone.warehouse_id == warehouse_id)
    return list((await session.scalars(statement)).all())


# --- locations ----------------------------------------------------------------------------------


def location_read(location: Location) -> LocationRead:
    """Return the wire form of a location."""
    return LocationRead(
        id=location.id,
        warehouse_id=location.warehouse_id,
        code=location.code,
        barcode=location.barcode,
        type=location.type,
        zone=location.zone,
        pick_sequence=location.pick_sequence,
        min_quantity=location.min_quantity,
        max_quantity=location.max_quantity,
        archived=location.archived,
    )


async def _check_location_barcode_free(session: AsyncSession, barcode: str, location_id: UUID | None) -> None:
    owner = await session.scalar(select(Location).where(Location.barcode == barcode))
    if owner is not None and owner.id != location_id:
        raise ConflictError(f"barcode {barcode!r} already labels location {owner.code}: print a unique label", field="barcode")
    if await session.scalar(select(ProductBarcode.id).where(ProductBarcode.code == barcode)):
        raise ConflictError(f"barcode {barcode!r} belongs to a product: a scan could not tell them apart", field="barcode")


async def create_location(session: AsyncSession, data: LocationCreate) -> Location:
    """Create a location; min and max are for pick faces and drive replenishment."""
    warehouse = await get_warehouse(session, data.warehouse)
    code = required_text(data.code, "code", 60)
    barcode = required_text(data.barcode if data.barcode is not None else code, "barcode", 80)
    try:
        location_type = check_location_type(data.type)
        check_min_max(location_type, data.min_quantity, data.max_quantity)
    except FieldProblem as problem:
        raise invalid_input(problem) from None
    if await session.scalar(select(Location.id).where(Location.warehouse_id == warehouse.id, Location.code == code)):
        raise ConflictError(f"location {code!r} already exists in {warehouse.code}", field="code")
    await _check_location_barcode_free(session, barcode, None)
    location = Location(
        warehouse_id=warehouse.id,
        code=code,
        barcode=barcode,
        type=location_type,
        zone=data.zone.strip(),
        pick_sequence=data.pick_sequence,
        min_quantity=data.min_quantity,
        max_quantity=data.max_quantity,
        archived=data.archived,
    )
    session.add(location)
    await session.flush()
    return location


async def update_location(session: AsyncSession, location_id: UUID, data: LocationUpdate) -> Location:
    """Change a location. Archiving one that still contains stock is a conflict naming the units."""
    from app.db.models import StockBalance

    location = await session.get(Location, location_id)
    if location is None:
        raise NotFoundError(f"location {location_id} not found", location_id=str(location_id))
    if data.barcode is not None:
        barcode = required_text(data.barcode, "barcode", 80)
        await _check_location_barcode_free(session, barcode, location.id)
        location.barcode = barcode
    try:
        if data.type is not None:
            location.type = check_location_type(data.type)
        if data.clear_min_max:
            location.min_quantity = location.max_quantity = None
        if data.min_quantity is not None:
            location.min_quantity = data.min_quantity
        if data.max_quantity is not None:
            location.max_quantity = data.max_quantity
        check_min_max(location.type, location.min_quantity, location.max_quantity)
    except FieldProblem as problem:
        raise invalid_input(problem) from None
    if data.zone is not None:
        location.zone = data.zone.strip()
    if data.pick_sequence is not None:
        location.pick_sequence = data.pick_sequence
    if data.archived is not None:
        if data.archived and not location.archived:
            units = await session.scalar(select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(StockBalance.location_id == location.id))
            if units:
                raise ConflictError(f"location {location.code} still contains {units} units: move them before archiving it", code="location_not_empty")
        location.archived = data.archived
    await session.flush()
    return location


async def list_locations(
    session: AsyncSession,
    *,
    warehouse_id: UUID | None = None,
    zone: str | None = None,
    location_type: str | None = None,
    code: str | None = None,
    include_archived: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Location]:
    """List locations in pick sequence, filtered by warehouse, zone, type or code prefix."""
    check_page(limit, offset)
    statement = select(Location).order_by(Location.pick_sequence, Location.code, Location.id)
    if warehouse_id:
        statement = statement.where(Location.warehouse_id == warehouse_id)
    if zone is not None:
        statement = statement.where(Location.zone == zone)
    if location_type:
        try:
            statement = statement.where(Location.type == check_location_type(location_type))
        except FieldProblem as problem:
            raise invalid_input(problem) from None
    if code:
        statement = statement.where(Location.code.startswith(code, autoescape=True))
    if not include_archived:
        statement = statement.where(Location.archived.is_(False))
    return list((await session.scalars(statement.limit(limit).offset(offset))).all())


# --- suppliers ----------------------------------------------------------------------------------


def supplier_read(supplier: Supplier) -> SupplierRead:
    """Return the wire form of a supplier."""
    return SupplierRead(id=supplier.id, code=supplier.code, name=supplier.name, email=supplier.email, phone=supplier.phone, active=supplier.active)


async def create_supplier(session: AsyncSession, data: SupplierCreate) -> Supplier:
    """Create a supplier with a unique code."""
    code = required_text(data.code, "code", 40)
    if await session.scalar(select(Supplier.id).where(Supplier.code == code)):
        raise ConflictError(f"supplier code {code!r} is taken", field="code")
    supplier = Supplier(code=code, name=required_text(data.name, "name", 200), email=data.email.strip(), phone=data.phone.strip(), active=True)
    session.add(supplier)
    await session.flush()
    return supplier


async def update_supplier(session: AsyncSession, supplier_id: UUID, data: SupplierUpdate) -> Supplier:
    """Change a supplier's name, contact details or active flag."""
    supplier = await session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFoundError(f"supplier {supplier_id} not found", supplier_id=str(supplier_id))
    if data.name is not None:
        supplier.name = required_text(data.name, "name", 200)
    if data.email is not None:
        supplier.email = data.email.strip()
    if data.phone is not None:
        supplier.phone = data.phone.strip()
    if data.active is not None:
        supplier.active = data.active
    await session.flush()
    return supplier


async def list_suppliers(session: AsyncSession) -> list[Supplier]:
    """Return every supplier by code."""
    return list((await session.scalars(select(Supplier).order_by(Supplier.code))).all())


async def get_location(session: AsyncSession, location_id: UUID) -> Location:
    """Return one location or raise NotFoundError."""
    location = await session.get(Location, location_id)
    if location is None:
        raise NotFoundError(f"location {location_id} not found", location_id=str(location_id))
    return location
