"""Master-data endpoints: warehouses, zones, locations, products, suppliers and CSV imports."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery

from app.domain.auth.guards import requires_admin, requires_supervisor
from app.domain.catalog import imports, services
from app.domain.catalog.schemas import (
    ImportResult,
    LocationCreate,
    LocationRead,
    LocationUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    SupplierCreate,
    SupplierRead,
    SupplierUpdate,
    WarehouseRead,
    WarehouseUpdate,
    ZoneCreate,
    ZoneRead,
    ZoneUpdate,
)
from app.lib.deps import DatabaseDep
from app.lib.errors import InvalidInputError
from app.lib.logging import get_logger
from app.lib.wire import decode_body

__all__ = ["LocationController", "ProductController", "SupplierController", "WarehouseSettingsController", "ZoneController", "read_upload"]

log = get_logger(__name__)


async def read_upload(request: Request) -> bytes:
    """Return the uploaded CSV: the raw body (text/csv) or the ``file`` field of a multipart form."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInputError("the form has no file field: send the CSV as 'file'", field="file")
        return await upload.read()
    return await request.body()


class WarehouseSettingsController(Controller):
    """Inbound and stock-control settings of a warehouse; the warehouse itself is managed elsewhere."""

    path = "/api/v1/warehouses/{warehouse_id:uuid}/stock-control"
    tags = ["master data"]

    @get("/", operation_id="GetWarehouseStockControl")
    async def get_settings(self, db: DatabaseDep, warehouse_id: FromPath[UUID]) -> WarehouseRead:
        """Return the receipt tolerance and count variance thresholds of a warehouse."""
        async with db.read() as session:
            return services.warehouse_read(await services.get_warehouse(session, warehouse_id))

    @patch("/", operation_id="UpdateWarehouseStockControl", guards=[requires_admin])
    async def update(self, request: Request, db: DatabaseDep, warehouse_id: FromPath[UUID]) -> WarehouseRead:
        """Change the receipt tolerance or count variance thresholds (admin)."""
        body = decode_body(await request.body(), WarehouseUpdate)
        async with db.transaction() as session:
            return services.warehouse_read(await services.update_warehouse(session, warehouse_id, body))


class ZoneController(Controller):
    path = "/api/v1/zones"
    tags = ["master data"]

    @get("/", operation_id="ListZones")
    async def list_zones(self, db: DatabaseDep, warehouse_id: FromQuery[UUID | None] = None) -> list[ZoneRead]:
        """List zones, optionally of one warehouse."""
        async with db.read() as session:
            return [services.zone_read(z) for z in await services.list_zones(session, warehouse_id)]

    @post("/", operation_id="CreateZone", guards=[requires_supervisor])
    async def create(self, request: Request, db: DatabaseDep) -> ZoneRead:
        """Create a zone with its putaway mode, suggested or enforced (supervisor)."""
        body = decode_body(await request.body(), ZoneCreate)
        async with db.transaction() as session:
            return services.zone_read(await services.create_zone(session, body))

    @patch("/{zone_id:uuid}", operation_id="UpdateZone", guards=[requires_supervisor])
    async def update(self, request: Request, db: DatabaseDep, zone_id: FromPath[UUID]) -> ZoneRead:
        """Rename a zone or change its putaway mode (supervisor)."""
        body = decode_body(await request.body(), ZoneUpdate)
        async with db.transaction() as session:
            return services.zone_read(await services.update_zone(session, zone_id, body))


class LocationController(Controller):
    path = "/api/v1/locations"
    tags = ["master data"]

    @get("/", operation_id="ListLocations")
    async def list_locations(
        self,
        db: DatabaseDep,
        warehouse_id: FromQuery[UUID | None] = None,
        zone: FromQuery[str | None] = None,
        type: FromQuery[str | None] = None,  # noqa: A002 - the query parameter's public name
        code: FromQuery[str | None] = None,
        include_archived: FromQuery[bool] = False,
        limit: FromQuery[int] = 100,
        offset: FromQuery[int] = 0,
    ) -> list[LocationRead]:
        """List locations in pick sequence; filter by warehouse, zone, type or code prefix."""
        async with db.read() as session:
            locations = await services.list_locations(
                session,
                warehouse_id=warehouse_id,
                zone=zone,
                location_type=type,
                code=code,
                include_archived=include_archived,
                limit=limit,
                offset=offset,
            )
        return [services.location_read(location) for location in locations]

    @get("/{location_id:uuid}", operation_id="GetLocation")
    async def get_location(self, db: DatabaseDep, location_id: FromPath[UUID]) -> LocationRead:
        """Return one location."""
        async with db.read() as session:
            return services.location_read(await services.get_location(session, location_id))

    @post("/", operation_id="CreateLocation", guards=[requires_supervisor])
    async def create(self, request: Request, db: DatabaseDep) -> LocationRead:
        """Create a location (supervisor)."""
        body = decode_body(await request.body(), LocationCreate)
        async with db.transaction() as session:
            return services.location_read(await services.create_location(session, body))

    @patch("/{location_id:uuid}", operation_id="UpdateLocation", guards=[requires_supervisor])
    async def update(self, request: Request, db: DatabaseDep, location_id: FromPath[UUID]) -> LocationRead:
        """Change or archive a location (supervisor)."""
        body = decode_body(await request.body(), LocationUpdate)
        async with db.transaction() as session:
            return services.location_read(await services.update_location(session, location_id, body))

    @post("/import", operation_id="ImportLocations", guards=[requires_supervisor], status_code=200)
    async def import_csv(self, request: Request, db: DatabaseDep, warehouse: FromQuery[str | None] = None) -> ImportResult:
        """Create or update locations from CSV, all rows or none (supervisor)."""
        data = await read_upload(request)
        async with db.transaction() as session:
            return await imports.import_locations(session, data, warehouse=warehouse)


class ProductController(Controller):
    path = "/api/v1/products"
    tags = ["master data"]

    @get("/", operation_id="ListProducts")
    async def list_products(
        self, db: DatabaseDep, sku: FromQuery[str | None] = None, q: FromQuery[str | None] = None, limit: FromQuery[int] = 100, offset: FromQuery[int] = 0
    ) -> list[ProductRead]:
        """List products by SKU with their barcodes; ``sku`` matches exactly, ``q`` searches."""
        async with db.read() as session:
            products = await services.list_products(session, sku=sku, q=q, limit=limit, offset=offset)
            return [await services.product_read(session, product) for product in products]

    @get("/{product_id:uuid}", operation_id="GetProduct")
    async def get_product(self, db: DatabaseDep, product_id: FromPath[UUID]) -> ProductRead:
        """Return one product."""
        async with db.read() as session:
            return await services.product_read(session, await services.get_product(session, product_id))

    @post("/", operation_id="CreateProduct", guards=[requires_supervisor])
    async def create(self, request: Request, db: DatabaseDep) -> ProductRead:
        """Create a product with its barcodes (supervisor)."""
        body = decode_body(await request.body(), ProductCreate)
        async with db.transaction() as session:
            return await services.product_read(session, await services.create_product(session, body))

    @patch("/{product_id:uuid}", operation_id="UpdateProduct", guards=[requires_supervisor])
    async def update(self, request: Request, db: DatabaseDep, product_id: FromPath[UUID]) -> ProductRead:
        """Change a product (supervisor). Barcodes have their own endpoints."""
        body = decode_body(await request.body(), ProductUpdate)
        async with db.transaction() as session:
            return await services.product_read(session, await services.update_product(session, product_id, body))

    @post("/import", operation_id="ImportProducts", guards=[requires_supervisor], status_code=200)
    async def import_csv(self, request: Request, db: DatabaseDep) -> ImportResult:
        """Create or update products from CSV, all rows or none (supervisor)."""
        data = await read_upload(request)
        async with db.transaction() as session:
            return await imports.import_products(session, data)


class SupplierController(Controller):
    path = "/api/v1/suppliers"
    tags = ["master data"]

    @get("/", operation_id="ListSuppliers")
    async def list_suppliers(self, db: DatabaseDep) -> list[SupplierRead]:
        """List every supplier."""
        async with db.read() as session:
            return [services.supplier_read(s) for s in await services.list_suppliers(session)]

    @post("/", operation_id="CreateSupplier", guards=[requires_supervisor])
    async def create(self, request: Request, db: DatabaseDep) -> SupplierRead:
        """Create a supplier (supervisor)."""
        body = decode_body(await request.body(), SupplierCreate)
        async with db.transaction() as session:
            return services.supplier_read(await services.create_supplier(session, body))

    @patch("/{supplier_id:uuid}", operation_id="UpdateSupplier", guards=[requires_supervisor])
    async def update(self, request: Request, db: DatabaseDep, supplier_id: FromPath[UUID]) -> SupplierRead:
        """Change a supplier (supervisor)."""
        body = decode_body(await request.body(), SupplierUpdate)
        async with db.transaction() as session:
            return services.supplier_read(await services.update_supplier(session, supplier_id, body))
