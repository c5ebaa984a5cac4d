"""``wms serve --self-signed NAME`` serves the handheld app over HTTPS with a certificate for NAME."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SECRET_KEY, free_port

pytestmark = pytest.mark.anyio


async def test_serve_self_signed(database_url: str, seed, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "WMS_DATABASE_URL": database_url, "WMS_SECRET_KEY": SECRET_KEY, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--self-signed", "localhost"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Uvicorn running on" in line or "Application startup complete" in line:
                break
        output = "".join(lines)
        assert "created certs/localhost.crt" in output, output
        context = ssl.create_default_context(cafile=str(tmp_path / "certs" / "localhost.crt"))
        async with httpx.AsyncClient(verify=context) as client:
            manifest = await client.get(f"https://localhost:{port}/manifest.webmanifest")
            worker = await client.get(f"https://localhost:{port}/sw.js")
        assert manifest.status_code == 200
        assert manifest.json()["start_url"] == "/app"
        assert worker.headers["service-worker-allowed"] == "/"
    finally:
        process.terminate()
        process.communicate(timeout=15)
