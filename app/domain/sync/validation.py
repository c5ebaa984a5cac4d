"""Checks of a whole sync batch before anything is applied: shape, types, payloads, reused ids.

Any failure here is a 400 (or a 422 for a command id reused with another payload) that names the
command by its index in ``commands`` and its ``command_id``, and nothing in the batch is applied.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from app.domain.sync.registry import CommandType, get_command_type, registered_types
from app.domain.sync.schemas import CommandEnvelope, SyncRequest
from app.lib.errors import DomainError, InvalidInputError

__all__ = ["CommandIdReusedError", "PreparedCommand", "command_fingerprint", "decode_payload", "prepare_batch"]


class CommandIdReusedError(DomainError):
    """A command id arrived again with a different type or payload: the device minted it twice."""

    status_code = 422
    default_code = "command_id_reused"


@dataclass
class PreparedCommand:
    """A validated command: its envelope, its registered type, its decoded payload and fingerprint."""

    index: int
    envelope: CommandEnvelope
    command_type: CommandType
    payload: msgspec.Struct
    fingerprint: str
    device_time: datetime
    # The index of an earlier copy of the same command in this batch, reported as its duplicate.
    copy_of: int | None = None


def command_fingerprint(type_name: str, payload: dict[str, Any]) -> str:
    """Return the SHA-256 hex digest of the canonical JSON (sorted keys) of type and payload."""
    canonical = msgspec.json.encode({"type": type_name, "payload": payload}, order="sorted")
    return hashlib.sha256(canonical).hexdigest()


_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def decode_payload(command_type: CommandType, payload: dict[str, Any], where: str) -> msgspec.Struct:
    """Convert a raw payload into its type's Struct; raise InvalidInputError naming ``where`` and the field."""
    prefix = f"{where}.payload" if where else "payload"
    try:
        return msgspec.convert(payload, command_type.payload_type)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = text.rsplit(" - at `", 1)
        field = path[1].rstrip("`").removeprefix("$") if len(path) == 2 else ""
        # msgspec names an unknown or missing key in the message and points at the enclosing object.
        named = _NAMED_FIELD.search(text)
        if named:
            field = f"{field}.{named.group(1)}"
        raise InvalidInputError(
            f"{prefix} is invalid for type {command_type.name!r}: {text}",
            field=f"{prefix}{field}",
        ) from None


def _as_utc(value: datetime) -> datetime:
    # A device clock without an offset is read as UTC, the same rule as Starshipit's timestamps.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def prepare_batch(request: SyncRequest, batch_max: int) -> list[PreparedCommand]:
    """Validate every command of the batch and return them sorted by ``device_seq``.

    Raises InvalidInputError (400) for a batch over ``batch_max``, a command of another device, an
    unknown type, a payload that does not match its Struct, or two different commands sharing one
    ``device_seq``. Raises CommandIdReusedError (422) for one command id with two payloads.
    """
    if len(request.commands) > batch_max:
        raise InvalidInputError(
            f"the batch contains {len(request.commands)} commands, more than the maximum of {batch_max}: send them in smaller batches",
            field="commands",
            maximum=batch_max,
        )
    prepared: list[PreparedCommand] = []
    by_id: dict[UUID, PreparedCommand] = {}
    by_seq: dict[int, PreparedCommand] = {}
    for index, envelope in enumerate(request.commands):
        where = f"commands[{index}]"
        detail = {"index": index, "command_id": str(envelope.command_id)}
        if envelope.device_id != request.device_id:
            raise InvalidInputError(
                f"{where}.device_id {envelope.device_id!r} differs from the batch's device_id {request.device_id!r}: "
                "send each device's commands in its own batch",
                field=f"{where}.device_id",
                **detail,
            )
        command_type = get_command_type(envelope.type)
        if command_type is None:
            raise InvalidInputError(
                f"{where}.type {envelope.type!r} is unknown: use one of {', '.join(registered_types())}",
                field=f"{where}.type",
                **detail,
            )
        payload = decode_payload(command_type, envelope.payload, where)
        item = PreparedCommand(
            index=index,
            envelope=envelope,
            command_type=command_type,
            payload=payload,
            fingerprint=command_fingerprint(envelope.type, envelope.payload),
            device_time=_as_utc(envelope.device_time),
        )
        earlier = by_id.get(envelope.command_id)
        if earlier is not None:
            if earlier.fingerprint != item.fingerprint:
                raise CommandIdReusedError(
                    f"{where}: command_id {envelope.command_id} appears twice in the batch with different payloads",
                    field=f"{where}.command_id",
                    **detail,
                )
            item.copy_of = earlier.index
        else:
            other = by_seq.get(envelope.device_seq)
            if other is not None:
                raise InvalidInputError(
                    f"{where}.device_seq {envelope.device_seq} is also used by command {other.envelope.command_id}: "
                    "every command of a device needs its own sequence number",
                    field=f"{where}.device_seq",
                    **detail,
                )
            by_id[envelope.command_id] = item
            by_seq[envelope.device_seq] = item
        prepared.append(item)
    # A stable sort keeps an in-batch copy after the command it copies.
    prepared.sort(key=lambda command: (command.envelope.device_seq, command.copy_of is not None))
    return prepared
