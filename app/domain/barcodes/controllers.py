"""Barcode endpoints: interpretation for support, product barcodes, and the scanner set-up page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath
from litestar.response import Template

from app.domain.auth.guards import requires_supervisor
from app.domain.barcodes.schemas import InterpretRequest, ProductBarcodeCreate, ProductBarcodeRead
from app.domain.barcodes.services import add_product_barcode, interpret_scan, list_product_barcodes, remove_product_barcode
from app.lib.deps import DatabaseDep
from app.lib.wire import decode_body

__all__ = ["BarcodeController", "ProductBarcodeController", "ScannerSetupController"]


class BarcodeController(Controller):
    path = "/api/v1/barcodes"
    tags = ["barcodes"]

    @post("/interpret", operation_id="InterpretBarcode", status_code=200)
    async def interpret(self, request: Request, db: DatabaseDep) -> dict[str, Any]:
        """Interpret a raw scan: 200 with the typed reading and its catalogue match, 422 {code, message} when unreadable."""
        body = decode_body(await request.body(), InterpretRequest)
        return await interpret_scan(db, body)


class ProductBarcodeController(Controller):
    path = "/api/v1/products/{product_id:uuid}/barcodes"
    tags = ["barcodes"]

    @get("/", operation_id="ListProductBarcodes")
    async def list_barcodes(self, product_id: FromPath[UUID], db: DatabaseDep) -> list[ProductBarcodeRead]:
        """List a product's barcodes with their kinds and unit counts."""
        return await list_product_barcodes(db, product_id)

    @post("/", operation_id="AddProductBarcode", guards=[requires_supervisor], status_code=201)
    async def add_barcode(self, product_id: FromPath[UUID], request: Request, db: DatabaseDep) -> ProductBarcodeRead:
        """Add a barcode (supervisor); a code in use elsewhere is rejected with 409 naming its owner."""
        body = decode_body(await request.body(), ProductBarcodeCreate)
        return await add_product_barcode(db, product_id, body)

    @delete("/{barcode_id:uuid}", operation_id="RemoveProductBarcode", guards=[requires_supervisor], status_code=204)
    async def remove_barcode(self, product_id: FromPath[UUID], barcode_id: FromPath[UUID], db: DatabaseDep) -> None:
        """Remove one of a product's barcodes (supervisor)."""
        await remove_product_barcode(db, product_id, barcode_id)


class ScannerSetupController(Controller):
    path = "/scanner-setup"
    include_in_schema = False

    @get("/", operation_id="ScannerSetupPage")
    async def page(self) -> Template:
        """Show what a scanner sends, key by key, and suggest the prefix, suffix and separator settings."""
        return Template(template_name="scanner_setup.html")
