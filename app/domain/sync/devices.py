"""The device registry: handhelds registered at sign-in, with their sequence bookkeeping."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import AttentionState, Device, ScanCommand
from app.domain.auth.schemas import AuthUser
from app.domain.sync.schemas import DeviceRead
from app.domain.sync.services import ensure_device
from app.lib.errors import InvalidInputError
from app.lib.logging import get_logger

__all__ = ["list_devices", "register_device"]

log = get_logger(__name__)


async def register_device(db: Database, device_id: str, user: AuthUser) -> None:
    """Register ``device_id`` at sign-in (or record the new sign-in) with ``user`` as its operator."""
    device_id = device_id.strip()
    if not device_id or len(device_id) > 80:
        raise InvalidInputError(f"device_id {device_id!r} is invalid: send 1 to 80 characters", field="device_id")
    async with db.transaction() as session:
        await ensure_device(session, device_id, user, login=True)
    log.info("device registered", device_id=device_id, user=user.username)


async def list_devices(session: AsyncSession) -> list[DeviceRead]:
    """Return every device with its last sequence, gaps and count of open rejections."""
    pending = dict(
        (
            await session.execute(
                select(ScanCommand.device_id, func.count())
                .where(ScanCommand.attention_state == AttentionState.OPEN)
                .group_by(ScanCommand.device_id)
            )
        ).all()
    )
    devices = (await session.scalars(select(Device).order_by(Device.device_id))).all()
    return [
        DeviceRead(
            device_id=device.device_id,
            operator=device.operator_username,
            last_seq=device.last_seq,
            last_seen=device.last_seen_at,
            last_login=device.last_login_at,
            gaps=[list(gap) for gap in device.gaps or []],
            pending_rejections=int(pending.get(device.device_id, 0)),
            commands_applied=device.commands_applied,
            commands_rejected=device.commands_rejected,
        )
        for device in devices
    ]
