"""Read side of orders for the REST API and the order board: lists, detail and status history.

The event rules that change orders live beside this module; this one only reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Account, Order, OrderLine, OrderStatus, OrderStatusEvent, Warehouse
from app.domain.stock.queries import warehouse_not_found
from app.lib.errors import InvalidInputError, NotFoundError

__all__ = ["OrderDetail", "OrderLineRead", "OrderPage", "OrderSummary", "StatusHistoryEntry", "get_order", "list_orders"]

MAX_PAGE = 500


class OrderSummary(msgspec.Struct):
    """One order as listed on the order board; unit counts cover its active lines."""

    id: UUID
    account: str
    warehouse_id: UUID
    starshipit_order_id: str
    order_number: str
    reference: str
    status: str
    on_hold: bool
    tracking_number: str
    tracking_status: str
    tracking_updated_at: datetime | None
    units_ordered: int
    units_shipped: int
    created_at: datetime
    updated_at: datetime


class OrderPage(msgspec.Struct):
    """A page of orders, newest first. ``last_seq`` is the newest status history seq when it was read."""

    items: list[OrderSummary]
    next_cursor: str | None
    last_seq: int


class OrderLineRead(msgspec.Struct):
    """One order line with its quantities at each stage."""

    id: UUID
    item_id: str
    sku: str
    product_id: UUID | None
    description: str
    ordered: int
    committed: int
    allocated: int
    picked: int
    shipped: int
    unknown_sku: bool
    active: bool


class StatusHistoryEntry(msgspec.Struct):
    """One status change; ``seq`` is the global sequence number live clients resume from."""

    seq: int
    status: str
    previous_status: str | None
    at: datetime
    cause: str


class OrderDetail(msgspec.Struct):
    """An order with its lines and status history."""

    id: UUID
    account: str
    warehouse_id: UUID
    starshipit_order_id: str
    order_number: str
    reference: str
    status: str
    starshipit_status: str
    on_hold: bool
    destination: dict[str, Any]
    tracking_number: str
    tracking_status: str
    tracking_updated_at: datetime | None
    last_event_at: datetime | None
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLineRead]
    history: list[StatusHistoryEntry]


def _unit_totals():  # type: ignore[no-untyped-def]
    return (
        select(
            OrderLine.order_id.label("order_id"),
            func.coalesce(func.sum(OrderLine.quantity_ordered), 0).label("ordered"),
            func.coalesce(func.sum(OrderLine.quantity_shipped), 0).label("shipped"),
        )
        .where(OrderLine.active.is_(True))
        .group_by(OrderLine.order_id)
        .subquery()
    )


async def list_orders(
    session: AsyncSession,
    *,
    order_number: str | None = None,
    status: str | None = None,
    account: str | None = None,
    warehouse: str | None = None,
    account_scope: UUID | None = None,
    cursor: UUID | None = None,
    limit: int = 50,
) -> OrderPage:
    """Return a page of orders, newest first, filtered by number, status, account code or warehouse code.

    ``account_scope`` limits the result to one account's orders (an integration caller).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to {MAX_PAGE}", field="limit")
    # Read the newest seq before the orders: a client that resumes from it may see a change twice
    # but never misses one.
    last_seq = int(await session.scalar(select(func.coalesce(func.max(OrderStatusEvent.id), 0))) or 0)
    totals = _unit_totals()
    statement = (
        select(Order, Account.code, totals.c.ordered, totals.c.shipped)
        .join(Account, Account.id == Order.account_id)
        .outerjoin(totals, totals.c.order_id == Order.id)
        .order_by(Order.id.desc())
        .limit(limit + 1)
    )
    if order_number is not None:
        statement = statement.where(Order.order_number == order_number.strip())
    if status is not None:
        try:
            requested_status = OrderStatus(status.upper())
        except ValueError:
            choices = ", ".join(member.value for member in OrderStatus)
            raise InvalidInputError(f"status {status!r} is invalid: use one of {choices}", field="status") from None
        statement = statement.where(Order.status == requested_status.value)
    if account is not None:
        statement = statement.where(Account.code == account)
    if warehouse is not None:
        warehouse_row = await session.scalar(select(Warehouse).where(Warehouse.code == warehouse))
        if warehouse_row is None:
            raise await warehouse_not_found(session, warehouse, warehouse=warehouse)
        statement = statement.where(Order.warehouse_id == warehouse_row.id)
    if account_scope is not None:
        statement = statement.where(Order.account_id == account_scope)
    if cursor is not None:
        # Ids are UUIDv7, so descending id is newest first.
        statement = statement.where(Order.id < cursor)
    rows = (await session.execute(statement)).all()
    has_more = len(rows) > limit
    items = [
        OrderSummary(
            id=order.id,
            account=account_code,
            warehouse_id=order.warehouse_id,
            starshipit_order_id=order.starshipit_order_id,
            order_number=order.order_number,
            reference=order.reference,
            status=order.status,
            on_hold=order.on_hold,
            tracking_number=order.tracking_number,
            tracking_status=order.tracking_status,
            tracking_updated_at=order.tracking_updated_at,
            units_ordered=int(ordered or 0),
            units_shipped=int(shipped or 0),
            created_at=order.created_at,
            updated_at=order.updated_at,
        )
        for order, account_code, ordered, shipped in rows[:limit]
    ]
    return OrderPage(items=items, next_cursor=str(items[-1].id) if has_more and items else None, last_seq=last_seq)


async def get_order(session: AsyncSession, order_id: UUID, *, account_scope: UUID | None = None) -> OrderDetail:
    """Return one order with its lines (removed ones included, flagged inactive) and status history."""
    row = (
        await session.execute(select(Order, Account.code).join(Account, Account.id == Order.account_id).where(Order.id == order_id))
    ).first()
    if row is None or (account_scope is not None and row[0].account_id != account_scope):
        raise NotFoundError(f"order {order_id} not found", order_id=str(order_id))
    order, account_code = row
    lines = (await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))).all()
    events = (
        await session.scalars(select(OrderStatusEvent).where(OrderStatusEvent.order_id == order.id).order_by(OrderStatusEvent.id))
    ).all()
    return OrderDetail(
        id=order.id,
        account=account_code,
        warehouse_id=order.warehouse_id,
        starshipit_order_id=order.starshipit_order_id,
        order_number=order.order_number,
        reference=order.reference,
        status=order.status,
        starshipit_status=order.starshipit_status,
        on_hold=order.on_hold,
        destination=dict(order.destination or {}),
        tracking_number=order.tracking_number,
        tracking_status=order.tracking_status,
        tracking_updated_at=order.tracking_updated_at,
        last_event_at=order.last_event_at,
        created_at=order.created_at,
        updated_at=order.updated_at,
        lines=[
            OrderLineRead(
                id=line.id,
                item_id=line.item_id,
                sku=line.sku,
                product_id=line.product_id,
                description=line.description,
                ordered=line.quantity_ordered,
                committed=line.quantity_committed,
                allocated=line.quantity_allocated,
                picked=line.quantity_picked,
                shipped=line.quantity_shipped,
                unknown_sku=line.unknown_sku,
                active=line.active,
            )
            for line in lines
        ],
        history=[
            StatusHistoryEntry(seq=event.id, status=event.status, previous_status=event.previous_status, at=event.at, cause=event.cause)
            for event in events
        ],
    )
