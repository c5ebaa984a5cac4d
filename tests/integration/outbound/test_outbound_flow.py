"""Full WMS outbound over real HTTP: webhook, release, pick, pack, label from the fake Starshipit, order_shipped."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db.models import Order, StockMovement
from app.domain.webhooks.signing import sign_body
from tests.factories import Seed, add_stock
from tests.integration.outbound.conftest import OutboundEnv
from tests.integration.outbound.kit import assert_ledger_ok, balance, load_order, pick_job_of, set_mode

pytestmark = pytest.mark.anyio


async def post_order_event(env: OutboundEnv, seed: Seed, event: str, order: dict[str, Any], account: str = "acme") -> dict:
    """Deliver one signed order event to the WMS webhook over HTTP."""
    body = json.dumps(
        {"event": event, "event_id": str(uuid.uuid4()), "occurred_at": datetime.now(UTC).isoformat(), "order": order}
    ).encode()
    response = await env.client.post(
        f"/webhooks/starshipit/{account}/orders",
        content=body,
        headers={"X-Starshipit-Signature": sign_body(seed.webhook_secret, body), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def scan(env: OutboundEnv, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One scan command of device HH-9."""
    env.device_seq += 1
    return {
        "command_id": str(uuid.uuid4()),
        "device_id": "HH-9",
        "operator": "op1",
        "device_seq": env.device_seq,
        "device_time": datetime.now(UTC).isoformat(),
        "type": kind,
        "payload": payload,
    }


async def sync(env: OutboundEnv, headers: dict[str, str], *commands: dict[str, Any]) -> list[dict[str, Any]]:
    """Send commands through the offline sync endpoint and return their results."""
    response = await env.client.post("/api/v1/sync", json={"device_id": "HH-9", "commands": list(commands)}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def shipments_moved(db, order_id) -> int:
    async with db.read() as session:
        return int(
            await session.scalar(
                select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
                    StockMovement.reason == "shipment", StockMovement.reference_id == str(order_id)
                )
            )
        )


@pytest.mark.postgres
async def test_full_outbound_flow(outbound_env: OutboundEnv, db, seed: Seed, db_backend: str) -> None:
    env = outbound_env
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "B-01-01", 4)
    order = {
        "order_id": 770001,
        "order_number": 7001,
        "destination": {"name": "Ada", "city": "Wellington"},
        "items": [{"item_id": "a", "sku": "SKU-A", "quantity": 3}, {"item_id": "b", "sku": "SKU-B", "quantity": 1}],
    }
    env.fake.add_order("test-api-key", order)
    created = await post_order_event(env, seed, "order_created", order)
    order_id = created["order_id"]

    supervisor = await env.login({"username": "super", "password": seed.password})
    operator = await env.login({"pin": seed.operator_pin, "device_id": "HH-9"})
    routing = await env.client.get(f"/api/v1/outbound/orders/{order_id}/routing", headers=supervisor)
    assert routing.json()["flow"] == "wms"
    released = await env.client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=supervisor)
    assert released.status_code == 200, released.text
    job_id = released.json()["job_id"]

    picks = await sync(
        env,
        operator,
        scan(env, "pick", {"job_id": job_id, "location": "A-01-01", "item": "05400000002649", "quantity": 3, "tote": "TOTE-01"}),
        scan(env, "pick", {"job_id": job_id, "location": "B-01-01", "item": "SKU-B", "quantity": 1}),
    )
    assert [result["status"] for result in picks] == ["applied", "applied"], picks
    assert picks[1]["result"]["order_picked"] is True

    packs = await sync(
        env,
        operator,
        scan(env, "pack", {"order": "TOTE-01", "item": "SKU-A", "quantity": 2}),
        scan(env, "pack", {"order": "TOTE-01", "item": "SKU-C", "quantity": 1}),
        scan(env, "pack", {"order": "7001", "item": "SKU-A", "quantity": 1}),
        scan(env, "pack", {"order": "7001", "item": "SKU-B", "quantity": 1}),
    )
    assert [result["status"] for result in packs] == ["applied", "rejected", "applied", "applied"], packs
    assert packs[1]["code"] == "wrong_item"
    session_id = packs[3]["result"]["session_id"]
    assert packs[3]["result"]["complete"] is True

    shipped = await env.client.post(
        f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Satchel M", "weight_kg": 1.2, "dimensions_m": [0.3, 0.2, 0.1]}, headers=operator
    )
    assert shipped.status_code == 200, shipped.text
    label = base64.b64decode(shipped.json()["label_pdf_base64"])
    assert label.startswith(b"%PDF-1.4")
    assert label.rstrip().endswith(b"%%EOF")
    assert shipped.json()["tracking_numbers"] == ["FAKE00000001"]
    printed = await env.client.get(f"/api/v1/pack/sessions/{session_id}/label.pdf", headers=operator)
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.content == label

    deliveries = await env.fake.wait_deliveries(1)
    assert deliveries[0]["status"] == 200, deliveries[0]
    stored, lines = await load_order(db, uuid.UUID(order_id))
    assert stored.status == "SHIPPED"
    assert [line.quantity_shipped for line in lines] == [3, 1]
    assert await shipments_moved(db, order_id) == 4
    assert await balance(db, seed, "SKU-A", "A-01-01") == (7, 0)
    assert await balance(db, seed, "SKU-A", "PACK-01") == (0, 0)
    assert await balance(db, seed, "SKU-B", "PACK-01") == (0, 0)

    # The same order_shipped again (Starshipit retries) ships nothing twice.
    again = await env.client.post(
        "/webhooks/starshipit/acme/orders",
        content=deliveries[0]["body"],
        headers={"X-Starshipit-Signature": sign_body(seed.webhook_secret, deliveries[0]["body"]), "Content-Type": "application/json"},
    )
    assert again.status_code == 200
    assert await shipments_moved(db, order_id) == 4

    report = await env.client.get("/api/v1/reconciliation", params={"account": "acme"}, headers=supervisor)
    assert report.status_code == 200, report.text
    assert report.json()["report"]["empty"] is True, report.json()
    await assert_ledger_ok(db)


async def test_partial_pack_ships_packed(outbound_env: OutboundEnv, db, seed: Seed) -> None:
    env = outbound_env
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    order = {"order_id": 770002, "order_number": "7002", "items": [{"item_id": "a", "sku": "SKU-A", "quantity": 3}]}
    env.fake.add_order("test-api-key", order)
    created = await post_order_event(env, seed, "order_created", order)
    order_id = uuid.UUID(created["order_id"])
    supervisor = await env.login({"username": "super", "password": seed.password})
    operator = await env.login({"pin": seed.operator_pin, "device_id": "HH-9"})
    await env.client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=supervisor)
    job = await pick_job_of(db, order_id)
    await sync(env, operator, scan(env, "pick", {"job_id": str(job.id), "location": "A-01-01", "item": "SKU-A", "quantity": 3, "tote": "TOTE-01"}))
    opened = await env.client.post("/api/v1/pack/sessions", json={"scan": "TOTE-01"}, headers=operator)
    session_id = opened.json()["session_id"]
    packed = await env.client.post(f"/api/v1/pack/sessions/{session_id}/items", json={"item": "SKU-A", "quantity": 2}, headers=operator)
    assert packed.json()["to_pack"] == {"SKU-A": 1}
    shipped = await env.client.post(f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Box", "weight_kg": 0.5}, headers=operator)
    assert shipped.status_code == 200, shipped.text
    await env.fake.wait_deliveries(1)
    stored, lines = await load_order(db, order_id)
    assert stored.status == "PARTIALLY_SHIPPED"
    assert lines[0].quantity_shipped == 2
    assert await balance(db, seed, "SKU-A", "TOTE-01") == (1, 0)
    assert await balance(db, seed, "SKU-A", "PACK-01") == (0, 0)
    assert await shipments_moved(db, order_id) == 2
    await assert_ledger_ok(db)


async def test_ship_error_shown(outbound_env: OutboundEnv, db, seed: Seed) -> None:
    env = outbound_env
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    order = {"order_id": 770003, "order_number": "7003", "items": [{"item_id": "a", "sku": "SKU-A", "quantity": 1}]}
    created = await post_order_event(env, seed, "order_created", order)
    order_id = uuid.UUID(created["order_id"])
    supervisor = await env.login({"username": "super", "password": seed.password})
    operator = await env.login({"pin": seed.operator_pin, "device_id": "HH-9"})
    await env.client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=supervisor)
    job = await pick_job_of(db, order_id)
    await sync(env, operator, scan(env, "pick", {"job_id": str(job.id), "location": "A-01-01", "item": "SKU-A", "quantity": 1, "tote": "TOTE-01"}))
    results = await sync(env, operator, scan(env, "pack", {"order": "7003", "item": "SKU-A", "quantity": 1}))
    session_id = results[0]["result"]["session_id"]
    env.fake.inject_fault(status=400, path="/api/orders/shipment")
    failed = await env.client.post(f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Box", "weight_kg": 0.5}, headers=operator)
    assert failed.status_code == 422
    assert failed.json()["code"] == "starshipit_rejected"
    assert "injected HTTP 400" in failed.json()["message"]
    state = await env.client.get(f"/api/v1/pack/sessions/{session_id}", headers=operator)
    assert state.json()["status"] == "OPEN"
    assert "injected HTTP 400" in state.json()["last_error"]
    retried = await env.client.post(f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Box", "weight_kg": 0.5}, headers=operator)
    assert retried.status_code == 200, retried.text
    await env.fake.wait_deliveries(1)
    async with db.read() as session:
        assert (await session.get(Order, order_id)).status == "SHIPPED"


async def test_reopen_stuck_session(outbound_env: OutboundEnv, db, seed: Seed) -> None:
    from app.db.models import PackSession

    env = outbound_env
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    created = await post_order_event(env, seed, "order_created", {"order_id": 770004, "order_number": "7004", "items": [{"item_id": "a", "sku": "SKU-A", "quantity": 1}]})
    order_id = uuid.UUID(created["order_id"])
    supervisor = await env.login({"username": "super", "password": seed.password})
    operator = await env.login({"pin": seed.operator_pin, "device_id": "HH-9"})
    await env.client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=supervisor)
    job = await pick_job_of(db, order_id)
    await sync(env, operator, scan(env, "pick", {"job_id": str(job.id), "location": "A-01-01", "item": "SKU-A", "quantity": 1, "tote": "TOTE-01"}))
    packed = await sync(env, operator, scan(env, "pack", {"order": "7004", "item": "SKU-A", "quantity": 1}))
    session_id = uuid.UUID(packed[0]["result"]["session_id"])
    async with db.transaction() as session:
        (await session.get(PackSession, session_id)).status = "SHIPPING"
    blocked = await env.client.post(f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Box", "weight_kg": 0.4}, headers=operator)
    assert blocked.status_code == 409
    assert (await env.client.post(f"/api/v1/pack/sessions/{session_id}/reopen", headers=operator)).status_code == 403
    reopened = await env.client.post(f"/api/v1/pack/sessions/{session_id}/reopen", headers=supervisor)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "OPEN"
    shipped = await env.client.post(f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Box", "weight_kg": 0.4}, headers=operator)
    assert shipped.status_code == 200, shipped.text
