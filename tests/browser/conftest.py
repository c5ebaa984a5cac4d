"""Fixtures for the handheld app in real headless Chromium (Debian's /usr/bin/chromium) via Playwright.

Each test gets a live ``wms serve`` process on its own migrated, seeded database (the shared
``live_server`` fixture) and a fresh browser context, which is a fresh device: empty IndexedDB, no
service worker. Screenshots go to ``test-output/handheld/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "handheld"
PIN = "1234"


def require_chromium() -> None:
    """Skip (or fail under CI) when Debian's chromium is not installed."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the handheld browser tests"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI requires it)")
    pytest.skip(reason)


class Handheld:
    """One handheld: a Playwright page on the app, with helpers that act like a scanner."""

    def __init__(self, page, context, base_url: str, name: str) -> None:
        self.page = page
        self.context = context
        self.base_url = base_url
        self.name = name
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    async def open(self) -> None:
        """Load the app and wait until it has started."""
        await self.page.goto(self.base_url + "/app")
        await self.wait_ready()

    async def wait_ready(self) -> None:
        await self.page.wait_for_function("document.body.dataset.ready === '1' || document.body.dataset.ready === 'failed'")
        assert await self.page.evaluate("document.body.dataset.ready") == "1", "\n".join(self.console)

    async def sign_in(self, pin: str = PIN) -> None:
        """Sign in with the PIN pad, then wait for reference data (the home screen lists locations)."""
        await self.page.wait_for_selector("#signin:not([hidden])")
        for digit in pin:
            await self.page.click(f".pin-key[data-key='{digit}']")
        await self.page.click(".pin-key[data-key='ok']")
        await self.page.wait_for_selector("#signin", state="hidden")
        await self.page.wait_for_function("document.body.dataset.screen !== undefined")

    async def scan(self, code: str) -> None:
        """Send ``code`` the way a keyboard-wedge scanner does: a fast burst of keys ending in Enter.

        Characters that are not on a keyboard (the GS1 group separator) arrive as inserted text,
        as they do from a wedge that emits them without a key code. The call returns once the app
        has handled the scan (its scan queue is idle).
        """
        before = await self.page.evaluate("window.wms.scans")
        await self.wait_trigger_gap(code)
        await self.page.keyboard.type(code + "\n")
        await self.page.wait_for_function("n => window.wms.scans > n", arg=before)
        await self.page.evaluate("window.wms.idle()")

    async def wait_trigger_gap(self, code: str = "") -> None:
        """Wait until a new trigger pull is physically possible after the last scan."""
        # Two trigger pulls are never closer than a scanner burst's key gap. A test that scans faster
        # than a hand can would look like one trigger sending two codes, which the app discards.
        await self.page.wait_for_function(
            """code => {
                const now = performance.now();
                const last = window.wms.scanner.scans[window.wms.scanner.scans.length - 1];
                const apart = !last || last.code !== code || now - last.at > window.wms.dedupeMs();
                return apart && now - window.wms.scanner.lastKeyAt > 2 * window.wms.maxGapMs();
            }""",
            arg=code,
        )

    async def set_quantity(self, quantity: int) -> None:
        """Type a quantity into the quantity field and leave it; focus returns to the scan field."""
        await self.page.fill("#quantity", str(quantity))
        await self.page.dispatch_event("#quantity", "change")
        await self.page.wait_for_function("document.activeElement && document.activeElement.dataset && 'scan' in document.activeElement.dataset")

    async def goto(self, screen: str) -> None:
        await self.page.evaluate("s => { location.hash = '#/' + s; }", screen)
        await self.page.wait_for_function("s => document.body.dataset.screen === s", arg=screen)
        await self.page.wait_for_selector("#screen > *")

    async def pending(self) -> int:
        return int(await self.page.evaluate("document.body.dataset.pending || '0'"))

    async def wait_pending(self, count: int) -> None:
        """Wait until the status bar shows ``count`` commands waiting to be sent."""
        await self.page.wait_for_function("n => document.body.dataset.pending === String(n)", arg=count)

    async def wait_sent(self, count: int) -> None:
        """Wait until the server has returned applied (or duplicate) for ``count`` commands of this page."""
        await self.page.wait_for_function("n => window.wms.flushStatus().sent >= n", arg=count)

    async def last_feedback(self) -> dict:
        return await self.page.evaluate("window.wms.feedback[window.wms.feedback.length - 1] || null")

    async def feedback_kinds(self) -> list[str]:
        return await self.page.evaluate("window.wms.feedback.map(f => f.kind)")

    async def unlock(self) -> None:
        """Tap the red error lock away."""
        await self.page.click("#lock-button")
        await self.page.wait_for_selector("#lock", state="hidden")

    async def screenshot(self, label: str) -> None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.name}-{label}")
        await self.page.screenshot(path=str(OUTPUT / f"{safe}.png"), full_page=True)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            await instance.close()


async def new_handheld(browser, live_server, name: str, **context_options) -> Handheld:
    """Open a new device (browser context) on the app, 480x800 portrait unless ``context_options`` set a viewport."""
    options = {"viewport": {"width": 480, "height": 800}, "service_workers": "allow", **context_options}
    context = await browser.new_context(**options)
    context.set_default_timeout(15000)
    page = await context.new_page()
    device = Handheld(page, context, live_server.url, name)
    await device.open()
    return device


@pytest.fixture
async def handheld(browser, live_server, request: pytest.FixtureRequest) -> AsyncIterator[Handheld]:
    """A signed-in handheld (operator op1, PIN 1234) on the home screen."""
    device = await new_handheld(browser, live_server, request.node.name)
    await device.sign_in()
    await device.page.wait_for_selector("#tile-move")
    try:
        yield device
    finally:
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            await device.screenshot("failure")
        await device.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
