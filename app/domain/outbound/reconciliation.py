"""Reconciliation with Starshipit's shipped feed, and the polling fallback for lost ``order_shipped``.

One run reads ``GET /api/orders/shipped`` for one account since a point in time and compares it with
the WMS's shipments (``Shipment`` rows and the lines' shipped quantities, which the ``order_shipped``
rule writes together with the shipment movements). In apply mode (the periodic polling fallback) a
shipment the WMS never booked is applied through the same ``apply_order_event`` the webhook uses,
so it books stock exactly as the missing webhook would have, and a repeat books nothing. The
report lists:

- ``shipped_without_movements``: shipped in Starshipit, no WMS shipment (after applying, only
  those that could not be applied);
- ``unknown_to_starshipit``: WMS shipments in the window whose order is not in the shipped feed;
- ``quantity_differences``: per order and SKU, units Starshipit shipped versus units the WMS shipped;
- ``stock_checks`` of the account's default warehouse: negative stock, products committed beyond
  stock, and rejected scans still waiting for a supervisor. They do not count toward ``empty``.

Feed entries are grouped by Starshipit order id; an entry's ``quantity_to_ship`` (else ``quantity``)
counts as shipped in that entry.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from litestar.channels import ChannelsPlugin
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import (
    Account,
    AttentionState,
    CommandStatus,
    Location,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ReconciliationRun,
    ScanCommand,
    Shipment,
    StockBalance,
)
from app.domain.live.publisher import publish_status_changes
from app.domain.orders.events import apply_order_event
from app.domain.webhooks.schemas import OrderEnvelope
from app.lib.errors import DomainError, NotFoundError
from app.lib.logging import get_logger
from app.lib.timeutil import parse_timestamp, utcnow
from app.starshipit.client import StarshipitClient, StarshipitError, client_for_account

__all__ = ["DEFAULT_WINDOW", "reconcile_account", "run_to_dict", "stock_checks"]

log = get_logger(__name__)

DEFAULT_WINDOW = timedelta(days=7)
OPEN_ORDER_STATUSES = [status.value for status in OrderStatus if status.is_open]


def _entry_time(entry: dict[str, Any]) -> datetime | None:
    for key in ("last_updated_date", "shipped_date", "shipment_date"):
        value = entry.get(key)
        if value:
            try:
                return parse_timestamp(str(value))
            except ValueError:
                continue
    return None


def _entry_units(entry: dict[str, Any]) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for item in entry.get("items") or []:
        sku = str(item.get("sku") or "").strip()
        quantity = item.get("quantity_to_ship")
        if quantity in (None, 0):
            quantity = item.get("quantity") or 0
        units[sku] += int(float(quantity))
    return dict(units)


async def _wms_shipped(session: AsyncSession, order: Order) -> tuple[int, dict[str, int]]:
    shipments = await session.scalar(select(Shipment.id).where(Shipment.order_id == order.id).limit(1))
    rows = (
        await session.execute(select(OrderLine.sku, OrderLine.quantity_shipped).where(OrderLine.order_id == order.id))
    ).all()
    units: dict[str, int] = defaultdict(int)
    for sku, shipped in rows:
        if shipped:
            units[sku] += shipped
    return (1 if shipments is not None else 0), dict(units)


async def stock_checks(session: AsyncSession, warehouse_id: UUID) -> dict[str, list[dict]]:
    """List the stock problems a supervisor settles beside the shipment differences, for one warehouse.

    ``negative_stock``: balances below zero. ``committed_beyond_stock``: products whose open orders
    commit more than is on hand. ``rejected_scans``: scan commands still on the needs-attention list.
    """
    negative = (
        await session.execute(
            select(Product.sku, Location.code, StockBalance.batch, StockBalance.on_hand)
            .join(Product, Product.id == StockBalance.product_id)
            .join(Location, Location.id == StockBalance.location_id)
            .where(StockBalance.on_hand < 0, Location.warehouse_id == warehouse_id)
            .order_by(Product.sku, Location.code)
        )
    ).all()
    on_hand = dict(
        (
            await session.execute(
                select(StockBalance.product_id, func.sum(StockBalance.on_hand))
                .join(Location, Location.id == StockBalance.location_id)
                .where(Location.warehouse_id == warehouse_id)
                .group_by(StockBalance.product_id)
            )
        ).tuples().all()
    )
    committed = (
        await session.execute(
            select(OrderLine.product_id, Product.sku, func.sum(OrderLine.quantity_committed))
            .join(Order, Order.id == OrderLine.order_id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(Order.warehouse_id == warehouse_id, Order.status.in_(OPEN_ORDER_STATUSES))
            .group_by(OrderLine.product_id, Product.sku)
        )
    ).all()
    rejected = (
        await session.execute(
            select(ScanCommand.device_id, ScanCommand.type, ScanCommand.code, ScanCommand.message, ScanCommand.received_at)
            .where(ScanCommand.status == CommandStatus.REJECTED, ScanCommand.attention_state == AttentionState.OPEN)
            .order_by(ScanCommand.id)
            .limit(500)
        )
    ).all()
    return {
        "negative_stock": [{"sku": sku, "location": code, "batch": batch, "on_hand": units} for sku, code, batch, units in negative],
        "committed_beyond_stock": [
            {"sku": sku, "committed": int(units or 0), "on_hand": int(on_hand.get(product_id) or 0)}
            for product_id, sku, units in committed
            if int(units or 0) > int(on_hand.get(product_id) or 0)
        ],
        "rejected_scans": [
            {"device_id": device, "type": kind, "code": code or "", "message": message or "", "received_at": at.isoformat()}
            for device, kind, code, message, at in rejected
        ],
    }


def run_to_dict(run: ReconciliationRun) -> dict[str, Any]:
    """Return a run in wire form."""
    return {
        "id": str(run.id),
        "account_id": str(run.account_id),
        "since": run.since.isoformat() if run.since else None,
        "feed_cursor": run.feed_cursor.isoformat() if run.feed_cursor else None,
        "started_at": run.created_at.isoformat() if run.created_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "status": run.status,
        "mode": run.mode,
        "applied": run.applied,
        "error": run.error,
        "report": run.report,
    }


async def _apply_entry(session: AsyncSession, account: Account, entry: dict[str, Any], when: datetime) -> list:
    envelope = msgspec.convert(
        {
            "event": "order_shipped",
            "event_id": f"poll:{entry.get('order_id')}:{when.isoformat()}",
            "occurred_at": when.isoformat(),
            "account_id": account.code,
            "order": entry,
        },
        OrderEnvelope,
        strict=False,
    )
    result = await apply_order_event(session, account, envelope)
    return list(result.changes)


async def reconcile_account(
    db: Database,
    account_id: UUID,
    *,
    base_url: str,
    since: datetime | None = None,
    apply_missing: bool = False,
    channels: ChannelsPlugin | None = None,
    client: StarshipitClient | None = None,
) -> ReconciliationRun:
    """Compare one account's Starshipit shipped feed with the WMS; with ``apply_missing`` book lost shipments.

    ``since`` defaults to the feed cursor of the account's last finished apply run, else seven days
    ago. The run and its report are stored and returned; a Starshipit failure is stored on the run
    and raised.
    """
    async with db.transaction() as session:
        account = await session.get(Account, account_id)
        if account is None:
            raise NotFoundError(f"account {account_id} not found")
        if since is None:
            last = await session.scalar(
                select(ReconciliationRun)
                .where(
                    ReconciliationRun.account_id == account_id,
                    ReconciliationRun.status == "finished",
                    ReconciliationRun.mode == "apply",
                )
                .order_by(ReconciliationRun.created_at.desc())
                .limit(1)
            )
            since = last.feed_cursor if last is not None and last.feed_cursor is not None else utcnow() - DEFAULT_WINDOW
        run = ReconciliationRun(
            account_id=account_id, since=since, status="running", mode="apply" if apply_missing else "report", applied=0, report={}, error=""
        )
        session.add(run)
        await session.flush()
        run_id = run.id
        own_client = client is None
        if client is None:
            client = client_for_account(account, base_url)

    log.info("reconciliation started", account=account.code, since=since.isoformat(), apply=apply_missing, run_id=str(run_id))
    try:
        feed = await client.list_shipped(since)
    except StarshipitError as exc:
        async with db.transaction() as session:
            run = await session.get(ReconciliationRun, run_id)
            assert run is not None
            run.status = "failed"
            run.error = exc.message
            run.finished_at = utcnow()
        raise
    finally:
        if own_client:
            await client.close()

    by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    cursor = since
    for entry in feed:
        order_id = str(entry.get("order_id") or "").strip()
        if not order_id:
            continue
        by_order[order_id].append(entry)
        when = _entry_time(entry)
        if when is not None and (cursor is None or when > cursor):
            cursor = when

    without: list[dict] = []
    differences: list[dict] = []
    applied: list[dict] = []
    changes: list = []
    for starshipit_id, entries in sorted(by_order.items()):
        try:
            async with db.transaction() as session:
                order = await session.scalar(select(Order).where(Order.account_id == account_id, Order.starshipit_order_id == starshipit_id))
                has_shipment, wms_units = (await _wms_shipped(session, order)) if order is not None else (0, {})
                number = str(entries[0].get("order_number") or (order.order_number if order else starshipit_id))
                if not has_shipment and apply_missing:
                    for entry in entries:
                        changes.extend(await _apply_entry(session, account, entry, _entry_time(entry) or utcnow()))
                    order = await session.scalar(select(Order).where(Order.account_id == account_id, Order.starshipit_order_id == starshipit_id))
                    has_shipment, wms_units = (await _wms_shipped(session, order)) if order is not None else (0, {})
                    applied.append({"order_id": starshipit_id, "order_number": number})
        except DomainError as exc:
            log.error("applying a polled shipment failed", account=account.code, order_id=starshipit_id, error=exc.message)
            without.append({"order_id": starshipit_id, "order_number": str(entries[0].get("order_number") or ""), "error": exc.message})
            continue
        if not has_shipment:
            without.append({"order_id": starshipit_id, "order_number": number})
            continue
        starshipit_units: dict[str, int] = defaultdict(int)
        for entry in entries:
            for sku, units in _entry_units(entry).items():
                starshipit_units[sku] += units
        for sku in sorted(set(starshipit_units) | set(wms_units)):
            if starshipit_units.get(sku, 0) != wms_units.get(sku, 0):
                differences.append(
                    {
                        "order_id": starshipit_id,
                        "order_number": number,
                        "sku": sku,
                        "starshipit": starshipit_units.get(sku, 0),
                        "wms": wms_units.get(sku, 0),
                    }
                )

    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Order.starshipit_order_id, Order.order_number, Shipment.tracking_numbers, Shipment.shipped_at)
                .join(Shipment, Shipment.order_id == Order.id)
                .where(Order.account_id == account_id, Shipment.shipped_at >= since)
                .order_by(Shipment.shipped_at)
            )
        ).all()
        unknown = [
            {"order_id": starshipit_id, "order_number": number, "tracking_numbers": list(tracking or []), "shipped_at": at.isoformat()}
            for starshipit_id, number, tracking, at in rows
            if starshipit_id not in by_order
        ]
        run = await session.get(ReconciliationRun, run_id)
        assert run is not None
        run.status = "finished"
        run.finished_at = utcnow()
        run.feed_cursor = cursor
        run.applied = len(applied)
        run.report = {
            "mode": "apply" if apply_missing else "report",
            "account": account.code,
            "feed_orders": len(by_order),
            "applied": applied,
            "shipped_without_movements": without,
            "unknown_to_starshipit": unknown,
            "quantity_differences": differences,
            # Shipment differences only; the stock checks below are listed for the same screen.
            "empty": not (without or unknown or differences),
            "stock_checks": await stock_checks(session, account.default_warehouse_id),
        }
    publish_status_changes(channels, changes)
    log.info(
        "reconciliation finished",
        account=account.code,
        run_id=str(run_id),
        applied=len(applied),
        without=len(without),
        unknown=len(unknown),
        differences=len(differences),
    )
    return run
