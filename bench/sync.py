"""Benchmark offline sync: one device uploads its queued scan commands to a real ``wms serve``.

The script builds a fresh SQLite database (migrated, one warehouse, products, locations, operator
``op1``) and starts ``wms serve`` on loopback (its own PID, stopped at the end). It signs in as a
device and posts N queued commands (adjustments and moves, alternating) in batches of B. Each
batch is timed as the client sees it. Every command takes the full path: decoding, validation, barcode
resolution, the device's sequence bookkeeping, a ledger movement and balance update, the stored
command row, and one commit per command with ``synchronous=FULL``.

For a ceiling measured in the same run on the same machine, it then writes the same rows straight
through SQLAlchemy into a second copy of the database. Each command gets one transaction that
inserts the command row and the movement and updates the balance, with no HTTP, decoding or
look-ups.
The ratio of the two rates is the figure to compare between machines. The run ends with the
ledger verifier on the server's database.

Usage: python bench/sync.py [--commands 5000] [--batch 100] [--markdown]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER_SECRET_KEY = "bench-secret-key-0123456789abcdef"
OPERATOR_PIN = "2468"
LOCATIONS = ["REC-01", "A-01-01", "A-01-02", "B-01-01", "B-01-02", "C-01-01", "C-01-02", "PACK-01"]
PRODUCTS = [("SKU-A", "05400000002649"), ("SKU-B", "00060383042400"), ("SKU-C", "07567554394380")]
STARTUP_TIMEOUT = 120.0


def free_port() -> int:
    """Return a TCP port that is free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_database(folder: Path) -> Path:
    """Create, migrate and seed a SQLite database in ``folder``; return its path."""
    from app.db.migrate import upgrade_database
    from app.config import load_settings

    path = folder / "wms.db"
    settings = load_settings({"WMS_DATABASE_URL": f"sqlite+aiosqlite:///{path}", "WMS_SECRET_KEY": SERVER_SECRET_KEY})
    upgrade_database(settings)
    asyncio.run(_seed(settings))
    return path


async def _seed(settings: Any) -> None:
    from app.db import Database
    from app.db.models import Location, LocationType, Product, ProductBarcode, Warehouse
    from app.domain.auth.schemas import UserCreate
    from app.domain.auth.services import create_user

    db = Database(settings)
    try:
        async with db.transaction() as session:
            warehouse = Warehouse(code="WH1", name="Bench warehouse")
            session.add(warehouse)
            await session.flush()
            for code in LOCATIONS:
                session.add(Location(warehouse_id=warehouse.id, code=code, barcode=code, type=LocationType.BULK_STORAGE.value))
            for sku, gtin in PRODUCTS:
                product = Product(sku=sku, name=f"Bench {sku}")
                session.add(product)
                await session.flush()
                session.add(ProductBarcode(product_id=product.id, code=gtin, kind="GTIN", units=1))
            await create_user(session, UserCreate(username="op1", role="operator", pin=OPERATOR_PIN), settings.secret_key)
    finally:
        await db.dispose()


class ServerProcess:
    """A ``wms serve`` process on loopback whose output is drained on a thread."""

    def __init__(self, database: Path, port: int, extra_env: dict[str, str] | None = None) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "WMS_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "WMS_SECRET_KEY": SERVER_SECRET_KEY,
            "WMS_LOG_LEVEL": "INFO",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    def start(self) -> None:
        """Start the server and return once it accepts requests; raise RuntimeError if it exits."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready = threading.Event()
        process = self.process

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.output.append(line)
                if "Application startup complete" in line or "Uvicorn running on" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(STARTUP_TIMEOUT) or process.poll() is not None:
            self.kill()
            raise RuntimeError("wms serve failed to start; its last output:\n" + "".join(self.output[-40:]))

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a power cut or an OOM kill would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        """Stop the server with SIGTERM, then SIGKILL if it does not exit in 15 seconds."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def describe_machine() -> dict[str, str]:
    """Name the CPU, core count, Python, SQLite and the key packages of this run."""
    from importlib.metadata import version

    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "litestar": version("litestar"),
        "sqlalchemy": version("sqlalchemy"),
        "platform": platform.platform(),
    }


def build_commands(device_id: str, count: int) -> list[dict[str, Any]]:
    """Build ``count`` queued commands: adjustments (+1) and moves between locations, alternating."""
    now = datetime.now(UTC).isoformat()
    commands = []
    for seq in range(1, count + 1):
        sku, _gtin = PRODUCTS[((seq + 1) // 2) % len(PRODUCTS)]
        if seq % 2:
            kind, payload = "adjust", {"location": LOCATIONS[seq % len(LOCATIONS)], "item": sku, "quantity_change": 1, "reason_code": "found"}
        else:
            # Move the unit the previous adjustment added, so that stock stays non-negative.
            source = LOCATIONS[(seq - 1) % len(LOCATIONS)]
            target = LOCATIONS[(seq + 3) % len(LOCATIONS)]
            kind, payload = "move", {"from_location": source, "item": sku, "quantity": 1, "to_location": target}
        commands.append(
            {
                "command_id": str(uuid.uuid4()),
                "device_id": device_id,
                "operator": "op1",
                "device_seq": seq,
                "device_time": now,
                "type": kind,
                "payload": payload,
            }
        )
    return commands


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (fraction 0.99 for p99)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


async def upload(url: str, commands: list[dict[str, Any]], batch_size: int, device_id: str) -> dict[str, Any]:
    """Sign in, post the commands in batches and time each batch."""
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        login = await client.post("/api/v1/auth/login", json={"pin": OPERATOR_PIN, "device_id": device_id})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        started = time.perf_counter()
        for start in range(0, len(commands), batch_size):
            body = {"device_id": device_id, "commands": commands[start : start + batch_size]}
            sent = time.perf_counter()
            response = await client.post("/api/v1/sync", json=body, headers=headers)
            latencies.append(time.perf_counter() - sent)
            response.raise_for_status()
            for result in response.json()["results"]:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        elapsed = time.perf_counter() - started
    return {
        "commands": len(commands),
        "batches": len(latencies),
        "seconds": elapsed,
        "commands_per_second": len(commands) / elapsed,
        "batch_p50_ms": statistics.median(latencies) * 1000,
        "batch_p99_ms": percentile(latencies, 0.99) * 1000,
        "statuses": statuses,
    }


async def raw_inserts(database: Path, commands: list[dict[str, Any]]) -> dict[str, Any]:
    """Write each command's rows straight through SQLAlchemy, one transaction per command."""
    from sqlalchemy import select

    from app.config import load_settings
    from app.db import Database
    from app.db.models import Location, Product, ScanCommand, StockMovement, User
    from app.domain.stock.ledger import adjust_balance

    settings = load_settings({"WMS_DATABASE_URL": f"sqlite+aiosqlite:///{database}", "WMS_SECRET_KEY": SERVER_SECRET_KEY})
    db = Database(settings)
    try:
        async with db.read() as session:
            locations = {row.code: row.id for row in await session.scalars(select(Location))}
            products = {row.sku: row.id for row in await session.scalars(select(Product))}
            operator_id = await session.scalar(select(User.id).where(User.username == "op1"))
        started = time.perf_counter()
        for command in commands:
            payload = command["payload"]
            product_id = products[payload["item"]]
            if command["type"] == "adjust":
                source, target, quantity = None, locations[payload["location"]], payload["quantity_change"]
            else:
                source, target, quantity = locations[payload["from_location"]], locations[payload["to_location"]], payload["quantity"]
            async with db.transaction() as session:
                session.add(
                    ScanCommand(
                        device_id=command["device_id"],
                        command_id=uuid.UUID(command["command_id"]),
                        device_seq=command["device_seq"],
                        operator_id=operator_id,
                        operator_username="op1",
                        type=command["type"],
                        payload=payload,
                        fingerprint=hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest(),
                        status="applied",
                        result={},
                    )
                )
                session.add(
                    StockMovement(
                        product_id=product_id,
                        from_location_id=source,
                        to_location_id=target,
                        quantity=quantity,
                        reason="move" if source else "adjustment",
                        operator_id=operator_id,
                        command_id=uuid.UUID(command["command_id"]),
                    )
                )
                if source is not None:
                    await adjust_balance(session, product_id, source, "", -quantity)
                await adjust_balance(session, product_id, target, "", quantity)
        elapsed = time.perf_counter() - started
    finally:
        await db.dispose()
    return {"commands": len(commands), "seconds": elapsed, "commands_per_second": len(commands) / elapsed}


async def verify(database: Path) -> list[str]:
    """Run the ledger verifier on ``database``; return one line per violation."""
    from app.config import load_settings
    from app.db import Database
    from app.domain.stock.verify import verify_ledger

    db = Database(load_settings({"WMS_DATABASE_URL": f"sqlite+aiosqlite:///{database}", "WMS_SECRET_KEY": SERVER_SECRET_KEY}))
    try:
        async with db.read() as session:
            return [str(violation) for violation in await verify_ledger(session)]
    finally:
        await db.dispose()


def run_benchmark(count: int, batch_size: int) -> dict[str, Any]:
    """Run the upload and the raw-insert ceiling on fresh databases; return every figure."""
    with tempfile.TemporaryDirectory(prefix="wms-bench-sync-") as folder:
        served = build_database(Path(folder))
        raw = Path(folder) / "raw.db"
        shutil.copyfile(served, raw)
        commands = build_commands("BENCH-1", count)
        server = ServerProcess(served, free_port())
        server.start()
        try:
            sync_result = asyncio.run(upload(server.url, commands, batch_size, "BENCH-1"))
        finally:
            server.stop()
        raw_result = asyncio.run(raw_inserts(raw, build_commands("RAW-1", count)))
        violations = asyncio.run(verify(served))
    return {
        "machine": describe_machine(),
        "batch_size": batch_size,
        "sync": sync_result,
        "raw": raw_result,
        "ratio_to_raw": sync_result["commands_per_second"] / raw_result["commands_per_second"],
        "verify_violations": violations,
    }


def to_markdown(result: dict[str, Any], command: str) -> str:
    """Render one run as a benchmark record."""
    machine = result["machine"]
    sync_result, raw = result["sync"], result["raw"]
    lines = [
        f"Command: `{command}`",
        "",
        f"Machine: {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"Litestar {machine['litestar']}, SQLAlchemy {machine['sqlalchemy']}",
        "",
        "| path | commands | commands/s | batch p50 | batch p99 |",
        "|---|---|---|---|---|",
        f"| POST /api/v1/sync, batches of {result['batch_size']} | {sync_result['commands']} | {sync_result['commands_per_second']:.0f} | "
        f"{sync_result['batch_p50_ms']:.0f} ms | {sync_result['batch_p99_ms']:.0f} ms |",
        f"| same rows through SQLAlchemy, one transaction each | {raw['commands']} | {raw['commands_per_second']:.0f} | | |",
        "",
        f"Ratio to the raw rate: {result['ratio_to_raw']:.2f}. Statuses: {result['sync']['statuses']}. "
        f"Ledger verifier: {len(result['verify_violations'])} violations.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=5000, help="Queued commands the device uploads.")
    parser.add_argument("--batch", type=int, default=100, help="Commands per POST /api/v1/sync request.")
    parser.add_argument("--markdown", action="store_true", help="Print a benchmark record in Markdown instead of JSON.")
    args = parser.parse_args()
    result = run_benchmark(args.commands, args.batch)
    if args.markdown:
        print(to_markdown(result, "python bench/sync.py " + " ".join(sys.argv[1:])))
    else:
        print(json.dumps(result, indent=2))
    if result["verify_violations"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
