"""Chaos run of offline sync: flaky network, duplicated and late requests, and a server that gets killed.

Simulated handhelds capture scan commands into an outbox and flush it to ``POST /api/v1/sync``
through a loopback proxy that misbehaves like a bad Wi-Fi network:

- it drops responses: the request reaches the server, which commits, but the device never gets the response;
- it duplicates requests: the same batch reaches the server twice, one copy at once and one later;
- it reorders requests: a held-back copy of an old batch arrives after newer ones.

Meanwhile the server is killed with SIGKILL and restarted several times, on the same database.
Devices handle every failure the way the handheld app does: anything but a 200 response keeps the
commands queued, and they are sent again after a short backoff. A ``retry`` answer keeps the
command queued too; ``rejected`` moves it to the device's needs-attention list.

At the end the script compares the database with the ledger expected from the captured commands:
every command applied exactly once (one movement), every command with an unknown location stored as
rejected with no movement, and every balance equal to the sum of its expected movements. The last
line reads ``lost=N doubled=M``: commands that left no trace (or, for valid ones, no movement) and
commands applied more than once. Both are 0 on a correct server; the exit status is 1 otherwise.

Usage: python bench/chaos_sync.py [--devices 20] [--commands 120] [--kills 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync import LOCATIONS, OPERATOR_PIN, PRODUCTS, SERVER_SECRET_KEY, ServerProcess, build_database, free_port  # noqa: E402

UNKNOWN_LOCATION = "ZZ-99-99"  # no such location: commands that name it must be rejected, not lost
REQUEST_TIMEOUT = 30.0


# --- the flaky proxy --------------------------------------------------------------------------------


@dataclass
class ProxyStats:
    requests: int = 0
    answers_dropped: int = 0
    duplicated: int = 0
    held_back: int = 0
    replayed_late: int = 0
    server_unreachable: int = 0


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


class FlakyProxy:
    """A loopback HTTP/1.1 proxy (one request per connection) that drops, duplicates and delays."""

    def __init__(self, upstream_port: int, rng: random.Random, drop: float, duplicate: float, hold_back: float) -> None:
        self.upstream_port = upstream_port
        self.rng = rng
        self.drop = drop
        self.duplicate = duplicate
        self.hold_back = hold_back
        self.stats = ProxyStats()
        self.held: list[bytes] = []
        self.background: set[asyncio.Task[Any]] = set()
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        for task in list(self.background):
            task.cancel()

    async def _forward(self, request: bytes) -> bytes | None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            self.stats.server_unreachable += 1
            return None
        try:
            writer.write(request)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(-1), REQUEST_TIMEOUT)
            return answer or None
        except (OSError, asyncio.TimeoutError):
            return None
        finally:
            writer.close()

    def _spawn(self, request: bytes) -> None:
        task = asyncio.create_task(self._forward(request))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.stats.requests += 1
            # Release held-back copies now and then, after newer requests went through.
            if self.held and self.rng.random() < 0.5:
                self.stats.replayed_late += 1
                self._spawn(self.held.pop(self.rng.randrange(len(self.held))))
            if self.rng.random() < self.hold_back:
                self.stats.held_back += 1
                self.held.append(request)
            if self.rng.random() < self.duplicate:
                self.stats.duplicated += 1
                self._spawn(request)
            answer = await self._forward(request)
            if answer is None:
                return
            if self.rng.random() < self.drop:
                self.stats.answers_dropped += 1
                return
            writer.write(answer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def flush_held(self) -> None:
        """Deliver every held-back copy, so that the late arrivals happen before the final check."""
        while self.held:
            self.stats.replayed_late += 1
            await self._forward(self.held.pop())
        if self.background:
            await asyncio.gather(*list(self.background), return_exceptions=True)


# --- simulated devices ------------------------------------------------------------------------------


@dataclass
class Device:
    device_id: str
    rng: random.Random
    total: int
    captured: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    attention: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    failures: int = 0

    def capture(self, count: int) -> None:
        """Capture up to ``count`` new scans into the outbox, as the operator keeps working offline."""
        for _ in range(min(count, self.total - len(self.captured))):
            seq = len(self.captured) + 1
            sku = self.rng.choice(PRODUCTS)[0]
            if self.rng.random() < 0.5:
                location = UNKNOWN_LOCATION if self.rng.random() < 0.04 else self.rng.choice(LOCATIONS)
                change = self.rng.choice([-3, -2, -1, 1, 2, 3, 4])
                kind, payload = "adjust", {"location": location, "item": sku, "quantity_change": change, "reason_code": "found" if change > 0 else "lost"}
            else:
                source, target = self.rng.sample(LOCATIONS, 2)
                if self.rng.random() < 0.04:
                    target = UNKNOWN_LOCATION
                kind, payload = "move", {"from_location": source, "item": sku, "quantity": self.rng.randint(1, 4), "to_location": target}
            command = {
                "command_id": str(uuid.uuid4()),
                "device_id": self.device_id,
                "operator": "op1",
                "device_seq": seq,
                "device_time": datetime.now(UTC).isoformat(),
                "type": kind,
                "payload": payload,
            }
            self.captured.append(command)
            self.outbox.append(command)

    @property
    def done(self) -> bool:
        return len(self.captured) == self.total and not self.outbox


async def run_device(device: Device, url: str, token: str, batch_size: int) -> None:
    """Capture and flush until every command has a result, backing off after each failure."""
    import httpx

    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    backoff = 0.05
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        while not device.done:
            device.capture(device.rng.randint(1, 6))
            batch = device.outbox[:batch_size]
            device.requests += 1
            try:
                response = await client.post("/api/v1/sync", json={"device_id": device.device_id, "commands": batch}, headers=headers)
            except httpx.HTTPError:
                response = None
            if response is None or response.status_code != 200:
                device.failures += 1
                await asyncio.sleep(backoff * (1 + device.rng.random()))
                backoff = min(backoff * 2, 1.0)
                continue
            backoff = 0.05
            answered = {}
            for result in response.json()["results"]:
                answered[result["command_id"]] = result
            remaining = []
            for command in device.outbox:
                result = answered.get(command["command_id"])
                if result is None or result["status"] == "retry":
                    remaining.append(command)
                elif result["status"] == "rejected" or result.get("original_status") == "rejected":
                    device.attention.append(command)
            device.outbox = remaining


async def sign_in(url: str, device_id: str) -> str:
    """Sign op1 in on ``device_id`` directly at the server and return the bearer token."""
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        response = await client.post("/api/v1/auth/login", json={"pin": OPERATOR_PIN, "device_id": device_id})
        response.raise_for_status()
        return response.json()["token"]


async def chaos_monkey(server: ServerProcess, kills: int, devices: list[Device], rng: random.Random) -> int:
    """Kill the server with SIGKILL and restart it ``kills`` times, spread over the run."""
    done = 0
    total = sum(device.total for device in devices)
    for number in range(kills):
        # Kill at evenly spread points of progress, measured in commands captured.
        target = total * (number + 1) / (kills + 1)
        while sum(len(device.captured) for device in devices) < target and not all(device.done for device in devices):
            await asyncio.sleep(0.05 + rng.random() * 0.1)
        if all(device.done for device in devices):
            break
        await asyncio.to_thread(server.kill)
        await asyncio.to_thread(server.start)
        done += 1
    return done


# --- the final comparison ---------------------------------------------------------------------------


async def compare_ledger(database: Path, devices: list[Device]) -> dict[str, Any]:
    """Compare the database with the ledger the captured commands imply; count lost and doubled."""
    from sqlalchemy import select

    from app.config import load_settings
    from app.db import Database
    from app.db.models import Location, Product, ScanCommand, StockBalance, StockMovement
    from app.domain.stock.verify import verify_ledger

    db = Database(load_settings({"WMS_DATABASE_URL": f"sqlite+aiosqlite:///{database}", "WMS_SECRET_KEY": SERVER_SECRET_KEY}))
    try:
        async with db.read() as session:
            locations = {row.id: row.code for row in await session.scalars(select(Location))}
            products = {row.id: row.sku for row in await session.scalars(select(Product))}
            movement_counts = Counter(str(row) for row in await session.scalars(select(StockMovement.command_id)) if row is not None)
            stored = {
                (row.device_id, str(row.command_id)): row.status
                for row in await session.scalars(select(ScanCommand))
            }
            balances = {
                (products[row.product_id], locations[row.location_id]): row.on_hand
                for row in await session.scalars(select(StockBalance))
                if row.on_hand != 0
            }
            violations = await verify_ledger(session)
    finally:
        await db.dispose()

    expected: dict[tuple[str, str], int] = defaultdict(int)
    lost = doubled = wrongly_applied = 0
    for device in devices:
        for command in device.captured:
            payload = command["payload"]
            key = (device.device_id, command["command_id"])
            applied = movement_counts.get(command["command_id"], 0)
            invalid = UNKNOWN_LOCATION in (payload.get("location"), payload.get("to_location"))
            if invalid:
                if stored.get(key) != "rejected":
                    lost += 1
                wrongly_applied += applied
                continue
            if applied == 0 or key not in stored:
                lost += 1
            elif applied > 1:
                doubled += 1
            if command["type"] == "adjust":
                expected[(payload["item"], payload["location"])] += payload["quantity_change"]
            else:
                expected[(payload["item"], payload["from_location"])] -= payload["quantity"]
                expected[(payload["item"], payload["to_location"])] += payload["quantity"]
    expected_balances = {key: value for key, value in expected.items() if value != 0}
    mismatched = sorted(set(expected_balances.items()) ^ set(balances.items()))
    return {
        "commands": sum(device.total for device in devices),
        "stored": len(stored),
        "lost": lost,
        "doubled": doubled + wrongly_applied,
        "balance_mismatches": len(mismatched),
        "verify_violations": [str(violation) for violation in violations],
    }


async def run_chaos(devices_count: int, commands: int, kills: int, seed: int, batch_size: int, drop: float, duplicate: float, hold_back: float) -> dict[str, Any]:
    """Run the whole scenario on a fresh database and return its figures."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="wms-chaos-sync-") as folder:
        database = await asyncio.to_thread(build_database, Path(folder))
        server = ServerProcess(database, free_port())
        await asyncio.to_thread(server.start)
        proxy = FlakyProxy(server.port, random.Random(rng.random()), drop, duplicate, hold_back)
        await proxy.start()
        started = time.perf_counter()
        try:
            devices = [Device(f"CHAOS-{number:02d}", random.Random(rng.random()), commands) for number in range(devices_count)]
            tokens = [await sign_in(server.url, device.device_id) for device in devices]
            proxy_url = f"http://127.0.0.1:{proxy.port}"
            monkey = asyncio.create_task(chaos_monkey(server, kills, devices, random.Random(rng.random())))
            await asyncio.gather(*(run_device(device, proxy_url, token, batch_size) for device, token in zip(devices, tokens)))
            restarts = await monkey
            # Late copies still in flight or held back reach the server before the check.
            await proxy.flush_held()
        finally:
            await proxy.close()
            await asyncio.to_thread(server.stop)
        elapsed = time.perf_counter() - started
        outcome = await compare_ledger(database, devices)
    outcome.update(
        seconds=round(elapsed, 1),
        restarts=restarts,
        proxy=proxy.stats.__dict__,
        device_requests=sum(device.requests for device in devices),
        device_failures=sum(device.failures for device in devices),
        rejected_on_devices=sum(len(device.attention) for device in devices),
    )
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=20, help="Simulated handhelds flushing at once.")
    parser.add_argument("--commands", type=int, default=120, help="Scan commands each device captures.")
    parser.add_argument("--kills", type=int, default=5, help="Times the server is killed with SIGKILL and restarted.")
    parser.add_argument("--batch", type=int, default=20, help="Maximum number of commands per flush.")
    parser.add_argument("--drop", type=float, default=0.2, help="Share of responses the proxy drops after the server sent them (0 to 1).")
    parser.add_argument("--duplicate", type=float, default=0.15, help="Share of requests the proxy sends twice.")
    parser.add_argument("--hold-back", type=float, default=0.1, help="Share of requests of which a copy arrives late.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the scans and of the proxy's choices.")
    args = parser.parse_args()
    outcome = asyncio.run(run_chaos(args.devices, args.commands, args.kills, args.seed, args.batch, args.drop, args.duplicate, args.hold_back))
    for key, value in outcome.items():
        print(f"{key}: {value}")
    print(f"lost={outcome['lost']} doubled={outcome['doubled']}")
    if outcome["lost"] or outcome["doubled"] or outcome["balance_mismatches"] or outcome["verify_violations"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
