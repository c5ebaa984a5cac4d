"""The event rules of headless mode: what each Starshipit order event does to orders and stock.

Starshipit owns the orders, so the WMS follows its events:

* ``order_created`` creates the order (or updates it, like ``order_changed``) as PENDING, and its
  lines' ordered quantities become committed.
* ``order_changed`` refreshes the lines. Only when they really changed (see
  :mod:`app.domain.orders.lines`) does it release what no longer fits, return picked units that are
  no longer needed, and put the order back to PENDING (or PARTIALLY_SHIPPED when some units already
  left). An identical payload changes nothing: no movements, no reset of picks in progress.
* ``order_deleted`` cancels the order: nothing stays committed, allocations are released, picked
  units go back to stock through a RETURN_TO_STOCK job, and open pick and pack jobs are cancelled.
* ``order_shipped`` books the stock out; see :mod:`app.domain.orders.shipping`.

Delivery is unordered. ``Order.last_event_at`` is the ``occurred_at`` of the newest event the order
reflects. A created, changed or deleted event older than that is stale: it is recorded by the caller
and changes nothing. ``order_shipped`` reports a physical fact and is applied whatever its age, as long
as its units have not shipped yet. Every lookup is keyed by the account, so one account's events can
never reach another account's orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Account, Order, OrderLine, OrderStatus, WebhookOutcome
from app.domain.live.publisher import StatusChange
from app.domain.orders.lines import cancel_order_jobs, load_lines, reconcile_holdings, refresh_commitments, sync_lines
from app.domain.orders.payload import OrderEvent, normalise_order_event
from app.domain.orders.status import derive_open_status, record_status_change
from app.domain.webhooks.schemas import OrderEnvelope
from app.lib.logging import get_logger

__all__ = ["EventResult", "apply_order_event", "create_order", "find_order", "update_order_header"]

log = get_logger(__name__)


@dataclass
class EventResult:
    """Result of applying one event: the event log outcome, the order, and the messages to publish."""

    outcome: str
    order: Order | None = None
    changes: list[StatusChange] = field(default_factory=list)
    detail: str = ""
    # Alerts for devices working on the order (``OrderAlert`` of the outbound package), also
    # published only after the commit.
    alerts: list[Any] = field(default_factory=list)

    def add_change(self, change: StatusChange | None) -> None:
        """Keep ``change`` for publishing after the commit, unless nothing changed."""
        if change is not None:
            self.changes.append(change)

    def add_alert(self, alert: Any | None) -> None:
        """Keep a device alert for publishing after the commit, unless there is none."""
        if alert is not None:
            self.alerts.append(alert)


async def find_order(session: AsyncSession, account: Account, starshipit_order_id: str, *, lock: bool = True) -> Order | None:
    """Load the account's order with this Starshipit order id; lock its row on PostgreSQL when ``lock``."""
    statement = select(Order).where(Order.account_id == account.id, Order.starshipit_order_id == starshipit_order_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


def update_order_header(order: Order, event: OrderEvent) -> None:
    """Copy the order's non-line fields from the payload, keeping stored values the payload omits."""
    if event.order_number:
        order.order_number = event.order_number
    if event.reference is not None:
        order.reference = event.reference[:200]
    if event.starshipit_status is not None:
        order.starshipit_status = event.starshipit_status[:40]
    if isinstance(event.destination, dict):
        order.destination = event.destination


async def create_order(
    session: AsyncSession, account: Account, event: OrderEvent, status: OrderStatus, result: EventResult
) -> tuple[Order, list[OrderLine]]:
    """Create an order the WMS has not seen from the event's payload, in ``account``'s default warehouse."""
    order = Order(
        account_id=account.id,
        warehouse_id=account.default_warehouse_id,
        starshipit_order_id=event.order_id,
        order_number=event.order_number or event.order_id,
        reference="",
        status=status.value,
        starshipit_status="",
        destination={},
        last_event_at=event.occurred_at,
    )
    update_order_header(order, event)
    session.add(order)
    await session.flush()
    lines, _changed = await sync_lines(session, order, [], event.items or [])
    result.add_change(await record_status_change(session, order, status, event.event, created=True))
    refresh_commitments(order, lines)
    # Outbound routing (WMS outbound or Starshipit's own flow) is decided once the lines exist.
    from app.domain.outbound.routing import route_order

    await route_order(session, order)
    log.info("order created from event", order_id=str(order.id), order_number=order.order_number, event_type=event.event, status=status.value)
    return order, lines


def _line_totals(lines: list[OrderLine]) -> tuple[int, int]:
    active = [line for line in lines if line.active]
    return sum(line.quantity_ordered for line in active), sum(line.quantity_shipped for line in active)


async def _apply_order_content(session: AsyncSession, account: Account, order: Order | None, event: OrderEvent) -> EventResult:
    """Apply ``order_created`` or ``order_changed``."""
    result = EventResult(outcome=WebhookOutcome.APPLIED, order=order)
    if order is None:
        result.order, _lines = await create_order(session, account, event, OrderStatus.PENDING, result)
        return result

    update_order_header(order, event)
    order.last_event_at = event.occurred_at
    lines = await load_lines(session, order)
    changed = False
    if event.items is not None:
        lines, changed = await sync_lines(session, order, lines, event.items)
    # A newer order_created for an order cancelled earlier means Starshipit has it open again.
    reopened = event.event == "order_created" and order.status == OrderStatus.CANCELLED.value
    if not changed and not reopened:
        result.detail = "lines unchanged"
        return result

    if order.status != OrderStatus.CANCELLED.value or reopened:
        ordered, shipped = _line_totals(lines)
        result.add_change(await record_status_change(session, order, derive_open_status(ordered, shipped), event.event))
    refresh_commitments(order, lines)
    # Pause pick and pack work on the order and alert the devices, while picked units are still where they were.
    from app.domain.outbound.interruptions import interrupt_order_work
    from app.domain.outbound.routing import route_order

    result.add_alert(await interrupt_order_work(session, order, event.event))
    holdings = await reconcile_holdings(session, order, lines, reason=f"{event.event}: lines changed")
    await route_order(session, order)
    result.detail = f"lines changed; released {holdings.released}, returned {holdings.returned} units"
    return result


async def _apply_order_deleted(session: AsyncSession, account: Account, order: Order | None, event: OrderEvent) -> EventResult:
    """Apply ``order_deleted``: cancel the order and give up everything it holds."""
    result = EventResult(outcome=WebhookOutcome.APPLIED, order=order)
    if order is None:
        # Kept as CANCELLED so that a late order_created for it is recognised as stale.
        result.order, _lines = await create_order(session, account, event, OrderStatus.CANCELLED, result)
        return result

    update_order_header(order, event)
    order.last_event_at = event.occurred_at
    if order.status == OrderStatus.SHIPPED.value:
        result.outcome = WebhookOutcome.IGNORED
        result.detail = "order already shipped: nothing left to cancel"
        return result
    if order.status == OrderStatus.CANCELLED.value:
        result.detail = "order already cancelled"
        return result

    result.add_change(await record_status_change(session, order, OrderStatus.CANCELLED, event.event))
    lines = await load_lines(session, order)
    refresh_commitments(order, lines)
    from app.domain.outbound.interruptions import interrupt_order_work

    result.add_alert(await interrupt_order_work(session, order, event.event))
    holdings = await reconcile_holdings(session, order, lines, reason="order deleted in Starshipit")
    cancelled = await cancel_order_jobs(session, order, reason="order deleted in Starshipit")
    result.detail = f"cancelled; released {holdings.released}, returned {holdings.returned} units, cancelled {len(cancelled)} jobs"
    return result


async def apply_order_event(session: AsyncSession, account: Account, envelope: OrderEnvelope | OrderEvent) -> EventResult:
    """Apply one order event of ``account`` in the caller's transaction and return what it did.

    The outcome is ``applied``, ``stale`` (older than what the order reflects, nothing changed) or
    ``ignored`` (nothing to do, such as a shipment already booked). Raises
    :class:`~app.lib.errors.InvalidInputError` for an envelope that fails validation.
    """
    event = envelope if isinstance(envelope, OrderEvent) else normalise_order_event(envelope)
    order = await find_order(session, account, event.order_id)

    if event.event == "order_shipped":
        from app.domain.orders.shipping import apply_order_shipped

        return await apply_order_shipped(session, account, order, event)

    if order is not None and order.last_event_at is not None and event.occurred_at < order.last_event_at:
        return EventResult(
            outcome=WebhookOutcome.STALE,
            order=order,
            detail=f"{event.event} from {event.occurred_at.isoformat()} is older than the order's state from {order.last_event_at.isoformat()}",
        )
    if event.event == "order_deleted":
        return await _apply_order_deleted(session, account, order, event)
    return await _apply_order_content(session, account, order, event)
