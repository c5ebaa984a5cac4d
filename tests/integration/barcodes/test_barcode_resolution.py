"""Resolution of scans against the catalogue, on a real database."""

from __future__ import annotations

from datetime import date

import pytest

from app.db import Database
from app.db.models import Order, Product, ProductBarcode
from app.domain.barcodes import (
    BarcodeError,
    ContainerMatch,
    LocationMatch,
    OrderMatch,
    ProductMatch,
    ScannerSettings,
    resolve_location,
    resolve_product,
    resolve_scan,
)
from app.lib.errors import InvalidInputError, NotFoundError
from tests.factories import Seed

pytestmark = pytest.mark.anyio

GS = "\x1d"


async def add_barcode(db: Database, seed: Seed, sku: str, code: str, kind: str, units: int) -> None:
    async with db.transaction() as session:
        session.add(ProductBarcode(product_id=seed.products[sku], code=code, kind=kind, units=units))


@pytest.mark.postgres
@pytest.mark.parametrize("raw", ["060383042400", "0060383042400", "00060383042400", "0100060383042400"])
async def test_gtin_spellings_find_product(db: Database, seed: Seed, raw: str) -> None:
    async with db.read() as session:
        match = await resolve_product(session, raw)
    assert match.sku == "SKU-B"
    assert match.units == 1
    assert match.gtin == "00060383042400"


@pytest.mark.postgres
async def test_label_batch_read(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        match = await resolve_product(session, "010540000000264910L1")
    assert match.sku == "SKU-A"
    assert match.batch == "L1"
    assert match.expiry is None


async def test_label_values_read(db: Database, seed: Seed) -> None:
    await add_barcode(db, seed, "SKU-A", "10366302300017", "CASE", 6)
    async with db.read() as session:
        match = await resolve_product(session, "0110366302300017102100437" + GS + "1716020021925768618163")
    assert match.sku == "SKU-A"
    assert match.units == 6
    assert match.batch == "2100437"
    assert match.expiry == date(2016, 2, 29)
    assert match.serial == "925768618163"
    assert match.barcode_kind == "CASE"


async def test_missing_separator_rejected(db: Database, seed: Seed) -> None:
    await add_barcode(db, seed, "SKU-A", "10366302300017", "CASE", 6)
    async with db.read() as session:
        with pytest.raises(BarcodeError) as caught:
            await resolve_product(session, "01103663023000171021004371716020021925768618163")
    assert caught.value.code == "separator_missing"


async def test_device_separator(db: Database, seed: Seed) -> None:
    await add_barcode(db, seed, "SKU-C", "04150011164140", "GTIN", 1)
    async with db.read() as session:
        match = await resolve_product(session, "01041500111641401726013110V10025|21JGFMG4P38R", ScannerSettings(separator="|"))
    assert match.sku == "SKU-C"
    assert match.batch == "V10025"
    assert match.serial == "JGFMG4P38R"
    assert match.expiry == date(2026, 1, 31)


async def test_invalid_upc_rejected(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        with pytest.raises(BarcodeError) as caught:
            await resolve_product(session, "300450549108")
    assert caught.value.code == "invalid_check_digit"


async def test_unknown_gtin_not_found(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        with pytest.raises(NotFoundError) as caught:
            await resolve_product(session, "7180378376426")
    assert caught.value.code == "unknown_barcode"
    assert "07180378376426" in caught.value.message


async def test_check_digit_zero_found(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        match = await resolve_product(session, "7567554394380")
    assert match.sku == "SKU-C"


async def test_case_barcode_counts_units(db: Database, seed: Seed) -> None:
    await add_barcode(db, seed, "SKU-A", "15400000002646", "CASE", 12)
    async with db.read() as session:
        match = await resolve_product(session, "15400000002646")
    assert match.sku == "SKU-A"
    assert match.units == 12


async def test_logistics_label_content_count(db: Database, seed: Seed) -> None:
    raw = "00106141411234567897" + "0205400000002649" + "3712" + GS + "10L1"
    async with db.read() as session:
        match = await resolve_scan(session, raw)
    assert isinstance(match, ProductMatch)
    assert match.sku == "SKU-A"
    assert match.units == 12
    assert match.sscc == "106141411234567897"
    assert match.batch == "L1"


async def test_prefix_stripped_location(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        match = await resolve_location(session, "*A-01-02\n", ScannerSettings(prefix="*"))
    assert match.code == "A-01-02"
    assert match.kind == "location"


async def test_tote_kind(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        match = await resolve_scan(session, "TOTE-01")
    assert isinstance(match, LocationMatch)
    assert match.kind == "tote"
    assert match.type == "TOTE"


async def test_sscc_container(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        match = await resolve_scan(session, "]C100106141411234567897")
    assert match == ContainerMatch(sscc="106141411234567897")


async def test_order_number(db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        order = Order(account_id=seed.account_id, warehouse_id=seed.warehouse_id, starshipit_order_id="9001", order_number="SO-10042")
        session.add(order)
    async with db.read() as session:
        match = await resolve_scan(session, "SO-10042\r\n")
    assert isinstance(match, OrderMatch)
    assert match.order_number == "SO-10042"


async def test_ambiguous_names_both(db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(Product(sku="B-01-01", name="Clashing SKU"))
    async with db.read() as session:
        with pytest.raises(InvalidInputError) as caught:
            await resolve_scan(session, "B-01-01")
    assert caught.value.code == "ambiguous_barcode"
    assert "location B-01-01" in caught.value.message
    assert "product B-01-01" in caught.value.message


async def test_unreadable_scan_exact_location(db: Database, seed: Seed) -> None:
    # A warehouse label that looks like a broken GTIN still names its location exactly.
    async with db.transaction() as session:
        from app.db.models import Location

        session.add(Location(warehouse_id=seed.warehouse_id, code="300450549108", barcode="300450549108", type="BULK_STORAGE"))
    async with db.read() as session:
        match = await resolve_location(session, "300450549108")
    assert match.code == "300450549108"


async def test_unknown_location(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        with pytest.raises(NotFoundError) as caught:
            await resolve_location(session, "Z-99")
    assert caught.value.code == "unknown_location"


async def test_keyboard_layout_rejected(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        with pytest.raises(BarcodeError) as caught:
            await resolve_scan(session, "à&é\"'(-è_çà")
    assert caught.value.code == "keyboard_layout"


async def test_sku_starting_like_ai(db: Database, seed: Seed) -> None:
    async with db.transaction() as session:
        session.add(Product(sku="21-100", name="Numbered widget"))
    async with db.read() as session:
        match = await resolve_product(session, "21-100")
    assert match.sku == "21-100"
    assert match.units == 1


async def test_gtin_in_plain_code128(db: Database, seed: Seed) -> None:
    async with db.read() as session:
        match = await resolve_product(session, "]C07567554394380")
    assert match.sku == "SKU-C"
