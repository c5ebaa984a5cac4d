"""Scanner input capture in the page: field cases B7 (prefix and typing) and B8 (one trigger, two payloads)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import new_handheld
from tests.browser.helpers import movement_count
from tests.factories import add_stock, on_hand

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

GTIN_A = "05400000002649"

# Records every value any input field holds, so a test can show a doubled code never appeared.
WATCH_FIELDS = "window.__values = []; document.addEventListener('input', e => window.__values.push(e.target.value), true);"


async def set_prefix(device, prefix: str) -> None:
    await device.goto("settings")
    await device.page.fill("#set-prefix", prefix)
    await device.page.press("#set-prefix", "Tab")
    await device.page.wait_for_function("window.wms.feedback.some(f => f.message === 'Prefix the scanner sends (stripped) saved')")


async def scanned_codes(device) -> list[str]:
    return await device.page.evaluate("window.wms.scanner.scans.map(s => s.code)")


async def test_b7_prefix_stripped(handheld) -> None:
    await set_prefix(handheld, "*")
    await handheld.goto("home")
    await handheld.scan("*000122521")
    assert (await scanned_codes(handheld))[-1] == "000122521"
    # The scan field is empty afterwards because the burst was taken back out of it.
    assert await handheld.page.input_value("#home-scan") == ""


async def test_b7_typing_keeps_prefix(browser, live_server) -> None:
    device = await new_handheld(browser, live_server, "b7-typing")
    await device.sign_in()
    await set_prefix(device, "*")
    await device.page.click("#sign-out")
    await device.page.wait_for_selector("#signin:not([hidden])")
    await device.page.click(".password-signin summary")
    await device.page.click("#signin-username")
    # A person types with 150 ms between keys: nothing is stripped, no scan is made.
    await device.page.keyboard.type("pa*ss", delay=150)
    assert await device.page.input_value("#signin-username") == "pa*ss"
    assert await scanned_codes(device) == []
    await device.screenshot("signin-typed")
    await device.context.close()


async def test_b8_intent_and_keys(handheld, db, seed) -> None:
    await add_stock(db, seed, "SKU-A", "A-01-01", 10)
    await handheld.goto("move")
    await handheld.page.evaluate(WATCH_FIELDS)
    await handheld.scan("A-01-01")
    # One trigger: the code arrives as one inserted piece (an intent) and at once as keystrokes.
    await handheld.page.focus("#scan-input")
    await handheld.wait_trigger_gap()
    await handheld.page.keyboard.insert_text(GTIN_A)
    await handheld.page.keyboard.type(GTIN_A + "\n")
    await handheld.page.evaluate("window.wms.idle()")
    assert await scanned_codes(handheld) == ["A-01-01", GTIN_A]
    assert await handheld.page.input_value("#quantity") == "1"
    await handheld.scan("A-01-02")
    await handheld.wait_sent(1)
    values = await handheld.page.evaluate("window.__values")
    assert not any(GTIN_A + GTIN_A in value for value in values)
    assert await on_hand(db, seed, "SKU-A", "A-01-01") == 9
    assert await on_hand(db, seed, "SKU-A", "A-01-02") == 1
    assert await movement_count(db, "move") == 1


async def test_b8_repeat_value(handheld) -> None:
    await handheld.page.evaluate(WATCH_FIELDS)
    await handheld.page.focus("#home-scan")
    await handheld.wait_trigger_gap()
    await handheld.page.keyboard.insert_text("4354210")
    await handheld.page.keyboard.type("4354210\n")
    await handheld.page.evaluate("window.wms.idle()")
    assert await scanned_codes(handheld) == ["4354210"]
    assert "43542104354210" not in await handheld.page.evaluate("window.__values")


async def test_b8_two_codes_one_burst(handheld) -> None:
    await handheld.goto("home")
    await handheld.page.focus("#home-scan")
    await handheld.wait_trigger_gap()
    await handheld.page.keyboard.type("ITEM-001\nLOC-A1\n")
    await handheld.page.wait_for_function("window.wms.feedback.some(f => f.kind === 'warning')")
    await handheld.page.evaluate("window.wms.idle()")
    assert await scanned_codes(handheld) == ["ITEM-001"]
    kinds = await handheld.feedback_kinds()
    # ITEM-001 is looked up (unknown here: an error), then ONE warning about the discarded code.
    assert kinds[-2:] == ["error", "warning"]
    assert kinds.count("warning") == 1
    warning = (await handheld.last_feedback())["message"]
    assert "ITEM-001" in warning
    assert "LOC-A1" in warning
    await handheld.screenshot("two-codes-warning")


async def test_gs1_separator_kept(handheld) -> None:
    code = "0110366302300017102100437\x1d1716020021925768618163"
    await handheld.goto("home")
    await handheld.scan(code)
    assert (await scanned_codes(handheld))[-1] == code
