"""Seed data for tests: one warehouse, one Starshipit account, users, products and locations."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import select

from app.config import Settings
from app.db import Database
from app.db.models import Account, Location, LocationType, MovementReason, Product, ProductBarcode, Warehouse
from app.domain.auth.schemas import UserCreate
from app.domain.auth.services import create_user
from app.domain.stock.ledger import record_movement

WEBHOOK_SECRET = "test-secret"

LOCATIONS = [
    ("REC-01", LocationType.STAGING_DOCK, "DOCK", 0),
    ("A-01-01", LocationType.PICK_FACE, "A", 10),
    ("A-01-02", LocationType.PICK_FACE, "A", 20),
    ("B-01-01", LocationType.BULK_STORAGE, "B", 100),
    ("B-01-02", LocationType.BULK_STORAGE, "B", 110),
    ("PACK-01", LocationType.PACKING_BENCH, "PACK", 0),
    ("RET-01", LocationType.RETURNS, "RET", 0),
    ("TOTE-01", LocationType.TOTE, "", 0),
    ("QUAR-01", LocationType.QUARANTINE, "Q", 0),
]

PRODUCTS = [
    ("SKU-A", "Widget A", "05400000002649"),
    ("SKU-B", "Widget B", "00060383042400"),
    ("SKU-C", "Widget C", "07567554394380"),
]


@dataclass
class Seed:
    warehouse_id: UUID
    account_id: UUID
    account_code: str = "acme"
    webhook_secret: str = WEBHOOK_SECRET
    password: str = "correct-horse-1"
    admin_username: str = "admin"
    supervisor_username: str = "super"
    operator_username: str = "op1"
    operator_pin: str = "1234"
    operator_id: UUID | None = None
    locations: dict[str, UUID] = field(default_factory=dict)
    products: dict[str, UUID] = field(default_factory=dict)


async def seed_basic(db: Database, settings: Settings) -> Seed:
    """Create the standard test warehouse and return the ids tests refer to."""
    async with db.transaction() as session:
        warehouse = Warehouse(code="WH1", name="Main warehouse")
        session.add(warehouse)
        await session.flush()
        account = Account(code="acme", name="Acme Ltd", webhook_secret=WEBHOOK_SECRET, default_warehouse_id=warehouse.id,
                          api_key="test-api-key", subscription_key="test-subscription-key")
        session.add(account)
        await session.flush()  # assigns account.id before the Seed records it
        seed = Seed(warehouse_id=warehouse.id, account_id=account.id)
        for code, location_type, zone, sequence in LOCATIONS:
            location = Location(warehouse_id=warehouse.id, code=code, barcode=code, type=location_type.value, zone=zone, pick_sequence=sequence)
            session.add(location)
            await session.flush()
            seed.locations[code] = location.id
        for sku, name, gtin in PRODUCTS:
            product = Product(sku=sku, name=name)
            session.add(product)
            await session.flush()
            session.add(ProductBarcode(product_id=product.id, code=gtin, kind="GTIN", units=1))
            seed.products[sku] = product.id
        secret = settings.secret_key
        await create_user(session, UserCreate(username="admin", role="admin", password=seed.password), secret)
        await create_user(session, UserCreate(username="super", role="supervisor", password=seed.password), secret)
        operator = await create_user(session, UserCreate(username="op1", role="operator", pin=seed.operator_pin), secret)
        seed.operator_id = operator.id
    return seed


async def add_stock(db: Database, seed: Seed, sku: str, location: str, quantity: int, batch: str = "") -> None:
    """Receive ``quantity`` units of ``sku`` straight into ``location``."""
    async with db.transaction() as session:
        await record_movement(
            session,
            product_id=seed.products[sku],
            quantity=quantity,
            reason=MovementReason.RECEIPT,
            to_location_id=seed.locations[location],
            batch=batch,
            reference_type="test",
            reference_id="seed",
        )


async def on_hand(db: Database, seed: Seed, sku: str, location: str, batch: str = "") -> int:
    """Return the stored balance of ``sku`` at ``location``."""
    from app.db.models import StockBalance

    async with db.read() as session:
        value = await session.scalar(
            select(StockBalance.on_hand).where(
                StockBalance.product_id == seed.products[sku],
                StockBalance.location_id == seed.locations[location],
                StockBalance.batch == batch,
            )
        )
    return int(value or 0)
