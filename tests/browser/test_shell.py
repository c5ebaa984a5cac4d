"""The app shell: manifest, service worker, icons, and opening with no network."""

from __future__ import annotations

import struct

import httpx
import pytest

from tests.browser.conftest import new_handheld

pytestmark = [pytest.mark.anyio, pytest.mark.browser]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_manifest_installable(live_server) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        response = await client.get("/manifest.webmanifest")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/manifest+json")
        manifest = response.json()
        assert manifest["start_url"] == "/app"
        assert manifest["scope"] == "/app"
        assert manifest["display"] == "standalone"
        sizes = {}
        for icon in manifest["icons"]:
            data = (await client.get(icon["src"])).content
            sizes[(icon["sizes"], icon["purpose"])] = png_size(data)
        assert sizes == {("192x192", "any"): (192, 192), ("512x512", "any"): (512, 512), ("512x512", "maskable"): (512, 512)}
        worker = await client.get("/sw.js")
        assert worker.headers["service-worker-allowed"] == "/"
        assert worker.headers["cache-control"] == "no-cache"
        assert worker.headers["content-type"].startswith("text/javascript")
        version = (await client.get("/app/version")).json()["version"]
        assert worker.text.startswith(f'const SHELL_VERSION = "{version}";')
        shell = await client.get("/app")
        assert shell.status_code == 200
        assert 'rel="manifest"' in shell.text


async def test_shell_opens_offline(browser, live_server) -> None:
    device = await new_handheld(browser, live_server, "shell-offline")
    await device.sign_in()
    await device.page.wait_for_function("navigator.serviceWorker.controller !== null")
    await device.screenshot("home")
    await device.context.set_offline(True)
    await device.page.reload()
    await device.wait_ready()
    # Still signed in, on the home screen, from the service worker's cache.
    await device.page.wait_for_selector("#tile-move")
    assert await device.page.text_content("#conn") == "Offline"
    await device.screenshot("home-offline")
    await device.context.close()
