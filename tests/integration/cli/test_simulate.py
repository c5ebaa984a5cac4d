"""wms simulate: the event stream it builds, and a live run with duplicates and reordering.

The live test sends the same seeded stream to two servers, once in order and once with repeats
and late deliveries, and requires both ledgers to verify and both warehouses to end in the same
state: the same orders with the same statuses and lines, and the same stock per product.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.db import Database
from app.db.models import Order, OrderLine, Product, StockBalance, StockMovement
from app.demo.stream import StreamOptions, build_deliveries, build_timeline
from tests.conftest import LiveServer, make_settings
from tests.factories import WEBHOOK_SECRET, Seed, add_stock, seed_basic
from tests.integration.cli.conftest import run_wms

pytestmark = pytest.mark.anyio

SKUS = ("SKU-A", "SKU-B", "SKU-C")
SEED = 20261204
ORDERS = 14


def _options(**overrides: object) -> StreamOptions:
    values = {"orders": ORDERS, "skus": SKUS, "seed": SEED, "account_id": 7}
    values.update(overrides)
    return StreamOptions(**values)  # type: ignore[arg-type]


def test_stream_envelope_fields() -> None:
    timeline = build_timeline(_options())

    created = json.loads(next(d for d in timeline if d.event == "order_created").body)

    assert sorted(created) == ["account_id", "event", "event_id", "occurred_at", "order"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", created["occurred_at"])
    order = created["order"]
    assert sorted(order) == ["destination", "items", "order_id", "order_number", "packages", "reference", "status"]
    assert sorted(order["items"][0]) == ["description", "item_id", "quantity", "quantity_to_ship", "sku", "value", "weight"]


def test_stream_packages_and_tracking() -> None:
    timeline = build_timeline(_options())

    shipped = [json.loads(d.body) for d in timeline if d.event == "order_shipped"]
    tracking = [json.loads(d.body) for d in timeline if d.kind == "tracking"]

    assert shipped
    for event in shipped:
        for package in event["order"]["packages"]:
            assert package["tracking_number"]
            assert 0 < package["length"] < 1
    assert {update["tracking_status"] for update in tracking} >= {"Printed", "Dispatched"}
    assert any(isinstance(event["order"]["order_number"], int) for event in shipped + [json.loads(d.body) for d in timeline if d.kind == "orders"])


def test_stream_partial_shipments() -> None:
    timeline = build_timeline(_options(partial_probability=1.0))

    shipped: dict[str, list[dict]] = {}
    for delivery in timeline:
        if delivery.event == "order_shipped":
            shipped.setdefault(delivery.order_number, []).append(json.loads(delivery.body)["order"])

    split = {number: events for number, events in shipped.items() if len(events) == 2}
    assert split
    for events in split.values():
        first, second = ({item["item_id"]: item["quantity_to_ship"] for item in event["items"]} for event in events)
        ordered = {item["item_id"]: item["quantity"] for item in events[1]["items"]}
        assert {item_id: first[item_id] + second[item_id] for item_id in ordered} == ordered
        assert 0 < sum(first.values()) < sum(ordered.values())
        assert events[0]["packages"][0]["tracking_number"] != events[1]["packages"][0]["tracking_number"]


def test_stream_same_seed_same_events() -> None:
    start = build_timeline(_options())[0].occurred_at
    first = build_timeline(_options(start=start))
    second = build_timeline(_options(start=start))

    assert [d.body for d in first] == [d.body for d in second]


def test_deliveries_keep_event_set() -> None:
    timeline = build_timeline(_options())

    mixed = build_deliveries(timeline, seed=SEED, duplicates=0.3, reorder=0.3)

    originals = [d for d in mixed if not d.duplicate]
    assert Counter(d.body for d in originals) == Counter(d.body for d in timeline)
    assert any(d.duplicate for d in mixed)
    assert any(d.late for d in mixed)
    assert [d.body for d in originals] != [d.body for d in timeline]
    for copy in (d for d in mixed if d.duplicate):
        assert copy.body in {d.body for d in timeline}


def test_deliveries_in_order_without_options() -> None:
    timeline = build_timeline(_options())

    assert build_deliveries(timeline, seed=SEED) == timeline


async def _final_state(url: str) -> dict[str, object]:
    database = Database(make_settings(url))
    try:
        async with database.read() as session:
            orders = {}
            rows = (await session.execute(select(Order, OrderLine).join(OrderLine, OrderLine.order_id == Order.id))).all()
            for order, line in rows:
                entry = orders.setdefault(order.order_number, {"status": order.status, "tracking": order.tracking_status, "lines": []})
                entry["lines"].append((line.sku, line.active, line.quantity_ordered, line.quantity_committed, line.quantity_shipped))
            for entry in orders.values():
                entry["lines"].sort()
            stock = dict(
                (await session.execute(select(Product.sku, func.sum(StockBalance.on_hand)).join(StockBalance).group_by(Product.sku))).all()
            )
            shipped = dict(
                (
                    await session.execute(
                        select(Product.sku, func.sum(StockMovement.quantity))
                        .join(StockMovement, StockMovement.product_id == Product.id)
                        .where(StockMovement.reason == "shipment")
                        .group_by(Product.sku)
                    )
                ).all()
            )
            return {"orders": orders, "stock": stock, "shipped": shipped}
    finally:
        await database.dispose()


async def _stock_up(database: Database, seed: Seed) -> None:
    await add_stock(database, seed, "SKU-A", "A-01-01", 30)
    await add_stock(database, seed, "SKU-B", "A-01-02", 25)
    # Little SKU-C: some shipments run short and book negative stock, which verify must accept.
    await add_stock(database, seed, "SKU-C", "B-01-01", 3)


@pytest.fixture
async def second_server(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[LiveServer, str]]:
    path = tmp_path / "second.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    settings: Settings = make_settings(url)
    database = Database(settings)
    seed = await seed_basic(database, settings)
    await _stock_up(database, seed)
    await database.dispose()
    server = LiveServer(url)
    server.start()
    yield server, url
    server.stop()


def _simulate(server: LiveServer, *extra: str) -> list[str]:
    result = run_wms(
        "simulate", "--url", server.url, "--account", "acme", "--secret", WEBHOOK_SECRET,
        "--orders", str(ORDERS), "--seed", str(SEED), "--rate", "0", "--partial", "0.5", "--open", "0.2", *extra,
    )
    assert result.returncode == 0, result.stdout + result.stderr + "".join(server.log)
    return result.stdout.splitlines()


async def test_simulate_reordered_matches_in_order(
    database_url: str, db: Database, seed: Seed, live_server: LiveServer, second_server: tuple[LiveServer, str]
) -> None:
    await _stock_up(db, seed)
    shuffled_server, shuffled_url = second_server

    in_order = _simulate(live_server, "--skus", ",".join(SKUS))
    shuffled = _simulate(shuffled_server, "--username", "super", "--password", seed.password, "--duplicates", "0.3", "--reorder", "0.3")

    assert any(line.rstrip().endswith("dup") or " dup" in line for line in shuffled)
    assert any(" late" in line for line in shuffled)
    for url in (database_url, shuffled_url):
        verified = run_wms("verify", env={"WMS_DATABASE_URL": url})
        assert verified.returncode == 0, verified.stdout
    expected = await _final_state(database_url)
    actual = await _final_state(shuffled_url)
    assert len(expected["orders"]) == ORDERS
    assert {entry["status"] for entry in expected["orders"].values()} >= {"SHIPPED", "CANCELLED", "PENDING"}
    assert actual["orders"] == expected["orders"]
    assert actual["stock"] == expected["stock"]
    assert actual["shipped"] == expected["shipped"]


def test_simulate_needs_skus_source(tmp_path: Path) -> None:
    result = run_wms("simulate", "--url", "http://127.0.0.1:9", "--secret", "s")

    assert result.returncode == 2
    assert "--skus" in result.stderr


def test_simulate_rejects_bad_url() -> None:
    result = run_wms("simulate", "--url", "ftp://example", "--secret", "s", "--skus", "A")

    assert result.returncode == 2
    assert "--url" in result.stderr
