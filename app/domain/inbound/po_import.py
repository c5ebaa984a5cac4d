"""CSV import of purchase orders: one row per line, grouped by order number, all or nothing."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import uuid_utils.compat as uuid_compat
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Product, PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier, Warehouse
from app.domain.catalog.csvfile import CsvRow, decode_upload, parse_int, read_csv_rows
from app.domain.catalog.schemas import ImportResult
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["import_purchase_orders"]

log = get_logger(__name__)

REQUIRED = ("number", "supplier", "sku", "quantity")
OPTIONAL = ("warehouse", "expected_date", "status", "note")
ALIASES = {"po": "number", "po_number": "number", "qty": "quantity"}
HEADER_FIELDS = ("supplier", "warehouse", "expected_date", "status", "note")


async def import_purchase_orders(session: AsyncSession, data: bytes, *, warehouse: str | None = None) -> ImportResult:
    """Create the purchase orders of a CSV file in the caller's transaction.

    Columns: number, supplier (code), sku, quantity (required); warehouse (code), expected_date
    (YYYY-MM-DD), status (DRAFT or CREATED, default CREATED), note. Rows of one number share the
    order's fields, which must agree. An existing number is an error: purchase orders are never
    overwritten by an import. Raises CsvImportError listing every bad cell; nothing is written then.
    """
    rows, problems = read_csv_rows(decode_upload(data), kind="purchase orders", required=REQUIRED, optional=OPTIONAL, aliases=ALIASES)
    suppliers = dict((await session.execute(select(Supplier.code, Supplier.id))).tuples().all())
    warehouses = dict((await session.execute(select(Warehouse.code, Warehouse.id))).tuples().all())
    default_warehouse = warehouse or (next(iter(warehouses)) if len(warehouses) == 1 else "")
    products = dict((await session.execute(select(Product.sku, Product.id))).tuples().all())
    existing_numbers = set((await session.scalars(select(PurchaseOrder.number))).all())

    orders: dict[str, dict] = {}
    for row in rows:
        number = row.get("number")
        if not number:
            problems.add(row.line, "number", "", "number is empty: every row names its purchase order")
            continue
        if number in existing_numbers:
            problems.add(row.line, "number", number, f"purchase order {number} already exists: give new orders new numbers")
        order = orders.get(number)
        header = {name: row.get(name) for name in HEADER_FIELDS}
        if order is None:
            order = orders[number] = {"line": row.line, "header": header, "lines": {}}
            _check_header(row, header, suppliers, warehouses, default_warehouse, problems)
        else:
            for name in HEADER_FIELDS:
                if header[name] and header[name] != order["header"][name]:
                    problems.add(row.line, name, header[name], f"{name} differs from line {order['line']} of purchase order {number} ({order['header'][name]!r}): make them agree")
        sku = row.get("sku")
        product_id = products.get(sku)
        if product_id is None:
            problems.add(row.line, "sku", sku, f"SKU {sku!r} not found: import the product first")
        elif product_id in order["lines"]:
            problems.add(row.line, "sku", sku, f"SKU {sku} is already on line {order['lines'][product_id][0]} of purchase order {number}: put its whole quantity on one row")
        ok, quantity = parse_int(row, "quantity", problems, minimum=1, required=True)
        if product_id is not None and ok and product_id not in order["lines"]:
            order["lines"][product_id] = (row.line, quantity)
    problems.raise_if_any()

    now = utcnow()
    order_rows: list[dict] = []
    line_rows: list[dict] = []
    for number, order in orders.items():
        header = order["header"]
        order_id = uuid_compat.uuid7()
        order_rows.append(
            {
                "id": order_id,
                "number": number,
                "supplier_id": suppliers[header["supplier"]],
                "warehouse_id": warehouses[header["warehouse"] or default_warehouse],
                "status": (header["status"] or PurchaseOrderStatus.CREATED).upper(),
                "expected_date": date.fromisoformat(header["expected_date"]) if header["expected_date"] else None,
                "note": header["note"][:500],
                "created_at": now,
                "updated_at": now,
            }
        )
        for line_number, (product_id, (_line, quantity)) in enumerate(order["lines"].items(), start=1):
            line_rows.append(
                {
                    "id": uuid_compat.uuid7(),
                    "purchase_order_id": order_id,
                    "line_number": line_number,
                    "product_id": product_id,
                    "quantity_ordered": quantity,
                    "quantity_received": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    await session.execute(insert(PurchaseOrder), order_rows)
    await session.execute(insert(PurchaseOrderLine), line_rows)
    log.info("purchase orders imported", orders=len(order_rows), lines=len(line_rows))
    return ImportResult(rows=len(line_rows), created=len(order_rows), updated=0)


def _check_header(row: CsvRow, header: dict[str, str], suppliers: dict[str, UUID], warehouses: dict[str, UUID], default_warehouse: str, problems) -> None:  # type: ignore[no-untyped-def]
    if header["supplier"] not in suppliers:
        problems.add(row.line, "supplier", header["supplier"], f"supplier {header['supplier']!r} not found: create it first or use its code")
    warehouse_code = header["warehouse"] or default_warehouse
    if warehouse_code not in warehouses:
        problems.add(row.line, "warehouse", warehouse_code, f"warehouse {warehouse_code!r} not found: use one of {', '.join(sorted(warehouses))}")
    if header["expected_date"]:
        try:
            date.fromisoformat(header["expected_date"])
        except ValueError:
            problems.add(row.line, "expected_date", header["expected_date"], f"expected_date {header['expected_date']!r} is not a date: use YYYY-MM-DD")
    if header["status"] and header["status"].upper() not in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CREATED):
        problems.add(row.line, "status", header["status"], f"status {header['status']!r} is invalid for an import: use DRAFT or CREATED")
    if len(header["note"]) > 500:
        problems.add(row.line, "note", header["note"][:40], "note is longer than 500 characters")
