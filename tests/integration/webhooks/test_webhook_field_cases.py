"""Field cases W1-W4 through real HTTP: duplicates, reordering, real changes and raw-byte signatures."""

from __future__ import annotations

import anyio
import httpx
import pytest
from sqlalchemy import func, select

from app.db.models import Order, WebhookEvent
from app.domain.webhooks import services
from tests.factories import add_stock, on_hand
from tests.unit.orders.kit import (
    T1,
    T2,
    T3,
    allocate,
    allocated_total,
    allocations_of,
    body_of,
    envelope,
    figures,
    get_order,
    jobs_of,
    line_by_sku,
    movements,
    open_allocation_units,
    pick,
    signed_headers,
    status_history,
    webhook_events,
)

pytestmark = pytest.mark.anyio


async def _order_count(db) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


@pytest.mark.postgres
async def test_w1_duplicates_live_server(db, seed, live_server) -> None:
    body = body_of(envelope("order_created", [("SKU-A", 2)], event_id="w1-created"))
    headers = signed_headers(body)
    url = f"{live_server.url}/webhooks/starshipit/acme/orders"
    statuses: list[int] = []
    outcomes: list[str] = []

    async with httpx.AsyncClient(timeout=60) as client:

        async def send() -> None:
            response = await client.post(url, content=body, headers=headers)
            statuses.append(response.status_code)
            outcomes.append(response.json()["outcome"])

        async with anyio.create_task_group() as group:
            group.start_soon(send)
            # The case's second copy follows the first by 5 ms, while the first is still in flight.
            await anyio.sleep(0.005)
            group.start_soon(send)
        await send()

    assert statuses == [200, 200, 200]
    assert sorted(outcomes) == ["applied", "duplicate", "duplicate"]
    assert await _order_count(db) == 1
    assert (await figures(db, seed, "SKU-A")).committed == 2
    rows = await webhook_events(db)
    assert len(rows) == 1
    assert rows[0].deliveries == 3
    assert rows[0].outcome == "applied"


@pytest.mark.postgres
async def test_w1_copy_arrives_during_apply(db, seed, inprocess_server, monkeypatch) -> None:
    """The second copy reaches the event log while the first is inside the event rules."""
    inside_apply = anyio.Event()
    copy_arrived = anyio.Event()
    original_apply = services.apply_order_event
    original_insert = services._insert_received
    calls = {"apply": 0, "insert": 0}

    async def slow_apply(session, account, event):
        calls["apply"] += 1
        if calls["apply"] == 1:
            inside_apply.set()
            await copy_arrived.wait()
        return await original_apply(session, account, event)

    async def watched_insert(db_, account, delivery):
        calls["insert"] += 1
        if calls["insert"] == 2:
            copy_arrived.set()
        return await original_insert(db_, account, delivery)

    monkeypatch.setattr(services, "apply_order_event", slow_apply)
    monkeypatch.setattr(services, "_insert_received", watched_insert)

    body = body_of(envelope("order_created", [("SKU-A", 2)], event_id="w1-in-process"))
    headers = signed_headers(body)
    responses: list[httpx.Response] = []

    async with httpx.AsyncClient(base_url=inprocess_server.url, timeout=60) as client:

        async def send() -> None:
            responses.append(await client.post("/webhooks/starshipit/acme/orders", content=body, headers=headers))

        async with anyio.create_task_group() as group:
            group.start_soon(send)
            await inside_apply.wait()
            group.start_soon(send)
        await send()

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert [response.json()["outcome"] for response in responses] == ["applied", "duplicate", "duplicate"]
    assert calls["apply"] == 1
    assert await _order_count(db) == 1
    assert (await figures(db, seed, "SKU-A")).committed == 2


async def test_w1_same_payload_new_event_id(db, seed, post_event) -> None:
    first = await post_event(envelope("order_created", [("SKU-A", 2)], event_id="a"))
    second = await post_event(envelope("order_created", [("SKU-A", 2)], event_id="b"))
    assert first.json()["outcome"] == "applied"
    assert second.status_code == 200
    assert second.json()["outcome"] == "duplicate"
    assert (await figures(db, seed, "SKU-A")).committed == 2


@pytest.mark.postgres
async def test_w2_events_out_of_order(db, seed, post_event) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)

    changed = await post_event(envelope("order_changed", [("SKU-A", 3)], occurred_at=T2, event_id="changed-t2"))
    created = await post_event(envelope("order_created", [("SKU-A", 2)], occurred_at=T1, event_id="created-t1"))
    shipped = await post_event(
        envelope("order_shipped", [("SKU-A", 3)], occurred_at=T3, event_id="shipped-t3", packages=[{"tracking_number": "TRK-W2"}])
    )
    late = await post_event(envelope("order_changed", [("SKU-A", 3)], occurred_at=T2, event_id="changed-t2-late", status="Printed"))

    assert [r.status_code for r in (changed, created, shipped, late)] == [200, 200, 200, 200]
    assert [r.json()["outcome"] for r in (changed, created, shipped, late)] == ["applied", "stale", "applied", "stale"]

    delivered = {"order_number": "SO-1001", "tracking_number": "TRK-W2", "tracking_status": "Delivered", "last_updated_date": "2026-12-03T09:00:00.1234567"}
    in_transit = {"order_number": "SO-1001", "tracking_number": "TRK-W2", "tracking_status": "InTransit", "last_updated_date": "2026-12-02T09:00:00.1234567"}
    first = await post_event(delivered, kind="tracking")
    second = await post_event(in_transit, kind="tracking")
    assert (first.status_code, first.json()["outcome"]) == (200, "applied")
    assert (second.status_code, second.json()["outcome"]) == (200, "stale")

    order, lines = await get_order(db)
    assert order.status == "SHIPPED"
    assert order.tracking_status == "Delivered"
    assert [(line.sku, line.quantity_ordered, line.quantity_shipped) for line in lines] == [("SKU-A", 3, 3)]
    shipments = await movements(db, "shipment")
    assert [(m.quantity, m.from_location_id) for m in shipments] == [(3, seed.locations["A-01-01"])]
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 7
    assert (await figures(db, seed, "SKU-A")).committed == 0
    stale_rows = [row for row in await webhook_events(db) if row.outcome == "stale"]
    assert sorted(row.event_type for row in stale_rows) == ["order_changed", "order_created", "tracking"]


@pytest.mark.postgres
async def test_w3_what_counts_as_change(db, seed, post_event) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "A-01-02", 5)
    items = [("SKU-A", 2), ("SKU-B", 1)]
    assert (await post_event(envelope("order_created", items, occurred_at="2026-12-01T10:00:00Z"))).status_code == 200
    allocation_a = await allocate(db, seed, "1001", "SKU-A", "A-01-01", 2)
    await allocate(db, seed, "1001", "SKU-B", "A-01-02", 1)
    order, _ = await get_order(db)
    movements_before = len(await movements(db))
    history_before = [event.id for event in await status_history(db, order.id)]

    # Identical order_changed a second later: nothing changes.
    same = await post_event(envelope("order_changed", items, occurred_at="2026-12-01T10:00:01Z"))
    assert same.json()["outcome"] == "applied"
    assert len(await movements(db)) == movements_before
    assert [event.id for event in await status_history(db, order.id)] == history_before
    assert [(a.status, a.quantity) for a in await allocations_of(db, order.id)] == [("ALLOCATED", 2), ("ALLOCATED", 1)]

    # SKU-B removed: its commitment and allocation of 1 are released.
    await post_event(envelope("order_changed", [("SKU-A", 2)], occurred_at="2026-12-01T10:00:02Z"))
    _order, lines = await get_order(db)
    assert line_by_sku(lines, "SKU-B").quantity_committed == 0
    assert (await figures(db, seed, "SKU-B")).committed == 0
    assert await allocated_total(db, seed, "SKU-B") == 0
    assert await allocated_total(db, seed, "SKU-A") == 2
    assert (await figures(db, seed, "SKU-A")).committed == 2

    # SKU-A picked, then the order is deleted: a task returns the two picked units.
    await pick(db, seed, allocation_a, "TOTE-01")
    deleted = await post_event(envelope("order_deleted", [("SKU-A", 2)], occurred_at="2026-12-01T10:00:03Z"))
    assert deleted.json()["outcome"] == "applied"
    order, lines = await get_order(db)
    assert order.status == "CANCELLED"
    assert await allocated_total(db, seed, "SKU-A") == 0
    assert await open_allocation_units(db, seed, "SKU-A") == 0
    assert (await figures(db, seed, "SKU-A")).committed == 0
    returns = await movements(db, "return")
    assert [(m.quantity, m.from_location_id, m.to_location_id, m.reference_id) for m in returns] == [
        (2, seed.locations["TOTE-01"], seed.locations["RET-01"], str(order.id))
    ]
    return_jobs = [(job, job_lines) for job, job_lines in await jobs_of(db, order.id) if job.type == "RETURN_TO_STOCK"]
    assert len(return_jobs) == 1
    job_line = return_jobs[0][1][0]
    assert (job_line.product_id, job_line.quantity, job_line.to_location_id) == (seed.products["SKU-A"], 2, seed.locations["A-01-01"])


W4_BODY = b'{"order_number": 5567476,  "tracking_status": "Dispatched", "w": 1.0}'


@pytest.mark.postgres
async def test_w4_signature_on_raw_bytes(db, seed, app_client, post_event) -> None:
    created = await post_event(envelope("order_created", [("SKU-A", 1)], order_id="9001", order_number="5567476"))
    assert created.status_code == 200
    rows_before = len(await webhook_events(db))
    headers = signed_headers(W4_BODY, "test-secret")

    tampered = W4_BODY.replace(b"1.0", b"1.5")
    assert len(tampered) == len(W4_BODY)
    rejected = await app_client.post("/webhooks/starshipit/acme/tracking", content=tampered, headers=headers)
    assert rejected.status_code == 401
    assert len(await webhook_events(db)) == rows_before
    order, _ = await get_order(db, "9001")
    assert order.tracking_status == ""

    accepted = await app_client.post("/webhooks/starshipit/acme/tracking", content=W4_BODY, headers=headers)
    assert accepted.status_code == 200
    assert accepted.json()["outcome"] == "applied"
    order, _ = await get_order(db, "9001")
    assert order.order_number == "5567476"
    assert order.tracking_status == "Dispatched"
    rows = await webhook_events(db)
    assert rows[-1].raw_body == W4_BODY.decode()


async def test_w4_reserialised_body_fails(db, seed, app_client) -> None:
    import json

    reserialised = json.dumps(json.loads(W4_BODY)).encode()
    assert reserialised != W4_BODY
    response = await app_client.post(
        "/webhooks/starshipit/acme/tracking", content=W4_BODY, headers=signed_headers(reserialised, "test-secret")
    )
    assert response.status_code == 401
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


@pytest.mark.postgres
async def test_race_creates_one_order(db, seed, settings, inprocess_server, monkeypatch) -> None:
    """order_created and order_changed of a new order applied at once: the loser retries as an update."""
    first_inserted = anyio.Event()
    second_applying = anyio.Event()
    original_apply = services.apply_order_event
    calls = {"apply": 0}

    async def racing_apply(session, account, event):
        calls["apply"] += 1
        if calls["apply"] == 1:
            result = await original_apply(session, account, event)
            first_inserted.set()
            # On PostgreSQL the second transaction now inserts the same order and waits on the unique
            # index. SQLite runs one writer at a time, so there the second one starts only after this commit.
            if not settings.is_sqlite:
                await second_applying.wait()
            return result
        second_applying.set()
        return await original_apply(session, account, event)

    monkeypatch.setattr(services, "apply_order_event", racing_apply)
    created = body_of(envelope("order_created", [("SKU-A", 2)], occurred_at=T1, event_id="race-created"))
    changed = body_of(envelope("order_changed", [("SKU-A", 3)], occurred_at=T2, event_id="race-changed"))
    statuses: dict[str, int] = {}

    async with httpx.AsyncClient(base_url=inprocess_server.url, timeout=60) as client:

        async def send(name: str, body: bytes) -> None:
            response = await client.post("/webhooks/starshipit/acme/orders", content=body, headers=signed_headers(body))
            statuses[name] = response.status_code

        async with anyio.create_task_group() as group:
            group.start_soon(send, "created", created)
            await first_inserted.wait()
            group.start_soon(send, "changed", changed)

    assert statuses == {"created": 200, "changed": 200}
    # PostgreSQL: the second delivery's first attempt fails on the unique key and is retried.
    assert calls["apply"] == (2 if settings.is_sqlite else 3)
    assert await _order_count(db) == 1
    _order, lines = await get_order(db)
    assert [(line.sku, line.quantity_ordered) for line in lines] == [("SKU-A", 3)]
    assert (await figures(db, seed, "SKU-A")).committed == 3
    assert sorted(row.outcome for row in await webhook_events(db)) == ["applied", "applied"]
