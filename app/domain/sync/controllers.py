"""Offline sync endpoints: the command batch, reference data, devices and the needs-attention list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter

from app.domain.auth.guards import requires_supervisor
from app.domain.auth.schemas import AuthUser
from app.domain.sync.attention import dismiss_command, list_attention, resubmit_command
from app.domain.sync.devices import list_devices
from app.domain.sync.modules import load_command_modules
from app.domain.sync.reference import get_reference_data
from app.domain.sync.schemas import (
    AttentionItem,
    DeviceRead,
    DismissRequest,
    ReferenceData,
    ResubmitRequest,
    SyncRequest,
    SyncResponse,
)
from app.domain.sync.services import apply_sync_batch
from app.lib.deps import DatabaseDep
from app.lib.wire import decode_body

__all__ = ["SyncController"]

# Every command type must be registered before the first batch arrives.
load_command_modules()


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]

    @post("/", operation_id="SyncCommands", status_code=200)
    async def sync(self, request: Request[AuthUser, object, State], state: State, db: DatabaseDep) -> SyncResponse:
        """Apply a device's queued scan commands and return a result for each (applied, duplicate, rejected or retry)."""
        body = decode_body(await request.body(), SyncRequest)
        return await apply_sync_batch(db, state.settings, request.user, body, channels=state.channels)

    @get("/reference", operation_id="GetSyncReference")
    async def reference(
        self,
        db: DatabaseDep,
        since: Annotated[str | None, QueryParameter(description="Cursor from the previous response; omit it to get everything.")] = None,
    ) -> ReferenceData:
        """Return products, barcodes, locations and open jobs for offline use, changed since the cursor."""
        async with db.read() as session:
            return await get_reference_data(session, since)

    @get("/devices", operation_id="ListSyncDevices", guards=[requires_supervisor])
    async def devices(self, db: DatabaseDep) -> list[DeviceRead]:
        """List devices with operator, last sequence applied, last seen, gaps and open rejections."""
        async with db.read() as session:
            return await list_devices(session)

    @get("/attention", operation_id="ListSyncAttention")
    async def attention(
        self,
        request: Request[AuthUser, object, State],
        db: DatabaseDep,
        state_filter: Annotated[str, QueryParameter(query="state", description="open, resubmitted, dismissed or all.")] = "open",
        device_id: Annotated[str | None, QueryParameter(description="Only this device's commands.")] = None,
        limit: Annotated[int, QueryParameter(description="At most this many items, oldest first (1 to 1000).")] = 200,
    ) -> list[AttentionItem]:
        """List rejected commands needing attention; operators see only their own."""
        async with db.read() as session:
            return await list_attention(session, request.user, state=state_filter, device_id=device_id, limit=limit)

    @post("/attention/{command_id:uuid}/resubmit", operation_id="ResubmitSyncCommand", status_code=200, guards=[requires_supervisor])
    async def resubmit(
        self,
        request: Request[AuthUser, object, State],
        state: State,
        db: DatabaseDep,
        command_id: FromPath[UUID],
        device_id: Annotated[str | None, QueryParameter(description="The device, when the command id was rejected on several.")] = None,
    ) -> AttentionItem:
        """Apply a corrected payload for a rejected command and record the resolution."""
        body = decode_body(await request.body(), ResubmitRequest)
        return await resubmit_command(db, state.settings, request.user, command_id, body, device_id=device_id, channels=state.channels)

    @post("/attention/{command_id:uuid}/dismiss", operation_id="DismissSyncCommand", status_code=200, guards=[requires_supervisor])
    async def dismiss(
        self,
        request: Request[AuthUser, object, State],
        db: DatabaseDep,
        command_id: FromPath[UUID],
        device_id: Annotated[str | None, QueryParameter(description="The device, when the command id was rejected on several.")] = None,
    ) -> AttentionItem:
        """Close a rejected command without applying it, with a reason."""
        body = decode_body(await request.body(), DismissRequest)
        return await dismiss_command(db, request.user, command_id, body, device_id=device_id)
