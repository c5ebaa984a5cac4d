"""Read-side services of the stock API: figures per product and location, and the movement ledger.

Lookups by code live here too, because the REST API and the adjustment service name products by
SKU and locations by code, while the ledger works on ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.db.models import Location, MovementReason, Product, StockBalance, StockMovement, User, Warehouse
from app.domain.stock.figures import get_stock_figures
from app.domain.stock.schemas import MovementPage, MovementRead, ProductStock, StockPage, StockRow
from app.lib.errors import InvalidInputError, NotFoundError

__all__ = [
    "MovementFilter",
    "find_location",
    "find_product",
    "find_warehouse",
    "get_product_stock",
    "list_movements",
    "list_product_stock",
    "warehouse_not_found",
]

MAX_PAGE = 500


def check_limit(limit: int) -> int:
    """Validate a page size from a query string."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to {MAX_PAGE}", field="limit")
    return limit


def _as_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    # A timestamp without an offset is read as UTC, like every timestamp the server writes.
    return moment.replace(tzinfo=UTC)


async def find_product(session: AsyncSession, *, sku: str | None = None, product_id: UUID | None = None) -> Product:
    """Return the product named by SKU or id, or raise NotFoundError naming the value."""
    if product_id is not None:
        product = await session.get(Product, product_id)
        if product is None:
            raise NotFoundError(f"product {product_id} not found", product_id=str(product_id))
        if sku is not None and product.sku != sku:
            raise InvalidInputError(f"sku {sku!r} and product_id {product_id} name different products: send one of them")
        return product
    if sku is None or not sku.strip():
        raise InvalidInputError("name the product: send sku or product_id", field="sku")
    product = await session.scalar(select(Product).where(Product.sku == sku.strip()))
    if product is None:
        raise NotFoundError(f"SKU {sku!r} not found: check the spelling or create the product first", sku=sku)
    return product


async def warehouse_not_found(session: AsyncSession, reference: object, **detail: object) -> NotFoundError:
    """Return the error for an unknown warehouse, listing the codes that exist."""
    codes = (await session.scalars(select(Warehouse.code).order_by(Warehouse.code).limit(11))).all()
    listed = ", ".join(codes[:10]) + (", ..." if len(codes) > 10 else "")
    advice = f"use one of {listed}" if listed else "create a warehouse first"
    return NotFoundError(f"warehouse {str(reference)!r} not found: {advice}", **detail)


async def find_warehouse(session: AsyncSession, reference: str) -> Warehouse:
    """Return the warehouse whose code (or id) is ``reference``."""
    try:
        warehouse = await session.get(Warehouse, UUID(reference))
    except ValueError:
        warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == reference))
    if warehouse is None:
        raise await warehouse_not_found(session, reference, warehouse=reference)
    return warehouse


async def find_location(session: AsyncSession, code: str, warehouse_id: UUID | None = None) -> Location:
    """Return the location with ``code``; a code used in several warehouses needs ``warehouse_id``."""
    statement = select(Location).where(Location.code == code)
    if warehouse_id is not None:
        statement = statement.where(Location.warehouse_id == warehouse_id)
    matches = (await session.scalars(statement)).all()
    if not matches:
        raise NotFoundError(f"location {code!r} not found: check the code on the bin label", location=code)
    if len(matches) > 1:
        raise InvalidInputError(
            f"location code {code!r} exists in {len(matches)} warehouses: also send the warehouse code", field="warehouse"
        )
    return matches[0]


def _product_stock(product: Product, figures, location_id: UUID | None) -> ProductStock:  # type: ignore[no-untyped-def]
    rows = [
        StockRow(
            location_id=row["location_id"],
            location=row["location"],
            location_type=row["location_type"],
            warehouse_id=row["warehouse_id"],
            batch=row["batch"],
            on_hand=row["on_hand"],
            allocated=row["allocated"],
        )
        for row in figures.rows
        if location_id is None or row["location_id"] == location_id
    ]
    on_hand = figures.on_hand
    allocated = figures.allocated
    if location_id is not None:
        # Committed and incoming belong to the product, not to a bin; on hand and allocated narrow
        # to the requested location.
        on_hand = sum(row.on_hand for row in rows)
        allocated = sum(row.allocated for row in rows)
    return ProductStock(
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        on_hand=on_hand,
        committed=figures.committed,
        available=on_hand - figures.committed,
        allocated=allocated,
        incoming=figures.incoming,
        rows=rows,
    )


async def _location_warehouses(session: AsyncSession, rows: list[dict]) -> None:
    ids = {row["location_id"] for row in rows}
    if not ids:
        return
    mapping = dict((await session.execute(select(Location.id, Location.warehouse_id).where(Location.id.in_(ids)))).all())
    for row in rows:
        row["warehouse_id"] = mapping[row["location_id"]]


async def get_product_stock(
    session: AsyncSession,
    *,
    sku: str | None = None,
    product_id: UUID | None = None,
    location: str | None = None,
    warehouse: str | None = None,
) -> ProductStock:
    """Return the figures of one product, narrowed to a warehouse and/or a location when given."""
    product = await find_product(session, sku=sku, product_id=product_id)
    warehouse_id = (await find_warehouse(session, warehouse)).id if warehouse else None
    location_id = (await find_location(session, location, warehouse_id)).id if location else None
    figures = (await get_stock_figures(session, [product.id], warehouse_id))[product.id]
    await _location_warehouses(session, figures.rows)
    return _product_stock(product, figures, location_id)


async def list_product_stock(
    session: AsyncSession,
    *,
    location: str | None = None,
    warehouse: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> StockPage:
    """Return a page of products' figures ordered by SKU, starting after the SKU ``cursor``.

    With a location, only products that have a balance row there are listed.
    """
    check_limit(limit)
    warehouse_id = (await find_warehouse(session, warehouse)).id if warehouse else None
    location_id = (await find_location(session, location, warehouse_id)).id if location else None
    statement: Select = select(Product).order_by(Product.sku).limit(limit + 1)
    if location_id is not None:
        held_here = select(StockBalance.product_id).where(
            StockBalance.location_id == location_id, or_(StockBalance.on_hand != 0, StockBalance.allocated != 0)
        )
        statement = statement.where(Product.id.in_(held_here))
    else:
        statement = statement.where(Product.active.is_(True))
    if cursor:
        statement = statement.where(Product.sku > cursor)
    products = list((await session.scalars(statement)).all())
    has_more = len(products) > limit
    products = products[:limit]
    figures = await get_stock_figures(session, [product.id for product in products], warehouse_id)
    await _location_warehouses(session, [row for entry in figures.values() for row in entry.rows])
    items = [_product_stock(product, figures[product.id], location_id) for product in products]
    return StockPage(items=items, next_cursor=products[-1].sku if has_more and products else None)


@dataclass
class MovementFilter:
    """Filters of the movement history; every field is optional and they combine with AND."""

    sku: str | None = None
    product_id: UUID | None = None
    location: str | None = None
    warehouse: str | None = None
    reason: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cursor: int | None = None
    limit: int = 100
    ascending: bool = False


async def list_movements(session: AsyncSession, query: MovementFilter) -> MovementPage:
    """Return one page of the movement ledger, newest first unless ``ascending``.

    The cursor is a movement id: the next page contains the movements after it in the page's order.
    """
    check_limit(query.limit)
    source = aliased(Location)
    target = aliased(Location)
    statement = (
        select(StockMovement, Product.sku, source.code, target.code, User.username)
        .join(Product, Product.id == StockMovement.product_id)
        .outerjoin(source, source.id == StockMovement.from_location_id)
        .outerjoin(target, target.id == StockMovement.to_location_id)
        .outerjoin(User, User.id == StockMovement.operator_id)
    )
    if query.sku is not None or query.product_id is not None:
        product = await find_product(session, sku=query.sku, product_id=query.product_id)
        statement = statement.where(StockMovement.product_id == product.id)
    if query.location is not None:
        warehouse_id = (await find_warehouse(session, query.warehouse)).id if query.warehouse else None
        location = await find_location(session, query.location, warehouse_id)
        statement = statement.where(
            or_(StockMovement.from_location_id == location.id, StockMovement.to_location_id == location.id)
        )
    if query.reason is not None:
        try:
            reason = MovementReason(query.reason.lower())
        except ValueError:
            choices = ", ".join(member.value for member in MovementReason)
            raise InvalidInputError(f"reason {query.reason!r} is invalid: use one of {choices}", field="reason") from None
        statement = statement.where(StockMovement.reason == reason.value)
    if query.reference_type is not None:
        statement = statement.where(StockMovement.reference_type == query.reference_type)
    if query.reference_id is not None:
        statement = statement.where(StockMovement.reference_id == query.reference_id)
    since, until = _as_utc(query.since), _as_utc(query.until)
    if since is not None and until is not None and since > until:
        raise InvalidInputError(f"since {since.isoformat()} is after until {until.isoformat()}: swap them", field="since")
    if since is not None:
        statement = statement.where(StockMovement.created_at >= since)
    if until is not None:
        statement = statement.where(StockMovement.created_at < until)
    if query.cursor is not None:
        after = StockMovement.id > query.cursor if query.ascending else StockMovement.id < query.cursor
        statement = statement.where(after)
    order = StockMovement.id.asc() if query.ascending else StockMovement.id.desc()
    rows = (await session.execute(statement.order_by(order).limit(query.limit + 1))).all()
    has_more = len(rows) > query.limit
    items = [
        MovementRead(
            id=movement.id,
            product_id=movement.product_id,
            sku=sku,
            batch=movement.batch,
            from_location=from_code,
            to_location=to_code,
            quantity=movement.quantity,
            reason=movement.reason,
            reference_type=movement.reference_type,
            reference_id=movement.reference_id,
            operator_id=movement.operator_id,
            operator=username,
            device_id=movement.device_id,
            command_id=movement.command_id,
            scan=movement.scan,
            note=movement.note,
            created_at=movement.created_at,
        )
        for movement, sku, from_code, to_code, username in rows[: query.limit]
    ]
    return MovementPage(items=items, next_cursor=items[-1].id if has_more and items else None)
