"""The supervisor order board in a real browser: sign-in, live updates and resume after a restart."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.db.models import Order

from app.domain.webhooks.signing import SIGNATURE_HEADER, sign_body
from tests.factories import Seed
from tests.integration.read_api.order_rows import change_status

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "board"


def _event(event: str, occurred_at: str) -> bytes:
    envelope = {
        "event": event,
        "event_id": f"board-{event}",
        "occurred_at": occurred_at,
        "account_id": 42,
        "order": {
            "order_id": 770001,
            "order_number": "B-100",
            "reference": "board test",
            "status": "Unshipped",
            "destination": {"name": "Sam Park", "city": "Auckland", "country": "NZ"},
            "items": [{"item_id": "it-1", "sku": "SKU-A", "description": "Widget A", "quantity": 3}],
        },
    }
    return json.dumps(envelope).encode()


async def _send(base_url: str, seed: Seed, body: bytes, kind: str = "orders") -> None:
    headers = {SIGNATURE_HEADER: sign_body(seed.webhook_secret, body), "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post(f"/webhooks/starshipit/{seed.account_code}/{kind}", content=body, headers=headers)
    assert response.status_code == 200, response.text


def _badge(status: str) -> str:
    return f"#orders tbody tr:has(td.order-number:text-is('B-100')) .badge[data-status='{status}']"


async def test_board_live_and_resume(chromium, live_server, db, seed: Seed) -> None:
    context = await chromium.new_context(viewport={"width": 1024, "height": 768})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    await page.goto(live_server.url + "/")
    assert page.url.endswith("/board")
    await page.fill("input[name=username]", seed.supervisor_username)
    await page.fill("input[name=password]", seed.password)
    await page.click("#sign-in-form button[type=submit]")
    await page.wait_for_function("document.body.dataset.live === 'live'")

    await _send(live_server.url, seed, _event("order_created", "2026-03-02T09:00:00Z"))
    await page.wait_for_selector(_badge("PENDING"))
    units = await page.text_content("#orders tbody tr:has(td.order-number:text-is('B-100')) td.num")

    # Restart the server; while it is down the order changes in the database. The board must
    # reconnect on its own and replay the change from the status history.
    live_server.stop()
    await page.wait_for_function("document.body.dataset.live === 'reconnecting'")
    async with db.read() as session:
        order_id = await session.scalar(select(Order.id).where(Order.order_number == "B-100"))
    await change_status(db, seed, order_id, "RELEASED")
    live_server.start()
    await page.wait_for_selector(_badge("RELEASED"))
    await page.wait_for_function("document.body.dataset.live === 'live'")

    tracking = {
        "order_number": "B-100",
        "carrier_name": "CourierPost",
        "tracking_number": "CP123456789NZ",
        "tracking_status": "InTransit",
        "last_updated_date": "2026-03-02T09:30:00Z",
    }
    await _send(live_server.url, seed, json.dumps(tracking).encode(), kind="tracking")
    await page.wait_for_selector("#orders tbody tr:has(td.order-number:text-is('B-100')) td.tracking:has-text('InTransit')")
    tracking_text = await page.text_content("#orders tbody tr:has(td.order-number:text-is('B-100')) td.tracking")

    await _send(live_server.url, seed, _event("order_deleted", "2026-03-02T10:00:00Z"))
    await page.wait_for_selector(_badge("CANCELLED"))
    rows = await page.locator("#orders tbody tr").count()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "order-board-tablet.png"), full_page=True)
    await context.close()

    assert units == "0 / 3"
    assert tracking_text == "InTransit · CP123456789NZ"
    assert rows == 1
    assert errors == []
