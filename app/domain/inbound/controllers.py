"""Inbound endpoints: purchase orders, receipts and putaway for the office."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery

from app.domain.auth.guards import requires_supervisor
from app.domain.auth.schemas import AuthUser
from app.domain.catalog.controllers import read_upload
from app.domain.catalog.schemas import ImportResult
from app.domain.catalog.services import get_warehouse
from app.domain.inbound import purchase_orders as orders
from app.domain.inbound.po_import import import_purchase_orders
from app.domain.inbound.putaway import suggest_putaway, zone_is_enforced
from app.domain.inbound.receiving import list_receipts
from app.domain.inbound.scans import apply_putaway_scan, apply_receive_scan, putaway_result_dict, receipt_read
from app.domain.inbound.schemas import (
    PurchaseOrderClose,
    PurchaseOrderCreate,
    PurchaseOrderRead,
    PutawayPayload,
    PutawaySuggestionRead,
    ReceiptHistoryRead,
    ReceiptRead,
    ReceivePayload,
)
from app.domain.barcodes import resolve_location, resolve_product
from app.domain.jobs.actor import Actor
from app.db.models import Product
from app.lib.deps import DatabaseDep
from app.lib.wire import decode_body

__all__ = ["PurchaseOrderController", "PutawayController", "ReceiptController"]


class PurchaseOrderController(Controller):
    path = "/api/v1/purchase-orders"
    tags = ["inbound"]

    @get("/", operation_id="ListPurchaseOrders")
    async def list_orders(self, db: DatabaseDep, status: FromQuery[str | None] = None, supplier: FromQuery[str | None] = None, limit: FromQuery[int] = 100, offset: FromQuery[int] = 0) -> list[PurchaseOrderRead]:
        """List purchase orders, newest first."""
        async with db.read() as session:
            found = await orders.list_purchase_orders(session, status=status, supplier=supplier, limit=limit, offset=offset)
            return [await orders.purchase_order_read(session, order) for order in found]

    @get("/{purchase_order_id:uuid}", operation_id="GetPurchaseOrder")
    async def get_order(self, db: DatabaseDep, purchase_order_id: FromPath[UUID]) -> PurchaseOrderRead:
        """Return one purchase order with received and open quantities."""
        async with db.read() as session:
            return await orders.purchase_order_read(session, await orders.find_purchase_order(session, purchase_order_id=purchase_order_id))

    @post("/", operation_id="CreatePurchaseOrder", guards=[requires_supervisor])
    async def create(self, request: Request, db: DatabaseDep) -> PurchaseOrderRead:
        """Create a purchase order in DRAFT or CREATED (supervisor)."""
        body = decode_body(await request.body(), PurchaseOrderCreate)
        async with db.transaction() as session:
            return await orders.purchase_order_read(session, await orders.create_purchase_order(session, body))

    @post("/import", operation_id="ImportPurchaseOrders", guards=[requires_supervisor], status_code=200)
    async def import_csv(self, request: Request, db: DatabaseDep, warehouse: FromQuery[str | None] = None) -> ImportResult:
        """Create purchase orders from CSV, all or none (supervisor)."""
        data = await read_upload(request)
        async with db.transaction() as session:
            return await import_purchase_orders(session, data, warehouse=warehouse)

    @post("/{purchase_order_id:uuid}/submit", operation_id="SubmitPurchaseOrder", guards=[requires_supervisor], status_code=200)
    async def submit(self, db: DatabaseDep, purchase_order_id: FromPath[UUID]) -> PurchaseOrderRead:
        """Send a DRAFT purchase order: CREATED, its quantities now incoming (supervisor)."""
        async with db.transaction() as session:
            return await orders.purchase_order_read(session, await orders.submit_purchase_order(session, purchase_order_id))

    @post("/{purchase_order_id:uuid}/cancel", operation_id="CancelPurchaseOrder", guards=[requires_supervisor], status_code=200)
    async def cancel(self, db: DatabaseDep, purchase_order_id: FromPath[UUID]) -> PurchaseOrderRead:
        """Cancel a purchase order that has received nothing (supervisor)."""
        async with db.transaction() as session:
            return await orders.purchase_order_read(session, await orders.cancel_purchase_order(session, purchase_order_id))

    @post("/{purchase_order_id:uuid}/close", operation_id="ClosePurchaseOrder", status_code=200)
    async def close(self, request: Request[AuthUser, Any, State], db: DatabaseDep, purchase_order_id: FromPath[UUID]) -> dict[str, Any]:
        """Close an open purchase order as RECEIVED; a shortfall beyond tolerance needs a supervisor."""
        body = decode_body(await request.body() or b"{}", PurchaseOrderClose)
        async with db.transaction() as session:
            order, warnings = await orders.close_purchase_order(session, purchase_order_id, actor=Actor(request.user), override=body.override, note=body.note)
            read = await orders.purchase_order_read(session, order)
        return {"purchase_order": read, "warnings": warnings}


class ReceiptController(Controller):
    path = "/api/v1/receipts"
    tags = ["inbound"]

    @get("/", operation_id="ListReceipts", cache=False)
    async def list_receipts(
        self, db: DatabaseDep, purchase_order: FromQuery[str | None] = None, limit: FromQuery[int] = 100, offset: FromQuery[int] = 0
    ) -> list[ReceiptHistoryRead]:
        """List receipts newest first, optionally of one purchase order number."""
        async with db.read() as session:
            return await list_receipts(session, purchase_order=purchase_order, limit=limit, offset=offset)

    @post("/", operation_id="ReceiveStock", status_code=201)
    async def receive(self, request: Request[AuthUser, Any, State], db: DatabaseDep) -> ReceiptRead:
        """Receive stock: the body of the ``receive`` scan command (location and item by code or barcode)."""
        body = decode_body(await request.body(), ReceivePayload)
        async with db.transaction() as session:
            result = await apply_receive_scan(session, body, Actor(request.user))
            return receipt_read(result)


class PutawayController(Controller):
    path = "/api/v1/putaway"
    tags = ["inbound"]

    @get("/suggestion", operation_id="SuggestPutaway")
    async def suggestion(self, db: DatabaseDep, item: FromQuery[str], quantity: FromQuery[int] = 1, batch: FromQuery[str] = "", from_location: FromQuery[str | None] = None, warehouse: FromQuery[str | None] = None) -> PutawaySuggestionRead:
        """Suggest where to put ``quantity`` units of an item (SKU or barcode) and batch."""
        async with db.read() as session:
            match = await resolve_product(session, item)
            product = await session.get(Product, match.product_id)
            assert product is not None
            source = await resolve_location(session, from_location) if from_location else None
            warehouse_id = source.warehouse_id if source else (await get_warehouse(session, warehouse)).id
            found = await suggest_putaway(
                session, product=product, batch=batch, quantity=quantity * match.units, warehouse_id=warehouse_id, exclude_location_id=source.location_id if source else None
            )
            enforced = bool(found.location) and await zone_is_enforced(session, warehouse_id, found.location.zone)  # type: ignore[union-attr]
        message = f"put away to {found.code} ({found.rule})" if found.location else "no suitable location: choose a storage bin"
        return PutawaySuggestionRead(location_id=found.location.id if found.location else None, location=found.code, rule=found.rule, enforced=enforced, message=message)

    @post("/", operation_id="PutAwayStock", status_code=201)
    async def putaway(self, request: Request[AuthUser, Any, State], db: DatabaseDep) -> dict[str, Any]:
        """Put stock away: the body of the ``putaway`` scan command."""
        body = decode_body(await request.body(), PutawayPayload)
        async with db.transaction() as session:
            return putaway_result_dict(await apply_putaway_scan(session, body, Actor(request.user)))
