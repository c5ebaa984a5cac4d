"""The one error hierarchy of the domain, translated to HTTP in :mod:`app.lib.http_errors`.

Domain code raises these with structured ``detail`` (which product, how many were available) and
never returns ``False`` for a failure. Each class fixes the HTTP status and a stable ``code`` that
clients, the handheld app included, can switch on.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "DomainError",
    "InsufficientStockError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "SchemaOutdatedError",
    "SignatureError",
]


class DomainError(Exception):
    """Base of every error the API reports to a client."""

    status_code: ClassVar[int] = 400
    default_code: ClassVar[str] = "invalid"

    def __init__(self, message: str, *, code: str | None = None, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON body clients receive."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail:
            body["detail"] = self.detail
        return body


class InvalidInputError(DomainError):
    """A request body, field, scan or CSV row cannot be used as sent."""

    status_code = 400
    default_code = "invalid_input"


class AuthenticationError(DomainError):
    """No valid credentials were presented."""

    status_code = 401
    default_code = "not_authenticated"


class SignatureError(AuthenticationError):
    """A webhook's ``X-Starshipit-Signature`` is missing or does not match the body."""

    default_code = "invalid_signature"


class PermissionDeniedError(DomainError):
    """The signed-in user's role does not allow the action."""

    status_code = 403
    default_code = "forbidden"


class NotFoundError(DomainError):
    """A referenced record does not exist (or belongs to another account)."""

    status_code = 404
    default_code = "not_found"


class ConflictError(DomainError):
    """The request contradicts the current state, such as a duplicate barcode."""

    status_code = 409
    default_code = "conflict"


class InsufficientStockError(ConflictError):
    """An allocation or reservation asked for more than is available."""

    default_code = "insufficient_stock"


class RateLimitedError(DomainError):
    """Too many attempts in the current window."""

    status_code = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **detail: Any) -> None:
        super().__init__(message, retry_after=retry_after, **detail)
        self.retry_after = retry_after


class SchemaOutdatedError(RuntimeError):
    """The database schema is older than the code; start-up stops until it is migrated."""
