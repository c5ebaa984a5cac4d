"""Checking and normalising an order event envelope before anything is stored or applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.webhooks.schemas import ORDER_EVENT_TYPES, OrderEnvelope, text_or_none
from app.lib.errors import InvalidInputError
from app.lib.timeutil import parse_timestamp

__all__ = ["MAX_LINE_QUANTITY", "ItemLine", "OrderEvent", "line_key", "normalise_order_event", "read_quantity", "read_timestamp"]


@dataclass(frozen=True)
class ItemLine:
    """One payload item, its quantities whole numbers; ``key`` matches it to a stored order line."""

    key: tuple[str, str]
    item_id: str
    sku: str
    description: str
    quantity: int
    quantity_to_ship: int | None


@dataclass
class OrderEvent:
    """An order event after validation: identifiers as text, times as aware UTC."""

    event: str
    event_id: str | None
    occurred_at: datetime
    order_id: str
    order_number: str | None
    reference: str | None
    starshipit_status: str | None
    destination: Any
    # None when the payload carried no ``items`` key, so the stored lines are left as they are.
    items: list[ItemLine] | None
    tracking_numbers: list[str] = field(default_factory=list)
    carrier_service_code: str = ""


def line_key(item_id: str, sku: str) -> tuple[str, str]:
    """Key an order line by Starshipit's item id, or by its SKU when the item has no id."""
    return ("item", item_id) if item_id else ("sku", sku)


# The same maximum as the scan commands. A larger number is invalid, and from 2**63 on the
# database cannot store it at all.
MAX_LINE_QUANTITY = 1_000_000


def read_quantity(value: int | float | None, field_name: str) -> int | None:
    """Return a quantity as a whole number; 2.0 is read as 2, while 2.5 or -1 are invalid input."""
    if value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise InvalidInputError(f"{field_name} is {value}: a quantity must be a whole number of units", field=field_name)
        value = int(value)
    if value < 0:
        raise InvalidInputError(f"{field_name} is {value}: a quantity cannot be negative", field=field_name)
    if value > MAX_LINE_QUANTITY:
        raise InvalidInputError(
            f"{field_name} is {value}: the maximum is {MAX_LINE_QUANTITY:,} units per line, so check the order in Starshipit",
            field=field_name,
        )
    return value


def read_timestamp(value: str | None, field_name: str) -> datetime | None:
    """Parse a Starshipit timestamp, or raise :class:`InvalidInputError` naming the field."""
    if value is None or not value.strip():
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        raise InvalidInputError(f"{field_name} {value!r} is not an ISO 8601 timestamp", field=field_name) from None


def _normalise_items(envelope: OrderEnvelope) -> list[ItemLine] | None:
    if envelope.order.items is None:
        return None
    merged: dict[tuple[str, str], ItemLine] = {}
    for index, item in enumerate(envelope.order.items):
        prefix = f"order.items[{index}]"
        item_id = text_or_none(item.item_id) or ""
        sku = text_or_none(item.sku) or ""
        if not item_id and not sku:
            raise InvalidInputError(f"{prefix} has neither item_id nor sku: an item needs one of them", field=f"{prefix}.sku")
        quantity = read_quantity(item.quantity, f"{prefix}.quantity") or 0
        to_ship = read_quantity(item.quantity_to_ship, f"{prefix}.quantity_to_ship")
        key = line_key(item_id, sku)
        previous = merged.get(key)
        if previous is not None and previous.sku != sku:
            raise InvalidInputError(
                f"{prefix} has item_id {item_id!r}, which an earlier item with SKU {previous.sku!r} already uses: give each item its own item_id",
                field=f"{prefix}.sku",
            )
        if previous is not None:
            # The same SKU listed twice without item ids is one line of the summed quantity.
            to_ship = None if previous.quantity_to_ship is None and to_ship is None else (previous.quantity_to_ship or 0) + (to_ship or 0)
            quantity += previous.quantity
        merged[key] = ItemLine(
            key=key,
            item_id=item_id,
            sku=sku,
            description=(item.description or "")[:300] if previous is None else previous.description,
            quantity=quantity,
            quantity_to_ship=to_ship,
        )
    return list(merged.values())


def normalise_order_event(envelope: OrderEnvelope) -> OrderEvent:
    """Validate an envelope and return its normalised form; raise :class:`InvalidInputError` naming the field."""
    if envelope.event not in ORDER_EVENT_TYPES:
        raise InvalidInputError(
            f"event {envelope.event!r} is not an order event: use one of {', '.join(ORDER_EVENT_TYPES)}", field="event"
        )
    occurred_at = read_timestamp(envelope.occurred_at, "occurred_at")
    if occurred_at is None:
        raise InvalidInputError("occurred_at is empty: send the time the event happened", field="occurred_at")
    order_id = text_or_none(envelope.order.order_id)
    if order_id is None:
        raise InvalidInputError("order.order_id is empty: send Starshipit's order id", field="order.order_id")
    if len(order_id) > 40:
        raise InvalidInputError(f"order.order_id {order_id[:60]!r} is longer than 40 characters", field="order.order_id")
    order_number = text_or_none(envelope.order.order_number)
    if order_number is not None and len(order_number) > 80:
        raise InvalidInputError("order.order_number is longer than 80 characters", field="order.order_number")

    tracking_numbers: list[str] = []
    carrier_service_code = ""
    for package in envelope.order.packages or []:
        number = text_or_none(package.tracking_number)
        if number and number not in tracking_numbers:
            tracking_numbers.append(number)
        carrier_service_code = carrier_service_code or (package.carrier_service_code or "")

    return OrderEvent(
        event=envelope.event,
        event_id=text_or_none(envelope.event_id),
        occurred_at=occurred_at,
        order_id=order_id,
        order_number=order_number,
        reference=envelope.order.reference,
        starshipit_status=envelope.order.status,
        destination=envelope.order.destination,
        items=_normalise_items(envelope),
        tracking_numbers=tracking_numbers,
        carrier_service_code=carrier_service_code[:80],
    )
