"""The needs-attention list: rejected scan commands until a supervisor resubmits or dismisses them.

A resubmission applies a corrected payload through the command's own handler, in one transaction
with the resolution, and is stored as a command of its own (origin ``resubmit``) linked to the
rejected one. The operator who captured the command stays the operator of record when they exist;
the supervisor is recorded as the one who submitted it. A dismissal records who, when and why.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import uuid_utils.compat as uuid_compat
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import Database
from app.db.models import AttentionState, CommandOrigin, CommandStatus, Device, Role, ScanCommand, User
from app.domain.auth.schemas import AuthUser
from app.domain.sync.registry import CommandContext, get_command_type
from app.domain.sync.schemas import AttentionItem, DismissRequest, ResubmitRequest
from app.domain.sync.services import publish_after_commit
from app.domain.sync.validation import command_fingerprint, decode_payload
from app.lib.errors import ConflictError, DomainError, InvalidInputError, NotFoundError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["ATTENTION_STATES", "dismiss_command", "list_attention", "resubmit_command"]

log = get_logger(__name__)

ATTENTION_STATES = (AttentionState.OPEN, AttentionState.RESUBMITTED, AttentionState.DISMISSED)


def _item(row: ScanCommand, resubmission: ScanCommand | None = None) -> AttentionItem:
    return AttentionItem(
        command_id=row.command_id,
        device_id=row.device_id,
        device_seq=row.device_seq,
        operator=row.operator_username,
        type=row.type,
        payload=row.payload,
        device_time=row.device_time,
        received_at=row.received_at,
        code=row.code,
        message=row.message,
        state=row.attention_state or AttentionState.OPEN,
        resolved_by=row.resolved_by_username,
        resolved_at=row.resolved_at,
        resolution_reason=row.resolution_reason,
        resubmitted_command_id=row.related_command_id,
        resubmitted_result=resubmission.result if resubmission else None,
        resubmitted_warnings=list(resubmission.warnings or []) if resubmission else [],
    )


def _is_supervisor(user: AuthUser) -> bool:
    return Role(user.role).rank >= Role.SUPERVISOR.rank


async def list_attention(
    session: AsyncSession, user: AuthUser, *, state: str = AttentionState.OPEN, device_id: str | None = None, limit: int = 200
) -> list[AttentionItem]:
    """List rejected commands in ``state`` (or ``all``), oldest first.

    Operators see the commands they captured or sent and those of the devices they are signed in on.
    """
    if state != "all" and state not in ATTENTION_STATES:
        raise InvalidInputError(f"state {state!r} is invalid: use one of {', '.join(ATTENTION_STATES)} or all", field="state")
    if not 1 <= limit <= 1000:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to 1000", field="limit")
    statement = select(ScanCommand).where(ScanCommand.attention_state.is_not(None))
    if state != "all":
        statement = statement.where(ScanCommand.attention_state == state)
    if device_id:
        statement = statement.where(ScanCommand.device_id == device_id)
    if not _is_supervisor(user):
        own_devices = select(Device.device_id).where(Device.operator_id == user.id)
        statement = statement.where(
            or_(
                ScanCommand.operator_username == user.username,
                ScanCommand.submitted_by_id == user.id,
                ScanCommand.device_id.in_(own_devices),
            )
        )
    rows = (await session.scalars(statement.order_by(ScanCommand.id).limit(limit))).all()
    related_ids = [row.related_command_id for row in rows if row.related_command_id is not None]
    resubmissions: dict[UUID, ScanCommand] = {}
    if related_ids:
        found = await session.scalars(
            select(ScanCommand).where(ScanCommand.command_id.in_(related_ids), ScanCommand.origin == CommandOrigin.RESUBMIT)
        )
        resubmissions = {row.command_id: row for row in found}
    return [_item(row, resubmissions.get(row.related_command_id) if row.related_command_id else None) for row in rows]


async def _load_rejected(session: AsyncSession, command_id: UUID, device_id: str | None) -> ScanCommand:
    statement = select(ScanCommand).where(
        ScanCommand.command_id == command_id,
        ScanCommand.origin == CommandOrigin.DEVICE,
        ScanCommand.attention_state.is_not(None),
    )
    if device_id:
        statement = statement.where(ScanCommand.device_id == device_id)
    rows = (await session.scalars(statement.with_for_update())).all()
    if not rows:
        raise NotFoundError(f"no rejected command {command_id} is on the needs-attention list", command_id=str(command_id))
    if len(rows) > 1:
        raise ConflictError(
            f"command {command_id} was rejected on several devices: add ?device_id= to choose one",
            devices=[row.device_id for row in rows],
        )
    row = rows[0]
    if row.attention_state != AttentionState.OPEN:
        raise ConflictError(
            f"command {command_id} was already {row.attention_state} by {row.resolved_by_username} at {row.resolved_at}",
            code="already_resolved",
            state=row.attention_state,
        )
    return row


async def _operator_of_record(session: AsyncSession, row: ScanCommand, supervisor: AuthUser) -> AuthUser:
    user = await session.scalar(select(User).where(User.username == row.operator_username))
    if user is None:
        return supervisor
    return AuthUser(id=user.id, username=user.username, role=user.role)


def _resolve(row: ScanCommand, user: AuthUser, state: str, reason: str) -> None:
    row.attention_state = state
    row.resolved_by_id = user.id
    row.resolved_by_username = user.username
    row.resolved_at = utcnow()
    row.resolution_reason = reason


async def resubmit_command(
    db: Database,
    settings: Settings,
    user: AuthUser,
    command_id: UUID,
    data: ResubmitRequest,
    *,
    device_id: str | None = None,
    channels: Any = None,
) -> AttentionItem:
    """Apply a corrected payload for a rejected command and mark it resubmitted, in one transaction.

    Raises the handler's DomainError when the corrected command is rejected too; the command then
    stays open on the list.
    """
    after_commit: list[Any] = []
    async with db.transaction() as session:
        row = await _load_rejected(session, command_id, device_id)
        command_type = get_command_type(row.type)
        if command_type is None:
            raise ConflictError(f"command type {row.type!r} is no longer available on this server: dismiss the command", code="unknown_type")
        payload = decode_payload(command_type, data.payload, "")
        new_id = uuid_compat.uuid7()
        context = CommandContext(
            session=session,
            user=await _operator_of_record(session, row, user),
            device_id=row.device_id,
            command_id=new_id,
            device_seq=row.device_seq,
            device_time=row.device_time,
            settings=settings,
        )
        try:
            outcome = await command_type.handler(context, payload)
        except DomainError as exc:
            log.info("resubmission rejected", command_id=str(command_id), device_id=row.device_id, code=exc.code, error=exc.message)
            raise
        resubmission = ScanCommand(
            device_id=row.device_id,
            command_id=new_id,
            device_seq=row.device_seq,
            origin=CommandOrigin.RESUBMIT,
            operator_id=context.user.id,
            operator_username=row.operator_username,
            submitted_by_id=user.id,
            device_time=row.device_time,
            type=row.type,
            payload=data.payload,
            fingerprint=command_fingerprint(row.type, data.payload),
            status=CommandStatus.APPLIED_WITH_WARNING if outcome.warnings else CommandStatus.APPLIED,
            result=outcome.result,
            warnings=list(outcome.warnings),
            received_at=utcnow(),
            related_command_id=row.command_id,
            resolution_reason=data.note,
        )
        session.add(resubmission)
        _resolve(row, user, AttentionState.RESUBMITTED, data.note)
        row.related_command_id = new_id
        await session.flush()
        after_commit = context.after_commit
        item = _item(row, resubmission)
    publish_after_commit(channels, after_commit)
    log.info("rejected command resubmitted", command_id=str(command_id), resubmission_id=str(new_id), device_id=row.device_id, user=user.username)
    return item


async def dismiss_command(db: Database, user: AuthUser, command_id: UUID, data: DismissRequest, *, device_id: str | None = None) -> AttentionItem:
    """Close a rejected command without applying it, recording who dismissed it, when and why."""
    reason = data.reason.strip()
    if not reason:
        raise InvalidInputError("reason is empty: say why the command is dismissed", field="reason")
    async with db.transaction() as session:
        row = await _load_rejected(session, command_id, device_id)
        _resolve(row, user, AttentionState.DISMISSED, reason)
        await session.flush()
        item = _item(row)
    log.info("rejected command dismissed", command_id=str(command_id), device_id=row.device_id, user=user.username, reason=reason)
    return item
