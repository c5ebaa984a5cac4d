"""Stock endpoints: figures per product and location, the movement ledger, adjustments, discrepancies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter

from app.domain.auth.guards import requires_supervisor
from app.domain.auth.schemas import AuthUser
from app.domain.stock.adjustments import adjust_stock_by_codes
from app.domain.stock.discrepancies import list_discrepancies, resolve_discrepancy
from app.domain.stock.queries import MovementFilter, get_product_stock, list_movements, list_product_stock
from app.domain.stock.schemas import (
    AdjustmentRequest,
    AdjustmentResult,
    DiscrepancyPage,
    DiscrepancyRead,
    DiscrepancyResolveRequest,
    MovementPage,
    ProductStock,
    StockPage,
)
from app.lib.deps import DatabaseDep
from app.lib.logging import get_logger
from app.lib.wire import decode_body

__all__ = ["DiscrepancyController", "MovementController", "StockController"]

log = get_logger(__name__)


class StockController(Controller):
    path = "/api/v1/stock"
    tags = ["stock"]

    @get("/", operation_id="GetStock", cache=False)
    async def get_stock(
        self,
        db: DatabaseDep,
        sku: FromQuery[str | None] = None,
        product_id: FromQuery[UUID | None] = None,
        location: Annotated[str | None, QueryParameter(description="Location code")] = None,
        warehouse: Annotated[str | None, QueryParameter(description="Warehouse code")] = None,
        cursor: Annotated[str | None, QueryParameter(description="SKU after which the next page starts")] = None,
        limit: FromQuery[int] = 50,
    ) -> ProductStock | StockPage:
        """Return one product's figures (with sku or product_id) or a page of products' figures."""
        async with db.read() as session:
            if sku is not None or product_id is not None:
                return await get_product_stock(session, sku=sku, product_id=product_id, location=location, warehouse=warehouse)
            return await list_product_stock(session, location=location, warehouse=warehouse, cursor=cursor, limit=limit)

    @post("/adjustments", operation_id="CreateStockAdjustment", status_code=201)
    async def adjust(self, request: Request[AuthUser, object, State], state: State, db: DatabaseDep) -> AdjustmentResult:
        """Add or remove units at a location with a reason code; large adjustments need a supervisor."""
        data = decode_body(await request.body(), AdjustmentRequest)
        async with db.transaction() as session:
            result = await adjust_stock_by_codes(session, data, user=request.user, limit=state.settings.adjustment_limit)
        log.info(
            "stock adjusted",
            movement_id=result.movement_id,
            sku=result.sku,
            location=result.location,
            quantity_change=result.quantity_change,
            reason_code=data.reason_code,
            user_id=str(request.user.id),
        )
        return result


class MovementController(Controller):
    path = "/api/v1/movements"
    tags = ["stock"]

    @get("/", operation_id="ListMovements", cache=False)
    async def list_movements(
        self,
        db: DatabaseDep,
        sku: FromQuery[str | None] = None,
        product_id: FromQuery[UUID | None] = None,
        location: Annotated[str | None, QueryParameter(description="Location code, matched as source or destination")] = None,
        warehouse: Annotated[str | None, QueryParameter(description="Warehouse code, when a location code is ambiguous")] = None,
        reason: FromQuery[str | None] = None,
        reference_type: FromQuery[str | None] = None,
        reference_id: FromQuery[str | None] = None,
        since: Annotated[datetime | None, QueryParameter(description="Movements at or after this time")] = None,
        until: Annotated[datetime | None, QueryParameter(description="Movements before this time")] = None,
        cursor: Annotated[int | None, QueryParameter(description="Movement id after which the next page starts")] = None,
        limit: FromQuery[int] = 100,
        order: Annotated[str, QueryParameter(pattern="^(asc|desc)$", description="desc: newest first")] = "desc",
    ) -> MovementPage:
        """Return one page of the stock movement ledger."""
        query = MovementFilter(
            sku=sku,
            product_id=product_id,
            location=location,
            warehouse=warehouse,
            reason=reason,
            reference_type=reference_type,
            reference_id=reference_id,
            since=since,
            until=until,
            cursor=cursor,
            limit=limit,
            ascending=order == "asc",
        )
        async with db.read() as session:
            return await list_movements(session, query)


class DiscrepancyController(Controller):
    path = "/api/v1/discrepancies"
    tags = ["stock"]

    @get("/", operation_id="ListDiscrepancies", cache=False)
    async def list_discrepancies(
        self,
        db: DatabaseDep,
        status: Annotated[str, QueryParameter(description="open, resolved or all")] = "open",
        kind: FromQuery[str | None] = None,
        cursor: FromQuery[UUID | None] = None,
        limit: FromQuery[int] = 100,
    ) -> DiscrepancyPage:
        """Return a page of discrepancies, newest first."""
        async with db.read() as session:
            return await list_discrepancies(session, state=status, kind=kind, cursor=cursor, limit=limit)

    @post("/{discrepancy_id:uuid}/resolve", operation_id="ResolveDiscrepancy", status_code=200, guards=[requires_supervisor])
    async def resolve(
        self, request: Request[AuthUser, object, State], db: DatabaseDep, discrepancy_id: FromPath[UUID]
    ) -> DiscrepancyRead:
        """Mark a discrepancy resolved with a note saying what was done (supervisor)."""
        data = decode_body(await request.body(), DiscrepancyResolveRequest)
        async with db.transaction() as session:
            result = await resolve_discrepancy(session, discrepancy_id, data.note, request.user)
        log.info("discrepancy resolved", discrepancy_id=str(discrepancy_id), user_id=str(request.user.id))
        return result
