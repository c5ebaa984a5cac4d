"""Picking and packing on the handheld against a served WMS and the fake Starshipit: a pick job
from release to label, and an order cancelled in Starshipit while it is being picked."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from tests.browser.conftest import new_handheld
from tests.factories import Seed, add_stock
from tests.integration.outbound.conftest import OutboundEnv, outbound_env  # noqa: F401 (fixture)
from tests.integration.outbound.kit import load_order, set_mode
from tests.integration.outbound.test_outbound_flow import post_order_event

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

GTIN_A = "05400000002649"
GTIN_B = "00060383042400"


async def released_order(env: OutboundEnv, seed: Seed, number: int, items: list[dict]) -> tuple[dict, str, str]:
    """Create an order through the webhook, release it, and return (order, order id, pick job id)."""
    order = {"order_id": 990000 + number, "order_number": number, "destination": {"name": "Ada", "city": "Wellington"}, "items": items}
    env.fake.add_order("test-api-key", order)
    created = await post_order_event(env, seed, "order_created", order)
    supervisor = await env.login({"username": "super", "password": seed.password})
    released = await env.client.post(f"/api/v1/outbound/orders/{created['order_id']}/release", headers=supervisor)
    assert released.status_code == 200, released.text
    return order, created["order_id"], released.json()["job_id"]


async def open_job(device, job_id: str) -> None:
    await device.page.wait_for_selector(f"[data-job='{job_id}']")
    await device.screenshot("home-jobs")
    await device.page.click(f"[data-job='{job_id}']")
    await device.page.wait_for_function("document.body.dataset.screen === 'pick'")
    await device.page.wait_for_selector(".pick-card")


async def test_pick_pack_label(outbound_env: OutboundEnv, browser, db, seed: Seed) -> None:
    env = outbound_env
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await add_stock(db, seed, "SKU-B", "B-01-01", 4)
    _order, order_id, job_id = await released_order(env, seed, 7301, [{"item_id": "a", "sku": "SKU-A", "quantity": 2}, {"item_id": "b", "sku": "SKU-B", "quantity": 1}])
    device = await new_handheld(browser, SimpleNamespace(url=env.wms_url), "pick-pack")
    try:
        await device.sign_in()
        await open_job(device, job_id)
        assert await device.page.text_content(".pick-location") == "A-01-01"
        await device.scan("A-01-01")
        # Each scan of the item counts one unit, up to what the line needs.
        await device.scan(GTIN_A)
        await device.scan(GTIN_A)
        await device.scan("TOTE-01")
        assert await device.page.input_value("#quantity") == "2"
        await device.screenshot("pick-line")
        await device.page.click("#confirm")
        await device.page.wait_for_function("document.querySelector('.pick-location') && document.querySelector('.pick-location').textContent === 'B-01-01'")
        # The single-order job keeps its tote: location and item are enough for the next line.
        await device.scan("B-01-01")
        await device.scan(GTIN_B)
        await device.page.click("#confirm")
        await device.page.wait_for_selector("#done")
        await device.wait_sent(2)
        await device.screenshot("pick-done")

        await device.goto("pack")
        await device.scan("7301")
        await device.page.wait_for_function("document.getElementById('prompt').textContent.includes('7301')")
        await device.scan(GTIN_A)
        await device.scan(GTIN_A)
        await device.scan(GTIN_B)
        await device.page.wait_for_function("window.wms.feedback.some(f => f.message.startsWith('All units packed'))")
        await device.page.fill("#weight", "1.2")
        await device.page.dispatch_event("#weight", "change")
        async with device.context.expect_page() as popup:
            await device.page.click("#ship")
        label_page = await popup.value
        assert label_page.url.startswith("blob:")
        await device.page.wait_for_selector("#label-link")
        assert "FAKE" in await device.page.text_content("#label-link")
        await device.screenshot("pack-label")
        await env.fake.wait_deliveries(1)
        stored, _lines = await load_order(db, uuid.UUID(order_id))
        assert stored.status == "SHIPPED"
    finally:
        await device.context.close()


async def test_cancel_mid_pick_alert(outbound_env: OutboundEnv, browser, db, seed: Seed) -> None:
    env = outbound_env
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-01", 2)
    order, _order_id, job_id = await released_order(env, seed, 7302, [{"item_id": "a", "sku": "SKU-A", "quantity": 2}, {"item_id": "b", "sku": "SKU-B", "quantity": 1}])
    device = await new_handheld(browser, SimpleNamespace(url=env.wms_url), "cancel-mid-pick")
    try:
        await device.sign_in()
        await open_job(device, job_id)
        await device.page.wait_for_function("document.getElementById('conn').textContent === 'Online · live'")
        await device.scan("A-01-01")
        await device.scan(GTIN_A)
        await device.scan(GTIN_A)
        await device.scan("TOTE-01")
        await device.page.click("#confirm")
        await device.wait_sent(1)
        await post_order_event(env, seed, "order_deleted", order)
        await device.page.wait_for_selector("#alert:not([hidden])")
        title = await device.page.text_content("#alert .alert-title")
        assert title == "Order 7302 cancelled"
        assert "TOTE-01" in await device.page.text_content("#alert .alert-detail")
        await device.screenshot("alert-cancelled")
        # Scans are refused until the picker acknowledges the alert.
        before = await device.page.evaluate("window.wms.feedback.length")
        await device.wait_trigger_gap()
        await device.page.keyboard.type("B-01-01\n")
        await device.page.wait_for_function("n => window.wms.feedback.length > n", arg=before)
        assert (await device.last_feedback())["message"].startswith("scan ignored")
        await device.page.click("#alert-button")
        await device.page.wait_for_selector("#alert", state="hidden")
    finally:
        await device.context.close()
