"""Command types used only by the sync tests, loaded into test servers through WMS_EXTRA_COMMAND_MODULES.

``test_receive`` and ``test_putaway`` book one receipt and one putaway movement, standing in for
the floor flows' own command types so that the sync tests do not depend on them. ``test_flaky``
raises an unexpected exception while its payload's ``switch`` is in ``FAILING_SWITCHES``.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.db.models import MovementReason
from app.domain.barcodes import resolve_location, resolve_product
from app.domain.stock.ledger import record_movement
from app.domain.sync.registry import CommandContext, CommandOutcome, register_command

# Names of test_flaky switches that are currently failing; tests add and remove names.
FAILING_SWITCHES: set[str] = set()


class ReceivePayload(msgspec.Struct, forbid_unknown_fields=True):
    location: str
    item: str
    quantity: Annotated[int, msgspec.Meta(gt=0)]


class PutawayPayload(msgspec.Struct, forbid_unknown_fields=True):
    from_location: str
    item: str
    quantity: Annotated[int, msgspec.Meta(gt=0)]
    to_location: str


class FlakyPayload(msgspec.Struct, forbid_unknown_fields=True):
    switch: str


@register_command("test_receive", ReceivePayload)
async def apply_test_receive(context: CommandContext, payload: ReceivePayload) -> CommandOutcome:
    location = await resolve_location(context.session, payload.location)
    product = await resolve_product(context.session, payload.item)
    moved = await record_movement(
        context.session,
        product_id=product.product_id,
        sku=product.sku,
        quantity=payload.quantity * product.units,
        reason=MovementReason.RECEIPT,
        to_location_id=location.location_id,
        operator_id=context.user.id,
        device_id=context.device_id,
        command_id=context.command_id,
        scan=payload.item,
    )
    return CommandOutcome(result={"movement_id": moved.movement.id}, warnings=moved.warnings)


@register_command("test_putaway", PutawayPayload)
async def apply_test_putaway(context: CommandContext, payload: PutawayPayload) -> CommandOutcome:
    source = await resolve_location(context.session, payload.from_location)
    target = await resolve_location(context.session, payload.to_location)
    product = await resolve_product(context.session, payload.item)
    moved = await record_movement(
        context.session,
        product_id=product.product_id,
        sku=product.sku,
        quantity=payload.quantity * product.units,
        reason=MovementReason.PUTAWAY,
        from_location_id=source.location_id,
        to_location_id=target.location_id,
        operator_id=context.user.id,
        device_id=context.device_id,
        command_id=context.command_id,
        scan=payload.item,
    )
    return CommandOutcome(result={"movement_id": moved.movement.id}, warnings=moved.warnings)


@register_command("test_flaky", FlakyPayload)
async def apply_test_flaky(context: CommandContext, payload: FlakyPayload) -> CommandOutcome:
    if payload.switch in FAILING_SWITCHES:
        raise RuntimeError(f"test_flaky switch {payload.switch} is set to fail")
    return CommandOutcome(result={"switch": payload.switch})
