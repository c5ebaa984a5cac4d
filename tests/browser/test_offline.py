"""The outbox in the browser: offline scans survive a reload and are applied exactly once (S1-S3),
lost responses and server errors are retried, rejections reach "needs attention", an expired token
pauses the outbox, and a full disk is an error before the scan counts as saved."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.browser.helpers import movement_count, run_verify
from tests.conftest import SECRET_KEY
from tests.factories import add_stock, on_hand

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

GTIN_A = "05400000002649"
GTIN_B = "00060383042400"


async def move_units(device, count: int, to: str = "A-01-02") -> None:
    """On the move screen (FROM already scanned), move one unit of SKU-A ``count`` times."""
    for _ in range(count):
        await device.scan(GTIN_A)
        await device.scan(to)


async def history_statuses(device) -> list[str]:
    await device.goto("history")
    await device.page.wait_for_selector("#history-list")
    return await device.page.eval_on_selector_all("#history-list li", "items => items.map(i => i.dataset.status)")


async def test_twenty_offline_scans(handheld, db, seed, database_url) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 20)
    await handheld.page.wait_for_function("navigator.serviceWorker.controller !== null")
    await handheld.goto("move")
    await handheld.context.set_offline(True)
    await handheld.page.wait_for_function("document.getElementById('conn').textContent === 'Offline'")
    await handheld.scan("A-01-01")
    await move_units(handheld, 20)
    await handheld.wait_pending(20)
    await handheld.screenshot("move-offline-20")
    # A reload with no network: the shell comes from the service worker, the queue from IndexedDB.
    await handheld.page.reload()
    await handheld.wait_ready()
    await handheld.wait_pending(20)
    assert await handheld.page.text_content("#pending-count") == "20"
    assert await history_statuses(handheld) == ["queued"] * 20
    await handheld.screenshot("history-queued")
    assert await movement_count(db, "move") == 0
    await handheld.context.set_offline(False)
    await handheld.wait_pending(0)
    await handheld.page.wait_for_function("[...document.querySelectorAll('#history-list li')].every(li => li.dataset.status === 'applied')")
    await handheld.screenshot("history-applied")
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 0
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 20
    assert await movement_count(db, "move") == 20
    verify = run_verify(database_url, SECRET_KEY)
    assert verify.returncode == 0, verify.stdout + verify.stderr


async def test_s1_concurrent_flushes(handheld, db, seed, database_url) -> None:
    await handheld.goto("receive")
    await handheld.context.set_offline(True)
    await handheld.scan("REC-01")
    await handheld.scan(GTIN_A)
    await handheld.page.fill("#quantity", "5")
    await handheld.page.press("#quantity", "Enter")
    await handheld.wait_pending(1)
    await handheld.screenshot("receive")
    await handheld.goto("putaway")
    await handheld.scan("REC-01")
    await handheld.scan(GTIN_A)
    await handheld.set_quantity(5)
    await handheld.scan("A-01-01")
    await handheld.wait_pending(2)
    await handheld.screenshot("putaway")
    # The first response is lost after the server committed it (S2a), so the resend must change nothing.
    lost = {"count": 0}

    async def lose_first_answer(route) -> None:
        response = await route.fetch()
        if lost["count"] == 0:
            lost["count"] += 1
            await route.abort("connectionreset")
            return
        await route.fulfill(response=response)

    await handheld.page.route("**/api/v1/sync", lose_first_answer)
    await handheld.goto("adjust")
    await handheld.context.set_offline(False)
    # Two flushes at once, and a third scan added while they run.
    await handheld.page.evaluate("Promise.all([window.wms.flush(), window.wms.flush()])")
    await handheld.scan("B-01-01")
    await handheld.scan(GTIN_B)
    await handheld.page.select_option("#reason", "found")
    await handheld.page.click("#confirm")
    await handheld.wait_sent(3)
    await handheld.wait_pending(0)
    statuses = await history_statuses(handheld)
    # Newest first: the adjustment made during the flush, then the putaway and the receipt. The
    # lost response made the server return "duplicate" (already applied) for the resent commands.
    assert len(statuses) == 3, statuses
    assert set(statuses) <= {"applied", "duplicate"}, statuses
    assert "duplicate" in statuses, statuses
    assert await on_hand(db, seed, "SKU-A", "REC-01") == 0
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 5
    assert await on_hand(db, seed, "SKU-B", "B-01-01") == 1
    assert await movement_count(db, "receipt") == 1
    assert await movement_count(db, "putaway") == 1
    verify = run_verify(database_url, SECRET_KEY)
    assert verify.returncode == 0, verify.stdout + verify.stderr


async def test_s2_server_error_retried(handheld, db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    failures = {"count": 0}
    answered = asyncio.Event()

    async def fail_twice(route) -> None:
        if failures["count"] < 2:
            failures["count"] += 1
            await route.fulfill(status=500, json={"code": "internal", "message": "boom"})
            if failures["count"] == 2:
                answered.set()
            return
        await route.continue_()

    await handheld.page.route("**/api/v1/sync", fail_twice)
    await handheld.goto("move")
    await handheld.scan("A-01-01")
    await move_units(handheld, 1)
    await answered.wait()
    # Still queued after two 500s, with a backoff before the next try.
    assert await handheld.pending() == 1
    status = await handheld.page.evaluate("window.wms.flushStatus()")
    assert status["failures"] >= 1
    assert status["lastError"].startswith("server error")
    await handheld.wait_pending(0)
    assert failures["count"] == 2
    assert await movement_count(db, "move") == 1


async def test_s3_flush_without_scan(handheld, db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 3)
    await handheld.goto("move")
    await handheld.context.set_offline(True)
    await handheld.scan("A-01-01")
    await move_units(handheld, 3)
    await handheld.wait_pending(3)
    assert await handheld.page.evaluate("'SyncManager' in window") in (True, False)
    await handheld.context.set_offline(False)
    # Nothing else is touched: the online event (or the timer) sends the queue.
    await handheld.page.wait_for_function("document.body.dataset.pending === '0'", timeout=10_000)
    assert await movement_count(db, "move") == 3


async def test_rejection_needs_attention(handheld, db, seed, live_server) -> None:
    await handheld.goto("adjust")
    await handheld.scan("B-01-01")
    await handheld.scan(GTIN_B)
    await handheld.set_quantity(60)
    await handheld.page.select_option("#reason", "found")
    await handheld.page.click("#confirm")
    # Over the operator's adjustment limit: the server rejects it; it leaves the retry loop.
    await handheld.page.wait_for_function("document.body.dataset.attention === '1'")
    assert await handheld.pending() == 0
    await handheld.goto("attention")
    await handheld.page.wait_for_selector("#attention-list li .attention-reason")
    reason = await handheld.page.text_content("#attention-list li .attention-reason")
    assert "limit" in reason
    await handheld.screenshot("attention")
    # A supervisor corrects it on the device: +40 instead of +60.
    await handheld.page.click("[data-action=fix]")
    await handheld.page.fill("#resubmit-form [data-field=quantity_change]", "40")
    await handheld.page.click("#resubmit-send")
    await handheld.page.fill("#dialog-input", "super")
    await handheld.page.click("#dialog-ok")
    await handheld.page.fill("#dialog-password", "correct-horse-1")
    await handheld.page.click("#dialog-ok")
    await handheld.page.wait_for_function("document.body.dataset.attention === '0'")
    assert await on_hand(db, seed, "SKU-B", "B-01-01") == 40


async def test_expired_token_pauses(handheld, db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 3)
    await handheld.goto("move")
    await handheld.context.set_offline(True)
    await handheld.scan("A-01-01")
    await move_units(handheld, 3)
    await handheld.wait_pending(3)
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode(
        {"sub": str(seed.operator_id), "iat": int((past - timedelta(hours=12)).timestamp()), "exp": int(past.timestamp()), "extras": {"username": "op1", "role": "operator"}},
        SECRET_KEY,
        algorithm="HS256",
    )
    # The stored token has expired while the device was offline (it still thinks it is valid).
    await handheld.page.evaluate(
        """token => new Promise((resolve, reject) => {
            const open = indexedDB.open('wms-handheld');
            open.onsuccess = () => {
                const tx = open.result.transaction('kv', 'readwrite');
                const store = tx.objectStore('kv');
                const get = store.get('session');
                get.onsuccess = () => store.put({ ...get.result, token }, 'session');
                tx.oncomplete = () => { open.result.close(); resolve(); };
                tx.onerror = () => reject(tx.error);
            };
        })""",
        expired,
    )
    await handheld.page.reload()
    await handheld.wait_ready()
    await handheld.context.set_offline(False)
    await handheld.page.wait_for_selector("#signin:not([hidden])")
    message = await handheld.page.text_content("#signin-message")
    assert "3 saved scans" in message
    await handheld.screenshot("signin-expired")
    assert await handheld.pending() == 3
    assert await movement_count(db, "move") == 0
    await handheld.sign_in()
    await handheld.wait_pending(0)
    assert await movement_count(db, "move") == 3


async def test_full_disk_not_saved(handheld, db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    await handheld.goto("move")
    await handheld.scan("A-01-01")
    await handheld.page.evaluate(
        """() => {
            window.__put = IDBObjectStore.prototype.put;
            IDBObjectStore.prototype.put = function (...args) {
                if (this.name === 'outbox') throw new DOMException('The disk is full', 'QuotaExceededError');
                return window.__put.apply(this, args);
            };
        }"""
    )
    await handheld.scan(GTIN_A)
    await handheld.scan("A-01-02")
    await handheld.page.wait_for_selector("#lock:not([hidden])")
    assert "NOT saved" in await handheld.page.text_content("#lock .lock-message")
    kinds = await handheld.feedback_kinds()
    assert kinds[-1] == "error"
    await handheld.screenshot("storage-full")
    assert await handheld.pending() == 0
    assert await handheld.page.evaluate("window.wms.pending()") == 0
    await handheld.page.evaluate("() => { IDBObjectStore.prototype.put = window.__put; }")
    await handheld.unlock()
    # The task is still in hand: Save stores it now that there is room.
    await handheld.page.click("#confirm")
    await handheld.wait_sent(1)
    assert await movement_count(db, "move") == 1
