"""A local fake of the Starshipit REST API for tests and ``wms demo``; it binds loopback only.

Endpoints, with Starshipit's headers (``StarShipIT-Api-Key`` + ``Ocp-Apim-Subscription-Key``):

- ``POST /api/orders/shipment``: creates a shipment for the order (``items`` limits it to the units
  packed), returns tracking numbers and a base64 PDF label, then POSTs a signed ``order_shipped``
  to the account's webhook URL, as Starshipit would.
- ``GET /api/orders/shipped`` and ``GET /api/orders/unshipped`` with ``since_last_updated``,
  ``page`` and ``limit``.
- Every request counts against the account's requests per second (a one-second sliding window);
  beyond it the response is 429 with ``Retry-After``.

Test controls live under ``/_fake`` (faults to inject, orders to add) and as methods of
:class:`FakeStarshipit` for tests in the same process.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import math
import socket
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.background_tasks import BackgroundTask

from app.domain.webhooks.signing import SIGNATURE_HEADER, sign_body
from app.lib.logging import get_logger
from app.lib.timeutil import parse_timestamp, utcnow
from app.starshipit.pdf import render_label_pdf

__all__ = ["FakeAccount", "FakeStarshipit", "OrderSource", "listening_socket", "serve_asgi"]

log = get_logger(__name__)


@dataclass
class FakeAccount:
    """One Starshipit account of the fake, with its orders and shipments."""

    code: str
    api_key: str
    subscription_key: str
    webhook_url: str = ""
    webhook_secret: str = ""
    requests_per_second: int = 20
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    recent: deque = field(default_factory=deque)


@dataclass
class Fault:
    """An injected failure returned for the next ``count`` matching requests."""

    count: int
    status: int = 0
    delay_seconds: float = 0.0
    path: str = ""


# Finds an order the fake was never given: (account, order_id, order_number) -> Starshipit's order model.
OrderSource = Callable[[FakeAccount, str, str], Awaitable[dict[str, Any] | None]]


class FakeStarshipit:
    """The fake's state and its ASGI app (:attr:`app`).

    ``order_source``, when set, is asked for an order that a shipment request names but the fake
    does not hold, before the fake makes one up from the request's items. ``wms fake-starshipit``
    and ``wms demo`` read the WMS's mirror of the order, so the fake has the order's item ids,
    as Starshipit would, and its ``order_shipped`` matches the WMS's lines.
    """

    def __init__(self) -> None:
        self.order_source: OrderSource | None = None
        self.accounts: dict[str, FakeAccount] = {}
        self.faults: list[Fault] = []
        self.deliveries: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []
        self.drop_webhooks = False
        self._tracking = itertools.count(1)
        self._delivered = asyncio.Condition()
        self.app = self._build_app()

    # -- state --------------------------------------------------------------------------------

    def add_account(
        self,
        code: str,
        api_key: str,
        subscription_key: str,
        *,
        webhook_url: str = "",
        webhook_secret: str = "",
        requests_per_second: int = 20,
    ) -> FakeAccount:
        """Register an account the fake accepts keys of."""
        account = FakeAccount(code, api_key, subscription_key, webhook_url, webhook_secret, requests_per_second)
        self.accounts[api_key] = account
        return account

    def add_order(self, api_key: str, order: dict[str, Any]) -> dict[str, Any]:
        """Store an order (Starshipit's order model) in an account; returns the stored copy."""
        account = self.accounts[api_key]
        stored = dict(order)
        stored["order_id"] = str(stored["order_id"])
        stored.setdefault("status", "Unshipped")
        stored.setdefault("last_updated_date", utcnow().isoformat())
        stored["items"] = [dict(item) for item in stored.get("items") or []]
        for item in stored["items"]:
            item.setdefault("quantity_shipped", 0)
        account.orders[stored["order_id"]] = stored
        return stored

    def inject_fault(self, *, count: int = 1, status: int = 0, delay_seconds: float = 0.0, path: str = "") -> None:
        """Fail or delay the next ``count`` requests (on ``path`` if given) with ``status`` and/or after a delay."""
        self.faults.append(Fault(count=count, status=status, delay_seconds=delay_seconds, path=path))

    def record_shipment(self, api_key: str, order_id: str, items: list[dict[str, Any]], *, tracking_number: str | None = None) -> dict[str, Any]:
        """Add a shipment to the shipped feed without any webhook (a shipment made in Starshipit's own UI)."""
        account = self.accounts[api_key]
        order = account.orders[str(order_id)]
        return self._ship(account, order, items, tracking_number=tracking_number)

    async def wait_deliveries(self, count: int) -> list[dict[str, Any]]:
        """Wait until at least ``count`` webhooks were delivered (got a response) and return them all."""
        async with self._delivered:
            await self._delivered.wait_for(lambda: len(self.deliveries) >= count)
        return list(self.deliveries)

    # -- behaviour ----------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> FakeAccount | Response:
        api_key = request.headers.get("StarShipIT-Api-Key", "")
        subscription_key = request.headers.get("Ocp-Apim-Subscription-Key", "")
        account = self.accounts.get(api_key)
        if account is None or account.subscription_key != subscription_key:
            return Response({"success": False, "errors": [{"message": "Invalid API key or subscription key"}]}, status_code=401)
        now = time.monotonic()
        while account.recent and now - account.recent[0] >= 1.0:
            account.recent.popleft()
        if len(account.recent) >= account.requests_per_second:
            wait = max(1, math.ceil(1.0 - (now - account.recent[0])))
            self.requests.append((request.method, request.url.path, 429))
            return Response(
                {"success": False, "errors": [{"message": "Rate limit exceeded"}]}, status_code=429, headers={"Retry-After": str(wait)}
            )
        account.recent.append(now)
        return account

    async def _fault_for(self, path: str) -> Response | None:
        for fault in self.faults:
            if fault.count > 0 and (not fault.path or fault.path == path):
                fault.count -= 1
                if fault.delay_seconds:
                    await asyncio.sleep(fault.delay_seconds)
                if fault.status:
                    headers = {"Retry-After": "1"} if fault.status == 429 else {}
                    self.requests.append(("*", path, fault.status))
                    return Response({"success": False, "errors": [{"message": f"injected HTTP {fault.status}"}]}, status_code=fault.status, headers=headers)
                return None
        return None

    def _ship(self, account: FakeAccount, order: dict[str, Any], items: list[dict[str, Any]] | None, *, tracking_number: str | None = None) -> dict[str, Any]:
        requested: dict[str, int] = {}
        for item in items or []:
            requested[str(item.get("sku"))] = requested.get(str(item.get("sku")), 0) + int(item.get("quantity") or 0)
        lines = []
        for item in order["items"]:
            open_units = int(item.get("quantity") or 0) - int(item.get("quantity_shipped") or 0)
            units = min(open_units, requested.get(str(item.get("sku")), 0)) if items else open_units
            if units > 0:
                item["quantity_shipped"] = int(item.get("quantity_shipped") or 0) + units
                lines.append({**{k: v for k, v in item.items() if k != "quantity_shipped"}, "quantity_to_ship": units})
        if not lines:
            raise ValueError("nothing left to ship on this order")
        now = utcnow().isoformat()
        tracking = tracking_number or f"FAKE{next(self._tracking):08d}"
        fully = all(int(item.get("quantity") or 0) <= int(item.get("quantity_shipped") or 0) for item in order["items"])
        order["status"] = "Shipped" if fully else "PartiallyShipped"
        order["last_updated_date"] = now
        entry = {
            "order_id": order["order_id"],
            "order_number": order.get("order_number"),
            "reference": order.get("reference", ""),
            "status": "Shipped",
            "shipped_date": now,
            "last_updated_date": now,
            "carrier_name": "Fake Courier",
            "tracking_number": tracking,
            "items": lines,
            "packages": [{"tracking_number": tracking, "carrier_service_code": "FAKE-STD", "carrier_name": "Fake Courier"}],
        }
        account.shipments.append(entry)
        return entry

    async def _send_order_shipped(self, account: FakeAccount, entry: dict[str, Any], packages: list[dict[str, Any]]) -> None:
        order = account.orders[entry["order_id"]]
        body = msgspec.json.encode(
            {
                "event": "order_shipped",
                "event_id": str(uuid.uuid4()),
                "occurred_at": entry["shipped_date"],
                "account_id": account.code,
                "order": {
                    "order_id": order["order_id"],
                    "order_number": order.get("order_number"),
                    "reference": order.get("reference", ""),
                    "status": "Shipped",
                    "destination": order.get("destination") or {},
                    "items": entry["items"],
                    "packages": [{**entry["packages"][0], **(packages[0] if packages else {})}],
                },
            }
        )
        outcome: dict[str, Any] = {"order_id": entry["order_id"], "tracking_number": entry["tracking_number"], "body": body}
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.post(
                    account.webhook_url,
                    content=body,
                    headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(account.webhook_secret, body)},
                )
            outcome["status"] = response.status_code
            outcome["response"] = response.text
        except httpx.HTTPError as exc:
            outcome["status"] = 0
            outcome["error"] = str(exc)
            log.error("fake starshipit webhook delivery failed", url=account.webhook_url, error=str(exc))
        async with self._delivered:
            self.deliveries.append(outcome)
            self._delivered.notify_all()

    def _build_app(self) -> Litestar:
        fake = self

        @post("/api/orders/shipment", status_code=200)
        async def create_shipment(request: Request) -> Response:
            account = fake._authenticate(request)
            if isinstance(account, Response):
                return account
            fault = await fake._fault_for("/api/orders/shipment")
            if fault is not None:
                return fault
            try:
                body = msgspec.json.decode(await request.body())
            except msgspec.DecodeError:
                return Response({"success": False, "errors": [{"message": "Body is not JSON"}]}, status_code=400)
            order_id = str(body.get("order_id") or "")
            order = account.orders.get(order_id)
            if order is None and fake.order_source is not None:
                found = await fake.order_source(account, order_id, str(body.get("order_number") or ""))
                if found is not None:
                    order = fake.add_order(account.api_key, found)
            if order is None and body.get("order_number") and body.get("items"):
                # The order reached the WMS through this account's webhook, so Starshipit has it.
                order = fake.add_order(
                    account.api_key,
                    {"order_id": order_id, "order_number": body["order_number"], "items": [dict(item) for item in body["items"]]},
                )
            if order is None:
                return Response({"success": False, "errors": [{"message": f"Order {order_id} not found"}]}, status_code=404)
            try:
                entry = fake._ship(account, order, body.get("items"))
            except ValueError as exc:
                return Response({"success": False, "errors": [{"message": f"Order {order.get('order_number')}: {exc}"}]}, status_code=400)
            fake.requests.append(("POST", "/api/orders/shipment", 200))
            label = render_label_pdf(
                [
                    "FAKE COURIER - NOT A REAL LABEL",
                    f"Order {order.get('order_number')}",
                    f"Tracking {entry['tracking_number']}",
                    *[f"{line['quantity_to_ship']} x {line.get('sku')}" for line in entry["items"]],
                ]
            )
            reply = {
                "success": True,
                "order_id": order["order_id"],
                "order_number": order.get("order_number"),
                "carrier_name": "Fake Courier",
                "carrier_service": "FAKE-STD",
                "shipment_date": entry["shipped_date"],
                "tracking_numbers": [entry["tracking_number"]],
                "labels": [base64.b64encode(label).decode("ascii")],
                "label_types": ["Label"],
            }
            background = None
            if account.webhook_url and not fake.drop_webhooks:
                background = BackgroundTask(fake._send_order_shipped, account, entry, body.get("packages") or [])
            return Response(reply, status_code=200, background=background)

        def _list(request: Request, shipped: bool) -> Response:
            account = fake._authenticate(request)
            if isinstance(account, Response):
                return account
            since_text = request.query_params.get("since_last_updated")
            try:
                since = parse_timestamp(since_text) if since_text else None
            except ValueError:
                return Response({"success": False, "errors": [{"message": "since_last_updated is not a date"}]}, status_code=400)
            page = max(1, int(request.query_params.get("page") or 1))
            limit = min(250, max(1, int(request.query_params.get("limit") or 50)))
            if shipped:
                rows = [entry for entry in account.shipments if since is None or parse_timestamp(entry["last_updated_date"]) >= since]
            else:
                rows = [
                    order
                    for order in account.orders.values()
                    if order["status"] != "Shipped" and (since is None or parse_timestamp(order["last_updated_date"]) >= since)
                ]
            total_pages = max(1, math.ceil(len(rows) / limit))
            fake.requests.append(("GET", request.url.path, 200))
            return Response({"success": True, "orders": rows[(page - 1) * limit : page * limit], "page": page, "total_pages": total_pages})

        @get("/api/orders/shipped")
        async def list_shipped(request: Request) -> Response:
            fault = await fake._fault_for("/api/orders/shipped")
            return fault or _list(request, shipped=True)

        @get("/api/orders/unshipped")
        async def list_unshipped(request: Request) -> Response:
            fault = await fake._fault_for("/api/orders/unshipped")
            return fault or _list(request, shipped=False)

        @post("/_fake/faults", status_code=200)
        async def add_fault(data: dict[str, Any]) -> dict[str, str]:
            fake.inject_fault(
                count=int(data.get("count", 1)),
                status=int(data.get("status", 0)),
                delay_seconds=float(data.get("delay_seconds", 0)),
                path=str(data.get("path", "")),
            )
            return {"status": "ok"}

        @post("/_fake/orders", status_code=200)
        async def add_order(data: dict[str, Any]) -> dict[str, Any]:
            return fake.add_order(str(data["api_key"]), data["order"])

        @get("/_fake/shipments")
        async def shipments() -> dict[str, Any]:
            return {account.code: account.shipments for account in fake.accounts.values()}

        return Litestar(
            route_handlers=[create_shipment, list_shipped, list_unshipped, add_fault, add_order, shipments],
            openapi_config=None,
        )


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind and listen on ``host:port`` (0 picks a free port); raises OSError when the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening before uvicorn starts lets clients connect at once; they wait in the backlog.
    sock.listen(128)
    return sock


@asynccontextmanager
async def serve_asgi(app: Any, *, host: str = "127.0.0.1", port: int = 0, lifespan: str = "auto") -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on loopback inside the running event loop; yields its base URL."""
    import uvicorn

    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan=lifespan, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def main() -> None:
    """Run the fake on its own: ``python -m app.starshipit.fake --port 8900 --api-key K --subscription-key S ...``."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Fake Starshipit API on loopback")
    parser.add_argument("--port", type=int, default=8900, help="TCP port on 127.0.0.1")
    parser.add_argument("--code", default="demo", help="account code sent in order_shipped envelopes")
    parser.add_argument("--api-key", required=True, help="StarShipIT-Api-Key the fake accepts")
    parser.add_argument("--subscription-key", required=True, help="Ocp-Apim-Subscription-Key the fake accepts")
    parser.add_argument("--webhook-url", default="", help="where order_shipped is POSTed, e.g. http://127.0.0.1:8000/webhooks/starshipit/demo/orders")
    parser.add_argument("--webhook-secret", default="", help="secret the order_shipped body is signed with")
    parser.add_argument("--requests-per-second", type=int, default=20, help="rate limit per account before 429")
    args = parser.parse_args()
    fake = FakeStarshipit()
    fake.add_account(
        args.code,
        args.api_key,
        args.subscription_key,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        requests_per_second=args.requests_per_second,
    )
    uvicorn.run(fake.app, host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
