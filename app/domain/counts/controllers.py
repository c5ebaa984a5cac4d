"""Stocktake and cycle-count endpoints for the office and supervisors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from sqlalchemy import select

from app.db.models import Product, Stocktake, StocktakeStatus
from app.domain.auth.guards import requires_supervisor
from app.domain.auth.schemas import AuthUser
from app.domain.barcodes import resolve_location
from app.domain.catalog.services import get_warehouse
from app.domain.counts import posting, services
from app.domain.counts.commands import apply_count_scan, count_result
from app.domain.counts.cycle import create_cycle_count
from app.domain.counts.reads import post_result, stocktake_read
from app.domain.counts.schemas import CountPayload, CountReview, CycleCountCreate, PostResult, StocktakeCreate, StocktakeRead
from app.domain.jobs.actor import Actor
from app.domain.jobs.schemas import JobRead
from app.domain.jobs.services import job_read, load_job
from app.lib.deps import DatabaseDep
from app.lib.errors import InvalidInputError, NotFoundError
from app.lib.wire import decode_body

__all__ = ["CycleCountController", "StocktakeController"]


class CycleCountCreated(msgspec.Struct):
    stocktake_id: UUID
    job: JobRead


class StocktakeController(Controller):
    path = "/api/v1/stocktakes"
    tags = ["stock control"]

    @get("/", operation_id="ListStocktakes", cache=False)
    async def list_stocktakes(self, request: Request[AuthUser, Any, State], db: DatabaseDep, status: FromQuery[str | None] = None) -> list[StocktakeRead]:
        """List stocktakes, newest first, optionally by status (OPEN, POSTED, CANCELLED)."""
        if status is not None and status not in (StocktakeStatus.OPEN, StocktakeStatus.POSTED, StocktakeStatus.CANCELLED):
            raise InvalidInputError(f"status {status!r} is invalid: use OPEN, POSTED or CANCELLED", field="status")
        actor = Actor(request.user)
        async with db.read() as session:
            statement = select(Stocktake.id).order_by(Stocktake.created_at.desc()).limit(200)
            if status:
                statement = statement.where(Stocktake.status == status)
            ids = (await session.scalars(statement)).all()
            return [await stocktake_read(session, stocktake_id, is_supervisor=actor.is_supervisor) for stocktake_id in ids]

    @post("/", operation_id="CreateStocktake", guards=[requires_supervisor])
    async def create(self, request: Request[AuthUser, Any, State], db: DatabaseDep) -> StocktakeRead:
        """Start a stocktake of locations or products, blind or showing expected stock (supervisor)."""
        body = decode_body(await request.body(), StocktakeCreate)
        actor = Actor(request.user)
        async with db.transaction() as session:
            warehouse = await get_warehouse(session, body.warehouse)
            location_ids = []
            for reference in body.locations:
                match = await resolve_location(session, reference)
                if match.warehouse_id != warehouse.id:
                    raise InvalidInputError(f"location {reference} is not in {warehouse.code}", field="locations")
                location_ids.append(match.location_id)
            product_ids = []
            for sku in body.products:
                product_id = await session.scalar(select(Product.id).where(Product.sku == sku))
                if product_id is None:
                    raise NotFoundError(f"SKU {sku!r} not found", field="products")
                product_ids.append(product_id)
            stocktake = await services.create_stocktake(
                session,
                warehouse=warehouse,
                kind=body.kind,
                location_ids=location_ids,
                product_ids=product_ids,
                blind=body.blind,
                variance_threshold_units=body.variance_threshold_units,
                variance_threshold_percent=body.variance_threshold_percent,
                zero_uncounted=body.zero_uncounted,
                note=body.note,
                actor=actor,
            )
            return await stocktake_read(session, stocktake.id, is_supervisor=True)

    @get("/{stocktake_id:uuid}", operation_id="GetStocktake", cache=False)
    async def get_stocktake(self, request: Request[AuthUser, Any, State], db: DatabaseDep, stocktake_id: FromPath[UUID]) -> StocktakeRead:
        """Return a stocktake; operators see expected quantities only when it is not blind."""
        async with db.read() as session:
            return await stocktake_read(session, stocktake_id, is_supervisor=Actor(request.user).is_supervisor)

    @post("/{stocktake_id:uuid}/counts", operation_id="RecordCount", status_code=201)
    async def count(self, request: Request[AuthUser, Any, State], db: DatabaseDep, stocktake_id: FromPath[UUID]) -> dict[str, Any]:
        """Record a count in this stocktake: the body of the ``count`` scan command."""
        body = decode_body(await request.body(), CountPayload)
        if body.stocktake_id not in (None, stocktake_id):
            raise InvalidInputError("stocktake_id in the body differs from the one in the path", field="stocktake_id")
        body.stocktake_id = stocktake_id
        actor = Actor(request.user)
        async with db.transaction() as session:
            outcome = await apply_count_scan(session, body, actor)
            return {**count_result(outcome, show_expected=actor.is_supervisor or not outcome.stocktake.blind), "warnings": outcome.warnings}

    @post("/{stocktake_id:uuid}/review", operation_id="ReviewCounts", status_code=200, guards=[requires_supervisor])
    async def review(self, request: Request[AuthUser, Any, State], db: DatabaseDep, stocktake_id: FromPath[UUID]) -> StocktakeRead:
        """Approve or reject counts whose variance waits for approval (supervisor)."""
        body = decode_body(await request.body(), CountReview)
        async with db.transaction() as session:
            await services.review_counts(session, stocktake_id, body.count_ids, approve=body.approve, actor=Actor(request.user), note=body.note)
            return await stocktake_read(session, stocktake_id, is_supervisor=True)

    @post("/{stocktake_id:uuid}/post", operation_id="PostStocktake", status_code=200, guards=[requires_supervisor])
    async def post_counts(self, request: Request[AuthUser, Any, State], db: DatabaseDep, stocktake_id: FromPath[UUID]) -> PostResult:
        """Post approved variances as count movements; reports counts still waiting (supervisor)."""
        async with db.transaction() as session:
            return post_result(await posting.post_stocktake(session, stocktake_id, actor=Actor(request.user)))

    @post("/{stocktake_id:uuid}/cancel", operation_id="CancelStocktake", status_code=200, guards=[requires_supervisor])
    async def cancel(self, request: Request[AuthUser, Any, State], db: DatabaseDep, stocktake_id: FromPath[UUID]) -> StocktakeRead:
        """Cancel an open stocktake without posting (supervisor)."""
        async with db.transaction() as session:
            await posting.cancel_stocktake(session, stocktake_id, actor=Actor(request.user))
            return await stocktake_read(session, stocktake_id, is_supervisor=True)


class CycleCountController(Controller):
    path = "/api/v1/cycle-counts"
    tags = ["stock control"]

    @post("/", operation_id="CreateCycleCount", guards=[requires_supervisor])
    async def create(self, request: Request[AuthUser, Any, State], db: DatabaseDep) -> CycleCountCreated:
        """Create a cycle count job for a zone, for bins with discrepancies, or for a product (supervisor)."""
        body = decode_body(await request.body(), CycleCountCreate)
        async with db.transaction() as session:
            warehouse = await get_warehouse(session, body.warehouse)
            product_id = None
            if body.product is not None:
                product_id = await session.scalar(select(Product.id).where(Product.sku == body.product))
                if product_id is None:
                    raise NotFoundError(f"SKU {body.product!r} not found", field="product")
            stocktake, job = await create_cycle_count(
                session, warehouse=warehouse, actor=Actor(request.user), zone=body.zone, discrepancies=body.discrepancies, product_id=product_id
            )
            return CycleCountCreated(stocktake_id=stocktake.id, job=await job_read(session, await load_job(session, job.id)))
