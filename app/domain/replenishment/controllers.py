"""On-demand replenishment: check pick faces now and create the jobs that are due."""

from __future__ import annotations

from litestar import Controller, Request, post
from sqlalchemy import select

import msgspec

from app.db.models import Product
from app.domain.barcodes import resolve_location
from app.domain.catalog.services import get_warehouse
from app.domain.jobs.schemas import JobRead
from app.domain.jobs.services import job_read, load_job
from app.domain.replenishment.planning import replenish_pick_faces
from app.lib.deps import DatabaseDep
from app.lib.errors import NotFoundError
from app.lib.wire import decode_body

__all__ = ["ReplenishmentController", "ReplenishmentRequest"]


class ReplenishmentRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Limit the check to one pick face (code or barcode) or one product (SKU); default all."""

    warehouse: str | None = None
    location: str | None = None
    product: str | None = None


class ReplenishmentController(Controller):
    path = "/api/v1/replenishment"
    tags = ["stock control"]

    @post("/", operation_id="ReplenishPickFaces", status_code=200)
    async def replenish(self, request: Request, db: DatabaseDep) -> list[JobRead]:
        """Create replenishment jobs for pick faces below their minimum; return the new jobs."""
        body = decode_body(await request.body() or b"{}", ReplenishmentRequest)
        async with db.transaction() as session:
            warehouse = await get_warehouse(session, body.warehouse)
            location_ids = [(await resolve_location(session, body.location)).location_id] if body.location else None
            product_ids = None
            if body.product:
                product_id = await session.scalar(select(Product.id).where(Product.sku == body.product))
                if product_id is None:
                    raise NotFoundError(f"SKU {body.product!r} not found", field="product")
                product_ids = [product_id]
            jobs = await session.run_sync(lambda sync: replenish_pick_faces(sync, warehouse_id=warehouse.id, location_ids=location_ids, product_ids=product_ids))
            return [await job_read(session, await load_job(session, job.id)) for job in jobs]
