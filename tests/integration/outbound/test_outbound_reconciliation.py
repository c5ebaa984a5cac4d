"""Reconciliation and the polling fallback against the fake Starshipit; account isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db.models import Account, Order, StockMovement
from app.domain.outbound.reconciliation import reconcile_account
from app.starshipit.fake import FakeStarshipit, serve_asgi
from tests.factories import Seed, add_stock
from tests.integration.outbound.conftest import set_account_limits
from tests.integration.outbound.kit import apply_event, assert_ledger_ok, create_order, envelope, order_body

pytestmark = pytest.mark.anyio


@pytest.fixture
async def fake(db, seed: Seed):
    await set_account_limits(db, seed, 20)
    starshipit = FakeStarshipit()
    starshipit.add_account("acme", "test-api-key", "test-subscription-key", requests_per_second=20)
    async with serve_asgi(starshipit.app, lifespan="off") as url:
        starshipit.url = url  # type: ignore[attr-defined]
        yield starshipit


async def _shipped_units(db, order_id) -> int:
    async with db.read() as session:
        return int(
            await session.scalar(
                select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
                    StockMovement.reason == "shipment", StockMovement.reference_id == str(order_id)
                )
            )
        )


def _ship_event(number: str, quantity: int, tracking: str) -> dict:
    body = order_body(number, [("SKU-A", quantity)])
    body["items"][0]["quantity_to_ship"] = quantity
    body["packages"] = [{"tracking_number": tracking}]
    return envelope("order_shipped", body)


@pytest.mark.postgres
async def test_reconciliation_finds_each_difference(db, seed: Seed, fake: FakeStarshipit, db_backend: str) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 20)
    lost = await create_order(db, seed, "6001", [("SKU-A", 2)])
    fake.add_order("test-api-key", order_body("6001", [("SKU-A", 2)]))
    fake.record_shipment("test-api-key", "906001", [{"sku": "SKU-A", "quantity": 2}])

    await create_order(db, seed, "6002", [("SKU-A", 1)])
    await apply_event(db, seed.account_id, _ship_event("6002", 1, "WMS-ONLY-1"))

    await create_order(db, seed, "6003", [("SKU-A", 3)])
    fake.add_order("test-api-key", order_body("6003", [("SKU-A", 3)]))
    fake.record_shipment("test-api-key", "906003", [{"sku": "SKU-A", "quantity": 3}], tracking_number="T-6003")
    await apply_event(db, seed.account_id, _ship_event("6003", 2, "T-6003"))

    report_run = await reconcile_account(db, seed.account_id, base_url=fake.url, apply_missing=False)
    report = report_run.report
    assert [entry["order_number"] for entry in report["shipped_without_movements"]] == ["6001"]
    assert [entry["order_number"] for entry in report["unknown_to_starshipit"]] == ["6002"]
    assert report["quantity_differences"] == [{"order_id": "906003", "order_number": "6003", "sku": "SKU-A", "starshipit": 3, "wms": 2}]
    assert report["empty"] is False
    assert await _shipped_units(db, lost) == 0

    applied_run = await reconcile_account(db, seed.account_id, base_url=fake.url, apply_missing=True)
    assert applied_run.applied == 1
    assert applied_run.report["applied"] == [{"order_id": "906001", "order_number": "6001"}]
    assert applied_run.report["shipped_without_movements"] == []
    assert await _shipped_units(db, lost) == 2
    async with db.read() as session:
        assert (await session.get(Order, lost)).status == "SHIPPED"

    again = await reconcile_account(db, seed.account_id, base_url=fake.url, apply_missing=True, since=report_run.since)
    assert again.applied == 0
    assert await _shipped_units(db, lost) == 2
    await assert_ledger_ok(db)


async def test_reconciliation_endpoint_and_isolation(app_client, db, seed: Seed, fake: FakeStarshipit, supervisor_headers) -> None:
    async with db.transaction() as session:
        session.add(
            Account(
                code="beta",
                name="Beta Ltd",
                webhook_secret="beta-secret",
                default_warehouse_id=seed.warehouse_id,
                parent_account_id=seed.account_id,
                api_key="beta-key",
                subscription_key="beta-sub",
                requests_per_second=20,
            )
        )
    fake.add_account("beta", "beta-key", "beta-sub", requests_per_second=20)
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    acme_order = await create_order(db, seed, "6201", [("SKU-A", 1)])
    fake.add_order("test-api-key", order_body("6201", [("SKU-A", 1)]))
    fake.record_shipment("test-api-key", "906201", [{"sku": "SKU-A", "quantity": 1}])

    # The in-process app's settings keep the default Starshipit URL, so the runs go through the service.
    async with db.read() as session:
        beta_id = await session.scalar(select(Account.id).where(Account.code == "beta"))
    beta_run = await reconcile_account(db, beta_id, base_url=fake.url, apply_missing=True)
    assert beta_run.report["feed_orders"] == 0
    assert beta_run.report["empty"] is True
    assert await _shipped_units(db, acme_order) == 0

    hidden = await app_client.get(f"/api/v1/outbound/orders/{acme_order}/routing?account=beta", headers=supervisor_headers)
    assert hidden.status_code == 404
    visible = await app_client.get(f"/api/v1/outbound/orders/{acme_order}/routing?account=acme", headers=supervisor_headers)
    assert visible.status_code == 200
    runs = await app_client.get("/api/v1/reconciliation/runs?account=beta", headers=supervisor_headers)
    assert [run["account_id"] for run in runs.json()] == [str(beta_id)]
    missing = await app_client.get("/api/v1/reconciliation?account=nobody", headers=supervisor_headers)
    assert missing.status_code == 404


async def test_scheduler_polls_when_due(db, seed: Seed, fake: FakeStarshipit) -> None:
    from app.domain.outbound.scheduler import run_due_polls
    from tests.integration.outbound.kit import set_mode

    await set_mode(db, seed, "headless", poll_shipped_minutes=10)
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    lost = await create_order(db, seed, "6301", [("SKU-A", 1)])
    fake.add_order("test-api-key", order_body("6301", [("SKU-A", 1)]))
    fake.record_shipment("test-api-key", "906301", [{"sku": "SKU-A", "quantity": 1}])
    assert await run_due_polls(db, base_url=fake.url) == 1
    assert await _shipped_units(db, lost) == 1
    assert await run_due_polls(db, base_url=fake.url) == 0
    await assert_ledger_ok(db)


async def test_report_stock_checks(db, seed: Seed, fake: FakeStarshipit) -> None:
    from app.db.models import MovementReason
    from app.domain.stock.ledger import record_movement

    await add_stock(db, seed, "SKU-A", "A-01-01", 1)
    async with db.transaction() as session:
        await record_movement(
            session, product_id=seed.products["SKU-B"], quantity=2, reason=MovementReason.ADJUSTMENT, from_location_id=seed.locations["B-01-01"], sku="SKU-B"
        )
    await create_order(db, seed, "6401", [("SKU-A", 3)])
    run = await reconcile_account(db, seed.account_id, base_url=fake.url)
    checks = run.report["stock_checks"]
    assert checks["negative_stock"] == [{"sku": "SKU-B", "location": "B-01-01", "batch": "", "on_hand": -2}]
    assert checks["committed_beyond_stock"] == [{"sku": "SKU-A", "committed": 3, "on_hand": 1}]
    assert checks["rejected_scans"] == []
    assert run.report["empty"] is True
