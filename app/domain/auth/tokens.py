"""Bearer tokens: Litestar's JWT middleware, keyed with ``WMS_SECRET_KEY``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTAuth, Token

from app.config import Settings
from app.domain.auth.schemas import AuthUser

__all__ = ["build_jwt_auth", "user_from_token", "read_token"]

# Everything outside /api is public or checks its own credentials: pages and static files carry no
# data, webhooks check their HMAC signature, and /ws reads its token from the first message.
PUBLIC_PATHS = [r"^/(?!api/)", r"^/api/v1/auth/login$"]


async def user_from_token(token: Token, _connection: ASGIConnection[Any, Any, Any, Any]) -> AuthUser | None:
    """Rebuild the signed-in user from the token's claims."""
    extras = token.extras or {}
    try:
        return AuthUser(id=UUID(token.sub), username=str(extras["username"]), role=str(extras["role"]))
    except (KeyError, ValueError):
        return None


def build_jwt_auth(settings: Settings) -> JWTAuth[AuthUser, Token]:
    """Create the JWT middleware configuration for the app."""
    return JWTAuth[AuthUser, Token](
        retrieve_user_handler=user_from_token,
        token_secret=settings.secret_key,
        exclude=PUBLIC_PATHS,
        default_token_expiration=timedelta(hours=settings.token_ttl_hours),
    )


def read_token(jwt_auth: JWTAuth[AuthUser, Token], encoded: str) -> AuthUser | None:
    """Decode ``encoded`` outside the middleware (the WebSocket handshake); None if invalid or expired."""
    try:
        token = Token.decode(encoded, secret=jwt_auth.token_secret, algorithm=jwt_auth.algorithm)
    except Exception:  # litestar raises NotAuthorizedException for every decoding failure
        return None
    extras = token.extras or {}
    try:
        return AuthUser(id=UUID(token.sub), username=str(extras["username"]), role=str(extras["role"]))
    except (KeyError, ValueError):
        return None
