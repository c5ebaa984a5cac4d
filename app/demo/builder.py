"""Build the demo warehouse: locations, products with barcodes, stock, a Starshipit account, users.

The build runs in one write transaction, so a failed build leaves an empty database behind, and it
is skipped when the demo account already exists, so running ``wms demo`` twice changes nothing.
Stock arrives through :func:`record_movement` as receipts, like stock received on the floor, so the
ledger of a fresh demo passes ``wms verify``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import (
    Account,
    Batch,
    Location,
    LocationType,
    MovementReason,
    OutboundMode,
    Product,
    ProductBarcode,
    RoutingFlow,
    RoutingRule,
    RuleKind,
    User,
    Warehouse,
)
from app.domain.auth.passwords import hash_password, pin_lookup_key
from app.domain.auth.schemas import UserCreate
from app.domain.auth.services import create_user
from app.domain.stock.ledger import record_movement
from app.demo.catalog import DEMO_COMPANY_PREFIX, DEMO_LOCATIONS, DEMO_PRODUCTS, make_gtin13, make_gtin14

__all__ = [
    "DEMO_ACCOUNT_CODE",
    "DEMO_RULE_NAME",
    "DEMO_RULE_SKUS",
    "DemoSecrets",
    "DemoSummary",
    "build_demo",
    "demo_exists",
    "demo_outbound_mode",
    "demo_webhook_secret",
    "set_demo_outbound",
    "sync_demo_secrets",
]

DEMO_ACCOUNT_CODE = "demo"
DEMO_WAREHOUSE_CODE = "DEMO"
SUPERVISOR_USERNAME = "supervisor"
OPERATOR_USERNAME = "operator"
# Products per pick face: 50 products share the 10 pick faces, five to a shelf.
PRODUCTS_PER_FACE = 5
# The hybrid routing rule of the demo: an order with any merino sock goes through WMS outbound.
# Other orders match no rule and take the warehouse default, Starshipit's own flow (headless).
DEMO_RULE_NAME = "merino socks are picked in the WMS"
DEMO_RULE_SKUS = ("SOCK-MER-S", "SOCK-MER-M", "SOCK-MER-L", "SOCK-MER-XL", "SOCK-MER-KIDS")


@dataclass(frozen=True)
class DemoSecrets:
    """The credentials the demo prints: webhook secret, supervisor password and operator PIN."""

    webhook_secret: str
    supervisor_password: str
    operator_pin: str


@dataclass(frozen=True)
class DemoSummary:
    """Counts of the records a build created, for the start-up banner."""

    locations: int
    products: int
    barcodes: int
    movements: int


async def demo_exists(database: Database) -> bool:
    """Tell whether the demo account is already in the database."""
    async with database.read() as session:
        return await session.scalar(select(Account.id).where(Account.code == DEMO_ACCOUNT_CODE)) is not None


async def demo_webhook_secret(database: Database) -> str | None:
    """Return the webhook secret stored on the demo account, if the account exists."""
    async with database.read() as session:
        return await session.scalar(select(Account.webhook_secret).where(Account.code == DEMO_ACCOUNT_CODE))


async def build_demo(database: Database, secrets: DemoSecrets, secret_key: str, *, seed: int = 7) -> DemoSummary:
    """Create the demo warehouse in one transaction; ``seed`` fixes the stock quantities."""
    rng = random.Random(seed)
    async with database.transaction() as session:
        warehouse = Warehouse(code=DEMO_WAREHOUSE_CODE, name="Demo warehouse")
        session.add(warehouse)
        await session.flush()

        locations = await _add_locations(session, warehouse.id)
        products, barcodes = await _add_products(session, locations)
        movements = await _add_stock(session, rng, products, locations)

        session.add(
            Account(
                code=DEMO_ACCOUNT_CODE,
                name="Demo store",
                webhook_secret=secrets.webhook_secret,
                default_warehouse_id=warehouse.id,
            )
        )
        await create_user(
            session,
            UserCreate(username=SUPERVISOR_USERNAME, role="supervisor", display_name="Demo supervisor", password=secrets.supervisor_password),
            secret_key,
        )
        await create_user(
            session,
            UserCreate(username=OPERATOR_USERNAME, role="operator", display_name="Demo operator", pin=secrets.operator_pin),
            secret_key,
        )
    return DemoSummary(locations=len(locations), products=len(products), barcodes=barcodes, movements=movements)


async def sync_demo_secrets(database: Database, secrets: DemoSecrets, secret_key: str) -> None:
    """Make the stored demo credentials match ``secrets`` (after the environment changed them)."""
    async with database.transaction() as session:
        await session.execute(update(Account).where(Account.code == DEMO_ACCOUNT_CODE).values(webhook_secret=secrets.webhook_secret))
        await session.execute(
            update(User).where(User.username == SUPERVISOR_USERNAME).values(password_hash=hash_password(secrets.supervisor_password))
        )
        await session.execute(
            update(User).where(User.username == OPERATOR_USERNAME).values(pin_lookup=pin_lookup_key(secrets.operator_pin, secret_key))
        )


async def demo_outbound_mode(database: Database) -> str:
    """Return the outbound mode of the demo warehouse (headless, full or hybrid)."""
    async with database.read() as session:
        mode = await session.scalar(select(Warehouse.outbound_mode).where(Warehouse.code == DEMO_WAREHOUSE_CODE))
    return mode or OutboundMode.HEADLESS.value


async def set_demo_outbound(database: Database, mode: str) -> None:
    """Set the demo warehouse's outbound mode; in hybrid, add the demo routing rule once.

    Orders routed earlier keep their flow until they are routed again: by their next order event,
    or by ``POST /api/v1/outbound/orders/{id}/route`` while they are PENDING.
    """
    from app.domain.outbound.schemas import RoutingRuleCreate
    from app.domain.outbound.services import create_rule

    async with database.transaction() as session:
        warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == DEMO_WAREHOUSE_CODE))
        if warehouse is None:
            raise LookupError(f"the demo warehouse {DEMO_WAREHOUSE_CODE} is missing")
        warehouse.outbound_mode = OutboundMode(mode).value
        if mode != OutboundMode.HYBRID.value:
            return
        existing = await session.scalar(
            select(RoutingRule.id).where(RoutingRule.warehouse_id == warehouse.id, RoutingRule.name == DEMO_RULE_NAME)
        )
        if existing is None:
            await create_rule(
                session,
                RoutingRuleCreate(
                    warehouse=DEMO_WAREHOUSE_CODE,
                    kind=RuleKind.SKU_SET,
                    values=list(DEMO_RULE_SKUS),
                    match="any",
                    flow=RoutingFlow.WMS,
                    position=1,
                    name=DEMO_RULE_NAME,
                ),
            )


async def _add_locations(session: AsyncSession, warehouse_id: UUID) -> dict[str, Location]:
    locations = {}
    for row in DEMO_LOCATIONS:
        location = Location(
            warehouse_id=warehouse_id,
            code=row.code,
            barcode=f"L-{row.code}",
            type=row.type.value,
            zone=row.zone,
            pick_sequence=row.pick_sequence,
            min_quantity=row.min_quantity,
            max_quantity=row.max_quantity,
        )
        session.add(location)
        locations[row.code] = location
    await session.flush()
    return locations


async def _add_products(session: AsyncSession, locations: dict[str, Location]) -> tuple[list[Product], int]:
    faces = [location for location in locations.values() if location.type == LocationType.PICK_FACE.value]
    faces.sort(key=lambda location: location.pick_sequence)
    products = []
    barcodes = 0
    for index, row in enumerate(DEMO_PRODUCTS):
        face = faces[index // PRODUCTS_PER_FACE % len(faces)]
        product = Product(sku=row.sku, name=row.name, tracking=row.tracking, pick_face_location_id=face.id)
        session.add(product)
        await session.flush()
        unit_gtin = make_gtin13(DEMO_COMPANY_PREFIX, index + 1)
        # GTINs are stored as 14 digits, the form every spelling of a GTIN normalises to.
        session.add(ProductBarcode(product_id=product.id, code=unit_gtin.zfill(14), kind="GTIN", units=1))
        barcodes += 1
        if row.case_units:
            indicator = 1 if row.case_units == 12 else 2
            session.add(ProductBarcode(product_id=product.id, code=make_gtin14(indicator, unit_gtin), kind="GTIN", units=row.case_units))
            barcodes += 1
        products.append(product)
    await session.flush()
    return products, barcodes


async def _add_stock(session: AsyncSession, rng: random.Random, products: list[Product], locations: dict[str, Location]) -> int:
    bulk = [location for location in locations.values() if location.type == LocationType.BULK_STORAGE.value]
    movements = 0
    for index, product in enumerate(products):
        batch = ""
        if product.tracking == "BATCH":
            batch = f"L{2701 + index:04d}"
            session.add(Batch(product_id=product.id, code=batch, expiry=date(2027, 6 + index % 6, 28)))
            await session.flush()
        face_quantity = rng.randint(15, 60)
        await _receive(session, product, face_quantity, product.pick_face_location_id, batch)
        movements += 1
        # Every other product has back-up stock in bulk, received in whole cases of 12.
        if index % 2 == 0:
            await _receive(session, product, 12 * rng.randint(2, 8), bulk[index % len(bulk)].id, batch)
            movements += 1
    return movements


async def _receive(session: AsyncSession, product: Product, quantity: int, location_id: UUID | None, batch: str) -> None:
    await record_movement(
        session,
        product_id=product.id,
        quantity=quantity,
        reason=MovementReason.RECEIPT,
        to_location_id=location_id,
        batch=batch,
        reference_type="demo",
        reference_id="opening-stock",
        note="demo opening stock",
        sku=product.sku,
    )
