"""CSV import of locations and products: the whole file in one transaction, or nothing.

Every row is validated against the file itself (duplicate codes and barcodes) and against the
database (barcodes of other records, stock in locations being archived) before anything is
written. Existing records are updated by their key (warehouse and code for locations, SKU for
products) so that a corrected sheet can be imported again. Rows are written with bulk INSERT and
UPDATE statements, which keeps 100,000 rows within seconds on SQLite.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import uuid_utils.compat as uuid_compat
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Location, LocationType, Product, ProductBarcode, StockBalance, Warehouse
from app.domain.catalog.codes import (
    FieldProblem,
    check_allocation_rule,
    check_location_type,
    check_min_max,
    check_tracking,
    normalize_product_barcode,
)
from app.domain.catalog.csvfile import CsvProblems, CsvRow, decode_upload, parse_bool, parse_int, read_csv_rows
from app.domain.catalog.schemas import ImportResult
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["import_locations", "import_products"]

log = get_logger(__name__)

LOCATION_COLUMNS_REQUIRED = ("code", "type")
LOCATION_COLUMNS_OPTIONAL = ("warehouse", "barcode", "zone", "pick_sequence", "min_quantity", "max_quantity", "archived")
LOCATION_ALIASES = {"min": "min_quantity", "max": "max_quantity", "location": "code", "sequence": "pick_sequence"}

PRODUCT_COLUMNS_REQUIRED = ("sku", "name")
PRODUCT_COLUMNS_OPTIONAL = ("tracking", "allocation_rule", "barcode", "case_barcode", "case_units", "pick_face", "putaway_zone", "active")
PRODUCT_ALIASES = {"gtin": "barcode", "ean": "barcode", "upc": "barcode"}

# Rows per executemany call: large enough to amortise round trips, small enough to keep memory flat.
_CHUNK = 5000


async def _execute_chunked(session: AsyncSession, statement: Any, rows: list[dict]) -> None:
    for start in range(0, len(rows), _CHUNK):
        await session.execute(statement, rows[start : start + _CHUNK])


def _text(row: CsvRow, column: str, problems: CsvProblems, maximum: int, *, required: bool = False) -> str | None:
    value = row.get(column)
    if required and not value:
        problems.add(row.line, column, value, f"{column} is empty: every row needs one")
        return None
    if len(value) > maximum:
        problems.add(row.line, column, value, f"{column} is longer than {maximum} characters")
        return None
    return value


async def import_locations(session: AsyncSession, data: bytes, *, warehouse: str | None = None) -> ImportResult:
    """Create or update the locations of a CSV file in the caller's transaction.

    Columns: code and type (required); warehouse (code; defaults to ``warehouse`` or the only
    one), barcode (defaults to the code), zone, pick_sequence, min_quantity, max_quantity, archived.
    Raises CsvImportError listing every bad cell; then nothing is written.
    """
    rows, problems = read_csv_rows(
        decode_upload(data), kind="locations", required=LOCATION_COLUMNS_REQUIRED, optional=LOCATION_COLUMNS_OPTIONAL, aliases=LOCATION_ALIASES
    )
    warehouses = dict((await session.execute(select(Warehouse.code, Warehouse.id))).tuples().all())
    default_warehouse = warehouse
    if not default_warehouse and len(warehouses) == 1:
        default_warehouse = next(iter(warehouses))
    existing = {
        (warehouse_id, code): (location_id, barcode)
        for location_id, warehouse_id, code, barcode in (await session.execute(select(Location.id, Location.warehouse_id, Location.code, Location.barcode))).tuples()
    }
    barcode_owner = {barcode: key for key, (_id, barcode) in existing.items()}
    product_barcodes = set((await session.scalars(select(ProductBarcode.code))).all())

    seen_codes: dict[tuple[UUID, str], int] = {}
    seen_barcodes: dict[str, int] = {}
    parsed: list[tuple[CsvRow, dict[str, Any]]] = []
    for row in rows:
        count_before = len(problems.problems)
        warehouse_code = row.get("warehouse") or default_warehouse
        warehouse_id = warehouses.get(warehouse_code or "")
        if warehouse_id is None:
            if warehouse_code:
                problems.add(row.line, "warehouse", warehouse_code, f"warehouse {warehouse_code!r} not found: use one of {', '.join(sorted(warehouses))}")
            else:
                problems.add(row.line, "warehouse", "", "warehouse is empty: add a warehouse column or choose one for the import")
        code = _text(row, "code", problems, 60, required=True)
        barcode = _text(row, "barcode", problems, 80) or code
        location_type = None
        try:
            location_type = check_location_type(row.get("type"))
        except FieldProblem as problem:
            problems.add_problem(row.line, problem)
        ok_sequence, sequence = parse_int(row, "pick_sequence", problems, minimum=0)
        ok_min, minimum = parse_int(row, "min_quantity", problems, minimum=0)
        ok_max, maximum = parse_int(row, "max_quantity", problems, minimum=1)
        archived = parse_bool(row, "archived", problems)
        zone = _text(row, "zone", problems, 40)
        if location_type and ok_min and ok_max:
            try:
                check_min_max(location_type, minimum, maximum)
            except FieldProblem as problem:
                problems.add_problem(row.line, problem)
        if warehouse_id and code:
            key = (warehouse_id, code)
            if key in seen_codes:
                problems.add(row.line, "code", code, f"location {code!r} is also on line {seen_codes[key]}: keep one row per location")
            seen_codes.setdefault(key, row.line)
            if barcode:
                if barcode in seen_barcodes:
                    problems.add(row.line, "barcode", barcode, f"barcode {barcode!r} is also on line {seen_barcodes[barcode]}: every label must be unique")
                seen_barcodes.setdefault(barcode, row.line)
                owner = barcode_owner.get(barcode)
                if owner is not None and owner != key:
                    problems.add(row.line, "barcode", barcode, f"barcode {barcode!r} already labels location {owner[1]}: print a unique label")
                if barcode in product_barcodes:
                    problems.add(row.line, "barcode", barcode, f"barcode {barcode!r} belongs to a product: a scan could not tell them apart")
        if len(problems.problems) == count_before and ok_sequence and archived is not None:
            parsed.append(
                (
                    row,
                    {
                        "warehouse_id": warehouse_id,
                        "code": code,
                        "barcode": barcode,
                        "type": location_type,
                        "zone": zone or "",
                        "pick_sequence": sequence or 0,
                        "min_quantity": minimum,
                        "max_quantity": maximum,
                        "archived": archived,
                    },
                )
            )

    # Archiving a location that still contains stock would hide its units from every figure.
    archiving = {existing[(values["warehouse_id"], values["code"])][0]: row for row, values in parsed if values["archived"] and (values["warehouse_id"], values["code"]) in existing}
    if archiving:
        held = (
            await session.execute(
                select(StockBalance.location_id, func.sum(StockBalance.on_hand))
                .where(StockBalance.location_id.in_(list(archiving)))
                .group_by(StockBalance.location_id)
                .having(func.sum(StockBalance.on_hand) != 0)
            )
        ).tuples()
        for location_id, units in held:
            row = archiving[location_id]
            problems.add(row.line, "archived", row.get("archived"), f"location {row.get('code')} still contains {units} units: move them before archiving it")
    problems.raise_if_any()

    now = utcnow()
    inserts: list[dict] = []
    updates: list[dict] = []
    for _row, values in parsed:
        current = existing.get((values["warehouse_id"], values["code"]))
        if current is None:
            inserts.append({"id": uuid_compat.uuid7(), "created_at": now, "updated_at": now, **values})
        else:
            updates.append({"id": current[0], "updated_at": now, **values})
    # Updates go first: a barcode moving from one location to another must be free before the insert.
    await _execute_chunked(session, update(Location), updates)
    await _execute_chunked(session, insert(Location.__table__), inserts)
    log.info("locations imported", rows=len(parsed), created=len(inserts), updated=len(updates))
    return ImportResult(rows=len(parsed), created=len(inserts), updated=len(updates))


async def _load_pick_faces(session: AsyncSession) -> dict[str, list[tuple[UUID, str, bool]]]:
    faces: dict[str, list[tuple[UUID, str, bool]]] = {}
    statement = select(Location.id, Location.code, Location.barcode, Location.type, Location.archived)
    for location_id, code, barcode, location_type, archived in (await session.execute(statement)).tuples():
        for name in {code, barcode}:
            faces.setdefault(name, []).append((location_id, location_type, archived))
    return faces


def _check_pick_face(row: CsvRow, faces: dict[str, list[tuple[UUID, str, bool]]], problems: CsvProblems) -> tuple[bool, UUID | None]:
    reference = row.get("pick_face")
    if not reference:
        return True, None
    matches = faces.get(reference, [])
    if not matches:
        problems.add(row.line, "pick_face", reference, f"pick face {reference!r} not found: give a location code or barcode")
        return False, None
    if len({match[0] for match in matches}) > 1:
        problems.add(row.line, "pick_face", reference, f"pick face {reference!r} names locations in several warehouses: give its barcode")
        return False, None
    location_id, location_type, archived = matches[0]
    if location_type != LocationType.PICK_FACE.value:
        problems.add(row.line, "pick_face", reference, f"location {reference!r} is a {location_type}, not a PICK_FACE")
        return False, None
    if archived:
        problems.add(row.line, "pick_face", reference, f"location {reference!r} is archived: choose an active pick face")
        return False, None
    return True, location_id


def _row_barcodes(row: CsvRow, problems: CsvProblems) -> list[tuple[str, str, int, str]] | None:
    """Return (code, kind, units, column) for the row's barcode and case barcode, or None if invalid."""
    barcodes: list[tuple[str, str, int, str]] = []
    valid = True
    if row.get("barcode"):
        try:
            code, kind = normalize_product_barcode(row.get("barcode"))
            barcodes.append((code, kind, 1, "barcode"))
        except FieldProblem as problem:
            problems.add_problem(row.line, problem)
            valid = False
    ok_units, case_units = parse_int(row, "case_units", problems, minimum=2)
    valid = valid and ok_units
    if row.get("case_barcode"):
        try:
            code, kind = normalize_product_barcode(row.get("case_barcode"), "case_barcode")
            if ok_units and case_units is None:
                problems.add(row.line, "case_units", "", "case_units is empty: say how many units one scan of the case barcode counts")
                valid = False
            elif ok_units:
                barcodes.append((code, kind, case_units or 1, "case_barcode"))
        except FieldProblem as problem:
            problems.add_problem(row.line, problem)
            valid = False
    elif case_units is not None:
        problems.add(row.line, "case_units", row.get("case_units"), "case_units is set but case_barcode is empty: give both or neither")
        valid = False
    if len(barcodes) == 2 and barcodes[0][0] == barcodes[1][0]:
        problems.add(row.line, "case_barcode", row.get("case_barcode"), "case_barcode equals barcode: a case needs its own code")
        valid = False
    return barcodes if valid else None


async def import_products(session: AsyncSession, data: bytes) -> ImportResult:
    """Create or update the products of a CSV file in the caller's transaction.

    Columns: sku and name (required); tracking (NONE, BATCH, SERIAL), allocation_rule (FIFO,
    FEFO), barcode (one unit), case_barcode with case_units, pick_face (location code or
    barcode), putaway_zone, active. Barcodes are added to a product, never removed by an import.
    Raises CsvImportError listing every bad cell; then nothing is written.
    """
    rows, problems = read_csv_rows(
        decode_upload(data), kind="products", required=PRODUCT_COLUMNS_REQUIRED, optional=PRODUCT_COLUMNS_OPTIONAL, aliases=PRODUCT_ALIASES
    )
    existing = dict((await session.execute(select(Product.sku, Product.id))).tuples().all())
    barcode_owner = {code: (product_id, units) for code, product_id, units in (await session.execute(select(ProductBarcode.code, ProductBarcode.product_id, ProductBarcode.units))).tuples()}
    faces = await _load_pick_faces(session)

    seen_skus: dict[str, int] = {}
    seen_barcodes: dict[str, tuple[int, str]] = {}
    parsed: list[tuple[dict[str, Any], list[tuple[str, str, int, str]]]] = []
    for row in rows:
        count_before = len(problems.problems)
        sku = _text(row, "sku", problems, 80, required=True)
        name = _text(row, "name", problems, 300, required=True)
        values: dict[str, Any] = {"sku": sku, "name": name}
        try:
            values["tracking"] = check_tracking(row.get("tracking"))
        except FieldProblem as problem:
            problems.add_problem(row.line, problem)
        try:
            values["allocation_rule"] = check_allocation_rule(row.get("allocation_rule"))
        except FieldProblem as problem:
            problems.add_problem(row.line, problem)
        values["putaway_zone"] = _text(row, "putaway_zone", problems, 40) or ""
        values["active"] = parse_bool(row, "active", problems, default=True)
        _ok, values["pick_face_location_id"] = _check_pick_face(row, faces, problems)
        barcodes = _row_barcodes(row, problems)
        if sku:
            if sku in seen_skus:
                problems.add(row.line, "sku", sku, f"SKU {sku!r} is also on line {seen_skus[sku]}: keep one row per product")
            seen_skus.setdefault(sku, row.line)
        for code, _kind, _units, column in barcodes or []:
            if code in seen_barcodes:
                other_line, other_sku = seen_barcodes[code]
                problems.add(row.line, column, row.get(column), f"barcode {code!r} is also on line {other_line} ({other_sku}): a barcode names one product")
            seen_barcodes.setdefault(code, (row.line, sku or ""))
            owner = barcode_owner.get(code)
            if owner is not None and owner[0] != existing.get(sku or ""):
                problems.add(row.line, column, row.get(column), f"barcode {code!r} already belongs to another product: remove it there first")
            if code in faces:
                problems.add(row.line, column, row.get(column), f"barcode {code!r} labels a location: a scan could not tell them apart")
        if len(problems.problems) == count_before:
            parsed.append((values, barcodes or []))
    problems.raise_if_any()

    now = utcnow()
    product_inserts: list[dict] = []
    product_updates: list[dict] = []
    barcode_inserts: list[dict] = []
    barcode_updates: list[tuple[str, int]] = []
    for values, barcodes in parsed:
        product_id = existing.get(values["sku"])
        if product_id is None:
            product_id = uuid_compat.uuid7()
            product_inserts.append({"id": product_id, "created_at": now, "updated_at": now, **values})
        else:
            product_updates.append({"id": product_id, "updated_at": now, **values})
        for code, kind, units, _column in barcodes:
            owner = barcode_owner.get(code)
            if owner is None:
                barcode_inserts.append({"id": uuid_compat.uuid7(), "product_id": product_id, "code": code, "kind": kind, "units": units, "created_at": now, "updated_at": now})
            elif owner[1] != units:
                barcode_updates.append((code, units))
    await _execute_chunked(session, update(Product), product_updates)
    await _execute_chunked(session, insert(Product.__table__), product_inserts)
    await _execute_chunked(session, insert(ProductBarcode.__table__), barcode_inserts)
    for code, units in barcode_updates:
        await session.execute(update(ProductBarcode).where(ProductBarcode.code == code).values(units=units, updated_at=now))
    log.info("products imported", rows=len(parsed), created=len(product_inserts), updated=len(product_updates), barcodes=len(barcode_inserts))
    return ImportResult(rows=len(parsed), created=len(product_inserts), updated=len(product_updates))
