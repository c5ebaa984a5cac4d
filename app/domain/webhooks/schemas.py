"""Wire types of the Starshipit webhooks and the event log API.

Starshipit's payloads are decoded liberally: unknown fields are ignored here (they stay in the stored
raw body), numbers and strings are both accepted where Starshipit has sent both, and timestamps are
strings parsed by :func:`app.lib.timeutil.parse_timestamp`. Only the fields the event rules need are
required.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from app.lib.errors import InvalidInputError

__all__ = [
    "ORDER_EVENT_TYPES",
    "TRACKING_STATUSES",
    "ItemPayload",
    "OrderEnvelope",
    "OrderPayload",
    "PackagePayload",
    "TrackingPayload",
    "WebhookEventPage",
    "WebhookEventRead",
    "WebhookReply",
    "decode_webhook_body",
    "text_or_none",
]

ORDER_EVENT_TYPES = ("order_created", "order_changed", "order_deleted", "order_shipped")

TRACKING_STATUSES = (
    "Printed",
    "Dispatched",
    "InTransit",
    "OutForDelivery",
    "Delivered",
    "PickupInStore",
    "AttemptedDelivery",
    "Exception",
    "AwaitingCollection",
    "Cancelled",
)

T = TypeVar("T")

# Starshipit sends identifiers such as order_number sometimes as JSON numbers, sometimes as strings.
Identifier = int | str


class ItemPayload(msgspec.Struct):
    """One order item with Starshipit's field names; quantities may arrive as 2 or 2.0."""

    item_id: Identifier | None = None
    sku: Identifier | None = None
    description: str | None = None
    quantity: int | float = 0
    quantity_to_ship: int | float | None = None
    weight: Any = None
    value: Any = None


class PackagePayload(msgspec.Struct):
    """One shipped package; dimensions and weight are kept only in the raw body."""

    tracking_number: Identifier | None = None
    carrier_service_code: str | None = None
    carrier_name: str | None = None


class OrderPayload(msgspec.Struct):
    """Starshipit's order model, as far as the WMS reads it."""

    order_id: Identifier
    order_number: Identifier | None = None
    reference: str | None = None
    status: str | None = None
    destination: Any = None
    # None (the key is absent) means "lines not sent"; an empty list means "no lines".
    items: list[ItemPayload] | None = None
    packages: list[PackagePayload] | None = None


class OrderEnvelope(msgspec.Struct):
    """The documented envelope of one order event."""

    event: str
    occurred_at: str
    order: OrderPayload
    event_id: Identifier | None = None
    account_id: Any = None


class TrackingPayload(msgspec.Struct):
    """Starshipit's public tracking webhook."""

    order_number: Identifier
    tracking_status: str
    tracking_number: Identifier | None = None
    carrier_name: str | None = None
    carrier_service: str | None = None
    shipment_date: str | None = None
    last_updated_date: str | None = None


class WebhookReply(msgspec.Struct):
    """The body of a 2xx response to a delivery. ``outcome`` is applied, duplicate, stale or ignored."""

    outcome: str
    webhook_event_id: UUID | None = None
    event_id: str | None = None
    order_id: UUID | None = None
    detail: str = ""


class WebhookEventRead(msgspec.Struct):
    """One row of the event log as supervisors see it, raw body included."""

    id: UUID
    kind: str
    event_type: str
    event_id: str | None
    order_ref: str
    order_id: UUID | None
    outcome: str
    outcome_detail: str
    deliveries: int
    received_at: datetime
    occurred_at: datetime | None
    applied_at: datetime | None
    raw_body: str


class WebhookEventPage(msgspec.Struct):
    """A page of the event log, newest first."""

    items: list[WebhookEventRead]
    total: int
    limit: int
    offset: int


def text_or_none(value: Identifier | None) -> str | None:
    """Spell an identifier that may have arrived as a number the way it is stored: as text."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _field_path(message: str) -> str:
    """Turn msgspec's error text into a dotted field path such as ``order.items[0].sku``."""
    path = ""
    if " - at `" in message:
        message, at = message.rsplit(" - at `", 1)
        path = at.rstrip("`").removeprefix("$").removeprefix(".")
    if message.startswith("Object missing required field `"):
        missing = message.removeprefix("Object missing required field `").split("`", 1)[0]
        path = f"{path}.{missing}" if path else missing
    return path


def _nul_path(value: object, path: str = "") -> str | None:
    """Return the path of the first key or string that contains a NUL character, if any."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return child
            found = _nul_path(item, child)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def decode_webhook_body(body: bytes, struct_type: type[T]) -> T:
    """Decode a webhook body; raise :class:`InvalidInputError` naming the missing or invalid field."""
    if not body.strip():
        raise InvalidInputError("the request body is empty: send the event as a JSON object", field="")
    # JSON carries NUL only as the escape \u0000 inside a string, and PostgreSQL text cannot store NUL.
    if b"\\u0000" in body:
        try:
            field = _nul_path(msgspec.json.decode(body))
        except msgspec.DecodeError:
            field = None
        if field is not None:
            raise InvalidInputError(f"invalid webhook body, field {field}: it contains a NUL character (\\u0000), which no field may contain: remove it", field=field)
    try:
        return msgspec.json.decode(body, type=struct_type)
    except msgspec.ValidationError as exc:
        field = _field_path(str(exc))
        raise InvalidInputError(f"invalid webhook body, field {field or '(root)'}: {exc}", field=field) from None
    except msgspec.DecodeError as exc:
        raise InvalidInputError(f"the webhook body is not valid JSON: {exc}", field="") from None
