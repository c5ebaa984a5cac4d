"""The domain operations of WMS outbound in one namespace, plus settings and routing-rule upkeep."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import OrderRouting, ReconciliationRun, RoutingFlow, RoutingRule, Warehouse
from app.domain.outbound.autorelease import release_pending_orders, run_due_releases
from app.domain.outbound.interruptions import interrupt_order_work, publish_alerts
from app.domain.outbound.packing import load_pack_session, open_pack_session, pack_item, pack_progress
from app.domain.outbound.picking import confirm_pick
from app.domain.outbound.reconciliation import reconcile_account, run_to_dict
from app.domain.outbound.release import allocate_order, create_batch_pick_job, load_order, release_order
from app.domain.outbound.routing import get_outbound_settings, route_order, validate_rule
from app.domain.outbound.shipping import reopen_pack_session, ship_pack_session
from app.domain.outbound.schemas import OutboundSettingsRead, OutboundSettingsUpdate, RoutingRuleCreate, RoutingRuleRead
from app.lib.errors import InvalidInputError, NotFoundError

__all__ = [
    "allocate_order",
    "confirm_pick",
    "create_batch_pick_job",
    "create_rule",
    "delete_rule",
    "interrupt_order_work",
    "list_rules",
    "list_runs",
    "load_pack_session",
    "open_pack_session",
    "pack_item",
    "pack_progress",
    "publish_alerts",
    "read_outbound_settings",
    "read_routing",
    "reconcile_account",
    "release_order",
    "release_pending_orders",
    "reopen_pack_session",
    "reroute_order",
    "route_order",
    "run_due_releases",
    "run_to_dict",
    "ship_pack_session",
    "update_outbound_settings",
]


async def _warehouse(session: AsyncSession, code: str) -> Warehouse:
    warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        raise NotFoundError(f"warehouse {code!r} not found", field="warehouse")
    return warehouse


async def read_outbound_settings(session: AsyncSession, warehouse_code: str) -> OutboundSettingsRead:
    """Return a warehouse's outbound mode and settings (creating the default settings row)."""
    warehouse = await _warehouse(session, warehouse_code)
    settings = await get_outbound_settings(session, warehouse.id)
    return OutboundSettingsRead(
        warehouse_id=warehouse.id,
        outbound_mode=warehouse.outbound_mode,
        require_location_scan=settings.require_location_scan,
        min_shelf_life_days=settings.min_shelf_life_days,
        auto_release_minutes=settings.auto_release_minutes,
        release_on_stock_arrival=settings.release_on_stock_arrival,
        allow_partial_release=settings.allow_partial_release,
        poll_shipped_minutes=settings.poll_shipped_minutes,
        hybrid_default_flow=settings.hybrid_default_flow,
    )


async def update_outbound_settings(session: AsyncSession, warehouse_code: str, data: OutboundSettingsUpdate) -> OutboundSettingsRead:
    """Change the given outbound settings of a warehouse."""
    warehouse = await _warehouse(session, warehouse_code)
    settings = await get_outbound_settings(session, warehouse.id)
    for name in ("min_shelf_life_days", "auto_release_minutes", "poll_shipped_minutes"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 3650 * 24 * 60:
            raise InvalidInputError(f"{name}={value} is out of range: use 0 or a positive whole number", field=name)
    if data.hybrid_default_flow is not None and data.hybrid_default_flow not in (RoutingFlow.WMS, RoutingFlow.HEADLESS):
        raise InvalidInputError(f"hybrid_default_flow {data.hybrid_default_flow!r} is invalid: use 'wms' or 'headless'", field="hybrid_default_flow")
    for name in (
        "require_location_scan",
        "min_shelf_life_days",
        "auto_release_minutes",
        "release_on_stock_arrival",
        "allow_partial_release",
        "poll_shipped_minutes",
        "hybrid_default_flow",
    ):
        value = getattr(data, name)
        if value is not None:
            setattr(settings, name, value)
    await session.flush()
    return await read_outbound_settings(session, warehouse_code)


def _rule_read(rule: RoutingRule) -> RoutingRuleRead:
    return RoutingRuleRead(
        id=rule.id,
        warehouse_id=rule.warehouse_id,
        position=rule.position,
        name=rule.name,
        kind=rule.kind,
        values=list(rule.values or []),
        match=rule.match,
        flow=rule.flow,
        active=rule.active,
    )


async def list_rules(session: AsyncSession, warehouse_code: str) -> list[RoutingRuleRead]:
    """List a warehouse's routing rules by position."""
    warehouse = await _warehouse(session, warehouse_code)
    rules = (
        await session.scalars(select(RoutingRule).where(RoutingRule.warehouse_id == warehouse.id).order_by(RoutingRule.position, RoutingRule.created_at))
    ).all()
    return [_rule_read(rule) for rule in rules]


async def create_rule(session: AsyncSession, data: RoutingRuleCreate) -> RoutingRuleRead:
    """Add a routing rule to a warehouse."""
    warehouse = await _warehouse(session, data.warehouse)
    validate_rule(data.kind, data.values, data.match, data.flow)
    rule = RoutingRule(
        warehouse_id=warehouse.id,
        position=data.position,
        name=data.name.strip()[:120],
        kind=data.kind,
        values=[str(value).strip() for value in data.values if str(value).strip()],
        match=data.match,
        flow=data.flow,
        active=data.active,
    )
    session.add(rule)
    await session.flush()
    return _rule_read(rule)


async def delete_rule(session: AsyncSession, rule_id: UUID) -> None:
    """Delete a routing rule."""
    rule = await session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFoundError(f"routing rule {rule_id} not found")
    await session.delete(rule)
    await session.flush()


async def read_routing(session: AsyncSession, order_id: UUID, account_id: UUID | None) -> dict[str, Any]:
    """Return an order's routing decision."""
    order = await load_order(session, order_id, account_id=account_id)
    routing = await session.scalar(select(OrderRouting).where(OrderRouting.order_id == order.id))
    if routing is None:
        return {"order_id": str(order.id), "order_number": order.order_number, "flow": None, "routed_by": order.routed_by}
    return {
        "order_id": str(order.id),
        "order_number": order.order_number,
        "flow": routing.flow,
        "rule_id": str(routing.rule_id) if routing.rule_id else None,
        "reason": routing.reason,
        "routed_by": order.routed_by,
        "channel": routing.channel,
        "tags": routing.tags,
        "metadata": routing.meta,
        "short_since": routing.short_since.isoformat() if routing.short_since else None,
        "short_detail": routing.short_detail,
    }


async def reroute_order(session: AsyncSession, order_id: UUID, account_id: UUID | None) -> dict[str, Any]:
    """Route an order again with the current rules."""
    order = await load_order(session, order_id, account_id=account_id, for_update=True)
    await route_order(session, order)
    return await read_routing(session, order.id, account_id)


async def list_runs(session: AsyncSession, account_id: UUID | None, limit: int) -> list[dict[str, Any]]:
    """List reconciliation runs of an account, newest first."""
    if not 1 <= limit <= 200:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to 200", field="limit")
    statement = select(ReconciliationRun).order_by(ReconciliationRun.created_at.desc()).limit(limit)
    if account_id is not None:
        statement = statement.where(ReconciliationRun.account_id == account_id)
    return [run_to_dict(run) for run in (await session.scalars(statement)).all()]

