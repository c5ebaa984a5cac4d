"""Benchmark releasing and allocating orders against many stocked locations.

The script builds a fresh database (SQLite by default) with ``--locations`` pick-face and bulk
locations, ``--products`` products each stocked at ``locations / products`` of them (receipt
movements and balances written in bulk, so the ledger holds), and ``--orders`` PENDING
WMS-outbound orders of 1 to 5 lines (seeded random, quantities 1 to 3). It then releases the orders
one transaction each, oldest first, through the same ``release_order`` the API and the timer call,
and times every block of ``--step`` orders.

It reports orders per second per block and the growth of the time per order from the first block
to the last. As a ceiling measured in the same run it times a minimal write transaction (one
conditional UPDATE of one balance plus commit) and reports the release rate as a fraction of it.

Usage: python bench/outbound.py [--orders 10000] [--locations 20000] [--products 2000] [--step 1000]
       [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_outbound] [--markdown]

With ``--database-url`` pointing at PostgreSQL the database must exist and be empty; the script
migrates it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, update  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.db import Database  # noqa: E402
from app.db.migrate import upgrade_database  # noqa: E402
from app.db.models import (  # noqa: E402
    Account,
    Location,
    LocationType,
    Order,
    OrderLine,
    OrderRouting,
    Product,
    StockBalance,
    StockMovement,
    Warehouse,
)
from app.domain.outbound.release import release_order  # noqa: E402
from app.domain.outbound.routing import get_outbound_settings  # noqa: E402
from app.lib.errors import InsufficientStockError  # noqa: E402


def _uuid() -> uuid.UUID:
    import uuid_utils.compat as uuid_compat

    return uuid_compat.uuid7()


async def build(db: Database, *, locations: int, products: int, orders: int, seed: int) -> list[uuid.UUID]:
    """Create the warehouse, stock and PENDING orders; return the order ids in creation order."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        warehouse = Warehouse(code="BENCH", name="Bench", outbound_mode="full")
        session.add(warehouse)
        await session.flush()
        account = Account(code="bench", name="Bench", webhook_secret="x", default_warehouse_id=warehouse.id)
        session.add(account)
        await session.flush()
        await get_outbound_settings(session, warehouse.id)
        warehouse_id, account_id = warehouse.id, account.id

    location_rows = []
    for index in range(locations):
        is_face = index % 4 == 0
        location_rows.append(
            {
                "id": _uuid(),
                "warehouse_id": warehouse_id,
                "code": f"L{index:06d}",
                "barcode": f"L{index:06d}",
                "type": LocationType.PICK_FACE.value if is_face else LocationType.BULK_STORAGE.value,
                "zone": "A" if is_face else "B",
                "pick_sequence": index,
                "archived": False,
                "created_at": now,
                "updated_at": now,
            }
        )
    product_rows = [
        {"id": _uuid(), "sku": f"SKU-{index:05d}", "name": f"Product {index}", "tracking": "NONE", "allocation_rule": "FIFO", "active": True, "created_at": now, "updated_at": now}
        for index in range(products)
    ]
    balance_rows = []
    movement_rows = []
    for index, location in enumerate(location_rows):
        product = product_rows[index % products]
        quantity = rng.randint(20, 60)
        balance_rows.append(
            {"id": _uuid(), "product_id": product["id"], "location_id": location["id"], "batch": "", "on_hand": quantity, "allocated": 0, "created_at": now, "updated_at": now}
        )
        movement_rows.append(
            {"product_id": product["id"], "batch": "", "to_location_id": location["id"], "quantity": quantity, "reason": "receipt", "reference_type": "bench", "reference_id": "seed", "note": "", "created_at": now}
        )
    order_rows, line_rows, routing_rows = [], [], []
    for index in range(orders):
        order_id = _uuid()
        order_rows.append(
            {
                "id": order_id,
                "account_id": account_id,
                "warehouse_id": warehouse_id,
                "starshipit_order_id": str(100000 + index),
                "order_number": str(100000 + index),
                "reference": "",
                "status": "PENDING",
                "starshipit_status": "",
                "on_hold": False,
                "destination": {},
                "tracking_number": "",
                "tracking_status": "",
                "routed_by": "wms: warehouse BENCH runs full WMS outbound",
                "created_at": now,
                "updated_at": now,
            }
        )
        for position, product in enumerate(rng.sample(product_rows, rng.randint(1, 5))):
            quantity = rng.randint(1, 3)
            line_rows.append(
                {
                    "id": _uuid(),
                    "order_id": order_id,
                    "item_id": str(position),
                    "sku": product["sku"],
                    "product_id": product["id"],
                    "description": "",
                    "position": position,
                    "quantity_ordered": quantity,
                    "quantity_committed": quantity,
                    "quantity_allocated": 0,
                    "quantity_picked": 0,
                    "quantity_shipped": 0,
                    "unknown_sku": False,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        routing_rows.append(
            {"id": _uuid(), "order_id": order_id, "flow": "wms", "reason": "bench", "channel": "", "tags": [], "meta": {}, "short_detail": "", "created_at": now, "updated_at": now}
        )

    async with db.transaction() as session:
        for model, rows in (
            (Location, location_rows),
            (Product, product_rows),
            (StockBalance, balance_rows),
            (StockMovement, movement_rows),
            (Order, order_rows),
            (OrderLine, line_rows),
            (OrderRouting, routing_rows),
        ):
            for start in range(0, len(rows), 2000):
                await session.execute(insert(model), rows[start : start + 2000])
    return [row["id"] for row in order_rows]


async def ceiling(db: Database, rounds: int) -> float:
    """Time a minimal write transaction (one conditional UPDATE plus commit); return transactions per second."""
    async with db.read() as session:
        balance_id = await session.scalar(select(StockBalance.id).limit(1))
    started = time.perf_counter()
    for _ in range(rounds):
        async with db.transaction() as session:
            await session.execute(
                update(StockBalance)
                .where(StockBalance.id == balance_id, StockBalance.allocated + 0 <= StockBalance.on_hand)
                .values(allocated=StockBalance.allocated + 0)
            )
    return rounds / (time.perf_counter() - started)


async def run(args: argparse.Namespace) -> None:
    temp = None
    url = args.database_url
    if not url:
        temp = tempfile.TemporaryDirectory(prefix="bench-outbound-")
        url = f"sqlite+aiosqlite:///{Path(temp.name) / 'bench.db'}"
    settings = load_settings({"WMS_DATABASE_URL": url, "WMS_SECRET_KEY": "bench-secret-key-0123456789abcdef", "WMS_LOG_LEVEL": "WARNING"})
    upgrade_database(settings)
    db = Database(settings)
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    from app.lib.logging import configure_logging

    configure_logging("WARNING")
    try:
        started = time.perf_counter()
        order_ids = await build(db, locations=args.locations, products=args.products, orders=args.orders, seed=args.seed)
        build_seconds = time.perf_counter() - started
        ceiling_rate = await ceiling(db, args.ceiling_rounds)

        blocks: list[tuple[int, float, int]] = []
        short = 0
        for start in range(0, len(order_ids), args.step):
            block = order_ids[start : start + args.step]
            began = time.perf_counter()
            for order_id in block:
                try:
                    async with db.transaction() as session:
                        await release_order(session, order_id)
                except InsufficientStockError:
                    short += 1
            blocks.append((start + len(block), time.perf_counter() - began, len(block)))
    finally:
        await db.dispose()
        if temp is not None:
            temp.cleanup()

    total_seconds = sum(seconds for _end, seconds, _count in blocks)
    first_ms = blocks[0][1] / blocks[0][2] * 1000
    last_ms = blocks[-1][1] / blocks[-1][2] * 1000
    rate = args.orders / total_seconds
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()}"
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL, synchronous=FULL)"
    lines = [
        f"machine: {machine}",
        f"database: {database}; built {args.locations} stocked locations, {args.products} products, {args.orders} orders in {build_seconds:.1f} s",
        f"ceiling (minimal write transaction): {ceiling_rate:.0f}/s",
        f"release + allocate: {rate:.1f} orders/s overall ({rate / ceiling_rate:.2f} of the ceiling); {short} orders short",
        "",
        "| orders released | ms per order in block | orders/s in block |",
        "|---:|---:|---:|",
    ]
    for end, seconds, count in blocks:
        lines.append(f"| {end} | {seconds / count * 1000:.2f} | {count / seconds:.1f} |")
    lines.append("")
    lines.append(f"time per order, last block / first block: {last_ms / first_ms:.2f}")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark order release and allocation")
    parser.add_argument("--orders", type=int, default=10_000, help="orders to release (default 10000)")
    parser.add_argument("--locations", type=int, default=20_000, help="stocked locations (default 20000)")
    parser.add_argument("--products", type=int, default=2_000, help="products, spread over the locations (default 2000)")
    parser.add_argument("--step", type=int, default=1_000, help="orders per timed block (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the order mix")
    parser.add_argument("--ceiling-rounds", type=int, default=500, help="minimal transactions timed for the ceiling")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database to use instead of a temporary SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
