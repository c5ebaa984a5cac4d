"""Purchase orders: DRAFT → CREATED → PARTIALLY_RECEIVED → RECEIVED, or CANCELLED.

Receipts move a purchase order forward (see :mod:`app.domain.inbound.receiving`). Closing one that
is short is allowed within the warehouse's receipt tolerance; a larger shortfall needs a
supervisor's override, recorded on the order.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.models import Product, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier, Warehouse
from app.domain.catalog.services import get_warehouse
from app.domain.inbound.schemas import PurchaseOrderCreate, PurchaseOrderLineRead, PurchaseOrderRead
from app.domain.jobs.actor import Actor
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from app.lib.logging import get_logger

__all__ = [
    "cancel_purchase_order",
    "close_purchase_order",
    "create_purchase_order",
    "find_purchase_order",
    "list_purchase_orders",
    "purchase_order_read",
    "refresh_status",
    "shortfall_allowed",
    "submit_purchase_order",
]

log = get_logger(__name__)


def _load_options():  # type: ignore[no-untyped-def]
    return selectinload(PurchaseOrder.lines)


async def find_purchase_order(session: AsyncSession, *, number: str | None = None, purchase_order_id: UUID | None = None, for_update: bool = False) -> PurchaseOrder:
    """Return a purchase order with its lines, by number or id; raise NotFoundError naming it."""
    statement = select(PurchaseOrder).options(_load_options())
    if purchase_order_id is not None:
        statement = statement.where(PurchaseOrder.id == purchase_order_id)
    else:
        statement = statement.where(PurchaseOrder.number == str(number).strip())
    if for_update:
        statement = statement.with_for_update()
    purchase_order = await session.scalar(statement)
    if purchase_order is None:
        label = number if number is not None else purchase_order_id
        raise NotFoundError(f"purchase order {label} not found: check the number on the delivery note", code="unknown_purchase_order", purchase_order=str(label))
    return purchase_order


async def purchase_order_read(session: AsyncSession, purchase_order: PurchaseOrder) -> PurchaseOrderRead:
    """Return the wire form of a purchase order with loaded lines."""
    skus = dict((await session.execute(select(Product.id, Product.sku).where(Product.id.in_([line.product_id for line in purchase_order.lines])))).tuples().all())
    supplier = await session.scalar(select(Supplier.code).where(Supplier.id == purchase_order.supplier_id))
    return PurchaseOrderRead(
        id=purchase_order.id,
        number=purchase_order.number,
        supplier=supplier or "",
        warehouse_id=purchase_order.warehouse_id,
        status=purchase_order.status,
        expected_date=purchase_order.expected_date,
        note=purchase_order.note,
        lines=[
            PurchaseOrderLineRead(
                line_number=line.line_number,
                product_id=line.product_id,
                sku=skus.get(line.product_id, ""),
                quantity_ordered=line.quantity_ordered,
                quantity_received=line.quantity_received,
                quantity_open=max(line.quantity_ordered - line.quantity_received, 0),
            )
            for line in sorted(purchase_order.lines, key=lambda line: line.line_number)
        ],
    )


async def create_purchase_order(session: AsyncSession, data: PurchaseOrderCreate) -> PurchaseOrder:
    """Create a purchase order in DRAFT or CREATED with one line per product."""
    number = data.number.strip()
    if not number or len(number) > 60:
        raise InvalidInputError(f"purchase order number {data.number!r} is invalid: give 1 to 60 characters", field="number")
    if data.status not in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CREATED):
        raise InvalidInputError(f"status {data.status!r} is invalid for a new purchase order: use DRAFT or CREATED", field="status")
    if not data.lines:
        raise InvalidInputError("a purchase order needs at least one line", field="lines")
    if await session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.number == number)):
        raise ConflictError(f"purchase order {number} already exists", field="number")
    supplier = await session.scalar(select(Supplier).where(Supplier.code == data.supplier.strip()))
    if supplier is None:
        raise NotFoundError(f"supplier {data.supplier!r} not found: create it first or use its code", field="supplier")
    if not supplier.active:
        raise ConflictError(f"supplier {supplier.code} is inactive: reactivate it first", field="supplier")
    warehouse: Warehouse = await get_warehouse(session, data.warehouse)
    products: dict[str, UUID] = {}
    for index, line in enumerate(data.lines):
        if line.quantity <= 0:
            raise InvalidInputError(f"lines[{index}].quantity {line.quantity} is invalid: order at least 1 unit", field=f"lines[{index}].quantity")
        if line.sku in products:
            raise InvalidInputError(f"SKU {line.sku} is on two lines: put its whole quantity on one", field=f"lines[{index}].sku")
        product_id = await session.scalar(select(Product.id).where(Product.sku == line.sku))
        if product_id is None:
            raise NotFoundError(f"SKU {line.sku!r} not found", field=f"lines[{index}].sku")
        products[line.sku] = product_id
    purchase_order = PurchaseOrder(
        warehouse_id=warehouse.id,
        supplier_id=supplier.id,
        number=number,
        status=data.status,
        expected_date=data.expected_date,
        note=data.note[:500],
    )
    session.add(purchase_order)
    await session.flush()
    for index, line in enumerate(data.lines, start=1):
        session.add(
            PurchaseOrderLine(
                purchase_order_id=purchase_order.id, line_number=index, product_id=products[line.sku], quantity_ordered=line.quantity, quantity_received=0
            )
        )
    await session.flush()
    log.info("purchase order created", number=number, status=data.status, lines=len(data.lines))
    return await find_purchase_order(session, purchase_order_id=purchase_order.id)


async def submit_purchase_order(session: AsyncSession, purchase_order_id: UUID) -> PurchaseOrder:
    """Move a DRAFT purchase order to CREATED: its quantities now count as incoming."""
    purchase_order = await find_purchase_order(session, purchase_order_id=purchase_order_id, for_update=True)
    if purchase_order.status != PurchaseOrderStatus.DRAFT:
        raise ConflictError(f"purchase order {purchase_order.number} is {purchase_order.status}: only a DRAFT can be submitted", code="purchase_order_not_draft")
    purchase_order.status = PurchaseOrderStatus.CREATED
    await session.flush()
    return purchase_order


async def cancel_purchase_order(session: AsyncSession, purchase_order_id: UUID) -> PurchaseOrder:
    """Cancel a purchase order that has received nothing; one with receipts is closed instead."""
    purchase_order = await find_purchase_order(session, purchase_order_id=purchase_order_id, for_update=True)
    if purchase_order.status not in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CREATED):
        raise ConflictError(
            f"purchase order {purchase_order.number} is {purchase_order.status}: only DRAFT or CREATED orders can be cancelled; close it instead",
            code="purchase_order_not_cancellable",
        )
    purchase_order.status = PurchaseOrderStatus.CANCELLED
    await session.flush()
    return purchase_order


def shortfall_allowed(ordered: int, received: int, tolerance_percent: int) -> bool:
    """Tell whether receiving ``received`` of ``ordered`` is within the under-receipt tolerance."""
    return received * 100 >= ordered * (100 - tolerance_percent)


async def close_purchase_order(session: AsyncSession, purchase_order_id: UUID, *, actor: Actor, override: bool = False, note: str = "") -> tuple[PurchaseOrder, list[str]]:
    """Close a CREATED or PARTIALLY_RECEIVED purchase order as RECEIVED; return it and warnings.

    Lines short within the warehouse tolerance close with a warning; a larger shortfall needs
    ``override`` from a supervisor, who is recorded on the order.
    """
    purchase_order = await find_purchase_order(session, purchase_order_id=purchase_order_id, for_update=True)
    if purchase_order.status not in PurchaseOrderStatus.OPEN:
        raise ConflictError(f"purchase order {purchase_order.number} is {purchase_order.status}: only open orders can be closed", code="purchase_order_not_open")
    warehouse = await session.get(Warehouse, purchase_order.warehouse_id)
    tolerance = warehouse.receipt_tolerance_percent if warehouse else 0
    skus = dict((await session.execute(select(Product.id, Product.sku).where(Product.id.in_([line.product_id for line in purchase_order.lines])))).tuples().all())
    warnings: list[str] = []
    beyond: list[str] = []
    for line in purchase_order.lines:
        if line.quantity_received >= line.quantity_ordered:
            continue
        text = f"{skus.get(line.product_id)} received {line.quantity_received} of {line.quantity_ordered}"
        (warnings if shortfall_allowed(line.quantity_ordered, line.quantity_received, tolerance) else beyond).append(text)
    if beyond:
        if not override:
            raise ConflictError(
                f"purchase order {purchase_order.number} is short beyond the {tolerance}% tolerance ({'; '.join(beyond)}): a supervisor must override to close it",
                code="under_receipt_beyond_tolerance",
                lines=beyond,
                tolerance_percent=tolerance,
            )
        if not actor.is_supervisor:
            raise PermissionDeniedError("closing a purchase order short beyond tolerance needs a supervisor", code="override_needs_supervisor")
        purchase_order.closed_short_by_id = actor.user_id
        warnings.extend(f"closed short by supervisor override: {text}" for text in beyond)
    purchase_order.status = PurchaseOrderStatus.RECEIVED
    if note:
        purchase_order.note = (purchase_order.note + " " + note).strip()[:500]
    await session.flush()
    log.info("purchase order closed", number=purchase_order.number, short_lines=len(warnings), by=str(actor.user_id))
    return purchase_order, warnings


def refresh_status(purchase_order: PurchaseOrder) -> None:
    """Set PARTIALLY_RECEIVED or RECEIVED from the lines after a receipt."""
    if all(line.quantity_received >= line.quantity_ordered for line in purchase_order.lines):
        purchase_order.status = PurchaseOrderStatus.RECEIVED
    elif any(line.quantity_received > 0 for line in purchase_order.lines):
        purchase_order.status = PurchaseOrderStatus.PARTIALLY_RECEIVED


async def list_purchase_orders(session: AsyncSession, *, status: str | None = None, supplier: str | None = None, limit: int = 100, offset: int = 0) -> list[PurchaseOrder]:
    """List purchase orders, newest first, by status and supplier code."""
    if status is not None and status not in PurchaseOrderStatus.ALL:
        raise InvalidInputError(f"status {status!r} is invalid: use one of {', '.join(PurchaseOrderStatus.ALL)}", field="status")
    if not 1 <= limit <= 500:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to 500", field="limit")
    statement = select(PurchaseOrder).options(_load_options()).order_by(PurchaseOrder.created_at.desc())
    if status:
        statement = statement.where(PurchaseOrder.status == status)
    if supplier:
        statement = statement.join(Supplier, Supplier.id == PurchaseOrder.supplier_id).where(Supplier.code == supplier)
    return list((await session.scalars(statement.limit(limit).offset(max(offset, 0)))).all())
