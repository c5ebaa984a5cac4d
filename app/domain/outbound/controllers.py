"""HTTP API of WMS outbound: routing, release, picks, the pack bench and reconciliation."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Account, Warehouse
from app.domain.auth.guards import requires_supervisor
from app.domain.auth.schemas import AuthUser
from app.domain.jobs.actor import Actor
from app.domain.live.publisher import publish_status_changes
from app.domain.outbound import services
from app.domain.outbound.schemas import (
    BatchPickRequest,
    OutboundSettingsRead,
    OutboundSettingsUpdate,
    PackItemRequest,
    PackOpenRequest,
    PackShipRequest,
    PickPayload,
    ReleaseRequest,
    RoutingRuleCreate,
    RoutingRuleRead,
)
from app.lib.deps import DatabaseDep
from app.lib.errors import InvalidInputError, NotFoundError
from app.lib.timeutil import parse_timestamp
from app.lib.wire import decode_body

__all__ = ["OutboundController", "PackBenchController", "ReconciliationController"]

AccountParam = Annotated[str | None, QueryParameter(description="Account code; records of other accounts are not found")]


async def account_id_for(session: AsyncSession, code: str | None) -> UUID | None:
    """Return the id of the account with ``code``; None when no code is given."""
    if not code:
        return None
    account_id = await session.scalar(select(Account.id).where(Account.code == code))
    if account_id is None:
        raise NotFoundError(f"account {code!r} not found", field="account")
    return account_id


def _actor(request: Request[AuthUser, Any, State]) -> Actor:
    return Actor(user=request.user, device_id=request.headers.get("X-Device-Id"))


class OutboundController(Controller):
    path = "/api/v1/outbound"
    tags = ["outbound"]

    @get("/settings/{warehouse:str}", operation_id="GetOutboundSettings", cache=False)
    async def get_settings(self, db: DatabaseDep, warehouse: FromPath[str]) -> OutboundSettingsRead:
        """Return a warehouse's outbound mode and settings."""
        async with db.transaction() as session:
            return await services.read_outbound_settings(session, warehouse)

    @put("/settings/{warehouse:str}", operation_id="UpdateOutboundSettings", guards=[requires_supervisor])
    async def update_settings(self, request: Request[AuthUser, Any, State], db: DatabaseDep, warehouse: FromPath[str]) -> OutboundSettingsRead:
        """Change a warehouse's outbound settings (supervisors)."""
        data = decode_body(await request.body(), OutboundSettingsUpdate)
        async with db.transaction() as session:
            return await services.update_outbound_settings(session, warehouse, data)

    @get("/rules", operation_id="ListRoutingRules", cache=False)
    async def list_rules(self, db: DatabaseDep, warehouse: FromQuery[str]) -> list[RoutingRuleRead]:
        """List a warehouse's hybrid routing rules in the order they are tried."""
        async with db.read() as session:
            return await services.list_rules(session, warehouse)

    @post("/rules", operation_id="CreateRoutingRule", guards=[requires_supervisor], status_code=201)
    async def create_rule(self, request: Request[AuthUser, Any, State], db: DatabaseDep) -> RoutingRuleRead:
        """Add a hybrid routing rule (supervisors)."""
        data = decode_body(await request.body(), RoutingRuleCreate)
        async with db.transaction() as session:
            return await services.create_rule(session, data)

    @delete("/rules/{rule_id:uuid}", operation_id="DeleteRoutingRule", guards=[requires_supervisor], status_code=204)
    async def delete_rule(self, db: DatabaseDep, rule_id: FromPath[UUID]) -> None:
        """Remove a routing rule; orders already routed keep their decision."""
        async with db.transaction() as session:
            await services.delete_rule(session, rule_id)

    @post("/orders/{order_id:uuid}/route", operation_id="RouteOrder", guards=[requires_supervisor], status_code=200)
    async def route(self, db: DatabaseDep, order_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Route a PENDING order again with the current rules and return the decision."""
        async with db.transaction() as session:
            return await services.reroute_order(session, order_id, await account_id_for(session, account))

    @get("/orders/{order_id:uuid}/routing", operation_id="GetOrderRouting", cache=False)
    async def routing(self, db: DatabaseDep, order_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Return which flow an order goes through and which rule sent it there."""
        async with db.read() as session:
            return await services.read_routing(session, order_id, await account_id_for(session, account))

    @post("/orders/{order_id:uuid}/release", operation_id="ReleaseOrder", guards=[requires_supervisor], status_code=200)
    async def release(self, request: Request[AuthUser, Any, State], db: DatabaseDep, order_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Release a PENDING order: allocate, create its pick job, set RELEASED. 409 insufficient_stock when short."""
        body = await request.body()
        data = decode_body(body, ReleaseRequest) if body.strip() else ReleaseRequest()
        async with db.transaction() as session:
            result = await services.release_order(session, order_id, account_id=await account_id_for(session, account), allow_partial=data.allow_partial)
        publish_status_changes(request.app.state.channels, result.changes)
        return result.as_dict()

    @post("/release-runs/{warehouse:str}", operation_id="RunAutoRelease", guards=[requires_supervisor], status_code=200)
    async def release_run(self, request: Request[AuthUser, Any, State], db: DatabaseDep, warehouse: FromPath[str]) -> dict[str, Any]:
        """Try to release every PENDING WMS-outbound order of a warehouse now, oldest first."""
        async with db.read() as session:
            warehouse_id = await session.scalar(select(Warehouse.id).where(Warehouse.code == warehouse))
        if warehouse_id is None:
            raise NotFoundError(f"warehouse {warehouse!r} not found", field="warehouse")
        report = await services.release_pending_orders(db, warehouse_id, channels=request.app.state.channels)
        return report.as_dict()

    @post("/pick-batches", operation_id="CreateBatchPickJob", guards=[requires_supervisor], status_code=201)
    async def batch(self, request: Request[AuthUser, Any, State], db: DatabaseDep, account: AccountParam = None) -> dict[str, Any]:
        """Merge released orders' untouched pick jobs into one batch pick job."""
        data = decode_body(await request.body(), BatchPickRequest)
        async with db.transaction() as session:
            job = await services.create_batch_pick_job(session, data.order_ids, account_id=await account_id_for(session, account))
            return {"job_id": str(job.id), "orders": len(set(data.order_ids))}

    @post("/picks", operation_id="ConfirmPick", status_code=200)
    async def pick(self, request: Request[AuthUser, Any, State], db: DatabaseDep) -> dict[str, Any]:
        """Confirm one pick (the same operation as the ``pick`` scan command)."""
        data = decode_body(await request.body(), PickPayload)
        async with db.transaction() as session:
            result = await services.confirm_pick(
                session,
                job_id=data.job_id,
                item_scan=data.item,
                quantity=data.quantity,
                actor=_actor(request),
                location_scan=data.location,
                tote_scan=data.tote,
                short_reason=data.short_reason,
                batch=data.batch,
            )
        return {**result.as_dict(), "warnings": result.warnings}


class PackBenchController(Controller):
    path = "/api/v1/pack"
    tags = ["outbound"]

    @post("/sessions", operation_id="OpenPackSession", status_code=200)
    async def open(self, request: Request[AuthUser, Any, State], db: DatabaseDep, account: AccountParam = None) -> dict[str, Any]:
        """Open the pack session of the order whose number or tote was scanned (or return the open one)."""
        data = decode_body(await request.body(), PackOpenRequest)
        async with db.transaction() as session:
            pack_session = await services.open_pack_session(
                session, scan=data.scan, actor=_actor(request), account_id=await account_id_for(session, account), bench_scan=data.bench
            )
            return (await services.pack_progress(session, pack_session)).as_dict()

    @get("/sessions/{session_id:uuid}", operation_id="GetPackSession", cache=False)
    async def show(self, db: DatabaseDep, session_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Return what is packed and what is left to pack."""
        async with db.read() as session:
            pack_session = await services.load_pack_session(session, session_id, account_id=await account_id_for(session, account))
            return (await services.pack_progress(session, pack_session)).as_dict()

    @post("/sessions/{session_id:uuid}/items", operation_id="PackItem", status_code=200)
    async def item(self, request: Request[AuthUser, Any, State], db: DatabaseDep, session_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Verify a scanned unit; a wrong or extra unit is rejected with 409."""
        data = decode_body(await request.body(), PackItemRequest)
        async with db.transaction() as session:
            pack_session = await services.load_pack_session(
                session, session_id, account_id=await account_id_for(session, account), for_update=True
            )
            return (await services.pack_item(session, pack_session, item_scan=data.item, quantity=data.quantity, actor=_actor(request))).as_dict()

    @post("/sessions/{session_id:uuid}/ship", operation_id="ShipPackSession", status_code=200)
    async def ship(self, request: Request[AuthUser, Any, State], db: DatabaseDep, session_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Create the Starshipit shipment of the packed units and return the label (base64 PDF) for printing."""
        data = decode_body(await request.body(), PackShipRequest)
        async with db.read() as session:
            account_id = await account_id_for(session, account)
        result = await services.ship_pack_session(
            db,
            session_id,
            packaging=data.packaging,
            weight_kg=data.weight_kg,
            dimensions_m=data.dimensions_m,
            actor=_actor(request),
            starshipit_base_url=request.app.state.settings.starshipit_base_url,
            account_id=account_id,
        )
        return result.as_dict()

    @post("/sessions/{session_id:uuid}/reopen", operation_id="ReopenPackSession", status_code=200, guards=[requires_supervisor])
    async def reopen(self, db: DatabaseDep, session_id: FromPath[UUID], account: AccountParam = None) -> dict[str, Any]:
        """Reopen a session stuck in SHIPPING once Starshipit shows no shipment for it (supervisors)."""
        async with db.transaction() as session:
            pack_session = await services.reopen_pack_session(session, session_id, account_id=await account_id_for(session, account))
            return (await services.pack_progress(session, pack_session)).as_dict()

    @get("/sessions/{session_id:uuid}/label.pdf", operation_id="GetPackLabel", cache=False, media_type="application/pdf")
    async def label(self, db: DatabaseDep, session_id: FromPath[UUID], account: AccountParam = None) -> Response[bytes]:
        """Return the session's shipping label as a PDF for the label printer."""
        async with db.read() as session:
            pack_session = await services.load_pack_session(session, session_id, account_id=await account_id_for(session, account))
        if not pack_session.label_pdf_base64:
            raise NotFoundError("this pack session has no label yet: ship it first", code="no_label")
        pdf = base64.b64decode(pack_session.label_pdf_base64)
        return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="label-{session_id}.pdf"'})


class ReconciliationController(Controller):
    path = "/api/v1/reconciliation"
    tags = ["outbound"]
    guards = [requires_supervisor]

    @get("/", operation_id="GetReconciliation", cache=False)
    async def report(
        self,
        request: Request[AuthUser, Any, State],
        db: DatabaseDep,
        account: FromQuery[str],
        since: Annotated[str | None, QueryParameter(description="ISO timestamp; default seven days ago")] = None,
    ) -> dict[str, Any]:
        """Compare Starshipit's shipped feed with the WMS's shipments and list every difference (read-only)."""
        return await self._run(request, db, account, since, apply_missing=False)

    @post("/runs", operation_id="RunShipmentPoll", status_code=200)
    async def poll(
        self,
        request: Request[AuthUser, Any, State],
        db: DatabaseDep,
        account: FromQuery[str],
        since: Annotated[str | None, QueryParameter(description="ISO timestamp; default the last run's cursor")] = None,
    ) -> dict[str, Any]:
        """Run the polling fallback now: book shipments whose order_shipped never arrived, and report."""
        return await self._run(request, db, account, since, apply_missing=True)

    @get("/runs", operation_id="ListReconciliationRuns", cache=False)
    async def runs(self, db: DatabaseDep, account: FromQuery[str], limit: FromQuery[int] = 20) -> list[dict[str, Any]]:
        """List an account's latest reconciliation runs, newest first."""
        async with db.read() as session:
            return await services.list_runs(session, await account_id_for(session, account), limit)

    async def _run(self, request: Request[AuthUser, Any, State], db: Any, account: str, since: str | None, *, apply_missing: bool) -> dict[str, Any]:
        async with db.read() as session:
            account_id = await account_id_for(session, account)
        start: datetime | None = None
        if since:
            try:
                start = parse_timestamp(since)
            except ValueError:
                raise InvalidInputError(f"since={since!r} is not an ISO timestamp: use e.g. 2026-01-31T00:00:00Z", field="since") from None
        run = await services.reconcile_account(
            db,
            account_id,
            base_url=request.app.state.settings.starshipit_base_url,
            since=start,
            apply_missing=apply_missing,
            channels=request.app.state.channels,
        )
        return services.run_to_dict(run)

