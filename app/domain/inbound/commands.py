"""The ``receive`` and ``putaway`` scan commands of the offline sync endpoint."""

from __future__ import annotations

import msgspec

from app.domain.inbound.scans import apply_putaway_scan, apply_receive_scan, putaway_result_dict, receipt_read
from app.domain.inbound.schemas import PutawayPayload, ReceivePayload
from app.domain.jobs.actor import Actor
from app.domain.sync.registry import CommandContext, CommandOutcome, register_command

__all__ = ["actor_for", "apply_putaway", "apply_receive"]


def actor_for(context: CommandContext, scan: str | None = None) -> Actor:
    """Return the actor of a scan command: its user, device and command id."""
    return Actor(user=context.user, device_id=context.device_id, command_id=context.command_id, scan=scan)


@register_command("receive", ReceivePayload)
async def apply_receive(context: CommandContext, payload: ReceivePayload) -> CommandOutcome:
    """Receive stock scanned at a dock or bin, against a purchase order or blind."""
    result = await apply_receive_scan(context.session, payload, actor_for(context, payload.item))
    read = receipt_read(result)
    return CommandOutcome(result=msgspec.to_builtins(read), warnings=list(read.warnings))


@register_command("putaway", PutawayPayload)
async def apply_putaway(context: CommandContext, payload: PutawayPayload) -> CommandOutcome:
    """Put scanned stock away from its source to a destination."""
    result = await apply_putaway_scan(context.session, payload, actor_for(context, payload.item))
    return CommandOutcome(result=putaway_result_dict(result), warnings=list(result.warnings))
