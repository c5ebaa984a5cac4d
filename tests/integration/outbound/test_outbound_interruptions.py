"""Interruptions: order_changed / order_deleted while an order is picked or packed pause the work and alert the device."""

from __future__ import annotations

import json
import uuid

import anyio
import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect

from app.db.models import Job, JobType, PackSession
from tests.factories import Seed, add_stock
from tests.integration.outbound.conftest import OutboundEnv
from tests.integration.outbound.kit import assert_ledger_ok, load_order, pick_job_of, set_mode
from tests.integration.outbound.test_outbound_flow import post_order_event, scan, sync

pytestmark = pytest.mark.anyio


async def _picked_order(env: OutboundEnv, db, seed: Seed, number: str) -> tuple[uuid.UUID, dict, dict, dict]:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-01", 2)
    order = {"order_id": 880000 + int(number), "order_number": number, "items": [{"item_id": "a", "sku": "SKU-A", "quantity": 2}, {"item_id": "b", "sku": "SKU-B", "quantity": 1}]}
    created = await post_order_event(env, seed, "order_created", order)
    order_id = uuid.UUID(created["order_id"])
    supervisor = await env.login({"username": "super", "password": seed.password})
    operator = await env.login({"pin": seed.operator_pin, "device_id": "HH-9"})
    released = await env.client.post(f"/api/v1/outbound/orders/{order_id}/release", headers=supervisor)
    assert released.status_code == 200, released.text
    job_id = released.json()["job_id"]
    results = await sync(env, operator, scan(env, "pick", {"job_id": job_id, "location": "A-01-01", "item": "SKU-A", "quantity": 2, "tote": "TOTE-01"}))
    assert results[0]["status"] == "applied", results
    return order_id, order, operator, supervisor


async def _next_alert(socket) -> dict:
    with anyio.fail_after(15):
        while True:
            message = json.loads(await socket.recv())
            if message.get("type") == "alert":
                return message


async def _socket(env: OutboundEnv, headers: dict, order_id: uuid.UUID):
    socket = await connect(env.wms_url.replace("http://", "ws://") + "/ws")
    await socket.send(json.dumps({"type": "auth", "token": headers["Authorization"].split(" ", 1)[1]}))
    assert json.loads(await socket.recv())["type"] == "ready"
    await socket.send(json.dumps({"type": "subscribe", "order_id": str(order_id)}))
    while json.loads(await socket.recv())["type"] != "subscribed":
        pass
    return socket


async def test_order_changed_pauses_pick(outbound_env: OutboundEnv, db, seed: Seed) -> None:
    env = outbound_env
    order_id, order, operator, _supervisor = await _picked_order(env, db, seed, "7101")
    socket = await _socket(env, operator, order_id)
    try:
        changed = dict(order, items=[{"item_id": "a", "sku": "SKU-A", "quantity": 1}, {"item_id": "b", "sku": "SKU-B", "quantity": 1}])
        await post_order_event(env, seed, "order_changed", changed)
        alert = await _next_alert(socket)
    finally:
        await socket.close()
    assert alert["order_number"] == "7101"
    assert alert["event"] == "order_changed"
    assert "7101" in alert["message"]
    assert alert["picked_units"] == [{"sku": "SKU-A", "location": "TOTE-01", "quantity": 2}]
    assert "2 SKU-A in TOTE-01" in alert["action"]
    job = await pick_job_of(db, order_id)
    assert job.status == "PAUSED"
    assert job.pause_reason == "order 7101 changed in Starshipit"
    results = await sync(env, operator, scan(env, "pick", {"job_id": str(job.id), "location": "B-01-01", "item": "SKU-B", "quantity": 1}))
    assert results[0]["status"] == "rejected"
    assert results[0]["code"] == "job_paused"
    await assert_ledger_ok(db)


async def test_order_deleted_alerts_packer(outbound_env: OutboundEnv, db, seed: Seed) -> None:
    env = outbound_env
    order_id, order, operator, _supervisor = await _picked_order(env, db, seed, "7102")
    job = await pick_job_of(db, order_id)
    await sync(env, operator, scan(env, "pick", {"job_id": str(job.id), "location": "B-01-01", "item": "SKU-B", "quantity": 1}))
    packed = await sync(env, operator, scan(env, "pack", {"order": "TOTE-01", "item": "SKU-A", "quantity": 1}))
    session_id = packed[0]["result"]["session_id"]
    socket = await _socket(env, operator, order_id)
    try:
        await post_order_event(env, seed, "order_deleted", order)
        alert = await _next_alert(socket)
    finally:
        await socket.close()
    assert alert["event"] == "order_deleted"
    assert alert["message"] == "Order 7102 was cancelled: stop picking and packing it."
    assert str(session_id) in alert["pack_session_ids"]
    assert sorted((unit["sku"], unit["location"], unit["quantity"]) for unit in alert["picked_units"]) == [
        ("SKU-A", "PACK-01", 1),
        ("SKU-A", "TOTE-01", 1),
        ("SKU-B", "TOTE-01", 1),
    ]
    async with db.read() as session:
        pack_session = await session.get(PackSession, uuid.UUID(session_id))
        pack_jobs = (await session.scalars(select(Job.status).where(Job.order_id == order_id, Job.type == JobType.PACK.value))).all()
    assert pack_session.status == "PAUSED"
    assert all(status in ("PAUSED", "CANCELLED") for status in pack_jobs)
    more = await sync(env, operator, scan(env, "pack", {"order": "7102", "item": "SKU-A", "quantity": 1}))
    assert more[0]["status"] == "rejected"
    stored, _lines = await load_order(db, order_id)
    assert stored.status == "CANCELLED"
    await assert_ledger_ok(db)


async def test_tote_free_after_cancel(outbound_env: OutboundEnv, db, seed: Seed) -> None:
    """Once a cancelled order's units left the tote, the tote takes the next order."""
    env = outbound_env
    order_id, order, operator, supervisor = await _picked_order(env, db, seed, "7103")
    await post_order_event(env, seed, "order_deleted", order)
    stored, _lines = await load_order(db, order_id)
    assert stored.status == "CANCELLED"
    next_order = {"order_id": 887104, "order_number": "7104", "items": [{"item_id": "a", "sku": "SKU-A", "quantity": 1}]}
    created = await post_order_event(env, seed, "order_created", next_order)
    released = await env.client.post(f"/api/v1/outbound/orders/{created['order_id']}/release", headers=supervisor)
    assert released.status_code == 200, released.text
    results = await sync(
        env, operator, scan(env, "pick", {"job_id": released.json()["job_id"], "location": "A-01-01", "item": "SKU-A", "quantity": 1, "tote": "TOTE-01"})
    )
    assert results[0]["status"] == "applied", results
    assert results[0]["result"]["tote"] == "TOTE-01"
