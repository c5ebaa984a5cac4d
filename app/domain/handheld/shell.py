"""The handheld app shell: which files it is made of, and the version that names one build of it.

There is no build step, so the version is a hash of the shell files' contents. Any change to a file
gives a new service worker script (its first line names the version), which the browser installs
next to the running one; the page then offers the update. IndexedDB, which holds the outbox, is
never touched by an update.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ShellBuild", "current_build", "render_service_worker"]

ROOT = Path(__file__).resolve().parents[3]
PWA_DIR = ROOT / "pwa"
ICON_DIR = ROOT / "static" / "icons"
TEMPLATE = ROOT / "templates" / "handheld.html"
SHELL_SUFFIXES = {".js", ".css", ".json"}


@dataclass(frozen=True)
class ShellBuild:
    """One version of the app shell: its hash and the URLs the service worker precaches."""

    version: str
    urls: tuple[str, ...]
    size_bytes: int


def _shell_files() -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = [("/app", TEMPLATE)]
    for path in sorted(PWA_DIR.rglob("*")):
        # sw.js is served at the root and is never cached by itself.
        if path.is_file() and path.suffix in SHELL_SUFFIXES and path.name != "sw.js":
            files.append(("/pwa/" + path.relative_to(PWA_DIR).as_posix(), path))
    for path in sorted(ICON_DIR.glob("*.png")):
        files.append(("/static/icons/" + path.name, path))
    return files


_cache: dict[tuple[tuple[str, int, int], ...], ShellBuild] = {}


def current_build() -> ShellBuild:
    """Hash the shell files (cached by path, size and modification time) into a :class:`ShellBuild`."""
    files = _shell_files()
    key = tuple((url, path.stat().st_size, path.stat().st_mtime_ns) for url, path in files)
    build = _cache.get(key)
    if build is None:
        digest = hashlib.sha256()
        size = 0
        for url, path in files:
            data = path.read_bytes()
            size += len(data)
            digest.update(url.encode() + b"\0" + data + b"\0")
        build = ShellBuild(version=digest.hexdigest()[:16], urls=tuple(url for url, _ in files) + ("/manifest.webmanifest",), size_bytes=size)
        _cache.clear()
        _cache[key] = build
    return build


def render_service_worker(build: ShellBuild) -> str:
    """Return ``pwa/sw.js`` with the build's version and precache list in its first lines."""
    import json

    source = (PWA_DIR / "sw.js").read_text(encoding="utf-8")
    header = f"const SHELL_VERSION = {json.dumps(build.version)};\nconst SHELL_URLS = {json.dumps(list(build.urls))};\n"
    return header + source
