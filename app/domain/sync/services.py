"""Applying a device's batch of scan commands: exactly once, in device order, one commit each.

For every command, in ascending ``device_seq``:

1. A write transaction locks the device row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
   ``BEGIN IMMEDIATE`` already serialises every writer) and looks up (device_id, command_id). A
   stored row means a resend: the status is ``duplicate``, with the stored status and result.
2. The command's handler runs in that transaction, and the command row plus the device's sequence
   bookkeeping are written beside its stock movements. The unique key on (device_id, command_id)
   makes a concurrent second copy fail instead of applying twice.
3. A :class:`DomainError` from the handler rolls the transaction back. The rejection is then stored
   in a transaction of its own and lands on the needs-attention list. If storing it fails as well,
   the command is treated as in step 4.
4. Any other exception stores nothing. That command and every later one in the batch get the
   status ``retry``: the device keeps them queued and resends them with backoff, and stopping at
   the failed command keeps the device's commands in order.

Two flushes from one device at once would interleave their commands, so a batch holds the
device's flush lock (:mod:`app.domain.sync.locks`) from start to end, and the second flush finds
the first one's commands stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import Database
from app.db.models import AttentionState, CommandOrigin, CommandStatus, Device, ScanCommand
from app.domain.auth.schemas import AuthUser
from app.domain.live.publisher import StatusChange, publish_status_changes
from app.domain.sync.locks import device_flush_lock
from app.domain.sync.registry import CommandContext, CommandOutcome
from app.domain.sync.schemas import CommandResult, SyncRequest, SyncResponse
from app.domain.sync.sequence import SeqPlacement, place_seq
from app.domain.sync.validation import CommandIdReusedError, PreparedCommand, prepare_batch
from app.lib.errors import DomainError, PermissionDeniedError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = ["apply_sync_batch", "ensure_device", "lock_device", "publish_after_commit", "stored_result"]

log = get_logger(__name__)

async def ensure_device(session: AsyncSession, device_id: str, user: AuthUser | None = None, *, login: bool = False) -> None:
    """Create the device row if it is new, and record who used it and when."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    values: dict[str, Any] = {"device_id": device_id, "last_seq": 0, "gaps": [], "commands_applied": 0, "commands_rejected": 0}
    await session.execute(insert(Device).values(**values).on_conflict_do_nothing(index_elements=["device_id"]))
    device = await lock_device(session, device_id)
    if user is not None:
        device.operator_id = user.id
        device.operator_username = user.username
    if login:
        device.last_login_at = now
    else:
        device.last_seen_at = now


async def lock_device(session: AsyncSession, device_id: str) -> Device:
    """Load the device row, locked until the transaction ends on PostgreSQL."""
    device = await session.scalar(select(Device).where(Device.device_id == device_id).with_for_update())
    if device is None:
        raise LookupError(f"device {device_id!r} is not registered")
    return device


def stored_result(row: ScanCommand) -> CommandResult:
    """Rebuild the result a stored command received, as a ``duplicate``."""
    return CommandResult(
        command_id=row.command_id,
        device_seq=row.device_seq,
        status="duplicate",
        result=row.result,
        warnings=list(row.warnings or []),
        code=row.code,
        message=row.message,
        original_status=row.status,
    )


def publish_after_commit(channels: Any, items: list[Any]) -> None:
    """Publish the status changes a handler queued, and run any callbacks it queued, after the commit."""
    changes = [item for item in items if isinstance(item, StatusChange)]
    if changes:
        publish_status_changes(channels, changes)
    for item in items:
        if callable(item):
            try:
                item()
            except Exception:  # the commit already happened, so a failed notification must not turn into an error response
                log.exception("after-commit callback failed")


def _record_seq(device: Device, seq: int, status: str) -> None:
    update = place_seq(device.last_seq, device.gaps or [], seq)
    device.last_seq = update.last_seq
    device.gaps = update.gaps
    device.last_seen_at = utcnow()
    if status == CommandStatus.REJECTED:
        device.commands_rejected += 1
    else:
        device.commands_applied += 1
    if update.placement is SeqPlacement.AHEAD:
        log.warning("device sequence gap", device_id=device.device_id, missing_from=update.gaps[-1][0], missing_to=update.gaps[-1][1])


def _new_row(command: PreparedCommand, user: AuthUser, status: str) -> ScanCommand:
    envelope = command.envelope
    return ScanCommand(
        device_id=envelope.device_id,
        command_id=envelope.command_id,
        device_seq=envelope.device_seq,
        origin=CommandOrigin.DEVICE,
        operator_id=user.id if envelope.operator == user.username else None,
        operator_username=envelope.operator,
        submitted_by_id=user.id,
        device_time=command.device_time,
        type=envelope.type,
        payload=envelope.payload,
        fingerprint=command.fingerprint,
        status=status,
        received_at=utcnow(),
    )


async def _find_stored(session: AsyncSession, device_id: str, command: PreparedCommand) -> ScanCommand | None:
    row = await session.scalar(
        select(ScanCommand).where(ScanCommand.device_id == device_id, ScanCommand.command_id == command.envelope.command_id)
    )
    if row is not None and row.fingerprint != command.fingerprint:
        raise CommandIdReusedError(
            f"command_id {command.envelope.command_id} was already used for another {row.type} command: "
            "mint a new id for each action",
            command_id=str(command.envelope.command_id),
        )
    return row


def _check_seq(device: Device, command: PreparedCommand) -> None:
    seq = command.envelope.device_seq
    if place_seq(device.last_seq, device.gaps or [], seq).placement is SeqPlacement.REUSED:
        raise DomainError(
            f"device_seq {seq} of device {device.device_id} is already used by another command: "
            "the device numbered two actions alike, so check this one before resubmitting it",
            code="seq_reused",
            device_seq=seq,
        )


def _check_operator(command: PreparedCommand, user: AuthUser) -> None:
    if command.envelope.operator != user.username:
        raise PermissionDeniedError(
            f"the command was captured by {command.envelope.operator!r} but sent by {user.username!r}: "
            f"{command.envelope.operator} must sign in and send it, or a supervisor resubmits it",
            code="operator_mismatch",
        )


async def _apply_one(db: Database, settings: Settings, user: AuthUser, command: PreparedCommand) -> tuple[CommandResult, list[Any]]:
    envelope = command.envelope
    context: CommandContext | None = None
    async with db.transaction() as session:
        device = await lock_device(session, envelope.device_id)
        stored = await _find_stored(session, envelope.device_id, command)
        if stored is not None:
            return stored_result(stored), []
        _check_seq(device, command)
        _check_operator(command, user)
        context = CommandContext(
            session=session,
            user=user,
            device_id=envelope.device_id,
            command_id=envelope.command_id,
            device_seq=envelope.device_seq,
            device_time=command.device_time,
            settings=settings,
        )
        outcome: CommandOutcome = await command.command_type.handler(context, command.payload)
        status = CommandStatus.APPLIED_WITH_WARNING if outcome.warnings else CommandStatus.APPLIED
        row = _new_row(command, user, status)
        row.result = outcome.result
        row.warnings = list(outcome.warnings)
        session.add(row)
        _record_seq(device, envelope.device_seq, status)
        await session.flush()
    answer = CommandResult(
        command_id=envelope.command_id,
        device_seq=envelope.device_seq,
        status=status,  # type: ignore[arg-type]
        result=outcome.result,
        warnings=list(outcome.warnings),
    )
    return answer, context.after_commit


async def _store_rejection(db: Database, user: AuthUser, command: PreparedCommand, error: DomainError) -> CommandResult:
    envelope = command.envelope
    async with db.transaction() as session:
        device = await lock_device(session, envelope.device_id)
        stored = await _find_stored(session, envelope.device_id, command)
        if stored is not None:
            return stored_result(stored)
        row = _new_row(command, user, CommandStatus.REJECTED)
        row.code = error.code
        row.message = error.message
        row.result = None
        row.warnings = []
        row.attention_state = AttentionState.OPEN
        session.add(row)
        if error.code != "seq_reused":
            _record_seq(device, envelope.device_seq, CommandStatus.REJECTED)
        else:
            device.commands_rejected += 1
        await session.flush()
    log.info(
        "scan command rejected",
        device_id=envelope.device_id,
        command_id=str(envelope.command_id),
        device_seq=envelope.device_seq,
        type=envelope.type,
        code=error.code,
        error=error.message,
    )
    return CommandResult(envelope.command_id, envelope.device_seq, "rejected", None, [], error.code, error.message)


def _retry(command: PreparedCommand, message: str) -> CommandResult:
    return CommandResult(command.envelope.command_id, command.envelope.device_seq, "retry", None, [], "server_error", message)


async def _apply_or_reject(db: Database, settings: Settings, user: AuthUser, command: PreparedCommand) -> tuple[CommandResult, list[Any]]:
    envelope = command.envelope
    try:
        return await _apply_one(db, settings, user, command)
    except CommandIdReusedError as exc:
        # The stored command keeps its row. This copy gets a result but is not stored, because its key is taken.
        log.warning("command id reused with another payload", device_id=envelope.device_id, command_id=str(envelope.command_id))
        return CommandResult(envelope.command_id, envelope.device_seq, "rejected", None, [], exc.code, exc.message), []
    except DomainError as exc:
        return await _store_rejection(db, user, command, exc), []
    except IntegrityError:
        # Another transaction stored this command between our look-up and our insert.
        async with db.read() as session:
            stored = await _find_stored(session, envelope.device_id, command)
        if stored is None:
            raise
        return stored_result(stored), []


async def _stored_before_batch(db: Database, device_id: str, commands: list[PreparedCommand]) -> None:
    # Reject a reused command id (422) before anything in the batch is applied.
    ids = [command.envelope.command_id for command in commands]
    async with db.read() as session:
        rows = (
            await session.execute(
                select(ScanCommand.command_id, ScanCommand.fingerprint, ScanCommand.type).where(
                    ScanCommand.device_id == device_id, ScanCommand.command_id.in_(ids)
                )
            )
        ).all()
    fingerprints = {row.command_id: (row.fingerprint, row.type) for row in rows}
    for command in commands:
        stored = fingerprints.get(command.envelope.command_id)
        if stored is not None and stored[0] != command.fingerprint:
            raise CommandIdReusedError(
                f"commands[{command.index}]: command_id {command.envelope.command_id} was already used for another "
                f"{stored[1]} command: mint a new id for each action",
                field=f"commands[{command.index}].command_id",
                index=command.index,
                command_id=str(command.envelope.command_id),
            )


async def apply_sync_batch(db: Database, settings: Settings, user: AuthUser, request: SyncRequest, channels: Any = None) -> SyncResponse:
    """Apply a device's batch and return one result per command plus the device's gaps.

    Raises InvalidInputError (400) or CommandIdReusedError (422) before applying anything when the
    batch is malformed; see :func:`app.domain.sync.validation.prepare_batch`.
    """
    commands = prepare_batch(request, settings.sync_batch_max)
    device_id = request.device_id
    async with device_flush_lock(db, device_id):
        await _stored_before_batch(db, device_id, commands)
        async with db.transaction() as session:
            await ensure_device(session, device_id, user)
        log.info("sync batch started", device_id=device_id, user=user.username, commands=len(commands))

        results: list[CommandResult] = []
        answers_by_index: dict[int, CommandResult] = {}
        failed = False
        for command in commands:
            if failed:
                results.append(_retry(command, "not applied because an earlier command of this batch failed: send it again"))
                continue
            if command.copy_of is not None:
                first = answers_by_index[command.copy_of]
                results.append(_copy_answer(first))
                continue
            try:
                answer, after_commit = await _apply_or_reject(db, settings, user, command)
            except Exception:
                log.exception(
                    "scan command failed; the device will retry it",
                    device_id=device_id,
                    command_id=str(command.envelope.command_id),
                    device_seq=command.envelope.device_seq,
                    type=command.envelope.type,
                )
                failed = True
                answer, after_commit = _retry(command, "the server failed to apply this command: it stays queued and is sent again"), []
            publish_after_commit(channels, after_commit)
            answers_by_index[command.index] = answer
            results.append(answer)

        async with db.read() as session:
            device = await session.scalar(select(Device).where(Device.device_id == device_id))
    assert device is not None
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    log.info("sync batch finished", device_id=device_id, last_seq=device.last_seq, gaps=len(device.gaps or []), **counts)
    return SyncResponse(device_id=device_id, results=results, gaps=[list(gap) for gap in device.gaps or []], last_seq=device.last_seq)


def _copy_answer(first: CommandResult) -> CommandResult:
    # The second copy of a command in one batch: a duplicate of whatever the first copy received.
    if first.status in ("retry", "duplicate"):
        return first
    return CommandResult(
        command_id=first.command_id,
        device_seq=first.device_seq,
        status="duplicate",
        result=first.result,
        warnings=list(first.warnings),
        code=first.code,
        message=first.message,
        original_status=first.status,
    )
