"""The ``count`` scan command: count one product (and batch) at one location."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Location, Product
from app.domain.barcodes import resolve_location, resolve_product
from app.domain.counts.schemas import CountPayload
from app.domain.counts.services import CountOutcome, record_count
from app.domain.inbound.scans import MAX_SCAN_QUANTITY, merge_label_values
from app.domain.jobs.actor import Actor
from app.domain.sync.registry import CommandContext, CommandOutcome, register_command
from app.lib.errors import InvalidInputError

__all__ = ["apply_count", "apply_count_scan", "count_result"]


async def apply_count_scan(session: AsyncSession, payload: CountPayload, actor: Actor) -> CountOutcome:
    """Resolve the scans of a count and record it; a case barcode counts cases of its units."""
    if payload.counted_quantity < 0:
        raise InvalidInputError(f"counted_quantity {payload.counted_quantity} is invalid: count 0 or more", field="counted_quantity")
    if payload.counted_quantity > MAX_SCAN_QUANTITY:
        raise InvalidInputError(
            f"counted_quantity {payload.counted_quantity} is invalid: the maximum is {MAX_SCAN_QUANTITY:,}, so check that no barcode was scanned into the quantity field",
            field="counted_quantity",
        )
    location_match = await resolve_location(session, payload.location)
    match = await resolve_product(session, payload.item)
    batch, _expiry = merge_label_values(match, payload.batch, None)
    location = await session.get(Location, location_match.location_id)
    product = await session.get(Product, match.product_id)
    assert location is not None and product is not None
    return await record_count(
        session,
        location=location,
        product=product,
        counted_quantity=payload.counted_quantity * match.units,
        actor=actor,
        stocktake_id=payload.stocktake_id,
        batch=batch,
    )


def count_result(outcome: CountOutcome, *, show_expected: bool) -> dict:
    """Return the JSON result of a count; a blind stocktake hides expected and variance."""
    count = outcome.count
    result = {
        "stocktake_id": str(outcome.stocktake.id),
        "count_id": str(count.id),
        "counted_quantity": count.counted_quantity,
        "batch": count.batch,
        "status": count.status,
    }
    if show_expected:
        result.update(expected_quantity=count.expected_quantity, variance=count.variance)
    return result


@register_command("count", CountPayload)
async def apply_count(context: CommandContext, payload: CountPayload) -> CommandOutcome:
    """Record a count scanned on a handheld."""
    actor = Actor(user=context.user, device_id=context.device_id, command_id=context.command_id, scan=payload.item)
    outcome = await apply_count_scan(context.session, payload, actor)
    show = actor.is_supervisor or not outcome.stocktake.blind
    return CommandOutcome(result=count_result(outcome, show_expected=show), warnings=outcome.warnings)
