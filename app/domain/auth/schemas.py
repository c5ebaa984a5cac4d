"""Wire types of sign-in and user administration."""

from __future__ import annotations

from uuid import UUID

import msgspec

__all__ = ["AuthUser", "LoginRequest", "LoginResponse", "UserCreate", "UserRead"]


class AuthUser(msgspec.Struct, frozen=True):
    """The signed-in user as carried in a token; no database read is needed per request."""

    id: UUID
    username: str
    role: str


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Either ``username`` and ``password`` (supervisors, admins) or ``pin`` / ``badge`` (operators)."""

    username: str | None = None
    password: str | None = None
    pin: str | None = None
    badge: str | None = None
    device_id: str | None = None


class LoginResponse(msgspec.Struct):
    token: str
    user: AuthUser
    expires_in: int


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    role: str = "operator"
    display_name: str = ""
    password: str | None = None
    pin: str | None = None
    badge: str | None = None


class UserRead(msgspec.Struct):
    id: UUID
    username: str
    display_name: str
    role: str
    active: bool
    has_password: bool
    has_pin: bool
