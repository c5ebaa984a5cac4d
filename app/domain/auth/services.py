"""Sign-in and user creation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Role, User
from app.domain.auth.passwords import hash_password, pin_lookup_key, verify_password
from app.domain.auth.schemas import AuthUser, LoginRequest, UserCreate
from app.lib.errors import AuthenticationError, ConflictError, InvalidInputError

__all__ = ["authenticate", "create_user"]


async def authenticate(session: AsyncSession, request: LoginRequest, secret_key: str) -> AuthUser:
    """Return the user the credentials identify; raise :class:`AuthenticationError` otherwise."""
    user: User | None
    if request.username is not None or request.password is not None:
        if not request.username or not request.password:
            raise InvalidInputError("send both username and password, or a pin")
        user = await session.scalar(select(User).where(User.username == request.username))
        if user is None or not verify_password(request.password, user.password_hash):
            raise AuthenticationError("wrong username or password")
    elif request.pin:
        user = await session.scalar(select(User).where(User.pin_lookup == pin_lookup_key(request.pin, secret_key)))
        if user is None:
            raise AuthenticationError("wrong PIN")
    elif request.badge:
        user = await session.scalar(select(User).where(User.badge == request.badge))
        if user is None:
            raise AuthenticationError("badge not recognised: scan it again or sign in with a PIN")
    else:
        raise InvalidInputError("missing credentials: send {username, password}, {pin} or {badge}")
    if not user.active:
        raise AuthenticationError(f"user {user.username!r} is deactivated: ask a supervisor")
    return AuthUser(id=user.id, username=user.username, role=user.role)


async def create_user(session: AsyncSession, data: UserCreate, secret_key: str) -> User:
    """Create a user; operators need a PIN or badge, supervisors and admins a password."""
    try:
        role = Role(data.role)
    except ValueError:
        raise InvalidInputError(f"role {data.role!r} is invalid: use operator, supervisor or admin", field="role") from None
    if not data.username.strip():
        raise InvalidInputError("username is empty", field="username")
    if role is not Role.OPERATOR and not data.password:
        raise InvalidInputError(f"a {role.value} needs a password", field="password")
    if not (data.password or data.pin or data.badge):
        raise InvalidInputError("give the user a password, a PIN or a badge", field="pin")
    if data.pin is not None and not (data.pin.isdigit() and 4 <= len(data.pin) <= 12):
        raise InvalidInputError("PIN must be 4 to 12 digits", field="pin")
    if data.password is not None and len(data.password) < 8:
        raise InvalidInputError("password must be at least 8 characters", field="password")
    if await session.scalar(select(User.id).where(User.username == data.username)):
        raise ConflictError(f"username {data.username!r} is taken", field="username")
    pin_key = pin_lookup_key(data.pin, secret_key) if data.pin else None
    if pin_key and await session.scalar(select(User.id).where(User.pin_lookup == pin_key)):
        raise ConflictError("that PIN belongs to another user: choose another", field="pin")
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        role=role.value,
        password_hash=hash_password(data.password) if data.password else None,
        pin_lookup=pin_key,
        badge=data.badge,
    )
    session.add(user)
    await session.flush()
    return user
