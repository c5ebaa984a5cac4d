"""Benchmark the Starshipit order webhook against a bare Litestar POST route, over real HTTP.

The script runs three kinds of process, all on loopback:

1. ``wms serve`` on a fresh SQLite demo database (its own PID, stopped at the end);
2. a bare Litestar app with one POST route that reads the body and returns a small JSON object,
   served by uvicorn the same way ``wms serve`` serves the WMS (this file, ``--serve-bare``);
3. a client process (this file, ``--client``) that posts signed order events one after another
   on one keep-alive connection and times each request.

The server's CPU time per request (user plus system, warm-up requests included) is read from
/proc, which tells time spent computing apart from time spent waiting on fsync or for a core.

Both servers receive the same number of requests with bodies of the same shape, in the same
run, so the ratio of their rates is a measure of what the WMS adds (signature check, raw event
log, dedup key, applying the event to orders and stock, commit with synchronous=FULL) on this
machine. Events are unique (no duplicates), so every one of them takes the full write path.

Usage: python bench/webhooks.py [--events 500] [--warmup 30] [--markdown]

The ``WMS_*`` variables of the environment reach the WMS server, so for example
``WMS_SQLITE_SYNCHRONOUS=NORMAL python bench/webhooks.py`` measures the cost of fsync per commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-webhook-secret"
SERVER_SECRET_KEY = "bench-secret-key-0123456789abcdef"
# Every request and every server start-up is bounded, so a hung server cannot hang the run.
REQUEST_TIMEOUT = 30.0
STARTUP_TIMEOUT = 120.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- bare app -------------------------------------------------------------------------------------


def serve_bare(port: int) -> None:
    """Serve the bare Litestar app on loopback until terminated."""
    import uvicorn
    from litestar import Litestar, Request, post

    @post("/webhooks/starshipit/{account_code:str}/orders", status_code=200)
    async def receive(request: Request, account_code: str) -> dict[str, str]:
        body = await request.body()
        return {"outcome": "applied", "bytes": str(len(body)), "account": account_code}

    app = Litestar(route_handlers=[receive], openapi_config=None)
    # The same uvicorn call and log level as ``wms serve``, access log included.
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info", lifespan="on")


# --- client ---------------------------------------------------------------------------------------


def _bodies(count: int, seed: int) -> list[bytes]:
    """Build ``count`` distinct signed-order-event bodies from the demo stream, without tracking."""
    sys.path.insert(0, str(ROOT))
    from app.demo.catalog import DEMO_PRODUCTS
    from app.demo.stream import StreamOptions, build_timeline

    skus = tuple(product.sku for product in DEMO_PRODUCTS)
    bodies: list[bytes] = []
    orders = max(1, count // 2)
    while len(bodies) < count:
        timeline = build_timeline(StreamOptions(orders=orders, skus=skus, seed=seed, tracking=False))
        bodies += [delivery.body for delivery in timeline]
        seed += 1
    return bodies[:count]


def run_client(url: str, events: int, warmup: int, seed: int) -> dict[str, float]:
    """Post ``warmup`` then ``events`` signed bodies and return the timing of the measured ones."""
    import httpx

    sys.path.insert(0, str(ROOT))
    from app.domain.webhooks.signing import SIGNATURE_HEADER, sign_body

    bodies = _bodies(warmup + events, seed)
    latencies: list[float] = []
    failures = 0
    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        started = 0.0
        for index, body in enumerate(bodies):
            if index == warmup:
                started = time.perf_counter()
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(SECRET, body)}
            before = time.perf_counter()
            response = client.post(url, content=body, headers=headers)
            after = time.perf_counter()
            if index >= warmup:
                latencies.append(after - before)
                if not 200 <= response.status_code < 300:
                    failures += 1
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "events": float(events),
        "seconds": elapsed,
        "events_per_second": events / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))] * 1000,
        "failures": float(failures),
    }


# --- orchestration --------------------------------------------------------------------------------


class Server:
    """A server process on loopback, started and stopped by its own PID."""

    def __init__(self, args: list[str], env: dict[str, str], ready: str) -> None:
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        deadline = time.monotonic() + STARTUP_TIMEOUT
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if ready in line:
                # Keep reading in the background: a full pipe would block the server's logging.
                threading.Thread(target=self._drain, daemon=True).start()
                return
            if time.monotonic() > deadline:
                break
        self.stop()
        raise RuntimeError("server did not start:\n" + "".join(self.output))

    def cpu_seconds(self) -> float:
        """Return the user plus system CPU time the process has used, read from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15 of proc(5); the split starts at field 3.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _client_process(url: str, events: int, warmup: int, seed: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--client", "--url", url, "--events", str(events), "--warmup", str(warmup), "--seed", str(seed)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=events * REQUEST_TIMEOUT + 60)
    if result.returncode != 0:
        raise RuntimeError(f"client failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def describe_machine() -> dict[str, str]:
    """Return CPU model, cores, memory, OS, Python, SQLite and library versions, and the load average."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "litestar": version("litestar"),
        "uvicorn": version("uvicorn"),
        "sqlalchemy": version("sqlalchemy"),
        # Other processes running on the machine change the numbers, so the record states the load.
        "load average (1 min) at the end": f"{os.getloadavg()[0]:.2f}",
    }


def run_benchmark(events: int, warmup: int, seed: int) -> dict[str, object]:
    """Start both servers, measure each with a client process, stop them, verify the ledger."""
    with tempfile.TemporaryDirectory(prefix="wms-bench-") as folder:
        database_url = f"sqlite+aiosqlite:///{folder}/bench.db"
        env = {
            **os.environ,
            "WMS_DATABASE_URL": database_url,
            "WMS_SECRET_KEY": SERVER_SECRET_KEY,
            "WMS_DEMO_WEBHOOK_SECRET": SECRET,
            "WMS_DEMO_PASSWORD": "bench-password-1",
            "WMS_LOG_LEVEL": "WARNING",
        }
        build = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--no-serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if build.returncode != 0:
            raise RuntimeError(f"demo build failed:\n{build.stderr}")

        wms_port = _free_port()
        wms = Server(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(wms_port)],
            {**env, "WMS_LOG_LEVEL": "INFO"},
            "Uvicorn running on",
        )
        try:
            cpu_before = wms.cpu_seconds()
            wms_result = _client_process(f"http://127.0.0.1:{wms_port}/webhooks/starshipit/demo/orders", events, warmup, seed)
            wms_result["server_cpu_ms"] = (wms.cpu_seconds() - cpu_before) * 1000 / (events + warmup)
        finally:
            wms.stop()

        bare_port = _free_port()
        bare = Server([sys.executable, "-u", __file__, "--serve-bare", "--port", str(bare_port)], {**os.environ}, "Uvicorn running on")
        try:
            cpu_before = bare.cpu_seconds()
            bare_result = _client_process(f"http://127.0.0.1:{bare_port}/webhooks/starshipit/demo/orders", events, warmup, seed)
            bare_result["server_cpu_ms"] = (bare.cpu_seconds() - cpu_before) * 1000 / (events + warmup)
        finally:
            bare.stop()

        verify = subprocess.run([sys.executable, "-m", "app.cli", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    verify_output = verify.stdout.strip() or verify.stderr.strip()
    verify_summary = verify_output.splitlines()[-1].replace(f" on {database_url}", "") if verify_output else f"exit status {verify.returncode}"
    return {
        "wms": wms_result,
        "bare": bare_result,
        "ratio": wms_result["events_per_second"] / bare_result["events_per_second"],
        "verify": verify_summary,
        "machine": describe_machine(),
    }


def to_markdown(result: dict[str, object], command: str) -> str:
    """Format a result as the benchmark records page's section."""
    wms, bare, machine = result["wms"], result["bare"], result["machine"]  # type: ignore[misc]
    lines = [
        f"Command: `{command}`",
        "",
        "| server | events | events/s | p50 ms | p99 ms | server CPU ms/request | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in (("wms serve, /webhooks/starshipit/demo/orders", wms), ("bare Litestar POST route", bare)):
        lines.append(
            f"| {name} | {row['events']:.0f} | {row['events_per_second']:.1f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {row['server_cpu_ms']:.2f} | {row['failures']:.0f} |"
        )
    lines += [
        "",
        f"Ratio WMS / bare route: **{result['ratio']:.3f}**. Ledger after the run: `{result['verify']}`.",
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items() if value),  # type: ignore[union-attr]
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=500, help="Measured requests per server (default 500).")
    parser.add_argument("--warmup", type=int, default=30, help="Unmeasured requests sent first (default 30).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the event stream.")
    parser.add_argument("--markdown", action="store_true", help="Print the result as a Markdown section.")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.events <= 100_000:
        parser.error("--events must be from 1 to 100000")

    if args.serve_bare:
        serve_bare(args.port)
        return
    if args.client:
        print(json.dumps(run_client(args.url, args.events, args.warmup, args.seed)))
        return
    result = run_benchmark(args.events, args.warmup, args.seed)
    if args.markdown:
        settings = " ".join(f"{name}={value}" for name, value in sorted(os.environ.items()) if name.startswith("WMS_"))
        command = " ".join(part for part in (settings, "python bench/webhooks.py", *sys.argv[1:]) if part)
        print(to_markdown(result, command))
    else:
        print(json.dumps(result, indent=2))
    failed = result["wms"]["failures"] + result["bare"]["failures"]  # type: ignore[index]
    if failed:
        print(f"{failed:.0f} requests did not return 2xx, so the numbers above do not measure the full write path", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
