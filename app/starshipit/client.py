"""An httpx client for the Starshipit REST API endpoints the WMS uses.

Every request carries the account's two keys (``StarShipIT-Api-Key`` and
``Ocp-Apim-Subscription-Key``). Requests of one account are spaced to the account's rate limit
(2 or 20 per second by Starshipit's tiers), across every client instance of the process. A 429 is
waited out (``Retry-After`` when sent, else an exponential backoff) and retried: Starshipit did not
process that request. Reads (GET) are also retried after timeouts, connection errors and 5xx.
Creating a shipment is retried only when the request provably never reached Starshipit (connect
errors, 429); after a read timeout or a 5xx the shipment may exist, so the error asks the packer to
check Starshipit instead of the client printing a second label.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from app.lib.errors import DomainError
from app.lib.logging import get_logger

__all__ = [
    "StarshipitClient",
    "StarshipitError",
    "StarshipitRejectedError",
    "StarshipitUnavailableError",
    "client_for_account",
]

log = get_logger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 8.0


class StarshipitError(DomainError):
    """Starshipit could not complete a request; the message is meant for the packer's screen."""

    status_code = 502
    default_code = "starshipit_error"


class StarshipitRejectedError(StarshipitError):
    """Starshipit returned 4xx: the request itself is invalid (unknown order, missing address...)."""

    status_code = 422
    default_code = "starshipit_rejected"


class StarshipitUnavailableError(StarshipitError):
    """Starshipit timed out, failed with 5xx or kept returning 429 after every retry."""

    status_code = 503
    default_code = "starshipit_unavailable"


class _Pacer:
    """Spaces the requests of one account so they stay within its requests per second."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.next_slot = 0.0
        self.penalty_until = 0.0

    async def wait_turn(self, requests_per_second: int) -> None:
        # A 10 % margin keeps network jitter from pushing a request into the previous window.
        interval = 1.1 / max(1, requests_per_second)
        async with self.lock:
            now = time.monotonic()
            start = max(now, self.next_slot, self.penalty_until)
            self.next_slot = start + interval
        delay = start - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def back_off(self, seconds: float) -> None:
        self.penalty_until = max(self.penalty_until, time.monotonic() + seconds)


# One pacer per API key and event loop, shared by every client of that loop; an asyncio lock
# cannot be shared between loops.
_PACERS: dict[tuple[str, int], _Pacer] = {}


def _pacer_for(api_key: str) -> _Pacer:
    key = (api_key, id(asyncio.get_running_loop()))
    pacer = _PACERS.get(key)
    if pacer is None:
        pacer = _PACERS[key] = _Pacer()
    return pacer


def _error_messages(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        messages = []
        for error in body.get("errors") or []:
            if isinstance(error, dict):
                messages.append(str(error.get("message") or error.get("details") or error))
            else:
                messages.append(str(error))
        if messages:
            return "; ".join(messages)
        if body.get("message"):
            return str(body["message"])
    return response.text[:300]


def _retry_after(response: httpx.Response, attempt: int, requests_per_second: int) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        seconds = float(header)
    except ValueError:
        seconds = (2**attempt) / max(1, requests_per_second)
    return min(max(seconds, 1.0 / max(1, requests_per_second)), MAX_BACKOFF_SECONDS)


@dataclass
class StarshipitClient:
    """Calls Starshipit for one account. Use as ``async with`` or call :meth:`close`."""

    base_url: str
    api_key: str
    subscription_key: str
    requests_per_second: int = 2
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = 4
    account_code: str = ""

    def __post_init__(self) -> None:
        self._http = httpx.AsyncClient(
            base_url=self.base_url.rstrip("/"),
            timeout=httpx.Timeout(self.timeout_seconds, connect=min(self.timeout_seconds, 5.0)),
            headers={
                "StarShipIT-Api-Key": self.api_key,
                "Ocp-Apim-Subscription-Key": self.subscription_key,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        self._pacer: _Pacer | None = None

    async def __aenter__(self) -> StarshipitClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the underlying connection pool."""
        await self._http.aclose()

    async def _request(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None, safe_to_retry: bool) -> dict[str, Any]:
        attempt = 0
        if self._pacer is None:
            self._pacer = _pacer_for(self.api_key)
        while True:
            await self._pacer.wait_turn(self.requests_per_second)
            try:
                response = await self._http.request(method, path, json=json, params=params)
            except httpx.ConnectError as exc:
                # The request never reached Starshipit, so even a shipment is safe to resend.
                if attempt < self.max_retries:
                    attempt += 1
                    log.warning("starshipit connect failed, retrying", account=self.account_code, path=path, attempt=attempt, error=str(exc))
                    await asyncio.sleep(min(2**attempt * 0.1, MAX_BACKOFF_SECONDS))
                    continue
                log.error("starshipit unreachable", account=self.account_code, path=path, error=str(exc))
                raise StarshipitUnavailableError(
                    f"Starshipit cannot be reached ({exc}): check the network and try again", path=path
                ) from None
            except httpx.TimeoutException:
                if safe_to_retry and attempt < self.max_retries:
                    attempt += 1
                    log.warning("starshipit timed out, retrying", account=self.account_code, path=path, attempt=attempt)
                    continue
                log.error("starshipit timed out", account=self.account_code, path=path, retried=attempt)
                hint = "try again" if safe_to_retry else "check in Starshipit whether the shipment was created before trying again"
                raise StarshipitUnavailableError(
                    f"Starshipit did not respond to {method} {path} within {self.timeout_seconds:g} s: {hint}", path=path
                ) from None
            except httpx.HTTPError as exc:
                # The connection broke after the request went out, so only a read is safe to resend.
                if safe_to_retry and attempt < self.max_retries:
                    attempt += 1
                    log.warning("starshipit request failed, retrying", account=self.account_code, path=path, attempt=attempt, error=str(exc))
                    continue
                log.error("starshipit request failed", account=self.account_code, path=path, error=str(exc))
                hint = "try again" if safe_to_retry else "check in Starshipit whether the shipment was created before trying again"
                raise StarshipitUnavailableError(f"the request to Starshipit failed ({exc}): {hint}", path=path) from None

            if response.status_code == 429:
                if attempt < self.max_retries:
                    wait = _retry_after(response, attempt, self.requests_per_second)
                    attempt += 1
                    self._pacer.back_off(wait)
                    log.info("starshipit rate limit reached, backing off", account=self.account_code, path=path, wait_s=round(wait, 3), attempt=attempt)
                    continue
                log.error("starshipit rate limit persists", account=self.account_code, path=path, retried=attempt)
                raise StarshipitUnavailableError(
                    f"Starshipit kept returning 429 (too many requests) after {attempt} retries: wait a minute and try again",
                    path=path,
                )
            if response.status_code >= 500:
                if safe_to_retry and attempt < self.max_retries:
                    attempt += 1
                    log.warning("starshipit server error, retrying", account=self.account_code, path=path, status=response.status_code, attempt=attempt)
                    await asyncio.sleep(min(2**attempt * 0.1, MAX_BACKOFF_SECONDS))
                    continue
                log.error("starshipit server error", account=self.account_code, path=path, status=response.status_code)
                raise StarshipitUnavailableError(
                    f"Starshipit failed with HTTP {response.status_code}: {_error_messages(response)}", path=path, status=response.status_code
                )
            if response.status_code >= 400:
                message = _error_messages(response)
                log.warning("starshipit rejected a request", account=self.account_code, path=path, status=response.status_code, error=message)
                raise StarshipitRejectedError(f"Starshipit rejected the request: {message}", path=path, status=response.status_code)
            try:
                body = response.json()
            except ValueError:
                raise StarshipitError(f"Starshipit returned a response to {method} {path} that is not JSON: try again or check Starshipit's status", path=path) from None
            if isinstance(body, dict) and body.get("success") is False:
                message = _error_messages(response)
                raise StarshipitRejectedError(f"Starshipit rejected the request: {message}", path=path, status=response.status_code)
            return body if isinstance(body, dict) else {"data": body}

    async def create_shipment(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /api/orders/shipment``: create the shipment; returns tracking numbers and base64 labels."""
        return await self._request("POST", "/api/orders/shipment", json=body, safe_to_retry=False)

    async def list_shipped(self, since: datetime | None = None, *, limit: int = 250) -> list[dict[str, Any]]:
        """``GET /api/orders/shipped``: orders shipped (or updated) since ``since``, every page."""
        return await self._list("/api/orders/shipped", since, limit)

    async def list_unshipped(self, since: datetime | None = None, *, limit: int = 250) -> list[dict[str, Any]]:
        """``GET /api/orders/unshipped``: open orders updated since ``since``, every page."""
        return await self._list("/api/orders/unshipped", since, limit)

    async def _list(self, path: str, since: datetime | None, limit: int) -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = []
        page = 1
        while True:
            params = {"limit": str(limit), "page": str(page)}
            if since is not None:
                params["since_last_updated"] = since.isoformat()
            body = await self._request("GET", path, params=params, safe_to_retry=True)
            batch = body.get("orders") or []
            orders.extend(batch)
            total_pages = int(body.get("total_pages") or 1)
            if page >= total_pages or not batch:
                return orders
            page += 1


def client_for_account(account: Any, base_url: str, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> StarshipitClient:
    """Build a client for an :class:`~app.db.models.Account` row."""
    if not account.api_key or not account.subscription_key:
        raise StarshipitRejectedError(
            f"account {account.code} has no Starshipit API key or subscription key: an admin must set both",
            account=account.code,
        )
    return StarshipitClient(
        base_url=base_url,
        api_key=account.api_key,
        subscription_key=account.subscription_key,
        requests_per_second=account.requests_per_second or 2,
        timeout_seconds=timeout_seconds,
        account_code=account.code,
    )
