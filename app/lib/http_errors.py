"""Translation of domain errors to HTTP responses, in one place."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException

from app.lib.errors import DomainError, RateLimitedError
from app.lib.logging import get_logger

__all__ = ["exception_handlers"]

log = get_logger(__name__)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    if exc.status_code >= 500:
        log.error("request failed", path=request.url.path, code=exc.code, error=exc.message)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
    return Response(exc.to_dict(), status_code=exc.status_code, headers=headers)


def _validation_error(_request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"code": "invalid_input", "message": str(exc.detail)}
    if exc.extra:
        body["detail"] = exc.extra
    return Response(body, status_code=400)


def _not_authorized(_request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[dict[str, Any]]:
    return Response(
        {"code": "not_authenticated", "message": f"{exc.detail}: sign in and send Authorization: Bearer <token>"},
        status_code=401,
    )


def _http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    return Response({"code": "http_error", "message": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


exception_handlers: dict[type[Exception], Any] = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    NotAuthorizedException: _not_authorized,
    HTTPException: _http_error,
}
