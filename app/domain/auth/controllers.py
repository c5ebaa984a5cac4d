"""Sign-in and user administration endpoints."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from sqlalchemy import select

from app.lib.deps import DatabaseDep
from app.db.models import User
from app.domain.auth.guards import requires_admin
from app.domain.auth.schemas import AuthUser, LoginRequest, LoginResponse, UserCreate, UserRead
from app.domain.auth.services import authenticate, create_user
from app.domain.sync.devices import register_device
from app.lib.errors import AuthenticationError
from app.lib.logging import get_logger
from app.lib.wire import decode_body

__all__ = ["AuthController", "UserController"]

log = get_logger(__name__)


def _user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        active=user.active,
        has_password=user.password_hash is not None,
        has_pin=user.pin_lookup is not None,
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", operation_id="Login", status_code=200)
    async def login(self, request: Request, state: State, db: DatabaseDep) -> LoginResponse:
        """Exchange a password, PIN or badge for a bearer token."""
        body = decode_body(await request.body(), LoginRequest)
        settings = state.settings
        client_key = f"{request.client.host if request.client else '?'}|{body.device_id or ''}"
        limiter = state.login_limiter
        limiter.check(client_key)
        try:
            async with db.read() as session:
                user = await authenticate(session, body, settings.secret_key)
        except AuthenticationError as exc:
            limiter.record_failure(client_key)
            log.info("sign-in rejected", client=client_key, username=body.username, reason=exc.message)
            raise
        limiter.reset(client_key)
        token = state.jwt_auth.create_token(
            identifier=str(user.id),
            token_expiration=timedelta(hours=settings.token_ttl_hours),
            token_extras={"username": user.username, "role": user.role},
        )
        log.info("signed in", user_id=str(user.id), username=user.username, role=user.role, device_id=body.device_id)
        if body.device_id:
            await register_device(db, body.device_id, user)
        return LoginResponse(token=token, user=user, expires_in=settings.token_ttl_hours * 3600)

    @get("/me", operation_id="GetCurrentUser")
    async def me(self, request: Request[AuthUser, object, State]) -> AuthUser:
        """Return the signed-in user."""
        return request.user


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [requires_admin]

    @get("/", operation_id="ListUsers")
    async def list_users(self, db: DatabaseDep) -> list[UserRead]:
        """List every user."""
        async with db.read() as session:
            users = (await session.scalars(select(User).order_by(User.username))).all()
        return [_user_read(user) for user in users]

    @post("/", operation_id="CreateUser")
    async def create(self, request: Request, state: State, db: DatabaseDep) -> UserRead:
        """Create a user (admin only)."""
        body = decode_body(await request.body(), UserCreate)
        async with db.transaction() as session:
            user = await create_user(session, body, state.settings.secret_key)
        log.info("user created", user_id=str(user.id), username=user.username, role=user.role)
        return _user_read(user)


