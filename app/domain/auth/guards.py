"""Route guards by role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from app.db.models import Role
from app.lib.errors import AuthenticationError, PermissionDeniedError

__all__ = ["requires_admin", "requires_role", "requires_supervisor"]


def requires_role(minimum: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """Build a guard that lets through users whose role is ``minimum`` or higher."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None:
            raise AuthenticationError("sign in first: send Authorization: Bearer <token>")
        if Role(user.role).rank < minimum.rank:
            raise PermissionDeniedError(f"this action needs the {minimum.value} role; you are signed in as {user.role}")

    return guard


requires_supervisor = requires_role(Role.SUPERVISOR)
requires_admin = requires_role(Role.ADMIN)
