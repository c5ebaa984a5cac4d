"""Bulk CSV import of master data: 50,000 locations and 100,000 products, each file in one transaction.

The script migrates a fresh SQLite database, or uses the PostgreSQL database given with
``--database-url``, and writes two CSV files. It imports them with the domain operations that the
``POST /api/v1/locations/import`` and ``/api/v1/products/import`` endpoints call. Every row is
validated (types, min/max, GTIN check digits, duplicates within the file and against the
database, pick faces) before one bulk write. It reports rows per second and the process's peak
memory (maximum resident set size) after each import.

As a ceiling measured in the same run on the same machine, it then inserts the same rows into
a copy of the empty database with plain ``executemany`` through the standard ``sqlite3`` module,
with no validation and no ORM, and reports each import's rate as a ratio of that ceiling.

Usage: python bench/import.py [--locations 50000] [--products 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.db import Database  # noqa: E402
from app.db.migrate import upgrade_database  # noqa: E402
from app.db.models import Location, Product, ProductBarcode, Warehouse  # noqa: E402
from app.domain.catalog.imports import import_locations, import_products  # noqa: E402
from app.lib.logging import configure_logging  # noqa: E402

TYPES = ["BULK_STORAGE"] * 6 + ["PICK_FACE"] * 3 + ["OVERFLOW"]


def gtin13(number: int) -> str:
    """Return a valid EAN-13 built from ``number`` (12 digits plus check digit)."""
    body = f"20{number:010d}"
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def locations_csv(count: int) -> tuple[bytes, list[str]]:
    """Return the locations file and the codes of its pick faces."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "type", "zone", "pick_sequence", "min_quantity", "max_quantity"])
    faces = []
    for index in range(count):
        kind = TYPES[index % len(TYPES)]
        code = f"L{index:06d}"
        if kind == "PICK_FACE":
            faces.append(code)
            writer.writerow([code, kind, f"Z{index // 1000:02d}", index, 5, 50])
        else:
            writer.writerow([code, kind, f"Z{index // 1000:02d}", index, "", ""])
    return out.getvalue().encode(), faces


def products_csv(count: int, faces: list[str]) -> bytes:
    """Return the products file: a GTIN per product, a case barcode on every fourth, pick faces."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "name", "tracking", "allocation_rule", "barcode", "case_barcode", "case_units", "pick_face"])
    for index in range(count):
        case = (f"CASE-{index:07d}", 12) if index % 4 == 0 else ("", "")
        face = faces[index] if index < len(faces) else ""
        tracking = ("NONE", "BATCH", "SERIAL")[index % 3]
        rule = "FEFO" if tracking == "BATCH" else "FIFO"
        writer.writerow([f"SKU-{index:07d}", f"Product number {index}", tracking, rule, gtin13(index), case[0], case[1], face])
    return out.getvalue().encode()


def peak_rss_mib() -> float:
    """Return the process's maximum resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def describe_machine() -> str:
    """Return CPU model, core count, memory and software versions."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) // 1024} MiB RAM"
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"


async def seed_warehouse(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Warehouse(code="WH1", name="Bench warehouse"))


async def timed_import(db: Database, label: str, run) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    async with db.transaction() as session:
        result = await run(session)
    elapsed = time.perf_counter() - start
    print(f"{label}: {result.rows} rows in {elapsed:.2f} s = {result.rows / elapsed:,.0f} rows/s; peak RSS {peak_rss_mib():.0f} MiB", flush=True)
    return elapsed, result.rows


def ceiling_sqlite(path: Path, locations: bytes, products: bytes) -> tuple[float, float]:
    """Insert the same rows with bare executemany; return (location rows/s, product rows/s)."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    warehouse_id = connection.execute("SELECT id FROM warehouse").fetchone()[0]
    now = datetime.now(UTC).isoformat()
    rows = list(csv.DictReader(io.StringIO(locations.decode())))
    start = time.perf_counter()
    with connection:
        connection.executemany(
            "INSERT INTO location (id, warehouse_id, code, barcode, type, zone, pick_sequence, min_quantity, max_quantity, archived, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (
                (uuid.uuid4().bytes, warehouse_id, r["code"], r["code"], r["type"], r["zone"], int(r["pick_sequence"]), r["min_quantity"] or None, r["max_quantity"] or None, now, now)
                for r in rows
            ),
        )
    location_rate = len(rows) / (time.perf_counter() - start)
    rows = list(csv.DictReader(io.StringIO(products.decode())))
    start = time.perf_counter()
    with connection:
        product_ids = [uuid.uuid4().bytes for _ in rows]
        connection.executemany(
            "INSERT INTO product (id, sku, name, tracking, allocation_rule, active, putaway_zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, '', ?, ?)",
            ((pid, r["sku"], r["name"], r["tracking"], r["allocation_rule"], now, now) for pid, r in zip(product_ids, rows, strict=True)),
        )
        connection.executemany(
            "INSERT INTO product_barcode (id, product_id, code, kind, units, created_at, updated_at) VALUES (?, ?, ?, 'GTIN', 1, ?, ?)",
            ((uuid.uuid4().bytes, pid, r["barcode"].zfill(14), now, now) for pid, r in zip(product_ids, rows, strict=True)),
        )
    product_rate = len(rows) / (time.perf_counter() - start)
    connection.close()
    return location_rate, product_rate


async def main(args: argparse.Namespace) -> int:
    configure_logging("WARNING")
    folder = Path(tempfile.mkdtemp(prefix="wms-import-bench-"))
    try:
        url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        settings = load_settings({"WMS_DATABASE_URL": url, "WMS_SECRET_KEY": "bench-secret-key-0123456789", "WMS_LOG_LEVEL": "WARNING"})
        upgrade_database(settings)
        db = Database(settings)
        await seed_warehouse(db)
        if not args.database_url:
            # Closing the connections checkpoints the WAL, so the copy contains the warehouse row.
            await db.dispose()
            shutil.copyfile(folder / "bench.db", folder / "ceiling.db")
            db = Database(settings)

        locations, faces = locations_csv(args.locations)
        products = products_csv(args.products, faces)
        print(f"machine: {describe_machine()}")
        print(f"database: {url.split('@')[-1]}; files: locations {len(locations) / 1e6:.1f} MB, products {len(products) / 1e6:.1f} MB")
        print(f"peak RSS before importing: {peak_rss_mib():.0f} MiB", flush=True)

        location_time, location_rows = await timed_import(db, "locations", lambda session: import_locations(session, locations))
        product_time, product_rows = await timed_import(db, "products", lambda session: import_products(session, products))

        async with db.read() as session:
            stored_locations = await session.scalar(select(func.count()).select_from(Location))
            stored_products = await session.scalar(select(func.count()).select_from(Product))
            stored_barcodes = await session.scalar(select(func.count()).select_from(ProductBarcode))
        await db.dispose()
        expected_barcodes = args.products + (args.products + 3) // 4
        ok = stored_locations == args.locations and stored_products == args.products and stored_barcodes == expected_barcodes
        print(f"stored: {stored_locations} locations, {stored_products} products, {stored_barcodes} barcodes ({'as expected' if ok else 'MISMATCH'})")

        if not args.database_url:
            ceiling_locations, ceiling_products = ceiling_sqlite(folder / "ceiling.db", locations, products)
            print(f"ceiling (bare sqlite3 executemany, no validation): locations {ceiling_locations:,.0f} rows/s, products {ceiling_products:,.0f} rows/s")
            print(
                f"ratio to the ceiling: locations {location_rows / location_time / ceiling_locations:.2f}, "
                f"products {product_rows / product_time / ceiling_products:.2f}"
            )
        return 0 if ok else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=50_000, help="location rows to import")
    parser.add_argument("--products", type=int, default=100_000, help="product rows to import")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (an empty, existing database); default a temporary SQLite file")
    sys.exit(asyncio.run(main(parser.parse_args())))
