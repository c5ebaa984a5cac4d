"""wms demo --outbound full: one simulated order released, picked, packed and labelled through the fake Starshipit.

The demo serves the fake Starshipit itself, so the only processes are the ones a person would run:
``wms demo``, ``wms simulate --no-ship`` and ``wms verify``. The order must arrive SHIPPED with its
stock booked out once, and the reconciliation report must be empty.
"""

from __future__ import annotations

import subprocess
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port
from tests.integration.cli.conftest import WmsProcess, run_wms

DEMO_ENV = {"WMS_DEMO_WEBHOOK_SECRET": "demo-webhook-secret", "WMS_DEMO_PASSWORD": "demo-password-1"}
# A product without batches, stocked on its pick face by every demo build.
SKU = "SOCK-MER-M"
DEVICE = "HH-DEMO"
# Bounds a hung demo only; no assertion depends on how long anything takes.
HANG_SECONDS = 120.0


class DemoProcess(WmsProcess):
    """``wms demo`` whose output is drained on a thread once it serves, so its pipe never fills."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        super().__init__(args, env, cwd)
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None

    def drain(self) -> None:
        """Keep reading the output on a thread from now on."""
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._condition:
                self.lines.append(line)
                self._condition.notify_all()

    def wait_for_line(self, *parts: str) -> str:
        """Block until one output line contains every one of ``parts``; return it."""

        def found() -> str | None:
            return next((line for line in self.lines if all(part in line for part in parts)), None)

        with self._condition:
            if not self._condition.wait_for(lambda: found() is not None, timeout=HANG_SECONDS):
                raise TimeoutError(f"the demo logged no line containing {parts!r}:\n" + "".join(self.lines[-40:]))
            line = found()
            assert line is not None
            return line

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._thread is not None:
            self._thread.join(timeout=15)


def _scan(seq: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "command_id": str(uuid.uuid4()),
        "device_id": DEVICE,
        "operator": "operator",
        "device_seq": seq,
        "device_time": datetime.now(UTC).isoformat(),
        "type": kind,
        "payload": payload,
    }


def _login(client: httpx.Client, body: dict[str, str]) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json()


def test_demo_full_outbound_ships_through_fake(tmp_path: Path, port: int, processes: list[WmsProcess]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    fake_port = free_port()
    env = {"WMS_DATABASE_URL": url, "WMS_SECRET_KEY": "", **DEMO_ENV}
    demo = DemoProcess(["demo", "--port", str(port), "--fake-starshipit-port", str(fake_port), "--outbound", "full"], env, tmp_path)
    processes.append(demo)
    demo.wait_for("Uvicorn running on")
    demo.drain()

    banner = "".join(demo.lines)
    base = f"http://127.0.0.1:{port}"
    assert f"fake Starshipit http://127.0.0.1:{fake_port}" in banner
    assert "outbound        full:" in banner
    assert "--no-ship" in banner
    assert f"{base}/api/v1/outbound/orders/ORDER_ID/release" in banner
    assert "wms verify" in banner
    assert f"{base}/api/v1/reconciliation?account=demo" in banner
    pin = next(line.split("PIN ")[1].strip() for line in demo.lines if "operator " in line and "PIN " in line)

    sent = run_wms(
        "simulate", "--url", base, "--account", "demo", "--secret", DEMO_ENV["WMS_DEMO_WEBHOOK_SECRET"],
        "--skus", SKU, "--orders", "1", "--rate", "0", "--no-ship", "--change", "0", "--delete", "0", "--seed", "5",
        cwd=tmp_path,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "order_shipped" not in sent.stdout

    with httpx.Client(base_url=base, timeout=30) as client:
        supervisor = _login(client, {"username": "supervisor", "password": DEMO_ENV["WMS_DEMO_PASSWORD"]})
        operator = _login(client, {"pin": pin, "device_id": DEVICE})
        operator = {**operator, "X-Device-Id": DEVICE}

        orders = _ok(client.get("/api/v1/orders", params={"account": "demo"}, headers=supervisor))["items"]
        assert len(orders) == 1
        order = orders[0]
        assert order["status"] == "PENDING"
        units = order["units_ordered"]
        before = _ok(client.get("/api/v1/stock", params={"sku": SKU}, headers=supervisor))
        routing = _ok(client.get(f"/api/v1/outbound/orders/{order['id']}/routing", headers=supervisor))
        assert routing["flow"] == "wms"

        released = _ok(client.post(f"/api/v1/outbound/orders/{order['id']}/release", headers=supervisor))
        assert released["status"] == "RELEASED", released
        job = _ok(client.get(f"/api/v1/jobs/{released['job_id']}", headers=operator))
        assert [(line["sku"], line["quantity"]) for line in job["lines"]] == [(SKU, units)]

        # The handheld's pick scans go through the offline sync endpoint, as the app sends them.
        commands = [
            _scan(seq, "pick", {"job_id": job["id"], "location": line["from_location"], "item": line["sku"], "quantity": line["quantity"], "tote": "TOTE-001"})
            for seq, line in enumerate(job["lines"], start=1)
        ]
        results = _ok(client.post("/api/v1/sync", json={"device_id": DEVICE, "commands": commands}, headers=operator))["results"]
        assert [result["status"] for result in results] == ["applied"], results
        assert results[-1]["result"]["order_picked"] is True

        # The pack bench: open the tote's session, verify the units, ship for a label.
        opened = _ok(client.post("/api/v1/pack/sessions", json={"scan": "TOTE-001"}, headers=operator))
        session_id = opened["session_id"]
        packed = _ok(client.post(f"/api/v1/pack/sessions/{session_id}/items", json={"item": SKU, "quantity": units}, headers=operator))
        assert packed["complete"] is True, packed
        shipped = _ok(
            client.post(f"/api/v1/pack/sessions/{session_id}/ship", json={"packaging": "Satchel M", "weight_kg": 0.4}, headers=operator)
        )
        assert shipped["tracking_numbers"] == ["FAKE00000001"]
        assert shipped["label_pdf_base64"]

        # The fake posts order_shipped back to the demo; the demo logs it once it is committed.
        demo.wait_for_line("event='webhook event handled'", "event_type='order_shipped'", f"order_id='{order['id']}'")

        detail = _ok(client.get(f"/api/v1/orders/{order['id']}", headers=supervisor))
        assert detail["status"] == "SHIPPED"
        assert [(line["sku"], line["shipped"]) for line in detail["lines"]] == [(SKU, units)], detail["lines"]
        after = _ok(client.get("/api/v1/stock", params={"sku": SKU}, headers=supervisor))
        assert after["on_hand"] == before["on_hand"] - units
        assert after["committed"] == before["committed"] - units
        assert after["allocated"] == 0
        movements = _ok(
            client.get("/api/v1/movements", params={"reason": "shipment", "reference_id": order["id"]}, headers=supervisor)
        )["items"]
        assert sum(movement["quantity"] for movement in movements) == units
        with httpx.Client(base_url=f"http://127.0.0.1:{fake_port}", timeout=30) as fake:
            assert len(fake.get("/_fake/shipments").json()["demo"]) == 1

        report = _ok(client.get("/api/v1/reconciliation", params={"account": "demo"}, headers=supervisor))
        assert report["report"]["empty"] is True, report

    verified = run_wms("verify", env={"WMS_DATABASE_URL": url}, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    assert "0 violations" in verified.stdout


async def _rules(url: str) -> list[tuple[str, str, list[str], str]]:
    from sqlalchemy import select

    from app.config import load_settings
    from app.db import Database
    from app.db.models import RoutingRule

    database = Database(load_settings({"WMS_DATABASE_URL": url}))
    try:
        async with database.read() as session:
            return [(rule.kind, rule.match, list(rule.values), rule.flow) for rule in (await session.scalars(select(RoutingRule))).all()]
    finally:
        await database.dispose()


@pytest.mark.anyio
async def test_demo_hybrid_rule_added_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    env = {"WMS_DATABASE_URL": url}

    first = run_wms("demo", "--no-serve", env=env, cwd=tmp_path)
    hybrid = run_wms("demo", "--no-serve", "--outbound", "hybrid", env=env, cwd=tmp_path)
    again = run_wms("demo", "--no-serve", "--outbound", "hybrid", env=env, cwd=tmp_path)
    no_fake = run_wms("demo", "--no-serve", "--no-fake-starshipit", env={**env, "WMS_STARSHIPIT_BASE_URL": "http://127.0.0.1:9"}, cwd=tmp_path)

    for result in (first, hybrid, again, no_fake):
        assert result.returncode == 0, result.stderr
    assert "outbound        headless:" in first.stdout
    assert "run wms demo --outbound full first" in first.stdout
    for result in (hybrid, again, no_fake):
        assert "outbound        hybrid:" in result.stdout
    assert "Starshipit API  http://127.0.0.1:9 (no fake" in no_fake.stdout
    assert "fake Starshipit" not in no_fake.stdout
    rules = await _rules(url)
    assert len(rules) == 1
    kind, match, values, flow = rules[0]
    assert kind == "sku_set"
    assert match == "any"
    assert flow == "wms"
    assert "SOCK-MER-M" in values
