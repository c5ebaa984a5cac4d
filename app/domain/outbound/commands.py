"""The ``pick`` and ``pack`` scan commands of the offline sync endpoint."""

from __future__ import annotations

from sqlalchemy import select

from app.db.models import Account
from app.domain.jobs.actor import Actor
from app.domain.outbound.packing import open_pack_session, pack_item
from app.domain.outbound.picking import confirm_pick
from app.domain.outbound.schemas import PackPayload, PickPayload
from app.domain.sync.registry import CommandContext, CommandOutcome, register_command
from app.lib.errors import NotFoundError

__all__ = ["apply_pack", "apply_pick"]


def _actor(context: CommandContext, scan: str) -> Actor:
    return Actor(user=context.user, device_id=context.device_id, command_id=context.command_id, scan=scan)


@register_command("pick", PickPayload)
async def apply_pick(context: CommandContext, payload: PickPayload) -> CommandOutcome:
    """Confirm one pick scanned on a handheld."""
    result = await confirm_pick(
        context.session,
        job_id=payload.job_id,
        item_scan=payload.item,
        quantity=payload.quantity,
        actor=_actor(context, payload.item),
        location_scan=payload.location,
        tote_scan=payload.tote,
        short_reason=payload.short_reason,
        batch=payload.batch,
    )
    return CommandOutcome(result=result.as_dict(), warnings=result.warnings)


@register_command("pack", PackPayload)
async def apply_pack(context: CommandContext, payload: PackPayload) -> CommandOutcome:
    """Verify one scanned unit at a pack bench, opening the order's pack session on its first scan."""
    account_id = None
    if payload.account:
        account_id = await context.session.scalar(select(Account.id).where(Account.code == payload.account))
        if account_id is None:
            raise NotFoundError(f"account {payload.account!r} not found", field="account")
    actor = _actor(context, payload.item)
    pack_session = await open_pack_session(context.session, scan=payload.order, actor=actor, account_id=account_id, bench_scan=payload.bench)
    progress = await pack_item(context.session, pack_session, item_scan=payload.item, quantity=payload.quantity, actor=actor)
    return CommandOutcome(result=progress.as_dict())
