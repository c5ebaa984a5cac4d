"""Shared fixtures: migrated databases, the app, signed-in clients, seed data and a live server.

Every test gets its own database: a copy of a SQLite file migrated once per session, or on
PostgreSQL a database cloned from a migrated template. Tests marked ``postgres`` also run there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from app.config import Settings, load_settings
from app.db import Database
from app.db.migrate import upgrade_database
from tests.factories import Seed, seed_basic

SECRET_KEY = "test-secret-key-0123456789abcdef"
POSTGRES_ADMIN_URL = os.environ.get("WMS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("WMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("CI") == "true" or os.environ.get("WMS_REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def service_available(name: str) -> bool:
    """Return True when the PostgreSQL or Redis server the tests use accepts connections on loopback."""
    port = {"postgres": 5432, "redis": 6379}[name]
    return _port_open("127.0.0.1", port)


def require_service(name: str) -> None:
    """Skip the test (or fail it under CI) when ``name`` is not running."""
    if service_available(name):
        return
    reason = f"{name} is not running on 127.0.0.1; start it to run this test"
    if REQUIRE_SERVICES:
        pytest.fail(reason + " (CI requires it)")
    pytest.skip(reason)


def make_settings(database_url: str, **overrides: str) -> Settings:
    env = {"WMS_DATABASE_URL": database_url, "WMS_SECRET_KEY": SECRET_KEY, "WMS_LOG_LEVEL": "WARNING"}
    env.update(overrides)
    return load_settings(env)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_database(make_settings(f"sqlite+aiosqlite:///{path}"))
    return path


def _pg_sync_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_pg_sync_url(POSTGRES_ADMIN_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


_PG_TEMPLATE_NAME = f"wms_template_{os.getpid()}"
_pg_template_ready = False


def _database_url_for(backend: str, tmp_path: Path, template: Path) -> str:
    global _pg_template_ready
    if backend == "sqlite":
        target = tmp_path / "wms.db"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"
    require_service("postgres")
    import anyio

    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    if not _pg_template_ready:
        anyio.run(_pg_admin, f'DROP DATABASE IF EXISTS "{_PG_TEMPLATE_NAME}"')
        anyio.run(_pg_admin, f'CREATE DATABASE "{_PG_TEMPLATE_NAME}"')
        upgrade_database(make_settings(f"{base}/{_PG_TEMPLATE_NAME}"))
        _pg_template_ready = True
    name = f"wms_test_{uuid.uuid4().hex[:12]}"
    anyio.run(_pg_admin, f'CREATE DATABASE "{name}" TEMPLATE "{_PG_TEMPLATE_NAME}"')
    return f"{base}/{name}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Tests marked "postgres" run on both databases; the rest on SQLite only.
    if "db_backend" in metafunc.fixturenames:
        backends = ["sqlite", "postgres"] if metafunc.definition.get_closest_marker("postgres") else ["sqlite"]
        metafunc.parametrize("db_backend", backends, indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    url = _database_url_for(db_backend, tmp_path, sqlite_template)
    yield url
    if db_backend == "postgres":
        import anyio

        name = url.rsplit("/", 1)[1]
        anyio.run(_pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture
async def seed(db: Database, settings: Settings) -> Seed:
    return await seed_basic(db, settings)


@pytest.fixture
async def app_client(settings: Settings, seed: Seed) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        yield client


async def _login(client: AsyncTestClient, body: dict) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
async def supervisor_headers(app_client: AsyncTestClient, seed: Seed) -> dict[str, str]:
    return await _login(app_client, {"username": seed.supervisor_username, "password": seed.password})


@pytest.fixture
async def admin_headers(app_client: AsyncTestClient, seed: Seed) -> dict[str, str]:
    return await _login(app_client, {"username": seed.admin_username, "password": seed.password})


@pytest.fixture
async def operator_headers(app_client: AsyncTestClient, seed: Seed) -> dict[str, str]:
    return await _login(app_client, {"pin": seed.operator_pin})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A ``wms serve`` process on loopback, stopped by its own PID."""

    def __init__(self, database_url: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "WMS_DATABASE_URL": database_url, "WMS_SECRET_KEY": SECRET_KEY, **(env or {})}
        self.process: subprocess.Popen[str] | None = None
        self.log: list[str] = []
        self._condition = threading.Condition()
        self._drain_thread: threading.Thread | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Wait on the server's own start-up line, not on a timer.
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            if "Uvicorn running on" in line or "Application startup complete" in line:
                break
        else:
            raise RuntimeError("server exited during start-up:\n" + "".join(self.log))
        # Keep reading after start-up: an unread pipe fills after a few thousand log lines and
        # then blocks the server on its next write.
        self._drain_thread = threading.Thread(target=self._drain, args=(self.process,), daemon=True)
        self._drain_thread.start()

    def _drain(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self._condition:
                self.log.append(line)
                self._condition.notify_all()
        with self._condition:
            self._condition.notify_all()

    def wait_for_output(self, text: str, count: int = 1, timeout: float = 60.0) -> str:
        """Block until ``count`` output lines contain ``text``; return the last one.

        Raises TimeoutError naming the text when the lines do not appear within ``timeout``
        seconds, which only bounds a hung server and is never part of what a test asserts.
        """

        def matches() -> list[str]:
            return [line for line in self.log if text in line]

        with self._condition:
            found = self._condition.wait_for(lambda: len(matches()) >= count, timeout=timeout)
            if not found:
                raise TimeoutError(f"the server logged {len(matches())} of {count} lines containing {text!r}")
            return matches()[count - 1]

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._drain_thread is not None:
            self._drain_thread.join(timeout=15)
            self._drain_thread = None
        self.process = None


@pytest.fixture
def live_server(database_url: str, seed: Seed) -> Iterator[LiveServer]:
    server = LiveServer(database_url)
    server.start()
    yield server
    server.stop()
