"""Every route handler of the app, gathered from the domain packages."""

from __future__ import annotations

from typing import Any

__all__ = ["collect_route_handlers"]


def collect_route_handlers() -> list[Any]:
    """Import and return the controllers and handlers of every domain package."""
    from app.domain.auth.controllers import AuthController, UserController
    from app.domain.system.controllers import HealthController
    from app.domain.sync.controllers import SyncController

    handlers: list[Any] = [HealthController, AuthController, UserController]
    handlers += [SyncController]
    return handlers
