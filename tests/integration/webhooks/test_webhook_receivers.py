"""Receiver behaviour: authentication, malformed bodies, account isolation, failures and the event log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db.models import Order, OrderLine, StockMovement, WebhookEvent
from app.domain.webhooks import services
from tests.factories import add_stock
from tests.unit.orders.kit import T1, T2, body_of, envelope, figures, get_order, item, signed_headers, webhook_events

pytestmark = pytest.mark.anyio


async def _count(db, model) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_unknown_account_404(db, seed, app_client) -> None:
    body = body_of(envelope("order_created", [("SKU-A", 1)]))
    response = await app_client.post("/webhooks/starshipit/nobody/orders", content=body, headers=signed_headers(body))
    assert response.status_code == 404
    assert "nobody" in response.json()["message"]
    assert await _count(db, WebhookEvent) == 0


async def test_missing_signature_401(db, seed, app_client) -> None:
    body = body_of(envelope("order_created", [("SKU-A", 1)]))
    response = await app_client.post("/webhooks/starshipit/acme/orders", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert "X-Starshipit-Signature" in response.json()["message"]
    assert await _count(db, WebhookEvent) == 0
    assert await _count(db, Order) == 0


async def test_wrong_secret_401(db, seed, post_event) -> None:
    response = await post_event(envelope("order_created", [("SKU-A", 1)]), secret="not-the-secret")
    assert response.status_code == 401
    assert await _count(db, WebhookEvent) == 0
    assert await _count(db, Order) == 0


async def test_malformed_json_rejected_and_stored(db, seed, post_event) -> None:
    raw = b'{"event": "order_created", "order": {'
    response = await post_event(raw)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]
    rows = await webhook_events(db)
    assert [(row.outcome, row.raw_body, row.event_id, row.dedup_key) for row in rows] == [("rejected", raw.decode(), None, None)]
    assert await _count(db, Order) == 0


async def test_missing_field_named(db, seed, post_event) -> None:
    value = envelope("order_created", [("SKU-A", 1)])
    del value["order"]["order_id"]
    value["order"]["gift_note"] = "kept"
    first = await post_event(value)
    second = await post_event(value)
    assert first.status_code == 400
    assert first.json()["detail"]["field"] == "order.order_id"
    assert "order.order_id" in first.json()["message"]
    assert second.status_code == 400
    rows = await webhook_events(db)
    assert [row.outcome for row in rows] == ["rejected", "rejected"]
    assert rows[0].event_type == "order_created"
    assert '"gift_note": "kept"' in rows[0].raw_body
    assert await _count(db, Order) == 0
    assert await _count(db, OrderLine) == 0


async def test_bad_values_named(db, seed, post_event) -> None:
    cases = [
        (envelope("order_created", [("SKU-A", 1)], occurred_at="yesterday"), "occurred_at"),
        (envelope("order_exploded", [("SKU-A", 1)]), "event"),
        (envelope("order_created", [("SKU-A", 1.5)]), "order.items[0].quantity"),
        (envelope("order_created", [{"quantity": 1}]), "order.items[0].sku"),
        (envelope("order_created", [("SKU-A", -1)]), "order.items[0].quantity"),
    ]
    for value, field in cases:
        response = await post_event(value)
        assert response.status_code == 400, field
        assert response.json()["detail"]["field"] == field
    assert await _count(db, Order) == 0
    assert [row.outcome for row in await webhook_events(db)] == ["rejected"] * len(cases)


async def test_huge_or_clashing_items_400(db, seed, post_event) -> None:
    cases = [
        (envelope("order_created", [("SKU-A", 10**30)]), "order.items[0].quantity"),
        (envelope("order_created", [("SKU-A", 2**63)]), "order.items[0].quantity"),
        (envelope("order_created", [("SKU-A", 1_000_001)]), "order.items[0].quantity"),
        (envelope("order_created", [item("SKU-A", 1, quantity_to_ship=10**30)]), "order.items[0].quantity_to_ship"),
        (envelope("order_created", [item("SKU-A", 1, item_id="7"), item("SKU-B", 1, item_id="7")]), "order.items[1].sku"),
    ]
    for value, field in cases:
        response = await post_event(value)
        assert response.status_code == 400, (field, response.text)
        assert response.json()["detail"]["field"] == field
    assert await _count(db, Order) == 0
    assert await _count(db, OrderLine) == 0
    assert [row.outcome for row in await webhook_events(db)] == ["rejected"] * len(cases)


async def test_tracking_missing_status_400(db, seed, post_event) -> None:
    response = await post_event({"order_number": "SO-1"}, kind="tracking")
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "tracking_status"


async def test_unknown_fields_kept_raw(db, seed, post_event) -> None:
    value = envelope("order_created", [("SKU-A", 1)], channel={"name": "shopify"})
    value["schema_version"] = 7
    response = await post_event(value)
    assert response.status_code == 200
    rows = await webhook_events(db)
    assert rows[0].raw_body == body_of(value).decode()
    assert rows[0].outcome == "applied"


async def test_accounts_isolated(db, seed, beta_account, post_event) -> None:
    await post_event(envelope("order_created", [("SKU-A", 2)]))
    beta = await post_event(envelope("order_created", [("SKU-A", 5)]), account="beta", secret="beta-secret")
    assert beta.status_code == 200
    assert beta.json()["outcome"] == "applied"

    signed_by_acme = await post_event(envelope("order_deleted", occurred_at=T2), account="beta", secret="test-secret")
    assert signed_by_acme.status_code == 401

    deleted = await post_event(envelope("order_deleted", occurred_at=T2), account="beta", secret="beta-secret")
    assert deleted.json()["outcome"] == "applied"
    acme_order, acme_lines = await get_order(db, "1001", seed.account_id)
    beta_order, _ = await get_order(db, "1001", beta_account.id)
    assert acme_order.id != beta_order.id
    assert acme_order.status == "PENDING"
    assert beta_order.status == "CANCELLED"
    assert acme_lines[0].quantity_committed == 2
    assert (await figures(db, seed, "SKU-A")).committed == 2

    tracking = await post_event({"order_number": "SO-1001", "tracking_status": "Delivered"}, kind="tracking", account="beta", secret="beta-secret")
    assert tracking.json()["outcome"] == "applied"
    acme_order, _ = await get_order(db, "1001", seed.account_id)
    assert acme_order.tracking_status == ""


async def test_apply_failure_500_then_retry(db, seed, post_event, monkeypatch) -> None:
    original = services.apply_order_event

    async def broken(session, account, event):
        await original(session, account, event)
        raise RuntimeError("simulated crash after the rules ran")

    monkeypatch.setattr(services, "apply_order_event", broken)
    value = envelope("order_created", [("SKU-A", 2)], event_id="retry-me")
    failed = await post_event(value)
    assert failed.status_code == 500
    assert failed.json()["code"] == "event_apply_failed"
    rows = await webhook_events(db)
    assert [(row.outcome, row.event_id) for row in rows] == [("failed", "retry-me")]
    assert "simulated crash" in rows[0].outcome_detail
    assert await _count(db, Order) == 0

    monkeypatch.setattr(services, "apply_order_event", original)
    retried = await post_event(value)
    assert retried.status_code == 200
    assert retried.json()["outcome"] == "applied"
    rows = await webhook_events(db)
    assert [(row.outcome, row.deliveries) for row in rows] == [("applied", 2)]
    assert (await figures(db, seed, "SKU-A")).committed == 2


async def test_shipped_twice_http(db, seed, post_event) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    value = envelope("order_shipped", [("SKU-A", 2)], occurred_at=T2, packages=[{"tracking_number": "X1", "carrier_service_code": "NZP"}])
    first = await post_event(value)
    repeat = await post_event({**value, "event_id": "redelivered", "occurred_at": "2026-12-01T11:30:00Z"})
    assert first.json()["outcome"] == "applied"
    assert repeat.json()["outcome"] == "ignored"
    async with db.read() as session:
        shipped = (await session.scalars(select(StockMovement.quantity).where(StockMovement.reason == "shipment"))).all()
    assert list(shipped) == [2]


async def test_event_log_api(db, seed, app_client, post_event, supervisor_headers, operator_headers) -> None:
    await post_event(envelope("order_created", [("SKU-A", 1)], occurred_at=T1))
    await post_event(envelope("order_created", [("SKU-A", 1)], order_id="1002", occurred_at=T1))
    await post_event(envelope("order_changed", [("SKU-A", 2)], occurred_at=T2))
    await post_event(b"not json")

    assert (await app_client.get("/api/v1/webhook-events", headers=operator_headers)).status_code == 403
    assert (await app_client.get("/api/v1/webhook-events")).status_code == 401

    everything = (await app_client.get("/api/v1/webhook-events", headers=supervisor_headers)).json()
    assert everything["total"] == 4
    assert everything["items"][0]["outcome"] == "rejected"
    assert everything["items"][0]["raw_body"] == "not json"

    rejected = (await app_client.get("/api/v1/webhook-events?outcome=rejected", headers=supervisor_headers)).json()
    assert [item["raw_body"] for item in rejected["items"]] == ["not json"]
    created = (await app_client.get("/api/v1/webhook-events?event_type=order_created", headers=supervisor_headers)).json()
    assert created["total"] == 2
    by_number = (await app_client.get("/api/v1/webhook-events?order_number=SO-1001", headers=supervisor_headers)).json()
    assert sorted(item["event_type"] for item in by_number["items"]) == ["order_changed", "order_created"]
    page = (await app_client.get("/api/v1/webhook-events?limit=1&offset=1", headers=supervisor_headers)).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 1, 1, 1)
    assert page["items"][0]["id"] == everything["items"][1]["id"]


async def test_event_log_bad_filter_400(db, seed, app_client, supervisor_headers) -> None:
    response = await app_client.get("/api/v1/webhook-events?outcome=exploded", headers=supervisor_headers)
    assert response.status_code == 400
    assert "exploded" in response.json()["message"]
    assert response.json()["detail"]["field"] == "outcome"
    response = await app_client.get("/api/v1/webhook-events?kind=fax", headers=supervisor_headers)
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "kind"
