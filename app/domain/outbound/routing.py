"""Outbound routing: does an order go through WMS outbound or stay on Starshipit's own flows?

Per warehouse the outbound mode decides. ``headless`` sends every order to Starshipit's flows (the
WMS mirrors it and books stock out on ``order_shipped``). ``full`` sends every order through WMS
release, pick and pack. ``hybrid`` walks the warehouse's active routing rules by ascending
position; the first rule that matches decides, and an order matching none gets the warehouse's
``hybrid_default_flow``. The decision and the rule behind it are stored per order
(:class:`OrderRouting`) and written to ``Order.routed_by`` for every screen to show.

Order facts come from Starshipit's order payload. Starshipit's public order model has no single
"channel" field, so the first of ``platform``, ``sales_channel``, ``channel``, ``source`` and
``store`` that is present is used; ``tags`` may be a list or a comma-separated string; metadata is
``metadatas`` (a list of ``{"metafield_key", "value"}``) or a ``metadata`` object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import uuid_utils.compat as uuid_compat
from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Account,
    Order,
    OrderLine,
    OrderRouting,
    OrderStatus,
    OutboundMode,
    OutboundSettings,
    RoutingFlow,
    RoutingRule,
    RuleKind,
    Warehouse,
    WebhookEvent,
)
from app.lib.errors import InvalidInputError, NotFoundError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "OrderFacts",
    "extract_order_facts",
    "get_outbound_settings",
    "is_wms_outbound",
    "route_order",
    "rule_matches",
]

log = get_logger(__name__)

_CHANNEL_KEYS = ("platform", "sales_channel", "channel", "source", "store")


@dataclass
class OrderFacts:
    """Order facts that routing rules compare against."""

    account_code: str = ""
    channel: str = ""
    tags: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    skus: list[str] = field(default_factory=list)


def extract_order_facts(payload: dict[str, Any] | None) -> tuple[str, list[str], dict[str, str]]:
    """Return (channel, tags, metadata) read from a Starshipit order payload."""
    if not payload:
        return "", [], {}
    channel = ""
    for key in _CHANNEL_KEYS:
        value = payload.get(key)
        if value not in (None, ""):
            channel = str(value).strip()
            break
    raw_tags = payload.get("tags") or []
    if isinstance(raw_tags, str):
        tags = [tag.strip() for tag in raw_tags.split(",") if tag.strip()]
    else:
        tags = [str(tag).strip() for tag in raw_tags if str(tag).strip()]
    meta: dict[str, str] = {}
    for entry in payload.get("metadatas") or []:
        if isinstance(entry, dict) and entry.get("metafield_key"):
            meta[str(entry["metafield_key"]).strip()] = str(entry.get("value", "")).strip()
    if isinstance(payload.get("metadata"), dict):
        for key, value in payload["metadata"].items():
            meta[str(key).strip()] = str(value).strip()
    return channel, tags, meta


def rule_matches(rule: RoutingRule, facts: OrderFacts) -> bool:
    """Tell whether ``rule`` matches an order with ``facts``; comparisons ignore case."""
    values = {str(value).strip().lower() for value in rule.values or [] if str(value).strip()}
    if not values:
        return False
    if rule.kind == RuleKind.CHANNEL:
        return facts.channel.lower() in values
    if rule.kind == RuleKind.ACCOUNT:
        return facts.account_code.lower() in values
    if rule.kind == RuleKind.TAG:
        return any(tag.lower() in values for tag in facts.tags)
    if rule.kind == RuleKind.METADATA:
        meta = {key.lower(): value.lower() for key, value in facts.meta.items()}
        for wanted in values:
            key, has_value, value = wanted.partition("=")
            if key.strip() in meta and (not has_value or meta[key.strip()] == value.strip()):
                return True
        return False
    if rule.kind == RuleKind.SKU_SET:
        skus = [sku.lower() for sku in facts.skus]
        if not skus:
            return False
        if rule.match == "any":
            return any(sku in values for sku in skus)
        return all(sku in values for sku in skus)
    return False


async def get_outbound_settings(session: AsyncSession, warehouse_id: UUID) -> OutboundSettings:
    """Return the warehouse's outbound settings, creating the default row on first use."""
    settings = await session.scalar(select(OutboundSettings).where(OutboundSettings.warehouse_id == warehouse_id))
    if settings is not None:
        return settings
    # Two first releases in one warehouse may race to create the row: insert or keep the winner's.
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    await session.execute(
        insert(OutboundSettings)
        .values(
            id=uuid_compat.uuid7(),
            warehouse_id=warehouse_id,
            require_location_scan=True,
            min_shelf_life_days=0,
            auto_release_minutes=0,
            release_on_stock_arrival=False,
            allow_partial_release=False,
            poll_shipped_minutes=0,
            hybrid_default_flow=RoutingFlow.HEADLESS,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["warehouse_id"])
    )
    settings = await session.scalar(select(OutboundSettings).where(OutboundSettings.warehouse_id == warehouse_id))
    assert settings is not None
    return settings


async def _payload_from_event_log(session: AsyncSession, order: Order) -> dict[str, Any] | None:
    # While the event that creates the order is being applied, its log row has no order id yet, so
    # the row is also found by the order reference it was stored under.
    refs = {order.order_number, order.starshipit_order_id}
    raw = await session.scalar(
        select(WebhookEvent.raw_body)
        .where(
            WebhookEvent.account_id == order.account_id,
            WebhookEvent.kind == "orders",
            or_(WebhookEvent.order_id == order.id, WebhookEvent.order_ref.in_(refs)),
        )
        .order_by(WebhookEvent.received_at.desc())
        .limit(1)
    )
    if not raw:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    order = body.get("order") if isinstance(body, dict) else None
    return order if isinstance(order, dict) else None


async def route_order(session: AsyncSession, order: Order, payload: dict[str, Any] | None = None) -> str:
    """Decide and store whether ``order`` goes through WMS outbound; return the flow (``wms`` or ``headless``).

    ``payload`` is Starshipit's order object from the event being applied; without it the newest
    stored order event is read. An order already released keeps its flow: routing changes only
    orders that no one has started working on. Sets ``order.routed_by`` to the reason shown on screens.
    """
    await session.flush()
    routing = await session.scalar(select(OrderRouting).where(OrderRouting.order_id == order.id))
    if routing is not None and order.status != OrderStatus.PENDING.value:
        return routing.flow

    if payload is None:
        payload = await _payload_from_event_log(session, order)
    channel, tags, meta = extract_order_facts(payload)
    if routing is not None and payload is None:
        channel, tags, meta = routing.channel, list(routing.tags or []), dict(routing.meta or {})

    warehouse = await session.get(Warehouse, order.warehouse_id)
    if warehouse is None:
        raise NotFoundError(f"warehouse {order.warehouse_id} of order {order.order_number} not found")
    account = await session.get(Account, order.account_id)
    skus = list(
        (await session.scalars(select(OrderLine.sku).where(OrderLine.order_id == order.id, OrderLine.active.is_(True)))).all()
    )
    facts = OrderFacts(account_code=account.code if account else "", channel=channel, tags=tags, meta=meta, skus=skus)

    rule_id: UUID | None = None
    mode = warehouse.outbound_mode
    if mode == OutboundMode.FULL.value:
        flow, reason = RoutingFlow.WMS, f"warehouse {warehouse.code} runs full WMS outbound"
    elif mode == OutboundMode.HYBRID.value:
        rules = (
            await session.scalars(
                select(RoutingRule)
                .where(RoutingRule.warehouse_id == warehouse.id, RoutingRule.active.is_(True))
                .order_by(RoutingRule.position, RoutingRule.created_at)
            )
        ).all()
        matched = next((rule for rule in rules if rule_matches(rule, facts)), None)
        if matched is not None:
            rule_id = matched.id
            label = matched.name or f"{matched.kind} in {', '.join(matched.values)}"
            flow, reason = matched.flow, f"rule {matched.position} ({label})"
        else:
            settings = await get_outbound_settings(session, warehouse.id)
            flow, reason = settings.hybrid_default_flow, "no hybrid rule matched (warehouse default)"
    else:
        flow, reason = RoutingFlow.HEADLESS, f"warehouse {warehouse.code} is headless"

    if routing is None:
        routing = OrderRouting(order_id=order.id, flow=flow, short_detail="")
        session.add(routing)
    routing.flow = flow
    routing.rule_id = rule_id
    routing.reason = reason[:200]
    routing.channel = channel[:120]
    routing.tags = tags
    routing.meta = meta
    order.routed_by = f"{flow}: {reason}"[:200]
    await session.flush()
    log.info("order routed", order_id=str(order.id), order_number=order.order_number, flow=flow, reason=reason)
    return flow


async def is_wms_outbound(session: AsyncSession, order: Order) -> bool:
    """Tell whether ``order`` was routed through WMS outbound (routing it first if it never was)."""
    routing = await session.scalar(select(OrderRouting.flow).where(OrderRouting.order_id == order.id))
    if routing is None:
        routing = await route_order(session, order)
    return routing == RoutingFlow.WMS


def validate_rule(kind: str, values: list[str], match: str, flow: str) -> None:
    """Raise InvalidInputError naming the field when a routing rule cannot be used as given."""
    if kind not in RuleKind.ALL:
        raise InvalidInputError(f"rule kind {kind!r} is invalid: use one of {', '.join(RuleKind.ALL)}", field="kind")
    if not [value for value in values if str(value).strip()]:
        raise InvalidInputError("a routing rule needs at least one value to match", field="values")
    if match not in ("all", "any"):
        raise InvalidInputError(f"match {match!r} is invalid: use 'all' or 'any'", field="match")
    if flow not in (RoutingFlow.WMS, RoutingFlow.HEADLESS):
        raise InvalidInputError(f"flow {flow!r} is invalid: use 'wms' or 'headless'", field="flow")
