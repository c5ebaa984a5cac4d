"""HTTP endpoints: Starshipit's webhook receivers and the event log for supervisors."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import Parameter

from app.domain.auth.guards import requires_supervisor
from app.domain.webhooks.schemas import WebhookEventPage, WebhookReply
from app.domain.webhooks.services import list_webhook_events, receive_order_webhook, receive_tracking_webhook
from app.domain.webhooks.signing import SIGNATURE_HEADER
from app.lib.deps import DatabaseDep

__all__ = ["StarshipitWebhookController", "WebhookEventController"]


class StarshipitWebhookController(Controller):
    """Receivers authenticated by the account's HMAC signature, not by a user token."""

    path = "/webhooks/starshipit/{account_code:str}"
    tags = ["webhooks"]

    @post(
        "/orders",
        operation_id="ReceiveStarshipitOrderEvent",
        status_code=200,
        description=(
            "JSON body: event, event_id, occurred_at, account_id and order (Starshipit's order model with "
            "items and packages). Header X-Starshipit-Signature: lowercase hex HMAC-SHA256 of the raw body "
            "keyed with the account's webhook secret. Returns 200 with outcome applied, duplicate, stale or "
            "ignored; 400 naming the invalid field (the body is kept as rejected); 401 for a bad signature; "
            "404 for an unknown account code; 500 when applying failed, so that Starshipit retries."
        ),
    )
    async def receive_order_event(self, request: Request[Any, Any, State], account_code: str, db: DatabaseDep) -> WebhookReply:
        """Receive one order event (order_created, order_changed, order_deleted, order_shipped)."""
        body = await request.body()
        return await receive_order_webhook(db, request.app.state.channels, account_code, body, request.headers.get(SIGNATURE_HEADER))

    @post(
        "/tracking",
        operation_id="ReceiveStarshipitTrackingUpdate",
        status_code=200,
        description=(
            "JSON body of Starshipit's tracking webhook: order_number, tracking_status (required), "
            "tracking_number, carrier_name, carrier_service, shipment_date, last_updated_date. Signed and "
            "handled like the order events; an update older than the order's current one is stale."
        ),
    )
    async def receive_tracking_update(self, request: Request[Any, Any, State], account_code: str, db: DatabaseDep) -> WebhookReply:
        """Receive one courier tracking update from Starshipit's tracking webhook."""
        body = await request.body()
        return await receive_tracking_webhook(db, request.app.state.channels, account_code, body, request.headers.get(SIGNATURE_HEADER))


class WebhookEventController(Controller):
    """The webhook event log: every delivery, raw body and outcome included."""

    path = "/api/v1/webhook-events"
    tags = ["webhooks"]
    guards = [requires_supervisor]

    @get("/", operation_id="ListWebhookEvents")
    async def list_events(
        self,
        db: DatabaseDep,
        outcome: Annotated[str | None, Parameter(description="received, applied, stale, ignored, rejected or failed")] = None,
        event_type: Annotated[str | None, Parameter(description="order_created, order_changed, order_deleted, order_shipped or tracking")] = None,
        order_number: Annotated[str | None, Parameter(description="Order number the event refers to")] = None,
        kind: Annotated[str | None, Parameter(description="orders or tracking")] = None,
        limit: Annotated[int, Parameter(ge=1, le=500, description="Page size")] = 50,
        offset: Annotated[int, Parameter(ge=0, description="Rows to skip")] = 0,
    ) -> WebhookEventPage:
        """List webhook deliveries, newest first."""
        async with db.read() as session:
            return await list_webhook_events(
                session, outcome=outcome, event_type=event_type, order_number=order_number, kind=kind, limit=limit, offset=offset
            )
