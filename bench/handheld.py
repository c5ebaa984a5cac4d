"""Handheld app speed in headless Chromium: scan-to-screen latency, shell size and start-up time.

What it measures, against a real ``wms serve`` on a fresh SQLite database:

- latency: from the scan's last keystroke (the Enter a wedge scanner sends) to the next painted
  frame after the on-screen result changed. It covers ``--scans`` scans on the Move screen, first
  online and then offline, and reports p50 and p99 of each. Item scans are looked up in IndexedDB,
  and location scans complete a move that is written to the outbox.
- ceiling: the same keystroke-to-paint round trip on a blank page with one keydown listener, in
  the same browser and run. It is the floor no app can beat on this machine; the report gives the
  app's latency as a ratio to it.
- the app shell's size in bytes (every precached file), and start-up time from the service
  worker's cache with the network off: navigation start to the app being ready, median of
  ``--starts`` reloads, with the online start-up for comparison.

Usage: python bench/handheld.py [--scans 500] [--starts 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import Database  # noqa: E402
from app.db.migrate import upgrade_database  # noqa: E402
from tests.conftest import LiveServer, make_settings  # noqa: E402
from tests.factories import add_stock, seed_basic  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GTIN_A = "05400000002649"

# Records, for every change of the result line, the last scanner keystroke and the next frame.
OBSERVE = """() => {
  window.__lat = [];
  new MutationObserver(() => {
    const key = window.wms.scanner.lastKeyAt;
    requestAnimationFrame(() => window.__lat.push(performance.now() - key));
  }).observe(document.getElementById('result'), { childList: true, characterData: true, subtree: true, attributes: true });
}"""

BLANK = """<!doctype html><body><div id="out"></div><script>
window.__lat = []; let last = 0; let buf = '';
document.addEventListener('keydown', (e) => {
  last = performance.now();
  if (e.key !== 'Enter') { buf += e.key; return; }
  document.getElementById('out').textContent = buf; buf = '';
  requestAnimationFrame(() => window.__lat.push(performance.now() - last));
});
</script></body>"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def scan(page, code: str) -> None:
    # Trigger pulls are never closer than a burst's key gap (see tests/browser/conftest.py).
    await page.wait_for_function(
        """code => { const now = performance.now(); const s = window.wms.scanner.scans; const last = s[s.length - 1];
          return (!last || last.code !== code || now - last.at > window.wms.dedupeMs()) && now - window.wms.scanner.lastKeyAt > 2 * window.wms.maxGapMs(); }""",
        arg=code,
    )
    before = await page.evaluate("window.wms.scans")
    await page.keyboard.type(code + "\n")
    await page.wait_for_function("n => window.wms.scans > n", arg=before)
    await page.evaluate("window.wms.idle()")


async def measure_scans(page, count: int) -> list[float]:
    # Let the previous scan's frame land before starting the count.
    await page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    await page.evaluate("window.__lat = []")
    for i in range(count):
        await scan(page, GTIN_A if i % 2 == 0 else "A-01-02")
        await page.wait_for_function("n => window.__lat.length >= n", arg=i + 1)
    return await page.evaluate("window.__lat.slice()")


async def measure_blank(browser, count: int) -> list[float]:
    page = await browser.new_page()
    await page.set_content(BLANK)
    for i in range(count):
        await page.keyboard.type("A-01-02\n")
        await page.wait_for_function("n => window.__lat.length >= n", arg=i + 1)
    values = await page.evaluate("window.__lat.slice()")
    await page.close()
    return values


async def start_ups(page, count: int) -> list[float]:
    times = []
    for _ in range(count):
        await page.reload()
        await page.wait_for_function("document.body.dataset.ready === '1'")
        times.append(await page.evaluate("window.wms.readyAt"))
    return times


async def run(scans: int, starts: int) -> None:
    from playwright.async_api import async_playwright

    workdir = Path(tempfile.mkdtemp(prefix="wms-bench-handheld-"))
    url = f"sqlite+aiosqlite:///{workdir / 'wms.db'}"
    settings = make_settings(url)
    upgrade_database(settings)
    db = Database(settings)
    seed = await seed_basic(db, settings)
    await add_stock(db, seed, "SKU-A", "A-01-01", scans * 2)
    await db.dispose()
    server = LiveServer(url)
    server.start()
    # Drain the server's output: LiveServer reads it only during start-up, and a full pipe would
    # block the server's access log (and so every request) after a few thousand requests.
    threading.Thread(target=lambda: server.log.extend(server.process.stdout), daemon=True).start()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            context = await browser.new_context(viewport={"width": 480, "height": 800}, service_workers="allow")
            context.set_default_timeout(30000)
            page = await context.new_page()
            await page.goto(server.url + "/app")
            await page.wait_for_selector("#signin:not([hidden])")
            for key in "1234":
                await page.click(f".pin-key[data-key='{key}']")
            await page.click(".pin-key[data-key='ok']")
            await page.wait_for_selector("#tile-move")
            await page.wait_for_function("navigator.serviceWorker.controller !== null")
            version = await (await context.request.get(server.url + "/app/version")).json()

            await page.evaluate("location.hash = '#/move'")
            await page.wait_for_selector("#scan-input")
            await page.evaluate(OBSERVE)
            await scan(page, "A-01-01")
            online = await measure_scans(page, scans)
            await context.set_offline(True)
            offline = await measure_scans(page, scans)
            queued = await page.evaluate("window.wms.pending()")
            offline_starts = await start_ups(page, starts)
            await context.set_offline(False)
            try:
                await page.wait_for_function("document.body.dataset.pending === '0'", timeout=300000)
            except Exception:
                print("outbox did not empty:", await page.evaluate("window.wms.flushStatus()"), await page.evaluate("window.wms.pending()"))
                raise
            online_starts = await start_ups(page, starts)
            ceiling = await measure_blank(browser, min(scans, 200))
            chromium = browser.version
            await browser.close()
    finally:
        server.stop()

    base = statistics.median(ceiling)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, Chromium {chromium} headless")
    print(f"app shell: {version['size_bytes']} bytes in {version['files']} precached files (version {version['version']})")
    print(f"ceiling (blank page keystroke to paint): p50 {base:.1f} ms, p99 {pct(ceiling, 0.99):.1f} ms over {len(ceiling)} keys")
    for label, values in (("online", online), ("offline", offline)):
        p50, p99 = statistics.median(values), pct(values, 0.99)
        print(f"scan to screen {label}: p50 {p50:.1f} ms ({p50 / base:.1f}x ceiling), p99 {p99:.1f} ms ({p99 / base:.1f}x ceiling) over {len(values)} scans")
    print(f"queued offline: {queued} moves, all sent after reconnecting")
    print(f"start-up from the service worker cache, offline: median {statistics.median(offline_starts):.0f} ms, max {max(offline_starts):.0f} ms over {len(offline_starts)} reloads")
    print(f"start-up online: median {statistics.median(online_starts):.0f} ms over {len(online_starts)} reloads")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=500, help="scans per phase (online, offline)")
    parser.add_argument("--starts", type=int, default=10, help="reloads per start-up measurement")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium package")
    asyncio.run(run(args.scans, args.starts))


if __name__ == "__main__":
    main()
