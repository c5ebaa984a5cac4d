"""``order_shipped``: booking an order's stock out when Starshipit confirms the shipment.

Which units ship. When any payload item carries a positive ``quantity_to_ship``, the shipment holds
exactly those quantities (0 or absent means "not in this shipment"). Otherwise it holds every unit of
every item not shipped yet. Each line is capped at ordered minus shipped, so no unit ships twice.

Repeats. Each shipment gets a key: its sorted tracking numbers when the payload lists packages with
tracking numbers, else a hash of the quantities it holds. ``Shipment`` has a unique (order, key), so
the same shipment delivered again books nothing. A later, different shipment of the same order books
only the units still open.

Where the units leave from, for each line in turn:

1. picked units of the line's allocations, those on a packing bench first (the order was packed),
   then those in totes;
2. units still reserved by its allocations, at the allocated locations (the reservation is used up);
3. otherwise the locations a picker would use: PICK_FACE first, then BULK_STORAGE and OVERFLOW;
   within a tier the batch with the earliest expiry first, then by pick sequence and location code.
   Only units not reserved for other orders are taken;
4. any shortfall is booked from the line's first pick location, which drives it negative; the ledger
   flags that as a discrepancy for a count.

Lines are handled in product id order, so that two shipments on PostgreSQL lock balances in the same
order and cannot deadlock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Account,
    Allocation,
    AllocationStatus,
    Batch,
    Discrepancy,
    Location,
    LocationType,
    MovementReason,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Shipment,
    StockBalance,
    WebhookOutcome,
)
from app.domain.orders.events import EventResult, create_order, update_order_header
from app.domain.orders.lines import cancel_order_jobs, load_lines, reconcile_holdings, refresh_commitments, sync_lines
from app.domain.orders.payload import OrderEvent, line_key
from app.domain.orders.status import derive_open_status, record_status_change
from app.domain.stock.ledger import record_movement
from app.domain.stock.reservations import close_if_empty, free_allocated_units, open_allocations
from app.lib.errors import ConflictError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["PICKER_LOCATION_TYPES", "apply_order_shipped", "picker_sources", "shipment_key"]

log = get_logger(__name__)

# Tier of each location type a picker takes stock from; lower tiers are visited first.
PICKER_LOCATION_TYPES = {
    LocationType.PICK_FACE.value: 0,
    LocationType.BULK_STORAGE.value: 1,
    LocationType.OVERFLOW.value: 1,
}


@dataclass
class PickerSource:
    """A balance a picker could take the product from, with the units not reserved for other orders."""

    location: Location
    batch: str
    expiry: date | None
    free: int

    def sort_key(self) -> tuple[int, int, date, int, str, str]:
        """Order of visit: tier, earliest expiry (no expiry last), pick sequence, location code, batch."""
        return (
            PICKER_LOCATION_TYPES[self.location.type],
            1 if self.expiry is None else 0,
            self.expiry or date.max,
            self.location.pick_sequence,
            self.location.code,
            self.batch,
        )


def shipment_key(event: OrderEvent, quantities: dict[tuple[str, str], int]) -> str:
    """Identify a shipment by its tracking numbers, else by the quantities it holds."""
    # NOTE: two real shipments without tracking numbers and with equal quantities get the same key,
    # so the second books nothing and the line stays open until a later event ships the rest.
    if event.tracking_numbers:
        return ("tracking:" + ",".join(sorted(event.tracking_numbers)))[:128]
    canonical = ";".join(f"{kind}={value}:{units}" for (kind, value), units in sorted(quantities.items()))
    return "items:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _requested_quantities(event: OrderEvent, lines: list[OrderLine]) -> dict[tuple[str, str], int]:
    """Return the units per line key that the shipment lists, before capping at what is still open."""
    if event.items is None:
        return {line_key(line.item_id, line.sku): line.quantity_ordered - line.quantity_shipped for line in lines if line.active}
    explicit = any((item.quantity_to_ship or 0) > 0 for item in event.items)
    if explicit:
        return {item.key: item.quantity_to_ship or 0 for item in event.items}
    return {item.key: item.quantity for item in event.items}


def _line_for(lines: list[OrderLine], key: tuple[str, str]) -> OrderLine | None:
    for line in lines:
        if line_key(line.item_id, line.sku) == key:
            return line
    if key[0] == "item":
        return None
    return next((line for line in lines if line.sku == key[1] and line.active), None)


async def picker_sources(session: AsyncSession, warehouse_id: UUID, product_id: UUID) -> list[PickerSource]:
    """List every pick-face, bulk and overflow balance of the product in visiting order, stock or not."""
    statement = (
        select(StockBalance, Location, Batch.expiry)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Batch, and_(Batch.product_id == StockBalance.product_id, Batch.code == StockBalance.batch))
        .where(
            StockBalance.product_id == product_id,
            Location.warehouse_id == warehouse_id,
            Location.type.in_(list(PICKER_LOCATION_TYPES)),
            Location.archived.is_(False),
        )
    )
    sources = [
        PickerSource(location=location, batch=balance.batch, expiry=expiry, free=max(balance.on_hand - balance.allocated, 0))
        for balance, location, expiry in (await session.execute(statement)).all()
    ]
    return sorted(sources, key=PickerSource.sort_key)


async def _first_pick_location(session: AsyncSession, order: Order, product: Product, sources: list[PickerSource]) -> Location:
    """Return where a shortfall is booked: the first location a picker would visit for the product."""
    if sources:
        return sources[0].location
    if product.pick_face_location_id is not None:
        location = await session.get(Location, product.pick_face_location_id)
        if location is not None and location.warehouse_id == order.warehouse_id:
            return location
    candidates = (
        await session.scalars(
            select(Location).where(
                Location.warehouse_id == order.warehouse_id,
                Location.type.in_(list(PICKER_LOCATION_TYPES)),
                Location.archived.is_(False),
            )
        )
    ).all()
    if not candidates:
        raise ConflictError(
            f"warehouse of order {order.order_number} has no pick face, bulk or overflow location to book the shipment from: add one",
            order_number=order.order_number,
        )
    return min(candidates, key=lambda loc: (PICKER_LOCATION_TYPES[loc.type], loc.pick_sequence, loc.code))


async def _ship_from(
    session: AsyncSession, order: Order, product: Product, location_id: UUID, batch: str, units: int, source: str
) -> None:
    await record_movement(
        session,
        product_id=product.id,
        sku=product.sku,
        quantity=units,
        reason=MovementReason.SHIPMENT,
        from_location_id=location_id,
        batch=batch,
        reference_type="order",
        reference_id=str(order.id),
        note=f"order {order.order_number} shipped ({source})",
    )


async def _book_line_out(session: AsyncSession, order: Order, line: OrderLine, product: Product, units: int) -> None:
    """Write the shipment movements of ``units`` of one line, from the sources in the module's order."""
    remaining = units
    allocations = await open_allocations(session, order, [line.id])
    location_types = {
        location.id: location.type
        for location in (
            await session.scalars(select(Location).where(Location.id.in_([a.picked_location_id for a in allocations if a.picked_location_id])))
        ).all()
    }
    picked = sorted(
        (allocation for allocation in allocations if allocation.quantity_picked > 0),
        key=lambda a: 0 if location_types.get(a.picked_location_id) == LocationType.PACKING_BENCH.value else 1,
    )
    for allocation in picked:
        if remaining <= 0:
            break
        take = min(remaining, allocation.quantity_picked)
        source = "packed" if location_types.get(allocation.picked_location_id) == LocationType.PACKING_BENCH.value else "picked"
        await _ship_from(session, order, product, allocation.picked_location_id or allocation.location_id, allocation.batch, take, source)
        allocation.quantity_picked -= take
        line.quantity_picked = max(line.quantity_picked - take, 0)
        close_if_empty(allocation, AllocationStatus.SHIPPED)
        remaining -= take

    for allocation in allocations:
        if remaining <= 0:
            break
        if allocation.quantity <= 0:
            continue
        take = min(remaining, allocation.quantity)
        await free_allocated_units(session, allocation, take)
        await _ship_from(session, order, product, allocation.location_id, allocation.batch, take, "allocated")
        allocation.quantity -= take
        line.quantity_allocated = max(line.quantity_allocated - take, 0)
        close_if_empty(allocation, AllocationStatus.SHIPPED)
        remaining -= take

    if remaining <= 0:
        return
    sources = await picker_sources(session, order.warehouse_id, product.id)
    for candidate in sources:
        if remaining <= 0:
            break
        take = min(remaining, candidate.free)
        if take <= 0:
            continue
        await _ship_from(session, order, product, candidate.location.id, candidate.batch, take, "picker locations")
        remaining -= take

    if remaining > 0:
        location = await _first_pick_location(session, order, product, sources)
        batch = sources[0].batch if sources else ""
        log.warning(
            "shipment exceeds free stock; booking the shortfall as negative stock",
            order_id=str(order.id),
            sku=product.sku,
            location=location.code,
            units=remaining,
        )
        await _ship_from(session, order, product, location.id, batch, remaining, "shortfall")


async def _prepare_lines(session: AsyncSession, account: Account, order: Order | None, event: OrderEvent, result: EventResult) -> tuple[Order, list[OrderLine]]:
    """Load or create the order and bring its lines up to the payload as far as the event's age allows."""
    if order is None:
        return await create_order(session, account, event, OrderStatus.PENDING, result)
    lines = await load_lines(session, order)
    is_newer = order.last_event_at is None or event.occurred_at >= order.last_event_at
    if event.items is not None:
        if is_newer:
            update_order_header(order, event)
            lines, changed = await sync_lines(session, order, lines, event.items)
            if changed:
                refresh_commitments(order, lines)
                await reconcile_holdings(session, order, lines, reason="order_shipped: lines changed")
        else:
            # An older payload may still name an item shipped that the order no longer lists.
            lines, _changed = await sync_lines(session, order, lines, event.items, only_add=True)
    return order, lines


async def apply_order_shipped(session: AsyncSession, account: Account, order: Order | None, event: OrderEvent) -> EventResult:
    """Apply ``order_shipped``: write the shipment movements and set SHIPPED or PARTIALLY_SHIPPED."""
    result = EventResult(outcome=WebhookOutcome.APPLIED, order=order)
    order, lines = await _prepare_lines(session, account, order, event, result)
    result.order = order
    if order.last_event_at is None or event.occurred_at > order.last_event_at:
        order.last_event_at = event.occurred_at
    if event.tracking_numbers and not order.tracking_number:
        order.tracking_number = event.tracking_numbers[0][:80]

    requested = _requested_quantities(event, lines)
    key = shipment_key(event, requested)
    existing = await session.scalar(select(Shipment.id).where(Shipment.order_id == order.id, Shipment.shipment_key == key))
    if existing is not None:
        result.outcome = WebhookOutcome.IGNORED
        result.detail = f"shipment {key[:40]} already booked"
        return result

    to_ship: list[tuple[OrderLine, int]] = []
    for item_key, units in requested.items():
        line = _line_for(lines, item_key)
        if line is None or units <= 0:
            continue
        units = min(units, line.quantity_ordered - line.quantity_shipped)
        if units > 0:
            to_ship.append((line, units))
    if not to_ship:
        result.outcome = WebhookOutcome.IGNORED
        result.detail = "every unit of this shipment has already shipped"
        return result

    session.add(
        Shipment(
            order_id=order.id,
            shipment_key=key,
            tracking_numbers=event.tracking_numbers,
            carrier_service_code=event.carrier_service_code,
            lines=[{"line_id": str(line.id), "sku": line.sku, "quantity": units} for line, units in to_ship],
            shipped_at=event.occurred_at or utcnow(),
        )
    )
    # The unique (order, shipment key) stops a concurrent copy of this shipment here.
    await session.flush()

    to_ship.sort(key=lambda pair: str(pair[0].product_id or ""))
    for line, units in to_ship:
        product = await session.get(Product, line.product_id) if line.product_id else None
        if product is None:
            session.add(
                Discrepancy(
                    kind="unbooked_shipment",
                    sku=line.sku,
                    quantity=units,
                    reference_type="order",
                    reference_id=str(order.id),
                    message=f"order {order.order_number} shipped {units} of unknown SKU {line.sku or '(blank)'}: no stock was booked out",
                )
            )
        else:
            await _book_line_out(session, order, line, product, units)
        line.quantity_shipped += units

    shipped_units = sum(units for _line, units in to_ship)
    active = [line for line in lines if line.active]
    ordered = sum(line.quantity_ordered for line in active)
    shipped = sum(line.quantity_shipped for line in active)
    if order.status != OrderStatus.CANCELLED.value:
        result.add_change(await record_status_change(session, order, derive_open_status(ordered, shipped), event.event))
    elif shipped >= ordered:
        # Units of a cancelled order that shipped anyway: the shipment is the physical truth.
        result.add_change(await record_status_change(session, order, OrderStatus.SHIPPED, event.event))
    refresh_commitments(order, lines)
    await reconcile_holdings(session, order, lines, reason="order shipped")
    if order.status == OrderStatus.SHIPPED.value:
        await cancel_order_jobs(session, order, reason="order shipped through Starshipit")
    result.detail = f"shipped {shipped_units} units"
    log.info("shipment booked", order_id=str(order.id), order_number=order.order_number, units=shipped_units, shipment_key=key[:40])
    return result
