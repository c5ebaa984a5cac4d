"""A realistic stream of Starshipit webhook deliveries, generated from a seed.

The stream is built in two steps. First the *timeline*: for each order, ``order_created``, maybe
an ``order_changed`` that edits the lines, then either ``order_deleted`` or ``order_shipped`` with
packages, followed by courier tracking updates. Every event carries its own ``occurred_at``, and the
timeline is sorted by it. The timeline depends only on the seed, the SKUs and the options that shape
orders. Second the *delivery order*: optional duplicates (the same bytes sent again later) and
reordering (an event held back behind later ones), drawn from a second generator. So two runs
with the same seed deliver the same events, and only the delivery order and repeats differ.
"""

from __future__ import annotations

import json
import random
import uuid
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

__all__ = ["Delivery", "StreamOptions", "build_deliveries", "build_timeline", "format_occurred_at"]

TRACKING_STEPS = ("Printed", "Dispatched", "InTransit", "OutForDelivery", "Delivered")
CARRIERS = (("NZ Post", "CPOLTPA5"), ("CourierPost", "CPOLP"), ("Aramex", "ARAMEXSTD"))
NAMES = ("Aroha Ngata", "Liam Chen", "Sofia Rossi", "Tama Wiremu", "Priya Shah", "Jack Morrison", "Mere Parata", "Noah Kim")
CITIES = (
    ("Auckland", "1010", "NZ"),
    ("Wellington", "6011", "NZ"),
    ("Christchurch", "8011", "NZ"),
    ("Dunedin", "9016", "NZ"),
    ("Sydney", "2000", "AU"),
    ("Melbourne", "3000", "AU"),
)
STREETS = ("Queen Street", "Lambton Quay", "Colombo Street", "George Street", "Cuba Street", "Ponsonby Road")

# Hold-back distance, in deliveries, of a reordered event and of a duplicate's second copy.
REORDER_WINDOW = 6
DUPLICATE_WINDOW = 12


@dataclass(frozen=True)
class StreamOptions:
    """Timeline parameters: order count, SKUs, and the probabilities of order changes and deletions."""

    orders: int
    skus: tuple[str, ...]
    seed: int
    account_id: int = 0
    change_probability: float = 0.25
    delete_probability: float = 0.1
    partial_probability: float = 0.15
    # Orders still waiting when the stream ends: they stay PENDING and keep their stock committed.
    open_probability: float = 0.1
    ship: bool = True
    tracking: bool = True
    start: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """One HTTP POST the simulator makes: which webhook, its raw body and what it carries."""

    kind: str  # "orders" or "tracking"
    event: str  # order event name, or "tracking:<status>"
    order_number: str
    event_id: str  # the envelope's event_id; the tracking number for tracking updates
    body: bytes
    occurred_at: datetime
    duplicate: bool = False
    late: bool = False


def format_occurred_at(moment: datetime) -> str:
    """Format a UTC time the way Starshipit's .NET back end does, with seven fractional digits."""
    moment = moment.astimezone(UTC)
    ticks = moment.microsecond * 10 + (moment.second % 7)  # a 7th digit, fixed by the time itself
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ticks:07d}Z"


def _encode(payload: dict) -> bytes:
    # Compact separators, as most webhook senders use; the receiver must verify these exact bytes.
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class _OrderDraft:
    """One order's evolving content while its events are generated."""

    def __init__(self, rng: random.Random, options: StreamOptions, number: int, order_id: int) -> None:
        self.rng = rng
        self.order_id = order_id
        self.order_number = str(number)
        name = rng.choice(NAMES)
        city, postcode, country = rng.choice(CITIES)
        self.destination = {
            "name": name,
            "email": name.lower().replace(" ", ".") + "@example.com",
            "phone": f"+64 21 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "street": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
            "suburb": "",
            "city": city,
            "post_code": postcode,
            "country": country,
        }
        self.reference = f"WEB-{number}"
        count = min(len(options.skus), rng.choice((1, 1, 2, 2, 3)))
        self.items = []
        for position, sku in enumerate(rng.sample(options.skus, count)):
            self.items.append(self._item(position, sku))

    def _item(self, position: int, sku: str) -> dict:
        quantity = self.rng.choice((1, 1, 1, 2, 2, 3))
        return {
            "item_id": self.order_id * 10 + position,
            "sku": sku,
            "description": sku.replace("-", " ").title(),
            "quantity": quantity,
            "quantity_to_ship": quantity,
            "weight": round(self.rng.uniform(0.05, 1.2), 3),
            "value": round(self.rng.uniform(5, 90), 2),
        }

    def change(self, skus: tuple[str, ...]) -> None:
        """Edit the lines as a customer service agent would: a new quantity, a removed or added line."""
        choice = self.rng.random()
        if choice < 0.5 or len(self.items) == 1 and len(skus) == 1:
            item = self.rng.choice(self.items)
            item["quantity"] = item["quantity_to_ship"] = item["quantity"] + self.rng.choice((1, 2))
        elif choice < 0.75 and len(self.items) > 1:
            self.items.remove(self.rng.choice(self.items))
        else:
            unused = [sku for sku in skus if sku not in {item["sku"] for item in self.items}]
            if unused:
                self.items.append(self._item(len(self.items) + 1, self.rng.choice(unused)))
            else:
                item = self.rng.choice(self.items)
                item["quantity"] = item["quantity_to_ship"] = item["quantity"] + 1

    def split(self) -> tuple[dict[int, int], dict[int, int]] | None:
        """Split the units into two shipments (item_id to units), or None for a single unit."""
        if sum(item["quantity"] for item in self.items) < 2:
            return None
        first: dict[int, int] = {}
        if len(self.items) > 1:
            # Whole lines go first, as when one item is on back order.
            for item in self.items[: self.rng.randint(1, len(self.items) - 1)]:
                first[item["item_id"]] = item["quantity"]
        else:
            item = self.items[0]
            first[item["item_id"]] = self.rng.randint(1, item["quantity"] - 1)
        second = {item["item_id"]: item["quantity"] - first.get(item["item_id"], 0) for item in self.items}
        return first, {item_id: units for item_id, units in second.items() if units > 0}

    def order(self, status: str, packages: list[dict] | None = None, shipping: dict[int, int] | None = None) -> dict:
        """Return the order payload; ``shipping`` sets each item's ``quantity_to_ship`` (0 if absent)."""
        # Starshipit sends order_number as a number now and then; the receiver must match either.
        number: int | str = int(self.order_number) if self.rng.random() < 0.3 else self.order_number
        items = [dict(item) for item in self.items]
        if shipping is not None:
            for item in items:
                item["quantity_to_ship"] = shipping.get(item["item_id"], 0)
        return {
            "order_id": self.order_id,
            "order_number": number,
            "reference": self.reference,
            "status": status,
            "destination": dict(self.destination),
            "items": items,
            "packages": packages or [],
        }


def _packages(rng: random.Random, carrier: str, service: str) -> list[dict]:
    """Return one or two packages with tracking numbers, dimensions in metres and weight in kg."""
    packages = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        packages.append(
            {
                "tracking_number": f"{service[:2]}{rng.randint(10**9, 10**10 - 1)}NZ",
                "carrier_name": carrier,
                "carrier_service_code": service,
                "length": round(rng.uniform(0.1, 0.5), 2),
                "width": round(rng.uniform(0.1, 0.4), 2),
                "height": round(rng.uniform(0.05, 0.3), 2),
                "weight": round(rng.uniform(0.2, 5), 2),
            }
        )
    return packages


def build_timeline(options: StreamOptions) -> list[Delivery]:
    """Generate every delivery of the stream in ``occurred_at`` order (the in-order run)."""
    if options.orders < 0:
        raise ValueError("orders must not be negative")
    if options.orders and not options.skus:
        raise ValueError("no SKUs to order: give at least one")
    rng = random.Random(options.seed)
    start = options.start or datetime.now(UTC).replace(microsecond=0)
    first_number = rng.randint(100_000, 899_999)
    deliveries: list[Delivery] = []
    used_ids: set[int] = set()

    for index in range(options.orders):
        order_id = rng.randint(10_000_000, 999_999_999)
        while order_id in used_ids:
            order_id = rng.randint(10_000_000, 999_999_999)
        used_ids.add(order_id)
        draft = _OrderDraft(rng, options, first_number + index, order_id)
        # Orders arrive about a second apart and live for several seconds, so their events interleave.
        moment = start + timedelta(seconds=index * 1.0 + rng.uniform(0, 0.5))

        def envelope(event: str, at: datetime, order: dict) -> Delivery:
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            payload = {
                "event": event,
                "event_id": event_id,
                "occurred_at": format_occurred_at(at),
                "account_id": options.account_id,
                "order": order,
            }
            return Delivery("orders", event, draft.order_number, event_id, _encode(payload), at)

        deliveries.append(envelope("order_created", moment, draft.order("Unshipped")))
        if rng.random() < options.change_probability:
            moment += timedelta(seconds=rng.uniform(0.5, 3))
            draft.change(options.skus)
            deliveries.append(envelope("order_changed", moment, draft.order("Unshipped")))
        if rng.random() < options.delete_probability:
            moment += timedelta(seconds=rng.uniform(0.5, 3))
            deliveries.append(envelope("order_deleted", moment, draft.order("Deleted")))
            continue
        if not options.ship or rng.random() < options.open_probability:
            continue

        carrier, service = rng.choice(CARRIERS)
        split = draft.split() if rng.random() < options.partial_probability else None
        # A partial shipment first (the order becomes PARTIALLY_SHIPPED), then the rest; each
        # shipment has its own packages and tracking numbers.
        shipments = list(split) if split else [None]
        for shipping in shipments:
            packages = _packages(rng, carrier, service)
            moment += timedelta(seconds=rng.uniform(2, 6))
            deliveries.append(envelope("order_shipped", moment, draft.order("Shipped", packages, shipping)))
        if not options.tracking:
            continue
        steps = TRACKING_STEPS[: rng.randint(2, len(TRACKING_STEPS))]
        for status in steps:
            moment += timedelta(seconds=rng.uniform(1, 5))
            tracking = {
                "order_number": int(draft.order_number) if rng.random() < 0.5 else draft.order_number,
                "carrier_name": carrier,
                "carrier_service": service,
                "shipment_date": format_occurred_at(moment - timedelta(seconds=1)),
                "tracking_number": packages[0]["tracking_number"],
                "tracking_status": status,
                "last_updated_date": format_occurred_at(moment),
            }
            deliveries.append(
                Delivery("tracking", f"tracking:{status}", draft.order_number, packages[0]["tracking_number"], _encode(tracking), moment)
            )

    deliveries.sort(key=lambda delivery: delivery.occurred_at)
    return deliveries


def build_deliveries(timeline: list[Delivery], *, seed: int, duplicates: float = 0.0, reorder: float = 0.0) -> list[Delivery]:
    """Return the order in which to send ``timeline``, with duplicates and late events mixed in.

    Each event is held back behind up to ``REORDER_WINDOW`` later events with probability
    ``reorder``, and sent a second time, up to ``DUPLICATE_WINDOW`` deliveries later, with
    probability ``duplicates``. The generator is seeded apart from the timeline's, so the set of
    events does not depend on these two options.
    """
    for name, value in (("duplicates", duplicates), ("reorder", reorder)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}={value} is out of range: use a probability from 0 to 1")
    rng = random.Random(zlib.crc32(f"delivery:{seed}".encode()))
    order = list(timeline)
    if reorder:
        position = 0
        while position < len(order) - 1:
            if not order[position].late and rng.random() < reorder:
                held = replace(order.pop(position), late=True)
                order.insert(min(len(order), position + rng.randint(1, REORDER_WINDOW)), held)
                continue
            position += 1
    if duplicates:
        result: list[Delivery] = []
        pending: list[tuple[int, Delivery]] = []
        for delivery in order:
            result.append(delivery)
            if rng.random() < duplicates:
                pending.append((len(result) + rng.randint(0, DUPLICATE_WINDOW), replace(delivery, duplicate=True, late=False)))
            due = [copy for at, copy in pending if at <= len(result)]
            pending = [(at, copy) for at, copy in pending if at > len(result)]
            result.extend(due)
        result.extend(copy for _, copy in pending)
        order = result
    return order
