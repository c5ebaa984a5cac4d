"""Routes of the handheld app: the shell page, the service worker and the web app manifest.

These are public (no token): they carry no data. The shell is the same page for every user; who
is signed in lives in the device's IndexedDB.
"""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.response import Template

from app.domain.handheld.shell import current_build, render_service_worker

__all__ = ["HandheldController"]

NO_CACHE = {"Cache-Control": "no-cache"}


def build_manifest() -> dict[str, object]:
    """Return the web app manifest (Chrome's installability checklist plus id, scope and a maskable icon)."""
    return {
        "id": "/app",
        "name": "WMS Handheld",
        "short_name": "WMS",
        "description": "Receive, put away, pick, pack, move and count with a scanner, online or offline.",
        "start_url": "/app",
        "scope": "/app",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#000000",
        "theme_color": "#000000",
        "prefer_related_applications": False,
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": "/static/icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }


class HandheldController(Controller):
    tags = ["handheld"]
    include_in_schema = False

    @get("/app", cache=False)
    async def shell(self) -> Template:
        """Serve the app shell page; the service worker serves its cached copy when offline."""
        build = current_build()
        return Template(template_name="handheld.html", context={"version": build.version}, headers=NO_CACHE)

    @get("/sw.js", cache=False)
    async def service_worker(self) -> Response[str]:
        """Serve the service worker from the root so that it may control the whole origin."""
        build = current_build()
        return Response(
            render_service_worker(build),
            media_type="text/javascript; charset=utf-8",
            headers={**NO_CACHE, "Service-Worker-Allowed": "/"},
        )

    @get("/manifest.webmanifest", cache=False)
    async def manifest(self) -> Response[dict[str, object]]:
        """Serve the web app manifest."""
        return Response(build_manifest(), media_type="application/manifest+json", headers=NO_CACHE)

    @get("/app/version", cache=False)
    async def version(self) -> dict[str, object]:
        """Name the current shell version and its size; the app compares it with its own."""
        build = current_build()
        return {"version": build.version, "size_bytes": build.size_bytes, "files": len(build.urls)}
