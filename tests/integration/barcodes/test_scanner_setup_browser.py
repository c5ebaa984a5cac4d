"""The scanner set-up page in headless Chromium: keys typed like a scanner, settings suggested."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.browser]


async def test_setup_suggests_settings(live_server: Any, page: Any) -> None:
    await page.goto(live_server.url + "/scanner-setup")
    await page.fill("#expected", "(01)05400000002649(10)L1(21)S1")
    await page.click("#capture")
    scan = "*]C1010540000000264910L1|21S1#"
    await page.keyboard.type(scan)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#scanner-setup[data-state=scanned]")
    assert await page.text_content("#suggest-prefix") == "*"
    assert await page.text_content("#suggest-suffix") == "#"
    assert await page.text_content("#suggest-separator") == "|"
    assert await page.text_content("#suggest-symbology") == "]C1"
    assert await page.locator("#keys tr").count() == len(scan) + 1
    assert "<CR>" in await page.text_content("#summary")
    reading = await page.text_content("#reading")
    assert '"kind": "gs1"' in reading
    assert '"serial": "S1"' in reading


async def test_setup_detects_dropped_fnc1(live_server: Any, page: Any) -> None:
    await page.goto(live_server.url + "/scanner-setup")
    result = await page.evaluate(
        """async () => {
          const setup = await import("/static/scanner-setup.js");
          const expected = setup.expectedMachineForm("(01)05400000002649(10)L1(21)S1");
          return {
            expected,
            dropped: setup.suggestSettings("010540000000264910L121S1\\r", expected),
            gs: setup.suggestSettings("]C1010540000000264910L1\\x1d21S1\\r\\n", expected),
            layout: setup.suggestSettings("à&é", expected),
          };
        }"""
    )
    assert result["expected"] == "010540000000264910L1\x1d21S1"
    assert result["dropped"]["separator"] == ""
    assert any("drops FNC1" in note for note in result["dropped"]["notes"])
    assert result["gs"]["separator"] == ""
    assert result["gs"]["symbology"] == "]C1"
    assert result["gs"]["terminator"] == "\r\n"
    assert any("arrives as <GS>" in note for note in result["gs"]["notes"])
    assert result["layout"]["found"] is False
    assert any("keyboard layout" in note for note in result["layout"]["notes"])
