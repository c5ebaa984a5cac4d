"""Credentials of the demo, kept in a file beside the database so a second run can print them.

Values given in the environment win: ``WMS_DEMO_WEBHOOK_SECRET``, ``WMS_DEMO_PASSWORD`` and
``WMS_SECRET_KEY``. Everything else is generated on the first run and stored in the file, which
is written with mode 0600 because it contains secrets.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from app.config import Settings

__all__ = ["DemoCredentials", "credentials_path", "load_or_create_credentials", "save_credentials"]


@dataclass(frozen=True)
class DemoCredentials:
    webhook_secret: str
    supervisor_password: str
    operator_pin: str
    # Server secret key: PIN lookups and tokens are keyed with it, so it must outlive the process.
    secret_key: str


def credentials_path(settings: Settings) -> Path:
    """Return the credentials file: ``<database file>.demo.json`` for SQLite, else in the working folder."""
    url = settings.database_url
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and ":memory:" not in url and "mode=memory" not in url:
        database_file = Path(url[len(prefix) :].split("?", 1)[0])
        return database_file.with_name(database_file.name + ".demo.json")
    return Path("wms-demo.json").resolve()


def _generate() -> DemoCredentials:
    return DemoCredentials(
        webhook_secret=secrets.token_hex(24),
        supervisor_password=secrets.token_urlsafe(12),
        operator_pin=f"{secrets.randbelow(900_000) + 100_000}",
        secret_key=secrets.token_urlsafe(32),
    )


def load_or_create_credentials(settings: Settings, env: dict[str, str] | None = None) -> tuple[DemoCredentials, bool]:
    """Read the stored credentials (or generate them), apply the environment's, and save the result.

    Returns the credentials and whether the file already existed.
    """
    env = dict(os.environ if env is None else env)
    path = credentials_path(settings)
    existed = path.exists()
    stored = _generate()
    if existed:
        data = json.loads(path.read_text(encoding="utf-8"))
        stored = DemoCredentials(**{**asdict(stored), **{key: str(value) for key, value in data.items() if key in asdict(stored)}})

    credentials = DemoCredentials(
        webhook_secret=env.get("WMS_DEMO_WEBHOOK_SECRET") or stored.webhook_secret,
        supervisor_password=env.get("WMS_DEMO_PASSWORD") or stored.supervisor_password,
        operator_pin=stored.operator_pin,
        secret_key=settings.secret_key if not settings.secret_key_generated else stored.secret_key,
    )
    if credentials != stored or not existed:
        save_credentials(settings, credentials)
    return credentials, existed


def save_credentials(settings: Settings, credentials: DemoCredentials) -> None:
    """Write the credentials file, readable by its owner only."""
    path = credentials_path(settings)
    path.write_text(json.dumps(asdict(credentials), indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)
